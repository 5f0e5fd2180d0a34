//! A group of fields (an address, a bank account): a fieldset whose legend
//! names the group; the members are rendered into it.

use super::Attr;
use efa_engine::Node;
use web_sys::Element;

use super::{field, fieldset, Ctx, FieldView, Kind};

/// Renders the frame of the group at `path`; members go into `view.body`.
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "efa-group", Kind::Display, "");
    let set = fieldset(ctx, &group, node, &id, &mut view, "efa-fieldset__legend efa-fieldset__legend--m");
    set.attr("id", &id);
    view.described.push(set.clone());
    view.body = Some(set);
    view
}
