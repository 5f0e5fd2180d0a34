//! Status vertices: requiredness, read-only state and every check of a field.
//!
//! Order of findings for one field: an input that is not a value of the type;
//! else emptiness (reported once, as `required`, when required); else the
//! type's constraints. Then the author's checks — except when `required`
//! already explains the problem (DESIGN 4.2).

use super::evaluate::{Changes, StateEnv};
use super::{Detail, Finding, State};
use crate::compile::{Bound, CompiledForm, Cond, Node, NodeId, NodeKind};
use crate::expr::Env;
use crate::input::file_meta;
use crate::model::{FieldType, Severity};
use crate::value::{Date, Value};

/// Default largest attachment when the author sets none: 10 MB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10_000_000;

impl State {
    /// Recomputes the status of one node instance; records a change.
    /// Findings are gathered in `findings`, a buffer reused across calls,
    /// and copied into the slot only when they differ: a keystroke that
    /// toggles fifty fields between required and not then allocates nothing.
    pub(super) fn eval_status(
        &mut self,
        form: &CompiledForm,
        node: NodeId,
        index: &[u32],
        findings: &mut Vec<Finding>,
        changes: &mut Changes,
    ) {
        let definition = &form.nodes[node];
        if matches!(definition.kind, NodeKind::Step | NodeKind::Field(FieldType::Static)) {
            return;
        }
        let env = StateEnv { form, root: &self.root, index, today: self.context.today };
        let Some(slot) = env.root.slot(form, node, index) else {
            return;
        };
        let offered = if slot.relevant { offered_options(definition, &env) } else { None };
        findings.clear();
        let (required, readonly) = if slot.relevant {
            let required = condition(&definition.logic.required, &env);
            let readonly = definition.computed || condition(&definition.logic.readonly, &env);
            let instances = definition.is_repeat().then(|| env.root.instances(form, node, index).map_or(0, Vec::len));
            value_findings(definition, slot, required, instances, offered.as_deref(), &env, findings);
            let required_missing = findings.first().is_some_and(|f| f.code == "required" || f.code == "repeat_min");
            if !required_missing {
                check_findings(definition, &env, findings);
            }
            (required, readonly)
        } else {
            (false, false)
        };
        let Some(slot) = self.root.slot_mut(form, node, index) else {
            return;
        };
        if slot.required != required || slot.readonly != readonly || slot.findings != *findings || slot.offered != offered {
            slot.required = required;
            slot.readonly = readonly;
            slot.offered = offered;
            slot.findings.clone_from(findings);
            changes.add(node, index);
        }
    }
}

fn condition(cond: &Cond, env: &dyn Env) -> bool {
    match cond {
        Cond::Const(b) => *b,
        Cond::When(expr) => expr.holds(env) == Some(true),
    }
}

/// The findings about the value itself. Inlined into [`State::eval_status`],
/// its one caller: passing eight arguments cost more than the common case
/// (an empty field) takes.
#[inline]
fn value_findings(
    node: &Node,
    slot: &super::store::Slot,
    required: bool,
    instances: Option<usize>,
    offered: Option<&[u32]>,
    env: &StateEnv,
    findings: &mut Vec<Finding>,
) {
    if let Some(count) = instances {
        let repeat = node.repeat.unwrap_or(crate::model::Repeat { min: 0, max: u32::MAX });
        let min = repeat.min.max(u32::from(required)) as usize;
        if count < min {
            findings.push(Finding::error("repeat_min"));
        } else if count > repeat.max as usize {
            findings.push(Finding::error("repeat_max"));
        }
        return;
    }
    if !node.has_value() {
        return;
    }
    if let Some(error) = slot.input_error {
        findings.push(Finding::error(error.code()));
        return;
    }
    match &slot.value {
        None if required => findings.push(Finding::error("required")),
        None => {}
        Some(value) => constraints(node, value, slot.raw(), offered, env, findings),
    }
}

fn check_findings(node: &Node, env: &StateEnv, findings: &mut Vec<Finding>) {
    for (index, check) in node.logic.checks.iter().enumerate() {
        if check.expr.holds(env) == Some(false) {
            findings.push(Finding { code: "rule", severity: check.severity, detail: Detail::Check(index) });
        }
    }
}

/// The type's own constraints on a present value.
fn constraints(node: &Node, value: &Value, raw: &serde_json::Value, offered: Option<&[u32]>, env: &StateEnv, findings: &mut Vec<Finding>) {
    let Some(kind) = node.field_type() else {
        return;
    };
    let spec = node.spec.as_ref();
    let mut fail = |code: &'static str| findings.push(Finding::error(code));
    match (kind, value) {
        (FieldType::Choice, Value::Text(code)) if !is_offered(node, offered, code) => fail("not_in_options"),
        (FieldType::Choice, _) => {}
        (FieldType::Multichoice, Value::List(codes)) => {
            if !codes.iter().all(|c| matches!(c, Some(Value::Text(code)) if is_offered(node, offered, code))) {
                fail("not_in_options");
            }
            count_limits(spec.and_then(|s| s.min_items), spec.and_then(|s| s.max_items), codes.len(), "min_items", "max_items", &mut fail);
        }
        (_, Value::Text(text)) => text_constraints(node, kind, text, &mut fail),
        (FieldType::Money, Value::Decimal(d)) if d.scale() > 2 && d.round_half_up(2) != Some(*d) => fail("money_precision"),
        (FieldType::Attachment, Value::List(files)) => {
            count_limits(
                spec.and_then(|s| s.min_items),
                spec.and_then(|s| s.max_items),
                files.len(),
                "attachment_count_min",
                "attachment_count_max",
                &mut fail,
            );
            attachment_constraints(node, raw, findings);
            return;
        }
        _ => {}
    }
    bounds(node, value, env.today, findings);
}

/// The indices of the options offered now, for choices with option filters
/// (renderers show only these); `None` when every option is always offered.
fn offered_options(node: &Node, env: &StateEnv) -> Option<Vec<u32>> {
    // Only choices have options (the compiler rejects them elsewhere); the
    // type is at hand, the options are a memory access further.
    let is_choice = matches!(node.field_type(), Some(FieldType::Choice | FieldType::Multichoice));
    if !is_choice || node.options.iter().all(|o| o.visible.is_none()) {
        return None;
    }
    let offered = |o: &crate::compile::ChoiceOption| o.visible.as_ref().is_none_or(|e| e.holds(env) == Some(true));
    Some(node.options.iter().enumerate().filter(|(_, o)| offered(o)).map(|(i, _)| i as u32).collect())
}

/// Whether `code` is an option offered now (`offered` as computed by
/// [`offered_options`]: the filters are evaluated once per status).
fn is_offered(node: &Node, offered: Option<&[u32]>, code: &str) -> bool {
    node.options.iter().position(|o| o.code == code).is_some_and(|i| offered.is_none_or(|o| o.contains(&(i as u32))))
}

fn count_limits(
    min: Option<u32>,
    max: Option<u32>,
    count: usize,
    min_code: &'static str,
    max_code: &'static str,
    fail: &mut impl FnMut(&'static str),
) {
    if min.is_some_and(|m| count < m as usize) {
        fail(min_code);
    }
    if max.is_some_and(|m| count > m as usize) {
        fail(max_code);
    }
}

fn text_constraints(node: &Node, kind: FieldType, text: &str, fail: &mut impl FnMut(&'static str)) {
    let length = text.chars().count();
    let spec = node.spec.as_ref();
    if node.max_length.is_some_and(|max| length > max as usize) {
        fail("max_length");
        return;
    }
    if spec.and_then(|s| s.min_length).is_some_and(|min| length < min as usize) {
        fail("min_length");
    }
    let format_ok = match kind {
        FieldType::Email => crate::formats::is_email(text),
        FieldType::Phone => crate::formats::is_phone(text),
        FieldType::Iban => crate::formats::is_iban(text),
        FieldType::Postcode => crate::formats::is_postcode(text),
        _ => true,
    };
    if !format_ok {
        fail(match kind {
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Iban => "iban",
            _ => "postcode",
        });
    }
    if spec.is_some_and(|s| s.latin) && !crate::formats::is_latin(text, kind == FieldType::Textarea) {
        fail("latin");
    }
    if node.pattern.as_ref().is_some_and(|p| !p.is_match(text)) {
        fail("pattern");
    }
}

fn bounds(node: &Node, value: &Value, today: Date, findings: &mut Vec<Finding>) {
    let resolve = |bound: &Bound| match bound {
        Bound::Value(v) => v.clone(),
        Bound::Today => Value::Date(today),
    };
    if let Some(min) = node.min.as_deref().map(resolve) {
        if compare(value, &min) == Some(std::cmp::Ordering::Less) {
            findings.push(Finding::error("min"));
        }
    }
    if let Some(max) = node.max.as_deref().map(resolve) {
        if compare(value, &max) == Some(std::cmp::Ordering::Greater) {
            findings.push(Finding::error("max"));
        }
    }
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    use crate::value::Decimal;
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Decimal(x), Value::Decimal(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Decimal(y)) => Some(Decimal::from_i64(*x).cmp(y)),
        (Value::Decimal(x), Value::Int(y)) => Some(x.cmp(&Decimal::from_i64(*y))),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn attachment_constraints(node: &Node, raw: &serde_json::Value, findings: &mut Vec<Finding>) {
    let spec = node.spec.as_ref();
    let accept = spec.map(|s| s.accept.as_slice()).unwrap_or_default();
    let max_size = spec.and_then(|s| s.max_size).unwrap_or(DEFAULT_MAX_FILE_SIZE);
    for (index, file) in raw.as_array().into_iter().flatten().enumerate() {
        let Ok(meta) = file_meta(file) else { continue };
        if !accept.is_empty() && !accept.iter().any(|a| media_type_matches(a, &meta.media_type)) {
            findings.push(Finding { code: "attachment_type", severity: Severity::Error, detail: Detail::File(index) });
        }
        if meta.size > max_size {
            findings.push(Finding { code: "attachment_size", severity: Severity::Error, detail: Detail::File(index) });
        }
    }
}

/// `image/*` matches `image/png`; otherwise exact (case-insensitive).
pub(crate) fn media_type_matches(accept: &str, media_type: &str) -> bool {
    let accept = accept.to_ascii_lowercase();
    match accept.strip_suffix("/*") {
        Some(prefix) => media_type.split_once('/').is_some_and(|(major, _)| major == prefix),
        None => accept == media_type,
    }
}
