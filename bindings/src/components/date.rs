//! Date input (GOV.UK “date input”): day, month and year in a fieldset.
//! Three short fields are easier to type and to read aloud than a date
//! picker; the engine gets `YYYY-MM-DD` and reports an impossible date.

use super::Attr;
use efa_engine::Node;
use serde_json::Value as Json;
use web_sys::Element;

use super::{error_message, field, input, optional_marker, warning_message, Ctx, FieldView, Kind};
use crate::widget::text::Msg;

/// The parts of a date input, in order.
pub(crate) const PARTS: [(&str, Msg, &str); 3] = [("day", Msg::Day, "2"), ("month", Msg::Month, "2"), ("year", Msg::Year, "4")];

/// Renders the date input for `node` at `path` with the raw `value`.
pub(crate) fn render(ctx: &Ctx, parent: &Element, node: &Node, path: &str, value: &str) -> FieldView {
    let (id, group, mut view) = field(ctx, parent, node, path, "", Kind::Date, "-day");
    let fieldset = ctx.el(&group, "fieldset", "efa-fieldset");
    fieldset.attr("role", "group");
    let legend = ctx.text_el(&fieldset, "legend", "efa-fieldset__legend", ctx.label(node));
    view.optional = Some(optional_marker(ctx, &legend));
    let hint = ctx.el(&fieldset, "div", "efa-hint");
    let hint_id = [&id, "-hint"].concat();
    hint.attr("id", &hint_id);
    if let Some(text) = ctx.text_opt(node.hint.as_ref()) {
        ctx.text_el(&hint, "span", "efa-hint__line", text);
    }
    ctx.text_el(&hint, "span", "efa-hint__line", ctx.msg(Msg::DateExample));
    view.described_by = hint_id;
    view.error = Some(error_message(ctx, &fieldset, &id));
    view.warning = Some(warning_message(ctx, &fieldset, &id));
    view.described.push(fieldset.clone());
    let inputs = ctx.el(&fieldset, "div", "efa-date-input");
    inputs.attr("id", &id);
    let autocomplete = node.spec.as_ref().and_then(|s| s.autocomplete.as_deref()).filter(|t| *t == "bday");
    for ((part, label, width), text) in PARTS.iter().zip(split(value)) {
        let item = ctx.el(&inputs, "div", "efa-date-input__item");
        let input_id = [&id, "-", part].concat();
        let label = ctx.text_el(&item, "label", "efa-label efa-date-input__label", ctx.msg(*label));
        label.attr("for", &input_id);
        let class = ["efa-input efa-date-input__input efa-input--width-", width].concat();
        let input = input(ctx, &item, &class, &input_id, "text", path);
        input.attr("inputmode", "numeric");
        // Each part is named apart from the others.
        input.attr("name", &[path, "#", part].concat());
        input.attr("value", &text);
        if let Some(token) = autocomplete {
            input.attr("autocomplete", &[token, "-", part].concat());
        }
        view.add_control(input, false);
    }
    view
}

/// `YYYY-MM-DD` (also partial, like `2024--05`) → `[day, month, year]`.
pub(crate) fn split(raw: &str) -> [String; 3] {
    let parts: Vec<&str> = raw.split('-').collect();
    match parts.as_slice() {
        [year, month, day] => [day.to_string(), month.to_string(), year.to_string()],
        _ => Default::default(),
    }
}

/// Day, month and year as typed → the engine's input: `null` when all are
/// empty, else `YYYY-MM-DD` (one-digit day and month padded), which the
/// engine rejects with a clear message when it is not a real date.
pub(crate) fn compose(day: &str, month: &str, year: &str) -> Json {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Json::Null;
    }
    let pad = |s: &str| if s.len() == 1 && s.chars().all(|c| c.is_ascii_digit()) { ["0", s].concat() } else { s.to_string() };
    Json::String([year, "-", &pad(month), "-", &pad(day)].concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(compose("3", "7", "1980"), Json::String("1980-07-03".into()));
        assert_eq!(compose(" ", "", ""), Json::Null);
        assert_eq!(split("1980-07-03"), ["03".to_string(), "07".into(), "1980".into()]);
        let partial = compose("5", "", "2024");
        assert_eq!(split(partial.as_str().unwrap()), ["05".to_string(), String::new(), "2024".into()]);
    }
}
