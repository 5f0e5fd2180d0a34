//! The public formats: form definitions, tenants and code lists.
//!
//! These types mirror `forms/form.schema.json` and `forms/tenant.schema.json`.
//! They are read by the engine's own JSON reader (`crate::read`), which
//! rejects unknown members so that a typo in a definition is an error, not a
//! silently ignored rule, and fills in the defaults documented on each
//! member. They serialize with serde (the service hands code lists out).

use serde::Serialize;

use crate::NameMap;

/// A localizable text: a plain string (the form's default language) or a
/// map from language code to text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Text {
    /// One text for the default language.
    Plain(String),
    /// One text per language: `{"de": "…", "en": "…"}`.
    Localized(NameMap<String>),
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

/// A form definition (format v1).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormDefinition {
    /// Editor hint pointing at the format's JSON Schema; ignored.
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable form id, e.g. `hundesteuer-anmeldung`.
    pub id: String,
    /// Semantic version of this definition.
    pub version: String,
    /// Title shown to citizens.
    pub title: Text,
    /// Optional introduction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Languages every text must be translated into; the first is the
    /// default (when left out: `["de"]`).
    pub languages: Vec<String>,
    /// Service-catalogue id (LeiKa-Schlüssel), for downstream mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leika: Option<String>,
    /// Local parameters: declared here, valued by each tenant.
    pub parameters: NameMap<Parameter>,
    /// The pages of the assistant, in order.
    pub steps: Vec<Step>,
    /// Cross-field rules.
    pub rules: Vec<FormRule>,
}

/// A local parameter declaration.
#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    /// Value type.
    #[serde(rename = "type")]
    pub kind: ParameterType,
    /// Used when the tenant gives no value; without a default every tenant must.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// What the parameter means, for tenant authors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
}

/// Types a parameter can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Id, unique among steps.
    pub id: String,
    /// Page heading.
    pub title: Text,
    /// Optional introduction shown under the heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Step relevance: when false the whole step is skipped and its fields are
    /// not relevant.
    #[serde(skip_serializing_if = "Option::is_none")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Id, unique among its siblings; the key in the submission.
    pub id: String,
    /// The field type.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Label (legend for groups and choices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
    /// Hint shown under the label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// The text of a `static` block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// Relevance expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible: Option<String>,
    /// Whether a value is required when relevant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<Condition>,
    /// Whether the citizen may not change the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readonly: Option<Condition>,
    /// Computed value expression (the field becomes read-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compute: Option<String>,
    /// Initial value. (Boxed, like `min` and `max`: most fields have none,
    /// and a large form has thousands of fields.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Box<serde_json::Value>>,
    /// Field-level checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<FieldRule>,
    /// Minimum text length in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Maximum text length in characters (defaults apply per type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Regular expression the whole text must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Restrict text to DIN SPEC 91379 characters (names, addresses).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub latin: bool,
    /// Lower bound for numbers and dates (`"today"` allowed for dates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Box<serde_json::Value>>,
    /// Upper bound for numbers and dates (`"today"` allowed for dates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Box<serde_json::Value>>,
    /// Options of a choice: inline list or a code list reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Options>,
    /// Least number of selections (multiple choice) or files (attachment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Most selections (multiple choice) or files (attachment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Accepted media types of attachments, e.g. `application/pdf`, `image/*`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// Largest accepted attachment, in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// Repetition of a group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    /// Members of a group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// HTML autocomplete token, e.g. `family-name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// FIM data field or group id (e.g. `F60000227`), for downstream mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fim: Option<String>,
}

/// Min/max number of instances of a repeating group.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Repeat {
    /// Least instances (default 0).
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
#[derive(Debug, Clone, Serialize)]
pub struct OptionSpec {
    /// The value stored in the submission.
    pub code: String,
    /// What the citizen sees.
    pub label: Text,
    /// Choice filter: the option is offered (and valid) only when true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible: Option<String>,
}

/// Severity of a rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks sending.
    #[default]
    Error,
    /// Shown, does not block.
    Warning,
}

/// A check on one field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldRule {
    /// Optional id (stable error identification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Boolean expression that must hold.
    pub check: String,
    /// Message shown when it does not.
    pub message: Text,
    /// Error (default) or warning.
    pub severity: Severity,
}

/// A cross-field rule.
#[derive(Debug, Clone, Serialize)]
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
    pub severity: Severity,
    /// Only checked when true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

/// A code list file (`forms/codelists/<id>.json`).
#[derive(Debug, Clone, Serialize)]
pub struct CodeList {
    /// Editor hint; ignored.
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Id, equal to the file name.
    pub id: String,
    /// Version of the list (e.g. an XRepository version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where the list comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The entries.
    pub entries: Vec<CodeListEntry>,
}

/// One code list entry.
#[derive(Debug, Clone, Serialize)]
pub struct CodeListEntry {
    /// The value stored.
    pub code: String,
    /// What the citizen sees.
    pub label: Text,
}

/// A tenant: one municipality's branding, contact and parameter values.
#[derive(Debug, Clone, Serialize)]
pub struct Tenant {
    /// Editor hint; ignored.
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable id, e.g. `musterstadt`.
    pub id: String,
    /// Name of the authority shown in the frame.
    pub name: Text,
    /// Visual identity.
    pub branding: Branding,
    /// Contact for questions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Legal links.
    pub links: Links,
    /// Values for form parameters, per form id: `{"hundesteuer-anmeldung": {"steuersatz": "96.00"}}`.
    /// Parameters under `"*"` apply to every form.
    pub parameters: NameMap<NameMap<serde_json::Value>>,
}

/// Branding tokens.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Branding {
    /// Logo URL (https or same-origin path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// Alternative text of the logo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_alt: Option<Text>,
    /// Main colour (buttons, header): `#rrggbb`.
    pub primary_color: String,
    /// Text on the primary colour: `#rrggbb` (default `#ffffff`).
    pub on_primary_color: String,
    /// Body text colour (default `#1b1b1b`).
    pub text_color: String,
    /// Page background (default `#ffffff`).
    pub background_color: String,
    /// Error colour (default `#b00020`).
    pub error_color: String,
    /// CSS font-family list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font_family: Option<String>,
    /// Corner radius in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius: Option<u32>,
}

/// Contact details.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    /// Office name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office: Option<Text>,
    /// E-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Postal address (multi-line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Legal links every public form must show.
#[derive(Debug, Clone, Serialize)]
pub struct Links {
    /// Privacy notice (Datenschutzerklärung).
    pub privacy: String,
    /// Imprint (Impressum).
    pub imprint: String,
    /// Accessibility statement (Erklärung zur Barrierefreiheit).
    pub accessibility: String,
}
