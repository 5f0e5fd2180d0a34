//! Values as citizens read them (review page, computed fields):
//! option labels instead of codes, German dates and amounts.

use efa_engine::model::FieldType;
use efa_engine::{i18n, Date, Node};
use serde_json::Value as Json;

use super::text::Msg;
use crate::components::Ctx;

/// The value of `node` in words.
pub(crate) fn value(ctx: &Ctx, node: &Node, value: &Json) -> String {
    let kind = node.field_type().unwrap_or(FieldType::Text);
    match value {
        Json::Null => ctx.msg(Msg::NotGiven).to_string(),
        Json::Array(items) if items.is_empty() => ctx.msg(Msg::NotGiven).to_string(),
        Json::Bool(true) => ctx.msg(Msg::Yes).to_string(),
        Json::Bool(false) => ctx.msg(Msg::No).to_string(),
        Json::Array(items) => items.iter().map(|item| entry(ctx, node, item)).collect::<Vec<_>>().join(", "),
        Json::String(text) => match kind {
            FieldType::Choice => option_label(ctx, node, text),
            FieldType::Date => Date::parse(text).map_or_else(|| text.clone(), |d| i18n::format_date(ctx.lang, d)),
            FieldType::Money => money(ctx.lang, text),
            FieldType::Decimal => i18n::format_number(ctx.lang, text),
            _ => text.clone(),
        },
        Json::Number(n) => i18n::format_number(ctx.lang, &n.to_string()),
        Json::Object(_) => String::new(),
    }
}

fn entry(ctx: &Ctx, node: &Node, item: &Json) -> String {
    match item {
        Json::String(code) => option_label(ctx, node, code),
        Json::Object(file) => file.get("name").and_then(Json::as_str).unwrap_or_default().to_string(),
        other => crate::convert::json_text(other),
    }
}

fn option_label(ctx: &Ctx, node: &Node, code: &str) -> String {
    node.options.iter().find(|o| o.code == code).map_or_else(|| code.to_string(), |o| ctx.text(&o.label).to_string())
}

/// `108.00` → `108,00 €` in German, `€108.00` in English.
fn money(lang: &str, canonical: &str) -> String {
    let number = i18n::format_number(lang, canonical);
    if lang == "en" {
        ["€", &number].concat()
    } else {
        [&number, " €"].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_amounts() {
        assert_eq!(money("de", "1234.50"), "1.234,50 €");
        assert_eq!(money("en", "108.00"), "€108.00");
    }
}
