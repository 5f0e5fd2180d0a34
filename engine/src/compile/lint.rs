//! Pass 6: static checks that find forms which compile but cannot work as the
//! author meant: required fields that can never be shown, steps a citizen can
//! never reach, texts missing a declared language.

use super::{graph::expression_sources, CompiledForm, Cond, NodeId, NodeKind};
use crate::error::{pointer_push, DefinitionError, DefinitionErrorKind as Kind};
use crate::expr::{Expr, NoEnv};
use crate::model::{FormDefinition, OptionItem, Options, Text};
use crate::value::Value;

pub(super) fn check(form: &CompiledForm, errors: &mut Vec<DefinitionError>) {
    translations(&form.definition, errors);
    // These checks read only compiled conditions, so they also run next to
    // other errors (a cycle, say): an expression that did not compile has no
    // condition here and cannot cause a finding.
    for (n, node) in form.nodes.iter().enumerate() {
        if node.kind == NodeKind::Step {
            unreachable_step(form, n, errors);
        } else if !matches!(node.logic.required, Cond::Const(false)) && never_visible(form, n) {
            errors.push(DefinitionError::new(
                pointer_push(&node.pointer, "required"),
                Kind::RequiredNeverVisible,
                format!("'{}' is required but can never be visible, so the form could never be sent", node.id),
            ));
        }
    }
}

/// Whether the node or one of its ancestors has a visibility that is false
/// whatever is entered. Conditions on parameters do not count: a tenant may
/// switch a part of the form off on purpose.
fn never_visible(form: &CompiledForm, mut n: NodeId) -> bool {
    loop {
        let node = &form.nodes[n];
        if let Some(expr) = &node.logic.visible {
            if visible_source(form, n).is_some_and(|src| !src.contains("param.")) && constant_not_true(expr) {
                return true;
            }
        }
        match node.parent {
            Some(parent) => n = parent,
            None => return false,
        }
    }
}

fn visible_source(form: &CompiledForm, n: NodeId) -> Option<&str> {
    let node = &form.nodes[n];
    match form.source_field(n) {
        Some(spec) => spec.visible.as_deref(),
        None => form.definition.steps[node.step].visible.as_deref(),
    }
}

fn constant_not_true(expr: &Expr) -> bool {
    matches!(expr.constant(), Some(value) if value != Some(Value::Bool(true)))
}

/// A step is unreachable when its condition is constantly false, or when it
/// reads only fields entered on that step or later and is not true while
/// those are still empty.
fn unreachable_step(form: &CompiledForm, n: NodeId, errors: &mut Vec<DefinitionError>) {
    let node = &form.nodes[n];
    let Some(expr) = &node.logic.visible else {
        return;
    };
    let message = if visible_source(form, n).is_some_and(|src| !src.contains("param.")) && constant_not_true(expr) {
        format!("step '{}' is never shown: its condition is always false", node.id)
    } else {
        let sources = expression_sources(form, expr);
        let all_later = !sources.is_empty()
            && sources.iter().all(|&s| {
                let source = &form.nodes[s];
                source.step >= node.step && !source.computed && source.logic.default.is_none()
            });
        if !all_later || expr.eval(&NoEnv) == Some(Value::Bool(true)) {
            return;
        }
        format!("step '{}' is never shown: its condition reads only fields entered on this or later steps", node.id)
    };
    errors.push(DefinitionError::new(pointer_push(&node.pointer, "visible"), Kind::UnreachableStep, message));
}

/// Every text of the definition must exist in every declared language.
fn translations(definition: &FormDefinition, errors: &mut Vec<DefinitionError>) {
    let languages = &definition.languages;
    let Some(default) = languages.first() else {
        errors.push(DefinitionError::new("/languages", Kind::InvalidProperty, "declare at least one language"));
        return;
    };
    let mut texts: Vec<(String, &Text)> = vec![("/title".into(), &definition.title)];
    texts.extend(definition.description.iter().map(|t| ("/description".to_string(), t)));
    for (index, step) in definition.steps.iter().enumerate() {
        let pointer = pointer_push("/steps", index);
        texts.push((pointer_push(&pointer, "title"), &step.title));
        texts.extend(step.description.iter().map(|t| (pointer_push(&pointer, "description"), t)));
        collect_field_texts(&step.fields, &pointer_push(&pointer, "fields"), &mut texts);
    }
    for (name, parameter) in &definition.parameters {
        texts.extend(parameter.description.iter().map(|t| (pointer_push(&pointer_push("/parameters", name), "description"), t)));
    }
    for (index, rule) in definition.rules.iter().enumerate() {
        texts.push((pointer_push(&pointer_push("/rules", index), "message"), &rule.message));
    }
    for (pointer, text) in texts {
        let missing: Vec<&str> = languages.iter().filter(|l| !text.has(l, default)).map(String::as_str).collect();
        if !missing.is_empty() {
            errors.push(DefinitionError::new(
                pointer,
                Kind::MissingTranslation,
                format!("missing translation for: {}", missing.join(", ")),
            ));
        }
    }
}

fn collect_field_texts<'a>(fields: &'a [crate::model::Field], pointer: &str, texts: &mut Vec<(String, &'a Text)>) {
    for (index, field) in fields.iter().enumerate() {
        let pointer = pointer_push(pointer, index);
        for (key, text) in [("label", &field.label), ("hint", &field.hint), ("text", &field.text)] {
            texts.extend(text.iter().map(|t| (pointer_push(&pointer, key), t)));
        }
        for (rule_index, rule) in field.rules.iter().enumerate() {
            texts.push((pointer_push(&pointer_push(&pointer_push(&pointer, "rules"), rule_index), "message"), &rule.message));
        }
        if let Some(Options::Inline(items)) = &field.options {
            for (option_index, item) in items.iter().enumerate() {
                if let OptionItem::Full(spec) = item {
                    texts.push((pointer_push(&pointer_push(&pointer_push(&pointer, "options"), option_index), "label"), &spec.label));
                }
            }
        }
        collect_field_texts(&field.fields, &pointer_push(&pointer, "fields"), texts);
    }
}
