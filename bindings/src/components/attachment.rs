//! File upload (GOV.UK “file upload”): a file input plus the list of chosen
//! files, each removable. Files stay in the browser until sending; the
//! engine sees their name, media type and size and checks the limits first.

use super::Attr;
use efa_engine::{i18n, Node};
use web_sys::Element;

use super::{field, input, labelled, set_hidden, Ctx, FieldView, Kind};
use crate::widget::text::Msg;

/// Renders the upload for `node` at `path`.
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "", Kind::Files, "");
    let spec = node.spec.as_ref();
    labelled(ctx, &group, node, &id, &mut view, hint_text(ctx, node).as_deref());
    let input = input(ctx, &group, "efa-file-upload", &id, "file", path);
    if let Some(accept) = spec.map(|s| &s.accept).filter(|a| !a.is_empty()) {
        input.attr("accept", &accept.join(","));
    }
    if spec.and_then(|s| s.max_items) != Some(1) {
        input.attr("multiple", "");
    }
    let list = ctx.el(&group, "ul", "efa-file-list");
    list.attr("aria-label", ctx.msg(Msg::Files));
    list.attr("hidden", "");
    view.add_control(input, true);
    view.items = Some(list);
    view
}

/// The author's hint, or else the limits in the engine's words.
fn hint_text(ctx: &Ctx, node: &Node) -> Option<String> {
    if let Some(text) = ctx.text_opt(node.hint.as_ref()) {
        return Some(text.to_string());
    }
    let spec = node.spec.as_ref()?;
    let mut lines = Vec::new();
    if !spec.accept.is_empty() {
        lines.push(ctx.msg(Msg::AcceptedTypes).replace("{list}", &spec.accept.join(", ")));
    }
    if let Some(size) = spec.max_size {
        lines.push(ctx.msg(Msg::MaxFileSize).replace("{size}", &i18n::format_size(size)));
    }
    (!lines.is_empty()).then(|| lines.join(". "))
}

/// Shows the chosen files (`(name, size)`) with a remove button each.
pub(crate) fn show_files(ctx: &Ctx, list: &Element, path: &str, files: &[(String, f64)]) {
    list.set_text_content(None);
    set_hidden(list, files.is_empty());
    for (index, (name, size)) in files.iter().enumerate() {
        let item = ctx.el(list, "li", "efa-file-list__item");
        ctx.text_el(&item, "span", "efa-file-list__name", name);
        ctx.text_el(&item, "span", "efa-file-list__size", &[" (", &i18n::format_size(*size as u64), ")"].concat());
        let button = ctx.button(&item, "efa-link-button", "remove-file", ctx.msg(Msg::RemoveFile));
        ctx.text_el(&button, "span", "efa-visually-hidden", &[" ", name].concat());
        button.attr("data-path", path);
        button.attr("data-index", &index.to_string());
    }
}
