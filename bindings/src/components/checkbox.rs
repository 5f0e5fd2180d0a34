//! A yes/no field as one checkbox whose label is the statement
//! (GOV.UK single checkbox): “Ich bin zugezogen.” — ticked or not.

use efa_engine::Node;
use web_sys::Element;

use super::{error_message, field_id, form_group, warning_message, Ctx, FieldView, Kind, Res};

/// Renders the checkbox for `node` at `path`, ticked when `checked`.
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str, checked: bool) -> Res<FieldView> {
    let id = field_id(path);
    let group = form_group(ctx, parent, path, "")?;
    let mut view = FieldView::new(Kind::Boolean, node.step, group.clone(), id.clone());
    view.error = Some(error_message(ctx, &group, &id)?);
    view.warning = Some(warning_message(ctx, &group, &id)?);
    let list = ctx.el(&group, "div", "efa-checkboxes")?;
    let item = ctx.el(&list, "div", "efa-checkboxes__item")?;
    let input = ctx.el(&item, "input", "efa-checkboxes__input")?;
    input.set_id(&id);
    input.set_attribute("type", "checkbox")?;
    input.set_attribute("name", path)?;
    input.set_attribute("value", "true")?;
    input.set_attribute("data-path", path)?;
    if checked {
        input.set_attribute("checked", "")?;
    }
    let label = ctx.text_el(&item, "label", "efa-label efa-checkboxes__label", ctx.label(node))?;
    label.set_attribute("for", &id)?;
    if let Some(text) = ctx.text_opt(node.hint.as_ref()) {
        let hint = ctx.text_el(&item, "div", "efa-hint efa-checkboxes__hint", text)?;
        view.described_by = format!("{id}-hint");
        hint.set_id(&view.described_by);
    }
    view.focus = Some(input.clone());
    view.controls.push(input.clone());
    view.described.push(input);
    Ok(view)
}
