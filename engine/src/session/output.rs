//! From evaluated state to what leaves the engine: field states with their
//! messages in words, the canonical submission and the raw draft.

use serde_json::{Map, Value as Json};

use super::{pointer, Detail, FieldState, Finding, Issue, State};
use crate::compile::{Bound, CompiledForm, NodeId, NodeKind};
use crate::i18n;
use crate::input::{canonical, file_meta};
use crate::model::{FieldType, Severity};
use crate::value::Value;

impl State {
    /// Every (node, instance) in document order.
    pub fn all_slots(&self, form: &CompiledForm) -> Vec<(NodeId, Vec<u32>)> {
        let mut slots = Vec::with_capacity(form.nodes.len());
        for (node, definition) in form.nodes.iter().enumerate() {
            if definition.scope == 0 {
                slots.push((node, Vec::new()));
            } else {
                slots.extend(self.root.indices(form, definition.scope).into_iter().map(|index| (node, index)));
            }
        }
        slots
    }

    /// The field states of the given slots.
    pub fn field_states(&self, form: &CompiledForm, slots: Vec<(NodeId, Vec<u32>)>) -> Vec<FieldState> {
        slots.into_iter().filter_map(|(node, index)| self.field_state(form, node, &index)).collect()
    }

    fn field_state(&self, form: &CompiledForm, node: NodeId, index: &[u32]) -> Option<FieldState> {
        let slot = self.root.slot(form, node, index)?;
        let definition = &form.nodes[node];
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let findings = slot.findings.iter().chain(self.rule_findings_at(form, node));
        for finding in findings {
            let issue = self.issue(form, node, index, finding);
            match finding.severity {
                Severity::Error => errors.push(issue),
                Severity::Warning => warnings.push(issue),
            }
        }
        let value = match &slot.value {
            Some(value) if definition.has_value() => canonical(definition, value, &slot.raw),
            _ => Json::Null,
        };
        let count = definition.is_repeat().then(|| self.root.instances(form, node, index).map_or(0, Vec::len));
        let options = slot.offered.as_ref().map(|offered| offered.iter().map(|&i| definition.options[i as usize].code.clone()).collect());
        Some(FieldState {
            path: pointer(form, node, index),
            options,
            visible: slot.relevant,
            required: slot.required,
            readonly: slot.readonly,
            value,
            count,
            errors,
            warnings,
        })
    }

    /// Findings of form rules shown at `node` (rules name top-level nodes only).
    /// Hidden fields show no messages (DESIGN 4.1), so a rule speaks only at
    /// the listed fields that are relevant.
    fn rule_findings_at<'a>(&'a self, form: &'a CompiledForm, node: NodeId) -> impl Iterator<Item = &'a Finding> {
        let relevant = self.root.slot(form, node, &[]).is_some_and(|s| s.relevant);
        self.rules
            .iter()
            .enumerate()
            .filter(move |(rule, _)| relevant && form.rules[*rule].fields.contains(&node))
            .filter_map(|(_, finding)| finding.as_ref())
    }

    /// Where the report places a form rule's message: its first relevant field.
    fn rule_location(&self, form: &CompiledForm, rule: usize) -> Option<NodeId> {
        form.rules[rule].fields.iter().copied().find(|&f| self.root.slot(form, f, &[]).is_some_and(|s| s.relevant))
    }

    /// Every finding of the form as issues: field findings in document order,
    /// then form rules (once each, at their first field).
    pub fn issues(&self, form: &CompiledForm) -> (Vec<Issue>, Vec<Issue>) {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut push = |severity: Severity, issue: Issue| match severity {
            Severity::Error => errors.push(issue),
            Severity::Warning => warnings.push(issue),
        };
        for (node, index) in self.all_slots(form) {
            let Some(slot) = self.root.slot(form, node, &index) else {
                continue;
            };
            for finding in &slot.findings {
                push(finding.severity, self.issue(form, node, &index, finding));
            }
        }
        for (rule, finding) in self.rules.iter().enumerate() {
            if let (Some(finding), Some(field)) = (finding, self.rule_location(form, rule)) {
                push(finding.severity, self.issue(form, field, &[], finding));
            }
        }
        (errors, warnings)
    }

    /// Puts a finding into words.
    pub fn issue(&self, form: &CompiledForm, node: NodeId, index: &[u32], finding: &Finding) -> Issue {
        let lang = self.context.lang.as_str();
        let default_lang = form.default_language();
        let definition = &form.nodes[node];
        let (message, rule) = match finding.detail {
            Detail::Check(check) => {
                let check = &definition.logic.checks[check];
                (check.message.get(lang, default_lang).to_string(), check.id.clone())
            }
            Detail::Rule(rule) => {
                let rule = &form.rules[rule];
                (rule.message.get(lang, default_lang).to_string(), Some(rule.id.clone()))
            }
            _ => (self.builtin_message(form, node, index, finding), None),
        };
        Issue { code: finding.code.to_string(), path: pointer(form, node, index), message, rule }
    }

    fn builtin_message(&self, form: &CompiledForm, node: NodeId, index: &[u32], finding: &Finding) -> String {
        let lang = self.context.lang.as_str();
        let definition = &form.nodes[node];
        let label = label(form, node, lang);
        let spec = definition.spec.as_ref();
        let bound_text = |bound: &Option<Bound>| match bound {
            Some(Bound::Value(Value::Date(d))) => i18n::format_date(lang, *d),
            Some(Bound::Today) => i18n::format_date(lang, self.context.today),
            Some(Bound::Value(v)) => i18n::format_number(lang, &crate::input::to_json(v)),
            None => String::new(),
        };
        let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        let kind = definition.field_type();
        let is_date = kind == Some(FieldType::Date);
        let file = || {
            let Detail::File(i) = finding.detail else {
                return String::new();
            };
            let raw = self.root.slot(form, node, index).map(|s| &s.raw);
            raw.and_then(|r| r.get(i)).and_then(|f| file_meta(f).ok()).map(|m| m.name).unwrap_or_default()
        };
        let (code, args): (&str, Vec<(&str, String)>) = match finding.code {
            "format" => (format_code(kind), vec![]),
            "required" => (required_code(kind), vec![]),
            "repeat_min" if definition.repeat.is_some_and(|r| r.min <= 1) => ("repeat_min_one", vec![]),
            "min" if is_date => ("min_date", vec![("min", bound_text(&definition.min))]),
            "max" if is_date => ("max_date", vec![("max", bound_text(&definition.max))]),
            "min" => ("min", vec![("min", bound_text(&definition.min))]),
            "max" => ("max", vec![("max", bound_text(&definition.max))]),
            "min_length" => ("min_length", vec![("min", number(spec.and_then(|s| s.min_length)))]),
            "max_length" => ("max_length", vec![("max", number(definition.max_length))]),
            "min_items" | "attachment_count_min" => (finding.code, vec![("min", number(spec.and_then(|s| s.min_items)))]),
            "max_items" | "attachment_count_max" => (finding.code, vec![("max", number(spec.and_then(|s| s.max_items)))]),
            "repeat_min" => ("repeat_min", vec![("min", number(definition.repeat.map(|r| r.min.max(1))))]),
            "repeat_max" => ("repeat_max", vec![("max", number(definition.repeat.map(|r| r.max)))]),
            "attachment_type" => {
                ("attachment_type", vec![("file", file()), ("accept", spec.map(|s| s.accept.join(", ")).unwrap_or_default())])
            }
            "attachment_size" => (
                "attachment_size",
                vec![
                    ("file", file()),
                    ("max", i18n::format_size(spec.and_then(|s| s.max_size).unwrap_or(super::status::DEFAULT_MAX_FILE_SIZE))),
                ],
            ),
            code => (code, vec![]),
        };
        i18n::message(lang, code, &label, &args)
    }

    /// The canonical submission envelope.
    pub fn submission(&self, form: &CompiledForm) -> Json {
        let mut data = Map::with_capacity(form.top_level.len());
        self.canonical_members(form, &form.top_level, &[], &mut data);
        // Built by hand: `json!` would re-serialize the whole data map.
        envelope(form, Json::Object(data))
    }

    fn canonical_members(&self, form: &CompiledForm, members: &[NodeId], index: &[u32], out: &mut Map<String, Json>) {
        for &node in members {
            let definition = &form.nodes[node];
            let Some(slot) = self.root.slot(form, node, index) else {
                continue;
            };
            if !slot.relevant {
                continue;
            }
            let value = match definition.field_type() {
                Some(FieldType::Group) if definition.is_repeat() => {
                    let count = self.root.instances(form, node, index).map_or(0, Vec::len);
                    let items: Vec<Json> = (0..count as u32)
                        .map(|i| {
                            let mut inner = index.to_vec();
                            inner.push(i);
                            let mut object = Map::new();
                            self.canonical_members(form, &definition.children, &inner, &mut object);
                            Json::Object(object)
                        })
                        .collect();
                    (!items.is_empty()).then_some(Json::Array(items))
                }
                Some(FieldType::Group) => {
                    let mut object = Map::new();
                    self.canonical_members(form, &definition.children, index, &mut object);
                    (!object.is_empty()).then_some(Json::Object(object))
                }
                _ if slot.input_error.is_some() => None,
                _ => slot.value.as_ref().map(|v| canonical(definition, v, &slot.raw)),
            };
            if let Some(value) = value {
                out.insert(definition.id.clone(), value);
            }
        }
    }

    /// Every entered value, relevant or not (for drafts).
    pub fn raw_data(&self, form: &CompiledForm) -> Json {
        let mut data = Map::new();
        self.raw_members(form, &form.top_level, &[], &mut data);
        Json::Object(data)
    }

    fn raw_members(&self, form: &CompiledForm, members: &[NodeId], index: &[u32], out: &mut Map<String, Json>) {
        for &node in members {
            let definition = &form.nodes[node];
            let value = match definition.field_type() {
                Some(FieldType::Group) if definition.is_repeat() => {
                    let count = self.root.instances(form, node, index).map_or(0, Vec::len);
                    let items = (0..count as u32).map(|i| {
                        let mut inner = index.to_vec();
                        inner.push(i);
                        let mut object = Map::new();
                        self.raw_members(form, &definition.children, &inner, &mut object);
                        Json::Object(object)
                    });
                    Json::Array(items.collect())
                }
                Some(FieldType::Group) => {
                    let mut object = Map::new();
                    self.raw_members(form, &definition.children, index, &mut object);
                    Json::Object(object)
                }
                _ if definition.computed || definition.kind == NodeKind::Step => continue,
                _ => self.root.slot(form, node, index).map(|s| s.raw.clone()).unwrap_or_default(),
            };
            if !value.is_null() {
                out.insert(definition.id.clone(), value);
            }
        }
    }
}

/// `{"form": {"id", "version"}, "data": data}`.
pub(crate) fn envelope(form: &CompiledForm, data: Json) -> Json {
    let mut identity = Map::new();
    identity.insert("id".into(), Json::String(form.id().to_string()));
    identity.insert("version".into(), Json::String(form.version().to_string()));
    let mut envelope = Map::new();
    envelope.insert("form".into(), Json::Object(identity));
    envelope.insert("data".into(), data);
    Json::Object(envelope)
}

/// The label of a node in `lang`, or its id when it has none.
pub(crate) fn label(form: &CompiledForm, node: NodeId, lang: &str) -> String {
    let definition = &form.nodes[node];
    match &definition.label {
        Some(text) => text.get(lang, form.default_language()).to_string(),
        None => definition.id.clone(),
    }
}

/// Choices are chosen and files uploaded, not "entered".
fn required_code(kind: Option<FieldType>) -> &'static str {
    match kind {
        Some(FieldType::Choice | FieldType::Multichoice | FieldType::Boolean) => "required_choice",
        Some(FieldType::Attachment) => "required_file",
        _ => "required",
    }
}

fn format_code(kind: Option<FieldType>) -> &'static str {
    match kind {
        Some(FieldType::Integer) => "format_integer",
        Some(FieldType::Decimal) => "format_decimal",
        Some(FieldType::Money) => "format_money",
        Some(FieldType::Date) => "format_date",
        _ => "format",
    }
}
