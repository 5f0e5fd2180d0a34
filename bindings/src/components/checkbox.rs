//! A yes/no field as one checkbox whose label is the statement
//! (GOV.UK single checkbox): “Ich bin zugezogen.” — ticked or not.

use super::Attr;
use efa_engine::Node;
use web_sys::Element;

use super::{error_message, field, input, warning_message, Ctx, FieldView, Kind};

/// Renders the checkbox for `node` at `path`, ticked when `checked`.
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str, checked: bool) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "", Kind::Boolean, "");
    view.error = Some(error_message(ctx, &group, &id));
    view.warning = Some(warning_message(ctx, &group, &id));
    let list = ctx.el(&group, "div", "efa-checkboxes");
    let item = ctx.el(&list, "div", "efa-checkboxes__item");
    let input = input(ctx, &item, "efa-checkboxes__input", &id, "checkbox", path);
    input.attr("value", "true");
    if checked {
        input.attr("checked", "");
    }
    let label = ctx.text_el(&item, "label", "efa-label efa-checkboxes__label", ctx.label(node));
    label.attr("for", &id);
    if let Some(text) = ctx.text_opt(node.hint.as_ref()) {
        let hint = ctx.text_el(&item, "div", "efa-hint efa-checkboxes__hint", text);
        view.described_by = [&id, "-hint"].concat();
        hint.attr("id", &view.described_by);
    }
    view.add_control(input, true);
    view
}
