//! Navigation between steps: the progress list (which step, how many),
//! the “Schritt 2 von 4” caption and the back / continue / send buttons.

use super::Attr;
use web_sys::Element;

use super::{set_hidden, set_optional_attribute, Ctx};
use crate::widget::text::Msg;

/// Where the citizen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    /// A step, by index in the form.
    Step(usize),
    /// The review page before sending.
    Review,
    /// The receipt after sending.
    Receipt,
}

/// The progress list: one entry per step plus the review page.
pub(crate) struct Progress {
    nav: Element,
    items: Vec<(Element, Element)>,
    review: Element,
}

/// Renders the progress list for steps titled `titles`.
pub(crate) fn render_progress(ctx: &Ctx, parent: &Element, titles: &[&str]) -> Progress {
    let nav = ctx.el(parent, "nav", "efa-progress");
    nav.attr("aria-label", ctx.msg(Msg::StepsLabel));
    let list = ctx.el(&nav, "ol", "efa-progress__list");
    let mut items = Vec::with_capacity(titles.len());
    for (index, title) in titles.iter().enumerate() {
        let item = ctx.el(&list, "li", "efa-progress__item");
        let button = ctx.button(&item, "efa-progress__link", "goto-step", title);
        button.attr("data-step", &index.to_string());
        items.push((item, button));
    }
    let item = ctx.el(&list, "li", "efa-progress__item");
    let review = ctx.button(&item, "efa-progress__link", "review", ctx.msg(Msg::ReviewTitle));
    Progress { nav, items, review }
}

impl Progress {
    /// Marks the current page and hides steps that do not apply.
    pub fn update(&self, page: Page, visible: &[bool]) {
        for (index, (item, button)) in self.items.iter().enumerate() {
            set_hidden(item, !visible.get(index).copied().unwrap_or(true));
            set_current(button, page == Page::Step(index));
        }
        set_current(&self.review, page == Page::Review);
        set_hidden(&self.nav, page == Page::Receipt)
    }
}

fn set_current(button: &Element, current: bool) {
    set_optional_attribute(button, "aria-current", current.then_some("step"));
}

/// “Schritt 2 von 4”.
pub(crate) fn caption(ctx: &Ctx, position: usize, total: usize) -> String {
    ctx.msg(Msg::StepOf).replace("{n}", &position.to_string()).replace("{m}", &total.to_string())
}

/// The buttons under the form.
pub(crate) struct Actions {
    /// The bar; hidden on the receipt.
    pub bar: Element,
    /// Back to the previous step (hidden on the first).
    pub back: Element,
    /// The submit button: “Weiter”, “Weiter zur Prüfung” or “Absenden”.
    pub next: Element,
}

/// Renders the action bar into `parent` (the `<form>`).
pub(crate) fn render_actions(ctx: &Ctx, parent: &Element) -> Actions {
    let bar = ctx.el(parent, "div", "efa-button-group");
    // The submit button comes first: Enter in a text field continues.
    let next = ctx.text_el(&bar, "button", "efa-button", ctx.msg(Msg::Next));
    next.attr("type", "submit");
    let back = ctx.button(&bar, "efa-button efa-button--secondary", "back", ctx.msg(Msg::Back));
    Actions { bar, back, next }
}

impl Actions {
    /// Labels and shows the buttons for `page`.
    pub fn update(&self, ctx: &Ctx, page: Page, first: bool, last: bool, return_to_review: bool) {
        let next = match page {
            Page::Review => Msg::Send,
            Page::Step(_) if return_to_review => Msg::BackToReview,
            Page::Step(_) if last => Msg::ToReview,
            _ => Msg::Next,
        };
        self.next.set_text_content(Some(ctx.msg(next)));
        set_hidden(&self.back, first && page != Page::Review);
        set_hidden(&self.bar, page == Page::Receipt)
    }
}
