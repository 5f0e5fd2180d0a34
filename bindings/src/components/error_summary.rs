//! The error summary (GOV.UK “error summary”): at the top, focused when it
//! appears, one link per field in the same words as the message at the
//! field. A link to a field on another step switches to that step.

use super::Attr;
use web_sys::Element;

use super::{set_hidden, Ctx};
use crate::widget::text::Msg;

/// One entry: the message and the field the link leads to.
pub(crate) struct Entry {
    /// The message, as shown at the field.
    pub message: String,
    /// `(path, id)` of the field; `None` when the field is not on screen.
    pub target: Option<(String, String)>,
}

/// The summary's elements.
pub(crate) struct Summary {
    /// The box; focusable (`tabindex=-1`), hidden when empty.
    pub root: Element,
    intro: Element,
    list: Element,
}

/// Renders the (hidden) summary into `parent`.
pub(crate) fn render(ctx: &Ctx, parent: &Element) -> Summary {
    let root = ctx.el(parent, "div", "efa-error-summary");
    root.attr("tabindex", "-1");
    root.attr("hidden", "");
    root.attr("aria-labelledby", "efa-error-summary-title");
    let alert = ctx.el(&root, "div", "");
    alert.attr("role", "alert");
    let title = ctx.heading(&alert, 1, "efa-error-summary__title", ctx.msg(Msg::ErrorSummaryTitle));
    title.attr("id", "efa-error-summary-title");
    let intro = ctx.el(&alert, "p", "efa-body");
    let list = ctx.el(&alert, "ul", "efa-list efa-error-summary__list");
    Summary { root, intro, list }
}

impl Summary {
    /// Shows `entries` (with an optional introduction) and focuses the box.
    pub fn show(&self, ctx: &Ctx, intro: Option<&str>, entries: &[Entry]) {
        self.intro.set_text_content(intro);
        set_hidden(&self.intro, intro.is_none());
        self.list.set_text_content(None);
        for entry in entries {
            let item = ctx.el(&self.list, "li", "");
            match &entry.target {
                Some((path, id)) => {
                    let link = ctx.text_el(&item, "a", "", &entry.message);
                    link.attr("href", &["#", id].concat());
                    link.attr("data-action", "goto");
                    link.attr("data-path", path);
                }
                None => item.set_text_content(Some(&entry.message)),
            }
        }
        self.root.unattr("hidden");
        super::focus(&self.root)
    }

    /// Hides the summary.
    pub fn hide(&self) {
        self.root.attr("hidden", "")
    }

    /// Whether the summary is showing.
    pub fn is_shown(&self) -> bool {
        self.root.get_attribute("hidden").is_none()
    }
}
