//! A yes/no field as one checkbox whose label is the statement
//! (GOV.UK single checkbox): “Ich bin zugezogen.” — ticked or not.

use super::Attr;
use efa_engine::Node;
use web_sys::Element;

use super::{error_message, field_id, form_group, warning_message, Ctx, FieldView, Kind};

/// Renders the checkbox for `node` at `path`, ticked when `checked`.
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str, checked: bool) -> FieldView {
    let id = field_id(path);
    let group = form_group(ctx, parent, path, "");
    let mut view = FieldView::new(Kind::Boolean, node.step, group.clone(), id.clone());
    view.error = Some(error_message(ctx, &group, &id));
    view.warning = Some(warning_message(ctx, &group, &id));
    let list = ctx.el(&group, "div", "efa-checkboxes");
    let item = ctx.el(&list, "div", "efa-checkboxes__item");
    let input = ctx.el(&item, "input", "efa-checkboxes__input");
    input.attr("id", &id);
    input.attr("type", "checkbox");
    input.attr("name", path);
    input.attr("value", "true");
    input.attr("data-path", path);
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
    view.focus = Some(input.clone());
    view.controls.push(input.clone());
    view.described.push(input);
    view
}
