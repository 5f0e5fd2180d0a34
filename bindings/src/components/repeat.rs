//! Repeating groups (GOV.UK “add another”): one fieldset per entry with a
//! remove button while more than the minimum exist, and an add button while
//! fewer than the maximum do. Unavailable actions are left out, not disabled.

use super::Attr;
use efa_engine::Node;
use web_sys::Element;

use super::{error_message, field, field_id, hint, optional_marker, warning_message, Ctx, FieldView, Kind};
use crate::widget::text::Msg;

/// Renders the frame of the repeating group at `path`; [`fill`] adds the entries.
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "efa-repeat", Kind::Display, "-items");
    let title = ctx.heading(&group, 2, "efa-heading-m", ctx.label(node));
    // With a minimum, entries are needed whatever `required` says.
    if node.repeat.is_none_or(|r| r.min == 0) {
        view.optional = Some(optional_marker(ctx, &title));
    }
    view.described_by = hint(ctx, &group, &id, ctx.text_opt(node.hint.as_ref()));
    view.error = Some(error_message(ctx, &group, &id));
    view.warning = Some(warning_message(ctx, &group, &id));
    let items = ctx.el(&group, "div", "efa-repeat__items");
    items.attr("id", &view.focus_id);
    view.focus = Some(items.clone());
    view.items = Some(items);
    view
}

/// “Hund 2”: the name of the entry at `index` of the group labelled
/// `label`, in its legend and on the review page.
#[inline(never)]
pub(crate) fn entry_name(ctx: &Ctx, label: &str, index: usize) -> String {
    ctx.msg(Msg::Entry).replace("{label}", label).replace("{n}", &(index + 1).to_string())
}

/// Replaces the entries of `items` with `count` empty entry frames and the
/// add button; returns the element each entry's members go into.
pub(crate) fn fill(ctx: &Ctx, items: &Element, node: &Node, path: &str, count: usize) -> Vec<Element> {
    items.set_text_content(None);
    let repeat = node.repeat.unwrap_or(efa_engine::model::Repeat { min: 0, max: u32::MAX });
    let label = ctx.label(node);
    let mut bodies = Vec::with_capacity(count);
    for index in 0..count {
        let entry_path = [path, "/", &index.to_string()].concat();
        let set = ctx.el(items, "fieldset", "efa-fieldset efa-repeat__item");
        set.attr("id", &field_id(&entry_path));
        let name = entry_name(ctx, label, index);
        ctx.text_el(&set, "legend", "efa-fieldset__legend efa-fieldset__legend--s", &name);
        bodies.push(ctx.el(&set, "div", "efa-repeat__body"));
        if count > repeat.min as usize {
            let text = ctx.msg(Msg::Remove).replace("{label}", &name);
            let button = ctx.button(&set, "efa-button efa-button--secondary efa-repeat__remove", "remove", &text);
            button.attr("data-path", &entry_path);
        }
    }
    if count < repeat.max as usize {
        let text = ctx.msg(Msg::Add).replace("{label}", label);
        let button = ctx.button(items, "efa-button efa-button--secondary efa-repeat__add", "add", &text);
        button.attr("data-path", path);
        button.attr("id", &[&field_id(path), "-add"].concat());
    }
    bodies
}
