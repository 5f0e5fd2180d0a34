//! Static text from the definition (GOV.UK “inset text”): information the
//! citizen needs at this point. Blank lines separate paragraphs.

use super::Attr;
use efa_engine::Node;
use web_sys::Element;

use super::{field, Ctx, FieldView, Kind};

/// Renders the text block of `node` at `path`.
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str) -> FieldView {
    let (id, group, view) = field(ctx, parent, node, path, "efa-inset-text", Kind::Display, "");
    group.attr("id", &id);
    let text = node.text.as_ref().map(|t| ctx.text(t)).unwrap_or_default();
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        ctx.text_el(&group, "p", "efa-body", paragraph.trim());
    }
    view
}
