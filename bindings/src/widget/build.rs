//! Walks the compiled form and renders each node with its component.

use efa_engine::error::pointer_push;
use efa_engine::model::FieldType;
use efa_engine::{NameMap, NodeId, Session};
use serde_json::Value as Json;
use web_sys::Element;

use crate::components::{attachment, checkbox, choice, date, group, repeat, static_text, text_input, Ctx, FieldView};

/// The rendered fields by data path: a keystroke that changes many fields
/// of a large form finds each view by bisection, and no map type of its
/// own adds to every citizen's download.
pub(super) type Views = NameMap<FieldView>;

/// Where initial control values come from.
pub(super) struct Source<'a> {
    /// The draft data: raw inputs, also those that are not valid yet.
    pub values: &'a Json,
    /// For the number of entries of repeating groups.
    pub session: &'a Session,
}

/// Renders `members` (at data path `base`) into `parent`, recording a view
/// per rendered node.
pub(super) fn members(ctx: &Ctx, parent: &Element, members: &[NodeId], base: &str, source: &Source, views: &mut Views) {
    for &id in members {
        let node = ctx.form.node(id);
        let path = pointer_push(base, &node.id);
        let raw = source.values.pointer(&path).unwrap_or(&Json::Null);
        let mut view = match node.field_type() {
            None => continue,
            Some(FieldType::Group) if node.is_repeat() => repeat::render(ctx, parent, node, &path),
            Some(FieldType::Group) => group::render(ctx, parent, node, &path),
            Some(FieldType::Static) => static_text::render(ctx, parent, node, &path),
            Some(_) if node.computed => text_input::render_computed(ctx, parent, node, &path),
            Some(FieldType::Date) => date::render(ctx, parent, node, &path, raw.as_str().unwrap_or_default()),
            Some(FieldType::Choice) => choice::render_single(ctx, parent, node, &path, raw.as_str()),
            Some(FieldType::Multichoice) => choice::render_multi(ctx, parent, node, &path, raw),
            Some(FieldType::Boolean) => checkbox::render(ctx, parent, node, &path, raw.as_bool() == Some(true)),
            Some(FieldType::Attachment) => attachment::render(ctx, parent, node, &path),
            Some(_) => text_input::render(ctx, parent, node, &path, &as_text(raw)),
        };
        view.node = id;
        let body = view.body.clone();
        let repeating = node.is_repeat();
        views.insert(path.clone(), view);
        if let Some(body) = body {
            self::members(ctx, &body, &node.children, &path, source, views);
        } else if repeating {
            let items = views.get(&path).and_then(|v| v.items.clone()).unwrap_or_else(|| parent.clone());
            entries(ctx, &items, id, &path, source, views);
        }
    }
}

/// Renders the entries of the repeating group `node` at `path` into `items`.
pub(super) fn entries(ctx: &Ctx, items: &Element, node: NodeId, path: &str, source: &Source, views: &mut Views) {
    let definition = ctx.form.node(node);
    let count = source.session.instance_count(path).unwrap_or(0);
    for (index, body) in repeat::fill(ctx, items, definition, path, count).iter().enumerate() {
        members(ctx, body, &definition.children, &[path, "/", &index.to_string()].concat(), source, views);
    }
}

/// A raw value as the text of an input (numbers may arrive as numbers).
fn as_text(raw: &Json) -> String {
    match raw {
        Json::String(text) => text.clone(),
        Json::Number(number) => number.to_string(),
        _ => String::new(),
    }
}
