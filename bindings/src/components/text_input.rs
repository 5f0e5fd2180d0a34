//! Text inputs (GOV.UK “text input” and “textarea”) for every text-like and
//! number type, and the read-only display of computed values.
//!
//! Numbers use `type=text` with `inputmode`, not `type=number`: the number
//! input rounds, scrolls and rejects a German decimal comma (GOV.UK advice).

use super::Attr;
use efa_engine::model::FieldType;
use efa_engine::Node;
use web_sys::Element;

use super::{field, hint, input, labelled, Ctx, FieldView, Kind};

/// Renders an input for `node` at `path`, showing `value` (the raw input).
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str, value: &str) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "", Kind::Text, "");
    labelled(ctx, &group, node, &id, &mut view, ctx.text_opt(node.hint.as_ref()));
    let kind = node.field_type().unwrap_or(FieldType::Text);
    let control = if kind == FieldType::Textarea {
        let area = ctx.el(&group, "textarea", "efa-textarea");
        area.attr("rows", "5");
        area.set_text_content(Some(value));
        area.attr("id", &id);
        area.attr("name", path);
        area.attr("data-path", path);
        area
    } else {
        let wrapper = if kind == FieldType::Money { ctx.el(&group, "div", "efa-input__wrapper") } else { group.clone() };
        let input = input(ctx, &wrapper, input_class(node, kind), &id, input_type(kind), path);
        input.attr("value", value);
        if let Some(mode) = input_mode(kind) {
            input.attr("inputmode", mode);
        }
        if matches!(kind, FieldType::Email | FieldType::Iban | FieldType::Postcode) {
            input.attr("spellcheck", "false");
        }
        if kind == FieldType::Money {
            // GOV.UK suffix: visible unit, hidden from screen readers
            // because the label and value already say it.
            let suffix = ctx.text_el(&wrapper, "div", "efa-input__suffix", "€");
            suffix.attr("aria-hidden", "true");
        }
        input
    };
    if let Some(token) = node.spec.as_ref().and_then(|s| s.autocomplete.as_deref()) {
        control.attr("autocomplete", token);
    }
    view.add_control(control, true);
    view
}

/// Renders a computed value: the label and an `<output>` the state fills.
pub(crate) fn render_computed(ctx: &Ctx, parent: &Element, node: &Node, path: &str) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "efa-computed", Kind::Display, "");
    let label = ctx.text_el(&group, "label", "efa-label", ctx.label(node));
    label.attr("for", &id);
    let hint_id = hint(ctx, &group, &id, ctx.text_opt(node.hint.as_ref()));
    let output = ctx.el(&group, "output", "efa-output");
    output.attr("id", &id);
    if !hint_id.is_empty() {
        output.attr("aria-describedby", &hint_id);
    }
    view.output = Some(output);
    view
}

fn input_type(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Email => "email",
        FieldType::Phone => "tel",
        _ => "text",
    }
}

fn input_mode(kind: FieldType) -> Option<&'static str> {
    match kind {
        FieldType::Integer | FieldType::Postcode => Some("numeric"),
        FieldType::Decimal | FieldType::Money => Some("decimal"),
        _ => None,
    }
}

/// GOV.UK fixed widths tell citizens how long an answer is expected to be.
fn input_class(node: &Node, kind: FieldType) -> &'static str {
    match kind {
        FieldType::Postcode => "efa-input efa-input--width-5",
        FieldType::Integer | FieldType::Decimal | FieldType::Money => "efa-input efa-input--width-10",
        FieldType::Iban => "efa-input efa-input--width-30",
        _ => match node.max_length {
            Some(n) if n <= 5 => "efa-input efa-input--width-5",
            Some(n) if n <= 12 => "efa-input efa-input--width-10",
            Some(n) if n <= 20 => "efa-input efa-input--width-20",
            _ => "efa-input",
        },
    }
}
