//! From evaluated state to what leaves the engine: field states with their
//! messages in words, the canonical submission and the raw draft.

use std::sync::Arc;

use serde::ser::{Error as _, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json};

use super::store::Slot;
use super::{pointer, Changes, Detail, FieldState, Finding, Issue, State};
use crate::compile::{Bound, CompiledForm, NodeId, NodeKind};
use crate::i18n;
use crate::input::{canonical, file_meta};
use crate::model::{FieldType, Severity};
use crate::value::Value;
use crate::write::{bool_text, write_integer, write_str, write_value, Object};

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
        let mut states = Vec::with_capacity(slots.len());
        for (node, index) in slots {
            self.push_field_state(form, node, &index, &mut states);
        }
        states
    }

    /// The field states of the slots that `changes` names.
    pub fn changed_states(&self, form: &CompiledForm, changes: Changes) -> Vec<FieldState> {
        let mut states = Vec::with_capacity(changes.count());
        changes.for_each(|node, index| self.push_field_state(form, node, index, &mut states));
        states
    }

    /// Appends the state of one slot. Pushed here rather than returned: a
    /// state is large, and moving it out of an `Option` copied it once more.
    fn push_field_state(&self, form: &CompiledForm, node: NodeId, index: &[u32], states: &mut Vec<FieldState>) {
        let Some(slot) = self.root.slot(form, node, index) else {
            return;
        };
        let definition = &form.nodes[node];
        let path = pointer(form, node, index);
        let (errors, warnings) = self.issues_at(form, node, index, &slot.findings, &path);
        let value = match &slot.value {
            Some(value) if definition.has_value() => canonical(definition, value, slot.raw()),
            _ => Json::Null,
        };
        let count = definition.is_repeat().then(|| self.root.instances(form, node, index).map_or(0, Vec::len));
        let options = slot.offered.as_ref().map(|offered| offered.iter().map(|&i| definition.options[i as usize].code.clone()).collect());
        states.push(FieldState {
            path,
            options,
            visible: slot.relevant,
            required: slot.required,
            readonly: slot.readonly,
            value,
            count,
            errors,
            warnings,
        });
    }

    /// The errors and warnings shown at one field instance: its findings,
    /// then those of form rules that name it.
    fn issues_at(
        &self,
        form: &CompiledForm,
        node: NodeId,
        index: &[u32],
        findings: &[Finding],
        path: &Arc<str>,
    ) -> (Vec<Issue>, Vec<Issue>) {
        // Most fields of a change show nothing: no iterator chain to set up.
        if findings.is_empty() && self.rules.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let (mut errors, mut warnings) = (Vec::with_capacity(findings.len()), Vec::new());
        for finding in findings.iter().chain(self.rule_findings_at(form, node)) {
            let issue = self.issue_at(form, node, index, path.clone(), finding);
            match finding.severity {
                Severity::Error => errors.push(issue),
                Severity::Warning => warnings.push(issue),
            }
        }
        (errors, warnings)
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
        self.issue_at(form, node, index, pointer(form, node, index), finding)
    }

    /// [`State::issue`] with the field's path already at hand.
    fn issue_at(&self, form: &CompiledForm, node: NodeId, index: &[u32], path: Arc<str>, finding: &Finding) -> Issue {
        let lang = self.context.lang.as_str();
        let default_lang = form.default_language();
        let definition = &form.nodes[node];
        let (message, rule) = match finding.detail {
            Detail::Check(check) => {
                let check = &definition.logic.checks[check];
                (check.message.get(lang, default_lang).into(), check.id.clone())
            }
            Detail::Rule(rule) => {
                let rule = &form.rules[rule];
                (rule.message.get(lang, default_lang).into(), Some(rule.id.clone()))
            }
            // File messages name the file: not the same for every instance.
            Detail::File(_) => (self.builtin_message(form, node, index, finding).into(), None),
            Detail::None => (self.cached_message(form, node, finding), None),
        };
        Issue { code: finding.code.into(), path, message, rule }
    }

    fn cached_message(&self, form: &CompiledForm, node: NodeId, finding: &Finding) -> Arc<str> {
        let cached = self.messages.borrow().get(node).and_then(|codes| codes.iter().find(|(code, _)| *code == finding.code).cloned());
        if let Some((_, message)) = cached {
            return message;
        }
        let message: Arc<str> = self.builtin_message(form, node, &[], finding).into();
        let mut messages = self.messages.borrow_mut();
        if messages.len() <= node {
            messages.resize(node + 1, Vec::new());
        }
        messages[node].push((finding.code, message.clone()));
        message
    }

    fn builtin_message(&self, form: &CompiledForm, node: NodeId, index: &[u32], finding: &Finding) -> String {
        let lang = self.context.lang.as_str();
        let definition = &form.nodes[node];
        let label = label(form, node, lang);
        let spec = definition.spec.as_ref();
        let bound_text = |bound: &Option<Box<Bound>>| match bound.as_deref() {
            Some(Bound::Value(Value::Date(d))) => i18n::format_date(lang, *d),
            Some(Bound::Today) => i18n::format_date(lang, self.context.today),
            Some(Bound::Value(Value::Int(i))) => i18n::format_number(lang, &i.to_string()),
            Some(Bound::Value(Value::Decimal(d))) => i18n::format_number(lang, &d.to_string()),
            Some(Bound::Value(_)) | None => String::new(),
        };
        let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        let kind = definition.field_type();
        let is_date = kind == Some(FieldType::Date);
        let file = || {
            let Detail::File(i) = finding.detail else {
                return String::new();
            };
            let raw = self.root.slot(form, node, index).map(|s| s.raw());
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
        i18n::message(lang, code, label, &args)
    }

    /// The canonical submission envelope, written straight to JSON text:
    /// no `serde_json::Value` tree with a hashed map per object is built
    /// (that was 40 % of a revalidation).
    pub fn submission(&self, form: &CompiledForm) -> Submission {
        let mut out = String::new();
        let mut envelope = Object::new(&mut out);
        envelope.key("form");
        let mut identity = Object::new(envelope.out);
        identity.member("id", form.id());
        identity.member("version", form.version());
        identity.end();
        envelope.key("data");
        self.write_members(form, &form.top_level, &[], envelope.out);
        envelope.end();
        Submission(out.into_boxed_str())
    }

    /// The members of one object of the submission.
    fn write_members(&self, form: &CompiledForm, members: &[NodeId], index: &[u32], out: &mut String) {
        let mut object = Object::new(out);
        for &node in members {
            let Some(entry) = self.canonical_entry(form, node, index) else {
                continue;
            };
            let definition = &form.nodes[node];
            object.key(&definition.id);
            match entry {
                Entry::Value(value, slot) => write_canonical(definition, value, slot.raw(), object.out),
                Entry::Group => self.write_members(form, &definition.children, index, object.out),
                Entry::Instances(count) => self.write_instances(form, node, index, count, object.out),
            }
        }
        object.end();
    }

    /// The entries of a repeating group, each an object of its members.
    fn write_instances(&self, form: &CompiledForm, group: NodeId, index: &[u32], count: u32, out: &mut String) {
        let mut inner = [index, &[0]].concat();
        let last = inner.len() - 1;
        out.push('[');
        for position in 0..count {
            if position > 0 {
                out.push(',');
            }
            inner[last] = position;
            self.write_members(form, &form.nodes[group].children, &inner, out);
        }
        out.push(']');
    }

    /// Whether a group has anything to submit (an empty group is left out).
    fn has_canonical(&self, form: &CompiledForm, members: &[NodeId], index: &[u32]) -> bool {
        members.iter().any(|&node| self.canonical_entry(form, node, index).is_some())
    }

    /// What `node` contributes to the submission in instance `index`, if anything.
    fn canonical_entry(&self, form: &CompiledForm, node: NodeId, index: &[u32]) -> Option<Entry<'_>> {
        let definition = &form.nodes[node];
        let slot = self.root.slot(form, node, index).filter(|slot| slot.relevant)?;
        match definition.field_type() {
            Some(FieldType::Group) if definition.is_repeat() => {
                let count = self.root.instances(form, node, index).map_or(0, Vec::len);
                (count > 0).then_some(Entry::Instances(count as u32))
            }
            Some(FieldType::Group) => self.has_canonical(form, &definition.children, index).then_some(Entry::Group),
            _ if slot.input_error.is_some() => None,
            _ => slot.value.as_ref().map(|value| Entry::Value(value, slot)),
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
                _ => self.root.slot(form, node, index).map(|s| s.raw().clone()).unwrap_or_default(),
            };
            if !value.is_null() {
                out.insert(definition.id.clone(), value);
            }
        }
    }
}

/// The canonical submission `{"form": {"id", "version"}, "data": {…}}` as
/// JSON text: relevant, non-empty values only, in document order, each in
/// its canonical form, so the same answers always give the same bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission(Box<str>);

impl Submission {
    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The submission as a JSON value (the text is always JSON: the engine
    /// wrote it).
    pub fn to_json(&self) -> Json {
        crate::read::parse_json(self.as_str()).unwrap_or_default()
    }
}

/// The text as it is, for native callers that put a report into a larger
/// serde output (the service's responses). The widget writes reports with
/// [`crate::WriteJson`] and never reaches this.
impl Serialize for Submission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.as_str().to_string()).map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// One member's part of the submission.
enum Entry<'a> {
    Value(&'a Value, &'a Slot),
    Group,
    Instances(u32),
}

/// A field's value in canonical form: the common scalars written directly,
/// the rest through [`canonical`].
fn write_canonical(node: &crate::compile::Node, value: &Value, raw: &Json, out: &mut String) {
    match (node.field_type(), value) {
        (Some(FieldType::Money | FieldType::Decimal | FieldType::Multichoice | FieldType::Attachment), _) => {
            write_value(out, &canonical(node, value, raw));
        }
        (_, Value::Text(text)) => write_str(out, text),
        (_, Value::Int(i)) => write_integer(out, i),
        (_, Value::Bool(b)) => out.push_str(bool_text(*b)),
        (_, Value::Date(d)) => d.with_iso(|iso| write_str(out, iso)),
        (_, value) => write_value(out, &crate::input::to_json(value)),
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
pub(crate) fn label<'a>(form: &'a CompiledForm, node: NodeId, lang: &str) -> &'a str {
    let definition = &form.nodes[node];
    match &definition.label {
        Some(text) => text.get(lang, form.default_language()),
        None => &definition.id,
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
