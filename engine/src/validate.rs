//! One-shot revalidation of submitted data (DESIGN 4.3): one call finds
//! missing required data, violated rules, wrong types and shapes, values
//! outside the options, unknown keys, data for non-relevant fields, repeat
//! counts outside min/max, oversized values and altered computed values.

use serde::Serialize;
use serde_json::Value as Json;

use crate::compile::{CompiledForm, NodeId};
use crate::i18n;
use crate::session::{load, pointer, Context, Issue, State};

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
        let lang = &context.lang;
        let envelope_error = |code: &'static str, args: &[(&str, String)]| Report {
            valid: false,
            errors: vec![Issue { code: code.into(), path: "".into(), message: i18n::message(lang, code, "", args).into(), rule: None }],
            warnings: Vec::new(),
            submission: None,
        };
        let (Some(form), Some(data)) = (envelope.get("form"), envelope.get("data")) else {
            return envelope_error("envelope", &[]);
        };
        let keys_ok = envelope.as_object().is_some_and(|o| o.len() == 2);
        let id = form.get("id").and_then(Json::as_str);
        let version = form.get("version").and_then(Json::as_str);
        match (keys_ok, id, version) {
            (true, Some(id), Some(_)) if id != self.id() => envelope_error("form_mismatch", &[("found", id.to_string())]),
            (true, Some(_), Some(version)) if version != self.version() => {
                envelope_error("version_mismatch", &[("found", version.to_string()), ("expected", self.version().to_string())])
            }
            (true, Some(_), Some(_)) => self.validate(data, context),
            _ => envelope_error("envelope", &[]),
        }
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
