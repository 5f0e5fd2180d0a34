//! The public formats: form definitions, tenants and code lists (serde types).
//!
//! These types mirror `forms/form.schema.json` and `forms/tenant.schema.json`.
//! Unknown keys are rejected (`deny_unknown_fields`) so that a typo in a
//! definition is an error, not a silently ignored rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A localizable text: a plain string (the form's default language) or a
/// map from language code to text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Text {
    /// One text for the default language.
    Plain(String),
    /// One text per language: `{"de": "…", "en": "…"}`.
    Localized(BTreeMap<String, String>),
}

impl Text {
    /// The text in `lang`, falling back to `fallback`, then to any language.
    pub fn get<'a>(&'a self, lang: &str, fallback: &str) -> &'a str {
        match self {
            Text::Plain(text) => text,
            Text::Localized(map) => {
                map.get(lang).or_else(|| map.get(fallback)).or_else(|| map.values().next()).map(String::as_str).unwrap_or("")
            }
        }
    }

    /// Whether a translation for `lang` is present (a plain text counts only
    /// for the default language).
    pub fn has(&self, lang: &str, default_lang: &str) -> bool {
        match self {
            Text::Plain(_) => lang == default_lang,
            Text::Localized(map) => map.get(lang).is_some_and(|t| !t.trim().is_empty()),
        }
    }
}

// The untagged enums (`Text`, `Condition`, `Options`, `OptionItem`) are
// deserialized by hand, exactly as `#[serde(untagged)]` would: buffer the
// value, try the variants in declaration order, and fail with serde's
// message. The derive buffers in serde's private `Content` and instantiates
// every nested type a second time for it; buffering as a JSON value reuses
// the deserializers that exist anyway (~3 KB gzip less in the widget).

fn untagged<'de, D: serde::Deserializer<'de>, T>(
    deserializer: D,
    name: &str,
    variants: impl FnOnce(&serde_json::Value) -> Option<T>,
) -> Result<T, D::Error> {
    let json = serde_json::Value::deserialize(deserializer)?;
    variants(&json).ok_or_else(|| serde::de::Error::custom(format_args!("data did not match any variant of untagged enum {name}")))
}

fn variant<T: serde::de::DeserializeOwned>(json: &serde_json::Value) -> Option<T> {
    T::deserialize(json).ok()
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        untagged(deserializer, "Text", |json| variant(json).map(Text::Plain).or_else(|| variant(json).map(Text::Localized)))
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        untagged(deserializer, "Condition", |json| variant(json).map(Condition::Always).or_else(|| variant(json).map(Condition::When)))
    }
}

impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// The `CodeList` variant's fields (unknown keys are ignored, as in
        /// the derive: `Options` does not deny them).
        #[derive(Deserialize)]
        struct CodeList {
            codelist: String,
        }
        untagged(deserializer, "Options", |json| {
            variant(json).map(Options::Inline).or_else(|| variant(json).map(|CodeList { codelist }| Options::CodeList { codelist }))
        })
    }
}

impl<'de> Deserialize<'de> for OptionItem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        untagged(deserializer, "OptionItem", |json| variant(json).map(OptionItem::Code).or_else(|| variant(json).map(OptionItem::Full)))
    }
}

/// A form definition (format v1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FormDefinition {
    /// Editor hint pointing at the format's JSON Schema; ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable form id, e.g. `hundesteuer-anmeldung`.
    pub id: String,
    /// Semantic version of this definition.
    pub version: String,
    /// Title shown to citizens.
    pub title: Text,
    /// Optional introduction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Languages every text must be translated into; the first is the default.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// Service-catalogue id (LeiKa-Schlüssel), for downstream mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leika: Option<String>,
    /// Local parameters: declared here, valued by each tenant.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
    /// The pages of the assistant, in order.
    pub steps: Vec<Step>,
    /// Cross-field rules.
    #[serde(default)]
    pub rules: Vec<FormRule>,
}

fn default_languages() -> Vec<String> {
    vec!["de".to_string()]
}

/// A local parameter declaration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Value type.
    #[serde(rename = "type")]
    pub kind: ParameterType,
    /// Used when the tenant gives no value; without a default every tenant must.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// What the parameter means, for tenant authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
}

/// Types a parameter can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterType {
    /// Text.
    Text,
    /// Integer.
    Integer,
    /// Decimal.
    Decimal,
    /// Money (decimal, shown with two places).
    Money,
    /// Boolean.
    Boolean,
    /// ISO date.
    Date,
}

/// A page of the assistant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Id, unique among steps.
    pub id: String,
    /// Page heading.
    pub title: Text,
    /// Optional introduction shown under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Step relevance: when false the whole step is skipped and its fields are
    /// not relevant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible: Option<String>,
    /// The fields on this page.
    pub fields: Vec<Field>,
}

/// `true`, `false` or an expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Condition {
    /// A constant.
    Always(bool),
    /// An expression of type boolean.
    When(String),
}

/// Field types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Single-line text.
    Text,
    /// Multi-line text.
    Textarea,
    /// Whole number.
    Integer,
    /// Decimal number.
    Decimal,
    /// Amount of money in euro (two decimal places).
    Money,
    /// Civil date.
    Date,
    /// Yes/no.
    Boolean,
    /// Single choice.
    Choice,
    /// Multiple choice.
    Multichoice,
    /// E-mail address.
    Email,
    /// Telephone number.
    Phone,
    /// IBAN (mod-97 checked).
    Iban,
    /// German postcode (five digits).
    Postcode,
    /// File uploads (metadata: name, media type, size).
    Attachment,
    /// Static text or hint block; carries no data.
    Static,
    /// A group of fields, optionally repeating.
    Group,
}

/// One field (or static block, or group).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Field {
    /// Id, unique among its siblings; the key in the submission.
    pub id: String,
    /// The field type.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Label (legend for groups and choices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
    /// Hint shown under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// The text of a `static` block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// Relevance expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible: Option<String>,
    /// Whether a value is required when relevant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Condition>,
    /// Whether the citizen may not change the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readonly: Option<Condition>,
    /// Computed value expression (the field becomes read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<String>,
    /// Initial value. (Boxed, like `min` and `max`: most fields have none,
    /// and a large form has thousands of fields.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Box<serde_json::Value>>,
    /// Field-level checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<FieldRule>,
    /// Minimum text length in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Maximum text length in characters (defaults apply per type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Regular expression the whole text must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Restrict text to DIN SPEC 91379 characters (names, addresses).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub latin: bool,
    /// Lower bound for numbers and dates (`"today"` allowed for dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Box<serde_json::Value>>,
    /// Upper bound for numbers and dates (`"today"` allowed for dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Box<serde_json::Value>>,
    /// Options of a choice: inline list or a code list reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
    /// Least number of selections (multiple choice) or files (attachment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Most selections (multiple choice) or files (attachment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Accepted media types of attachments, e.g. `application/pdf`, `image/*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// Largest accepted attachment, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// Repetition of a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    /// Members of a group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// HTML autocomplete token, e.g. `family-name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// FIM data field or group id (e.g. `F60000227`), for downstream mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<String>,
}

/// Min/max number of instances of a repeating group.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    /// Least instances (default 0).
    #[serde(default)]
    pub min: u32,
    /// Most instances.
    pub max: u32,
}

/// Options of a choice field.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Options {
    /// Inline options.
    Inline(Vec<OptionItem>),
    /// A code list from `forms/codelists/`.
    CodeList {
        /// The code list id (file name without `.json`).
        codelist: String,
    },
}

/// One inline option.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum OptionItem {
    /// Just a code; it is its own label.
    Code(String),
    /// Code with label and optional filter.
    Full(OptionSpec),
}

/// A full option.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    /// The value stored in the submission.
    pub code: String,
    /// What the citizen sees.
    pub label: Text,
    /// Choice filter: the option is offered (and valid) only when true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible: Option<String>,
}

/// Severity of a rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks sending.
    #[default]
    Error,
    /// Shown, does not block.
    Warning,
}

/// A check on one field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    /// Optional id (stable error identification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Boolean expression that must hold.
    pub check: String,
    /// Message shown when it does not.
    pub message: Text,
    /// Error (default) or warning.
    #[serde(default)]
    pub severity: Severity,
}

/// A cross-field rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRule {
    /// Id, unique among form rules.
    pub id: String,
    /// Boolean expression that must hold.
    pub check: String,
    /// The fields the message is shown at (top-level paths, dotted into groups).
    pub fields: Vec<String>,
    /// Message shown when the check does not hold.
    pub message: Text,
    /// Error (default) or warning.
    #[serde(default)]
    pub severity: Severity,
    /// Only checked when true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

/// A code list file (`forms/codelists/<id>.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeList {
    /// Editor hint; ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Id, equal to the file name.
    pub id: String,
    /// Version of the list (e.g. an XRepository version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where the list comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The entries.
    pub entries: Vec<CodeListEntry>,
}

/// One code list entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeListEntry {
    /// The value stored.
    pub code: String,
    /// What the citizen sees.
    pub label: Text,
}

/// A tenant: one municipality's branding, contact and parameter values.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// Editor hint; ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable id, e.g. `musterstadt`.
    pub id: String,
    /// Name of the authority shown in the frame.
    pub name: Text,
    /// Visual identity.
    pub branding: Branding,
    /// Contact for questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Legal links.
    pub links: Links,
    /// Values for form parameters, per form id: `{"hundesteuer-anmeldung": {"steuersatz": "96.00"}}`.
    /// Parameters under `"*"` apply to every form.
    #[serde(default)]
    pub parameters: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

/// Branding tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Branding {
    /// Logo URL (https or same-origin path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Alternative text of the logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_alt: Option<Text>,
    /// Main colour (buttons, header): `#rrggbb`.
    pub primary_color: String,
    /// Text on the primary colour: `#rrggbb`.
    #[serde(default = "white")]
    pub on_primary_color: String,
    /// Body text colour.
    #[serde(default = "near_black")]
    pub text_color: String,
    /// Page background.
    #[serde(default = "white")]
    pub background_color: String,
    /// Error colour.
    #[serde(default = "error_red")]
    pub error_color: String,
    /// CSS font-family list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font_family: Option<String>,
    /// Corner radius in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius: Option<u32>,
}

fn white() -> String {
    "#ffffff".into()
}
fn near_black() -> String {
    "#1b1b1b".into()
}
fn error_red() -> String {
    "#b00020".into()
}

/// Contact details.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Office name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<Text>,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Postal address (multi-line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Legal links every public form must show.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Links {
    /// Privacy notice (Datenschutzerklärung).
    pub privacy: String,
    /// Imprint (Impressum).
    pub imprint: String,
    /// Accessibility statement (Erklärung zur Barrierefreiheit).
    pub accessibility: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    // The derive the hand-written impls replace, kept here as the reference.
    #[allow(dead_code)] // read through Debug
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum DerivedText {
        Plain(String),
        Localized(BTreeMap<String, String>),
    }

    #[allow(dead_code)] // read through Debug
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum DerivedCondition {
        Always(bool),
        When(String),
    }

    #[allow(dead_code)] // read through Debug
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum DerivedOptions {
        Inline(Vec<DerivedOptionItem>),
        CodeList { codelist: String },
    }

    #[allow(dead_code)] // read through Debug
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum DerivedOptionItem {
        Code(String),
        Full(DerivedOptionSpec),
    }

    #[allow(dead_code)] // read through Debug
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct DerivedOptionSpec {
        code: String,
        label: DerivedText,
        #[serde(default)]
        visible: Option<String>,
    }

    /// Both deserializations of `json`, from a value and from text, in words.
    fn outcomes<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &serde_json::Value) -> [String; 2] {
        let words = |result: Result<T, serde_json::Error>| match result {
            Ok(value) => format!("{value:?}"),
            Err(error) => format!("error: {error}"),
        };
        let words = |result| words(result).replace("Derived", "");
        [words(T::deserialize(json)), words(serde_json::from_str(&json.to_string()))]
    }

    #[test]
    fn untagged_enums_behave_like_the_derive() {
        let inputs = [
            json!("text"),
            json!({ "de": "Hund", "en": "dog" }),
            json!({}),
            json!({ "de": 1 }),
            json!(true),
            json!(false),
            json!(null),
            json!(1),
            json!(1.5),
            json!(-3),
            json!([]),
            json!(["a", "b"]),
            json!(["a", 1]),
            json!([{ "code": "a", "label": "A" }, "b"]),
            json!([{ "code": "a", "label": { "de": "A" }, "visible": "x > 1" }]),
            json!([{ "code": "a", "label": "A", "extra": 1 }]),
            json!([{ "code": "a" }]),
            json!([["a", "A"]]),
            json!([["a", "A", null]]),
            json!([["a", "A", null, 4]]),
            json!({ "codelist": "staaten" }),
            json!({ "codelist": "staaten", "other": true }),
            json!({ "codelist": 5 }),
            json!({ "list": "staaten" }),
            json!(["staaten"]),
            json!([5]),
        ];
        for input in &inputs {
            assert_eq!(outcomes::<Text>(input), outcomes::<DerivedText>(input), "Text from {input}");
            assert_eq!(outcomes::<Condition>(input), outcomes::<DerivedCondition>(input), "Condition from {input}");
            assert_eq!(outcomes::<Options>(input), outcomes::<DerivedOptions>(input), "Options from {input}");
            assert_eq!(outcomes::<OptionItem>(input), outcomes::<DerivedOptionItem>(input), "OptionItem from {input}");
        }
    }
}
