//! One reading function per type of the public formats (`crate::model`).
//!
//! Each struct names its members; defaults are those documented in
//! `docs/FORMAT.md` and `forms/*.schema.json`. An optional member may be
//! `null` (the same as leaving it out). The shapes with alternatives
//! (`Text`, `Condition`, `Options`, `OptionItem`) are told apart by the kind
//! of the value, so an error names the alternative the author meant.

use super::json::{quote, Kind, Reader, Result};
use crate::model::{
    Branding, CodeList, CodeListEntry, Condition, Contact, Field, FieldRule, FieldType, FormDefinition, FormRule, Links, OptionItem,
    OptionSpec, Options, Parameter, ParameterType, Repeat, Severity, Step, Tenant, Text,
};
use crate::NameMap;

/// A form definition.
pub(crate) fn definition(r: &mut Reader) -> Result<FormDefinition> {
    const NAMES: &[&str] = &["$schema", "id", "version", "title", "description", "languages", "leika", "parameters", "steps", "rules"];
    let mut definition = FormDefinition {
        schema: None,
        id: String::new(),
        version: String::new(),
        title: empty_text(),
        description: None,
        languages: vec!["de".to_string()],
        leika: None,
        parameters: NameMap::new(),
        steps: Vec::new(),
        rules: Vec::new(),
    };
    let d = &mut definition;
    r.object(NAMES, &["id", "version", "title", "steps"], &mut |r, member| {
        match member {
            "$schema" => d.schema = optional(r, string)?,
            "id" => d.id = r.string()?,
            "version" => d.version = r.string()?,
            "title" => d.title = text(r)?,
            "description" => d.description = optional(r, text)?,
            "languages" => d.languages = list(r, string)?,
            "leika" => d.leika = optional(r, string)?,
            "parameters" => d.parameters = map(r, parameter)?,
            "steps" => d.steps = list(r, step)?,
            "rules" => d.rules = list(r, form_rule)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(definition)
}

/// A local parameter declaration.
fn parameter(r: &mut Reader) -> Result<Parameter> {
    let mut parameter = Parameter { kind: ParameterType::Text, default: None, description: None };
    let p = &mut parameter;
    r.object(&["type", "default", "description"], &["type"], &mut |r, member| {
        match member {
            "type" => p.kind = parameter_type(r)?,
            "default" => p.default = optional(r, json)?,
            "description" => p.description = optional(r, text)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(parameter)
}

fn parameter_type(r: &mut Reader) -> Result<ParameterType> {
    use ParameterType::*;
    keyword(
        r,
        "parameter type",
        &[("text", Text), ("integer", Integer), ("decimal", Decimal), ("money", Money), ("boolean", Boolean), ("date", Date)],
    )
}

/// A page of the assistant.
fn step(r: &mut Reader) -> Result<Step> {
    let mut step = Step { id: String::new(), title: empty_text(), description: None, visible: None, fields: Vec::new() };
    let s = &mut step;
    r.object(&["id", "title", "description", "visible", "fields"], &["id", "title", "fields"], &mut |r, member| {
        match member {
            "id" => s.id = r.string()?,
            "title" => s.title = text(r)?,
            "description" => s.description = optional(r, text)?,
            "visible" => s.visible = optional(r, string)?,
            "fields" => s.fields = list(r, field)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(step)
}

/// One field, static block or group (groups read their members recursively;
/// the reader's depth limit bounds the recursion).
fn field(r: &mut Reader) -> Result<Field> {
    const NAMES: &[&str] = &[
        "id",
        "type",
        "label",
        "hint",
        "text",
        "visible",
        "required",
        "readonly",
        "compute",
        "default",
        "rules",
        "minLength",
        "maxLength",
        "pattern",
        "latin",
        "min",
        "max",
        "options",
        "minItems",
        "maxItems",
        "accept",
        "maxSize",
        "repeat",
        "fields",
        "autocomplete",
        "fim",
    ];
    let mut read = Field {
        id: String::new(),
        kind: FieldType::Text,
        label: None,
        hint: None,
        text: None,
        visible: None,
        required: None,
        readonly: None,
        compute: None,
        default: None,
        rules: Vec::new(),
        min_length: None,
        max_length: None,
        pattern: None,
        latin: false,
        min: None,
        max: None,
        options: None,
        min_items: None,
        max_items: None,
        accept: Vec::new(),
        max_size: None,
        repeat: None,
        fields: Vec::new(),
        autocomplete: None,
        fim: None,
    };
    let f = &mut read;
    r.object(NAMES, &["id", "type"], &mut |r, member| {
        match member {
            "id" => f.id = r.string()?,
            "type" => f.kind = field_type(r)?,
            "label" => f.label = optional(r, text)?,
            "hint" => f.hint = optional(r, text)?,
            "text" => f.text = optional(r, text)?,
            "visible" => f.visible = optional(r, string)?,
            "required" => f.required = optional(r, condition)?,
            "readonly" => f.readonly = optional(r, condition)?,
            "compute" => f.compute = optional(r, string)?,
            "default" => f.default = optional(r, json)?.map(Box::new),
            "rules" => f.rules = list(r, field_rule)?,
            "minLength" => f.min_length = optional(r, small)?,
            "maxLength" => f.max_length = optional(r, small)?,
            "pattern" => f.pattern = optional(r, string)?,
            "latin" => f.latin = r.boolean()?,
            "min" => f.min = optional(r, json)?.map(Box::new),
            "max" => f.max = optional(r, json)?.map(Box::new),
            "options" => f.options = optional(r, options)?,
            "minItems" => f.min_items = optional(r, small)?,
            "maxItems" => f.max_items = optional(r, small)?,
            "accept" => f.accept = list(r, string)?,
            "maxSize" => f.max_size = optional(r, large)?,
            "repeat" => f.repeat = optional(r, repeat)?,
            "fields" => f.fields = list(r, field)?,
            "autocomplete" => f.autocomplete = optional(r, string)?,
            "fim" => f.fim = optional(r, string)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(read)
}

fn field_type(r: &mut Reader) -> Result<FieldType> {
    use FieldType::*;
    keyword(
        r,
        "field type",
        &[
            ("text", Text),
            ("textarea", Textarea),
            ("integer", Integer),
            ("decimal", Decimal),
            ("money", Money),
            ("date", Date),
            ("boolean", Boolean),
            ("choice", Choice),
            ("multichoice", Multichoice),
            ("email", Email),
            ("phone", Phone),
            ("iban", Iban),
            ("postcode", Postcode),
            ("attachment", Attachment),
            ("static", Static),
            ("group", Group),
        ],
    )
}

/// Min/max number of instances of a repeating group.
fn repeat(r: &mut Reader) -> Result<Repeat> {
    let mut repeat = Repeat { min: 0, max: 0 };
    let rp = &mut repeat;
    r.object(&["min", "max"], &["max"], &mut |r, member| {
        match member {
            "min" => rp.min = small(r)?,
            "max" => rp.max = small(r)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(repeat)
}

/// Inline options (a list) or a code list reference (`{"codelist": "…"}`).
pub(crate) fn options(r: &mut Reader) -> Result<Options> {
    match r.peek()? {
        Kind::List => list(r, option_item).map(Options::Inline),
        Kind::Object => {
            let mut codelist = String::new();
            r.object(&["codelist"], &["codelist"], &mut |r, _codelist| {
                codelist = r.string()?;
                Ok(())
            })?;
            Ok(Options::CodeList { codelist })
        }
        _ => Err(r.expected("a list of options or {\"codelist\": \"…\"}")),
    }
}

/// A code (its own label) or `{"code": …, "label": …}`.
pub(crate) fn option_item(r: &mut Reader) -> Result<OptionItem> {
    match r.peek()? {
        Kind::String => r.string().map(OptionItem::Code),
        Kind::Object => option_spec(r).map(OptionItem::Full),
        _ => Err(r.expected("a code or an object with \"code\" and \"label\"")),
    }
}

fn option_spec(r: &mut Reader) -> Result<OptionSpec> {
    let mut option = OptionSpec { code: String::new(), label: empty_text(), visible: None };
    let o = &mut option;
    r.object(&["code", "label", "visible"], &["code", "label"], &mut |r, member| {
        match member {
            "code" => o.code = r.string()?,
            "label" => o.label = text(r)?,
            "visible" => o.visible = optional(r, string)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(option)
}

/// A check on one field.
fn field_rule(r: &mut Reader) -> Result<FieldRule> {
    let mut rule = FieldRule { id: None, check: String::new(), message: empty_text(), severity: Severity::Error };
    let rl = &mut rule;
    r.object(&["id", "check", "message", "severity"], &["check", "message"], &mut |r, member| {
        match member {
            "id" => rl.id = optional(r, string)?,
            "check" => rl.check = r.string()?,
            "message" => rl.message = text(r)?,
            "severity" => rl.severity = severity(r)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(rule)
}

/// A cross-field rule.
fn form_rule(r: &mut Reader) -> Result<FormRule> {
    let mut rule = FormRule {
        id: String::new(),
        check: String::new(),
        fields: Vec::new(),
        message: empty_text(),
        severity: Severity::Error,
        when: None,
    };
    let rl = &mut rule;
    r.object(&["id", "check", "fields", "message", "severity", "when"], &["id", "check", "fields", "message"], &mut |r, member| {
        match member {
            "id" => rl.id = r.string()?,
            "check" => rl.check = r.string()?,
            "fields" => rl.fields = list(r, string)?,
            "message" => rl.message = text(r)?,
            "severity" => rl.severity = severity(r)?,
            "when" => rl.when = optional(r, string)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(rule)
}

fn severity(r: &mut Reader) -> Result<Severity> {
    keyword(r, "severity", &[("error", Severity::Error), ("warning", Severity::Warning)])
}

/// A code list file.
pub(crate) fn codelist(r: &mut Reader) -> Result<CodeList> {
    let mut codelist = CodeList { schema: None, id: String::new(), version: None, source: None, entries: Vec::new() };
    let l = &mut codelist;
    r.object(&["$schema", "id", "version", "source", "entries"], &["id", "entries"], &mut |r, member| {
        match member {
            "$schema" => l.schema = optional(r, string)?,
            "id" => l.id = r.string()?,
            "version" => l.version = optional(r, string)?,
            "source" => l.source = optional(r, string)?,
            "entries" => l.entries = list(r, codelist_entry)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(codelist)
}

fn codelist_entry(r: &mut Reader) -> Result<CodeListEntry> {
    let mut entry = CodeListEntry { code: String::new(), label: empty_text() };
    let e = &mut entry;
    r.object(&["code", "label"], &["code", "label"], &mut |r, member| {
        match member {
            "code" => e.code = r.string()?,
            "label" => e.label = text(r)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(entry)
}

/// A tenant file.
pub(crate) fn tenant(r: &mut Reader) -> Result<Tenant> {
    let mut tenant = Tenant {
        schema: None,
        id: String::new(),
        name: empty_text(),
        branding: default_branding(),
        contact: None,
        links: Links { privacy: String::new(), imprint: String::new(), accessibility: String::new() },
        parameters: NameMap::new(),
    };
    let t = &mut tenant;
    let names = &["$schema", "id", "name", "branding", "contact", "links", "parameters"];
    r.object(names, &["id", "name", "branding", "links"], &mut |r, member| {
        match member {
            "$schema" => t.schema = optional(r, string)?,
            "id" => t.id = r.string()?,
            "name" => t.name = text(r)?,
            "branding" => t.branding = branding(r)?,
            "contact" => t.contact = optional(r, contact)?,
            "links" => t.links = links(r)?,
            "parameters" => t.parameters = map(r, |r| map(r, json))?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(tenant)
}

/// Branding with the documented default colours.
fn default_branding() -> Branding {
    Branding {
        logo: None,
        logo_alt: None,
        primary_color: String::new(),
        on_primary_color: "#ffffff".into(),
        text_color: "#1b1b1b".into(),
        background_color: "#ffffff".into(),
        error_color: "#b00020".into(),
        font_family: None,
        radius: None,
    }
}

fn branding(r: &mut Reader) -> Result<Branding> {
    const NAMES: &[&str] =
        &["logo", "logoAlt", "primaryColor", "onPrimaryColor", "textColor", "backgroundColor", "errorColor", "fontFamily", "radius"];
    let mut branding = default_branding();
    let b = &mut branding;
    r.object(NAMES, &["primaryColor"], &mut |r, member| {
        match member {
            "logo" => b.logo = optional(r, string)?,
            "logoAlt" => b.logo_alt = optional(r, text)?,
            "primaryColor" => b.primary_color = r.string()?,
            "onPrimaryColor" => b.on_primary_color = r.string()?,
            "textColor" => b.text_color = r.string()?,
            "backgroundColor" => b.background_color = r.string()?,
            "errorColor" => b.error_color = r.string()?,
            "fontFamily" => b.font_family = optional(r, string)?,
            "radius" => b.radius = optional(r, small)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(branding)
}

fn contact(r: &mut Reader) -> Result<Contact> {
    let mut contact = Contact { office: None, email: None, phone: None, address: None };
    let c = &mut contact;
    r.object(&["office", "email", "phone", "address"], &[], &mut |r, member| {
        match member {
            "office" => c.office = optional(r, text)?,
            "email" => c.email = optional(r, string)?,
            "phone" => c.phone = optional(r, string)?,
            "address" => c.address = optional(r, string)?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(contact)
}

fn links(r: &mut Reader) -> Result<Links> {
    let mut links = Links { privacy: String::new(), imprint: String::new(), accessibility: String::new() };
    let l = &mut links;
    let names = &["privacy", "imprint", "accessibility"];
    r.object(names, names, &mut |r, member| {
        match member {
            "privacy" => l.privacy = r.string()?,
            "imprint" => l.imprint = r.string()?,
            "accessibility" => l.accessibility = r.string()?,
            _ => {} // refused by `Reader::object`
        }
        Ok(())
    })?;
    Ok(links)
}

/// A plain string (the default language) or `{"de": "…", "en": "…"}`.
pub(crate) fn text(r: &mut Reader) -> Result<Text> {
    match r.peek()? {
        Kind::String => r.string().map(Text::Plain),
        Kind::Object => map(r, string).map(Text::Localized),
        _ => Err(r.expected("a string or an object of strings by language, like {\"de\": \"…\"}")),
    }
}

/// `true`, `false` or an expression.
pub(crate) fn condition(r: &mut Reader) -> Result<Condition> {
    match r.peek()? {
        Kind::Bool => r.boolean().map(Condition::Always),
        Kind::String => r.string().map(Condition::When),
        _ => Err(r.expected("true, false or an expression in a string")),
    }
}

fn empty_text() -> Text {
    Text::Plain(String::new())
}

fn string(r: &mut Reader) -> Result<String> {
    r.string()
}

/// Any JSON value (defaults, bounds, parameter values).
fn json(r: &mut Reader) -> Result<serde_json::Value> {
    r.json()
}

/// A count or length.
fn small(r: &mut Reader) -> Result<u32> {
    r.whole(u32::MAX.into()).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// A size in bytes.
fn large(r: &mut Reader) -> Result<u64> {
    r.whole(u64::MAX)
}

/// `null` (the member left out) or a value.
fn optional<T>(r: &mut Reader, read: impl FnOnce(&mut Reader) -> Result<T>) -> Result<Option<T>> {
    if r.null()? {
        Ok(None)
    } else {
        read(r).map(Some)
    }
}

fn list<T>(r: &mut Reader, mut read: impl FnMut(&mut Reader) -> Result<T>) -> Result<Vec<T>> {
    let mut items = Vec::new();
    r.elements(&mut |r| {
        items.push(read(r)?);
        Ok(())
    })?;
    Ok(items)
}

/// An object with names chosen by the author (languages, parameter names);
/// a name given twice keeps the last value.
fn map<T>(r: &mut Reader, mut read: impl FnMut(&mut Reader) -> Result<T>) -> Result<NameMap<T>> {
    let (mut names, mut values) = (Vec::new(), Vec::new());
    r.members(&mut |r, key| {
        values.push(read(r)?);
        names.push(key.to_string());
        Ok(())
    })?;
    Ok(NameMap::from_entries(names, values))
}

/// One of a fixed set of words (`what` names the set in messages).
fn keyword<T: Copy>(r: &mut Reader, what: &str, words: &[(&str, T)]) -> Result<T> {
    let at = r.position();
    let word = r.string()?;
    match words.iter().find(|(name, _)| *name == word) {
        Some(&(_, value)) => Ok(value),
        None => {
            let names: Vec<&str> = words.iter().map(|(name, _)| *name).collect();
            Err(r.error_at(at, format!("unknown {what} {} (expected one of: {})", quote(&word), names.join(", "))))
        }
    }
}
