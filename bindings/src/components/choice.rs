//! Choices: radios for a single choice (a select when the list is long),
//! checkboxes for a multiple choice — GOV.UK “radios”, “select” and
//! “checkboxes”, grouped in a fieldset whose legend is the question.

use efa_engine::Node;
use serde_json::Value as Json;
use web_sys::Element;

use super::{field_id, fieldset, form_group, labelled, Ctx, FieldView, Kind, Res};
use crate::widget::text::Msg;

/// Above this many options radios get hard to scan; a select is used.
const MAX_RADIOS: usize = 10;

/// Renders a single choice with the selected `code`.
pub(crate) fn render_single(ctx: &Ctx, parent: &Element, node: &Node, path: &str, code: Option<&str>) -> Res<FieldView> {
    if node.options.len() > MAX_RADIOS {
        return render_select(ctx, parent, node, path, code);
    }
    options(ctx, parent, node, path, Kind::Radios, &|c| Some(c) == code)
}

/// Renders a multiple choice with the selected `codes`.
pub(crate) fn render_multi(ctx: &Ctx, parent: &Element, node: &Node, path: &str, codes: &Json) -> Res<FieldView> {
    let selected = |c: &str| codes.as_array().is_some_and(|list| list.iter().any(|v| v.as_str() == Some(c)));
    options(ctx, parent, node, path, Kind::Checkboxes, &selected)
}

fn options(ctx: &Ctx, parent: &Element, node: &Node, path: &str, kind: Kind, selected: &dyn Fn(&str) -> bool) -> Res<FieldView> {
    let id = field_id(path);
    let group = form_group(ctx, parent, path, "")?;
    let mut view = FieldView::new(kind, node.step, group.clone(), format!("{id}-0"));
    let set = fieldset(ctx, &group, node, &id, &mut view, "efa-fieldset__legend")?;
    view.described.push(set.clone());
    let (class, input_type) = if kind == Kind::Radios { ("efa-radios", "radio") } else { ("efa-checkboxes", "checkbox") };
    let list = ctx.el(&set, "div", class)?;
    list.set_id(&id);
    for (index, option) in node.options.iter().enumerate() {
        let item = ctx.el(&list, "div", &format!("{class}__item"))?;
        let input = ctx.el(&item, "input", &format!("{class}__input"))?;
        let input_id = format!("{id}-{index}");
        input.set_id(&input_id);
        input.set_attribute("type", input_type)?;
        input.set_attribute("name", path)?;
        input.set_attribute("value", &option.code)?;
        input.set_attribute("data-path", path)?;
        if selected(&option.code) {
            input.set_attribute("checked", "")?;
        }
        let label = ctx.text_el(&item, "label", &format!("efa-label {class}__label"), ctx.text(&option.label))?;
        label.set_attribute("for", &input_id)?;
        if index == 0 {
            view.focus = Some(input.clone());
        }
        view.controls.push(input);
    }
    Ok(view)
}

fn render_select(ctx: &Ctx, parent: &Element, node: &Node, path: &str, code: Option<&str>) -> Res<FieldView> {
    let id = field_id(path);
    let group = form_group(ctx, parent, path, "")?;
    let mut view = FieldView::new(Kind::Text, node.step, group.clone(), id.clone());
    labelled(ctx, &group, node, &id, &mut view, ctx.text_opt(node.hint.as_ref()))?;
    let select = ctx.el(&group, "select", "efa-select")?;
    select.set_id(&id);
    select.set_attribute("name", path)?;
    select.set_attribute("data-path", path)?;
    ctx.text_el(&select, "option", "", ctx.msg(Msg::Select))?.set_attribute("value", "")?;
    for option in &node.options {
        let element = ctx.text_el(&select, "option", "", ctx.text(&option.label))?;
        element.set_attribute("value", &option.code)?;
        if Some(option.code.as_str()) == code {
            element.set_attribute("selected", "")?;
        }
    }
    view.focus = Some(select.clone());
    view.controls.push(select.clone());
    view.described.push(select);
    Ok(view)
}
