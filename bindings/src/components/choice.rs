//! Choices: radios for a single choice (a select when the list is long),
//! checkboxes for a multiple choice — GOV.UK “radios”, “select” and
//! “checkboxes”, grouped in a fieldset whose legend is the question.

use super::Attr;
use efa_engine::Node;
use serde_json::Value as Json;
use web_sys::Element;

use super::{field, fieldset, input, labelled, Ctx, FieldView, Kind};
use crate::widget::text::Msg;

/// Above this many options radios get hard to scan; a select is used.
const MAX_RADIOS: usize = 10;

/// Renders a single choice with the selected `code`.
pub(crate) fn render_single(ctx: &Ctx, parent: &Element, node: &Node, path: &str, code: Option<&str>) -> FieldView {
    if node.options.len() > MAX_RADIOS {
        return render_select(ctx, parent, node, path, code);
    }
    options(ctx, parent, node, path, Kind::Radios, &|c| Some(c) == code)
}

/// Renders a multiple choice with the selected `codes`.
pub(crate) fn render_multi(ctx: &Ctx, parent: &Element, node: &Node, path: &str, codes: &Json) -> FieldView {
    let selected = |c: &str| codes.as_array().is_some_and(|list| list.iter().any(|v| v.as_str() == Some(c)));
    options(ctx, parent, node, path, Kind::Checkboxes, &selected)
}

fn options(ctx: &Ctx, parent: &Element, node: &Node, path: &str, kind: Kind, selected: &dyn Fn(&str) -> bool) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "", kind, "-0");
    let set = fieldset(ctx, &group, node, &id, &mut view, "efa-fieldset__legend");
    if kind == Kind::Radios {
        // The group that can carry `aria-readonly` (components/mod.rs).
        set.attr("role", "radiogroup");
    }
    view.described.push(set.clone());
    let (class, input_type) = if kind == Kind::Radios { ("efa-radios", "radio") } else { ("efa-checkboxes", "checkbox") };
    let list = ctx.el(&set, "div", class);
    list.attr("id", &id);
    for (index, option) in node.options.iter().enumerate() {
        let item = ctx.el(&list, "div", &[class, "__item"].concat());
        let input_id = [&id, "-", &index.to_string()].concat();
        let input = input(ctx, &item, &[class, "__input"].concat(), &input_id, input_type, path);
        input.attr("value", &option.code);
        if selected(&option.code) {
            input.attr("checked", "");
        }
        let label = ctx.text_el(&item, "label", &["efa-label ", class, "__label"].concat(), ctx.text(&option.label));
        label.attr("for", &input_id);
        view.add_control(input, false);
    }
    view
}

fn render_select(ctx: &Ctx, parent: &Element, node: &Node, path: &str, code: Option<&str>) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "", Kind::Text, "");
    labelled(ctx, &group, node, &id, &mut view, ctx.text_opt(node.hint.as_ref()));
    let select = ctx.el(&group, "select", "efa-select");
    select.attr("id", &id);
    select.attr("name", path);
    select.attr("data-path", path);
    ctx.text_el(&select, "option", "", ctx.msg(Msg::Select)).attr("value", "");
    for option in &node.options {
        let element = ctx.text_el(&select, "option", "", ctx.text(&option.label));
        element.attr("value", &option.code);
        if Some(option.code.as_str()) == code {
            element.attr("selected", "");
        }
    }
    view.add_control(select, true);
    view
}
