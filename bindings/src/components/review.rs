//! The review page (GOV.UK “check answers”): every answer that applies,
//! grouped by step, each with a change link that goes back to the field.

use std::collections::HashMap;

use super::Attr;
use efa_engine::model::FieldType;
use efa_engine::{FieldState, NodeId};
use web_sys::Element;

use super::Ctx;
use crate::widget::display;
use crate::widget::text::Msg;

/// What the review needs besides the form.
pub(crate) struct Answers<'a> {
    /// Current states by path.
    pub states: &'a HashMap<String, FieldState>,
    /// Id of the control a change link focuses, by path.
    pub focus: &'a dyn Fn(&str) -> Option<String>,
}

/// Rebuilds the review page in `section`.
pub(crate) fn render(ctx: &Ctx, section: &Element, answers: &Answers) {
    section.set_text_content(None);
    let heading = ctx.heading(section, 1, "efa-heading-l", ctx.msg(Msg::ReviewTitle));
    heading.attr("tabindex", "-1");
    ctx.text_el(section, "p", "efa-body", ctx.msg(Msg::ReviewIntro));
    for &step in ctx.form.steps() {
        let node = ctx.form.node(step);
        if !answers.states.get(&["#", &node.id].concat()).is_none_or(|s| s.visible) {
            continue;
        }
        ctx.heading(section, 2, "efa-heading-m", ctx.label(node));
        let mut list = None;
        rows(ctx, section, &mut list, &node.children, "", answers);
    }
}

fn rows(ctx: &Ctx, section: &Element, list: &mut Option<Element>, members: &[NodeId], base: &str, answers: &Answers) {
    for &id in members {
        let node = ctx.form.node(id);
        let path = efa_engine::error::pointer_push(base, &node.id);
        let Some(state) = answers.states.get(&path).filter(|s| s.visible) else { continue };
        match node.field_type() {
            Some(FieldType::Static) | None => {}
            Some(FieldType::Group) if node.is_repeat() => {
                for index in 0..state.count.unwrap_or(0) {
                    let name = super::repeat::entry_name(ctx, ctx.label(node), index);
                    ctx.heading(section, 3, "efa-heading-s", &name);
                    let mut inner = None;
                    rows(ctx, section, &mut inner, &node.children, &[&path, "/", &index.to_string()].concat(), answers);
                }
                // Answers after the entries start a new list below them.
                *list = None;
            }
            Some(FieldType::Group) => rows(ctx, section, list, &node.children, &path, answers),
            Some(_) => {
                let dl = match list {
                    Some(dl) => dl.clone(),
                    None => list.insert(ctx.el(section, "dl", "efa-summary-list")).clone(),
                };
                let row = ctx.el(&dl, "div", "efa-summary-list__row");
                ctx.text_el(&row, "dt", "efa-summary-list__key", ctx.label(node));
                ctx.text_el(&row, "dd", "efa-summary-list__value", &display::value(ctx, node, &state.value));
                let actions = ctx.el(&row, "dd", "efa-summary-list__actions");
                if let Some(id) = (!node.computed).then(|| (answers.focus)(&path)).flatten() {
                    let link = ctx.text_el(&actions, "a", "efa-link", ctx.msg(Msg::Change));
                    ctx.text_el(&link, "span", "efa-visually-hidden", &[" ", ctx.label(node)].concat());
                    link.attr("href", &["#", &id].concat());
                    link.attr("data-action", "change");
                    link.attr("data-path", &path);
                }
            }
        }
    }
}
