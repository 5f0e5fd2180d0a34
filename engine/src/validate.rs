//! One-shot revalidation of submitted data (DESIGN 4.3): one call finds
//! missing required data, violated rules, wrong types and shapes, values
//! outside the options, unknown keys, data for non-relevant fields, repeat
//! counts outside min/max, oversized values and altered computed values.

use serde::Serialize;
use serde_json::Value as Json;

use crate::compile::{CompiledForm, NodeId};
use crate::i18n;
use crate::session::{load, load_envelope_text, pointer, Context, Frame, Issue, State, Tamper};

/// The outcome of a validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// No errors (warnings do not count).
    pub valid: bool,
    /// Blocking problems, in document order.
    pub errors: Vec<Issue>,
    /// Non-blocking notices.
    pub warnings: Vec<Issue>,
    /// The canonical submission, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission: Option<crate::session::Submission>,
}

impl CompiledForm {
    /// Validates the data object of a submission (field id → value).
    pub fn validate(&self, data: &Json, context: &Context) -> Report {
        let (root, tampers) = load(self, data, true);
        self.validate_loaded(root, tampers, context)
    }

    fn validate_loaded(&self, root: Frame, tampers: Vec<Tamper>, context: &Context) -> Report {
        let state = State::new(self, root, context.clone());
        let mut extra: Vec<Issue> = tampers
            .iter()
            .map(|t| {
                let label = t.node.map(|n| crate::session::label_of(self, n, &context.lang)).unwrap_or_default();
                let message = i18n::message(&context.lang, t.code, label, &[("key", t.key.clone()), ("max", max_of(self, t.node))]);
                Issue { code: t.code.into(), path: t.path.as_str().into(), message: message.into(), rule: None }
            })
            .collect();
        extra.extend(post_checks(self, &state));
        let shape_errors: Vec<&str> = tampers.iter().filter(|t| t.code == "type").map(|t| t.path.as_str()).collect();
        // Where the data had the wrong shape, that one `type` error says it
        // all: members that could not be read are not "missing" as well.
        let hidden = |issue: &Issue| issue.code != "type" && shape_errors.iter().any(|p| is_within(&issue.path, p));
        report(self, &state, extra, &hidden)
    }

    /// Validates a whole envelope `{"form": {"id", "version"}, "data": {…}}`,
    /// as the widget sends it: the form id and version must match.
    pub fn validate_envelope(&self, envelope: &Json, context: &Context) -> Report {
        let keys = envelope.as_object().map_or(0, serde_json::Map::len);
        match self.envelope_data(keys, envelope.get("form"), envelope.get("data"), context) {
            Ok(data) => self.validate(data, context),
            Err(problem) => problem,
        }
    }

    /// [`CompiledForm::validate_envelope`] of JSON text, with the same
    /// report. The data is loaded while it is read, without a
    /// `serde_json::Value` of it: for a large form, parsing into a value
    /// costs about as much as the validation itself. Errs only when the
    /// text is not JSON.
    pub fn validate_envelope_text(&self, text: &str, context: &Context) -> Result<Report, serde_json::Error> {
        let Some(envelope) = load_envelope_text(self, text)? else {
            return Ok(envelope_error(context, "envelope", &[]));
        };
        Ok(match self.envelope_data(envelope.keys, envelope.form.as_ref(), envelope.data, context) {
            Ok((root, tampers)) => self.validate_loaded(root, tampers, context),
            Err(problem) => problem,
        })
    }

    /// The `data` of an envelope of `keys` distinct keys and its `form`
    /// member, or the report of what is wrong with the envelope.
    fn envelope_data<T>(&self, keys: usize, form: Option<&Json>, data: Option<T>, context: &Context) -> Result<T, Report> {
        let (Some(form), Some(data)) = (form, data) else {
            return Err(envelope_error(context, "envelope", &[]));
        };
        let id = form.get("id").and_then(Json::as_str);
        let version = form.get("version").and_then(Json::as_str);
        match (keys == 2, id, version) {
            (true, Some(id), Some(_)) if id != self.id() => Err(envelope_error(context, "form_mismatch", &[("found", id.to_string())])),
            (true, Some(_), Some(version)) if version != self.version() => Err(envelope_error(
                context,
                "version_mismatch",
                &[("found", version.to_string()), ("expected", self.version().to_string())],
            )),
            (true, Some(_), Some(_)) => Ok(data),
            _ => Err(envelope_error(context, "envelope", &[])),
        }
    }
}

/// A report with one problem of the envelope itself.
fn envelope_error(context: &Context, code: &'static str, args: &[(&str, String)]) -> Report {
    let message = i18n::message(&context.lang, code, "", args).into();
    Report {
        valid: false,
        errors: vec![Issue { code: code.into(), path: "".into(), message, rule: None }],
        warnings: Vec::new(),
        submission: None,
    }
}

/// Whether `path` is `ancestor` or lies below it.
fn is_within(path: &str, ancestor: &str) -> bool {
    path == ancestor || path.strip_prefix(ancestor).is_some_and(|rest| rest.starts_with('/'))
}

fn max_of(form: &CompiledForm, node: Option<NodeId>) -> String {
    node.and_then(|n| form.nodes[n].repeat).map(|r| r.max.to_string()).unwrap_or_default()
}

/// Checks that need the evaluated state: data for fields that are not
/// relevant, and computed values that differ from the computation.
fn post_checks(form: &CompiledForm, state: &State) -> Vec<Issue> {
    let lang = &state.context.lang;
    let mut issues = Vec::new();
    for (node, index) in state.all_slots(form) {
        let definition = &form.nodes[node];
        let Some(slot) = state.root.slot(form, node, &index) else {
            continue;
        };
        if !definition.has_value() {
            continue;
        }
        // Empty input ("", "  ", []) is no data (DESIGN 4.2), even for a hidden
        // field. Only computed fields and files keep their raw JSON (see load).
        let submitted = crate::input::parse(definition, slot.raw());
        let has_data = match slot.raw() {
            Json::Null => slot.input_error.is_some() || (!definition.computed && slot.value.is_some()),
            _ => !matches!(submitted, Ok(None)),
        };
        if !has_data {
            continue;
        }
        let code = if !slot.relevant {
            "not_relevant"
        } else if definition.computed && submitted.ok().flatten() != slot.value {
            "computed_mismatch"
        } else if slot.readonly && !definition.computed && slot.value != default_value(definition) {
            // A read-only field keeps the value the form gave it.
            "readonly"
        } else {
            continue;
        };
        let label = crate::session::label_of(form, node, lang);
        issues.push(Issue {
            code: code.into(),
            path: pointer(form, node, &index),
            message: i18n::message(lang, code, label, &[]).into(),
            rule: None,
        });
    }
    issues
}

fn default_value(node: &crate::compile::Node) -> Option<crate::value::Value> {
    node.logic.default.as_ref().and_then(|d| crate::input::parse(node, d).ok().flatten())
}

/// The report of an evaluated state plus issues found outside it.
pub(crate) fn report(form: &CompiledForm, state: &State, extra: Vec<Issue>, hidden: &dyn Fn(&Issue) -> bool) -> Report {
    // Field issues come in document order (what the error summary lists),
    // then shape problems in the order of the submitted data.
    let (mut errors, warnings) = state.issues(form);
    errors.extend(extra);
    errors.dedup();
    errors.retain(|issue| !hidden(issue));
    let valid = errors.is_empty();
    Report { valid, errors, warnings, submission: valid.then(|| state.submission(form)) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{compile, Context, Date, Resources};

    /// Envelopes whose text needs care: repeated keys, data that is not an
    /// object, no object at all. The text path must agree with the value path.
    #[test]
    fn envelopes_from_text_match_envelopes_from_values() {
        let form = compile(
            &json!({ "id": "f", "version": "1", "title": "F", "steps": [{ "id": "s", "title": "S", "fields": [
                { "id": "name", "type": "text", "label": "Name", "required": true },
                { "id": "anzahl", "type": "integer", "label": "Anzahl" }
            ]}]}),
            Resources::default(),
        )
        .unwrap();
        let context = Context::new(Date::parse("2026-11-23").unwrap(), "de");
        let form_ref = r#""form": {"id": "f", "version": "1"}"#;
        for text in [
            format!(r#"{{{form_ref}, "data": {{"name": "A", "anzahl": 2}}}}"#),
            format!(r#"{{{form_ref}, "data": {{"name": "A", "name": "B", "anzahl": "x"}}}}"#),
            format!(r#"{{{form_ref}, "data": {{"name": 5, "name": "B"}}}}"#),
            format!(r#"{{{form_ref}, "data": {{"x": 1, "x": 2}}}}"#),
            format!(r#"{{{form_ref}, "data": [1, 2]}}"#),
            format!(r#"{{{form_ref}, "data": null}}"#),
            format!(r#"{{{form_ref}, "data": "x"}}"#),
            format!(r#"{{{form_ref}, "data": -1.5e3}}"#),
            format!(r#"{{{form_ref}, "data": true}}"#),
            format!(r#"{{{form_ref}, "data": [[1], {{"a": 2}}]}}"#),
            format!(r#"{{{form_ref}, "extra": {{"x": [1, {{}}]}}, "data": {{"name": "A"}}}}"#),
            format!(r#"{{{form_ref}, {form_ref}, "data": {{}}}}"#),
            format!(r#"{{"data": {{}}, {form_ref}}}"#),
            format!(r#"{{{form_ref}, "data": {{}}, "data": {{"name": "A"}}}}"#),
            format!(r#"{{{form_ref}, "data": {{}}, "extra": 1}}"#),
            r#"{"form": {"id": "g", "version": "1"}, "data": {}}"#.to_string(),
            r#"{"data": {}}"#.to_string(),
            "[]".to_string(),
            "7".to_string(),
        ] {
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(form.validate_envelope_text(&text, &context).unwrap(), form.validate_envelope(&value, &context), "{text}");
        }
        for not_json in ["", "{", r#"{"form": 1} x"#, r#"{"data": {"a": }}"#] {
            assert!(form.validate_envelope_text(not_json, &context).is_err(), "{not_json}");
        }
    }
}
