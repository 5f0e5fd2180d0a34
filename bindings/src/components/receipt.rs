//! The receipt after a successful send (GOV.UK “confirmation panel”).

use super::Attr;
use web_sys::Element;

use super::Ctx;
use crate::widget::text::Msg;

/// Fills `section` with the confirmation and the `reference` the server
/// gave, if any; the heading takes the focus (`tabindex=-1`).
pub(crate) fn render(ctx: &Ctx, section: &Element, reference: Option<&str>) {
    section.set_text_content(None);
    let panel = ctx.el(section, "div", "efa-panel");
    let title = ctx.heading(&panel, 1, "efa-panel__title", ctx.msg(Msg::ReceivedTitle));
    title.attr("tabindex", "-1");
    if let Some(reference) = reference {
        let body = ctx.el(&panel, "div", "efa-panel__body");
        ctx.text_el(&body, "span", "efa-panel__label", ctx.msg(Msg::Reference));
        ctx.text_el(&body, "strong", "efa-panel__reference", reference);
    }
    ctx.text_el(section, "p", "efa-body", ctx.msg(Msg::ReceivedText));
}
