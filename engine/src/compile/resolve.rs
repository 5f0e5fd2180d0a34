//! Pass 4: type checks every expression of the form, resolving names by the
//! scoping rules:
//! - a bare name is looked up among the reader's siblings first (inside a
//!   repeating group: the sibling in the same instance), then outward group by
//!   group, then among the top-level fields of all steps;
//! - a dotted name descends into groups; descending into a repeating group the
//!   reader is not inside yields a list, one entry per instance;
//! - `param.NAME` is a form parameter (a constant after the tenant is applied).

use std::cell::RefCell;

use super::{params::parameter_type, Check, CompiledForm, Cond, Logic, NodeId, NodeKind, RefMode, RefTarget, Rule};
use crate::error::{pointer_push, DefinitionError, DefinitionErrorKind as Kind};
use crate::expr::{self, Expr, ExprErrorKind, Ref, Resolved, Resolver};
use crate::model::{Condition, FieldType, OptionItem, Options};
use crate::value::Type;

/// Interned reference targets, shared by all expressions of a form.
/// Found through their node: a node is read in only a few ways (modes and
/// shared repeats), so a short scan replaces a hash map, whose code the
/// widget would hold once more for this key type.
#[derive(Default)]
struct RefTable {
    targets: Vec<RefTarget>,
    by_node: Vec<Vec<u32>>,
}

impl RefTable {
    fn intern(&mut self, target: RefTarget) -> Ref {
        if self.by_node.len() <= target.node {
            self.by_node.resize(target.node + 1, Vec::new());
        }
        let ids = &mut self.by_node[target.node];
        if let Some(&id) = ids.iter().find(|&&id| self.targets[id as usize] == target) {
            return Ref(id);
        }
        let id = self.targets.len() as u32;
        ids.push(id);
        self.targets.push(target);
        Ref(id)
    }
}

struct Compiler<'a> {
    form: &'a CompiledForm,
    table: RefCell<RefTable>,
    errors: RefCell<Vec<DefinitionError>>,
}

pub(super) fn compile_expressions(form: &mut CompiledForm, errors: &mut Vec<DefinitionError>) {
    let compiler = Compiler { form, table: RefCell::default(), errors: RefCell::default() };
    let logic: Vec<Logic> = (0..form.nodes.len()).map(|n| compiler.node_logic(n)).collect();
    let option_filters: Vec<Vec<Option<Expr>>> = (0..form.nodes.len()).map(|n| compiler.option_filters(n)).collect();
    let rules = compiler.rules();
    let uses_today = logic.iter().any(uses_today) || rules.iter().any(|r| r.check.uses_today());
    let refs = compiler.table.into_inner().targets;
    errors.extend(compiler.errors.into_inner());
    for ((node, logic), filters) in form.nodes.iter_mut().zip(logic).zip(option_filters) {
        node.logic = logic;
        for (option, filter) in node.options.iter_mut().zip(filters) {
            option.visible = filter.map(Box::new);
        }
    }
    form.rules = rules;
    form.refs = refs;
    form.uses_today = uses_today
        || form
            .nodes
            .iter()
            .any(|n| matches!(n.min.as_deref(), Some(super::Bound::Today)) || matches!(n.max.as_deref(), Some(super::Bound::Today)));
}

fn uses_today(logic: &Logic) -> bool {
    let cond = |c: &Cond| matches!(c, Cond::When(e) if e.uses_today());
    logic.visible.as_ref().is_some_and(|e| e.uses_today())
        || logic.compute.as_ref().is_some_and(|e| e.uses_today())
        || cond(&logic.required)
        || cond(&logic.readonly)
        || logic.checks.iter().any(|c| c.expr.uses_today())
}

impl Compiler<'_> {
    fn error(&self, pointer: String, kind: Kind, message: String) {
        self.errors.borrow_mut().push(DefinitionError::new(pointer, kind, message));
    }

    fn node_logic(&self, n: NodeId) -> Logic {
        let node = &self.form.nodes[n];
        let pointer = &node.pointer;
        let Some(spec) = self.form.source_field(n) else {
            let step = &self.form.definition.steps[node.step];
            let visible = step.visible.as_ref().and_then(|src| self.condition(src, &pointer_push(pointer, "visible"), Some(n)));
            return Logic { visible: visible.map(Box::new), ..Logic::default() };
        };
        let visible = spec.visible.as_ref().and_then(|src| self.condition(src, &pointer_push(pointer, "visible"), Some(n)));
        let required = self.cond(spec.required.as_ref(), &pointer_push(pointer, "required"), n);
        let readonly = self.cond(spec.readonly.as_ref(), &pointer_push(pointer, "readonly"), n);
        let compute = spec.compute.as_ref().and_then(|src| self.compute(src, &pointer_push(pointer, "compute"), n));
        let checks = spec
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| {
                let rule_pointer = pointer_push(&pointer_push(pointer, "rules"), index);
                let expr = self.condition(&rule.check, &pointer_push(&rule_pointer, "check"), Some(n))?;
                Some(Check { id: rule.id.clone(), expr, message: rule.message.clone(), severity: rule.severity })
            })
            .collect();
        if let Some(default) = &spec.default {
            if crate::input::parse(node, default).is_err() {
                self.error(
                    pointer_push(pointer, "default"),
                    Kind::InvalidProperty,
                    // The engine's writer rather than `{default}` (the same
                    // text): the JSON `Display` adds serde's serializer to the widget.
                    format!("default value {} does not fit the field type", crate::WriteJson::to_json_text(&**default)),
                );
            }
        }
        Logic { visible: visible.map(Box::new), required, readonly, compute: compute.map(Box::new), default: spec.default.clone(), checks }
    }

    fn option_filters(&self, n: NodeId) -> Vec<Option<Expr>> {
        let node = &self.form.nodes[n];
        let Some(Options::Inline(items)) = self.form.source_field(n).and_then(|s| s.options.as_ref()) else {
            return vec![None; node.options.len()];
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                OptionItem::Full(spec) => spec.visible.as_ref().and_then(|src| {
                    let pointer = pointer_push(&pointer_push(&pointer_push(&node.pointer, "options"), index), "visible");
                    self.condition(src, &pointer, Some(n))
                }),
                OptionItem::Code(_) => None,
            })
            .collect()
    }

    fn rules(&self) -> Vec<Rule> {
        // Of `String`s like the id sets of `tree`: a set of `&str` would be
        // one more copy of the hash table's code in the widget.
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut rules = Vec::new();
        for (index, rule) in self.form.definition.rules.iter().enumerate() {
            let pointer = pointer_push("/rules", index);
            if !seen.insert(rule.id.clone()) {
                self.error(pointer_push(&pointer, "id"), Kind::DuplicateId, format!("rule id '{}' is used twice", rule.id));
            }
            let check = self.condition(&rule.check, &pointer_push(&pointer, "check"), None);
            let when = rule.when.as_ref().and_then(|src| self.condition(src, &pointer_push(&pointer, "when"), None));
            let fields = self.rule_fields(&rule.fields, &pointer_push(&pointer, "fields"));
            if let Some(check) = check {
                rules.push(Rule { id: rule.id.clone(), check, when, fields, message: rule.message.clone(), severity: rule.severity });
            }
        }
        rules
    }

    fn rule_fields(&self, paths: &[String], pointer: &str) -> Vec<NodeId> {
        if paths.is_empty() {
            self.error(pointer.to_string(), Kind::InvalidProperty, "a rule must name at least one field to show its message at".into());
        }
        let mut nodes = Vec::new();
        for (index, path) in paths.iter().enumerate() {
            let segments: Vec<&str> = path.split('.').collect();
            match self.lookup(&segments, None) {
                Ok(n) if self.form.nodes[n].scope == 0 => nodes.push(n),
                Ok(_) => self.error(
                    pointer_push(pointer, index),
                    Kind::InvalidProperty,
                    format!("'{path}' is inside a repeating group; name the group itself"),
                ),
                Err(message) => self.error(pointer_push(pointer, index), Kind::UnknownReference, message),
            }
        }
        nodes
    }

    fn cond(&self, condition: Option<&Condition>, pointer: &str, n: NodeId) -> Cond {
        match condition {
            None => Cond::Const(false),
            Some(Condition::Always(b)) => Cond::Const(*b),
            Some(Condition::When(src)) => self.condition(src, pointer, Some(n)).map_or(Cond::Const(false), |e| Cond::When(Box::new(e))),
        }
    }

    fn condition(&self, src: &str, pointer: &str, reader: Option<NodeId>) -> Option<Expr> {
        let expr = self.expression(src, pointer, reader)?;
        if *expr.ty() != Type::Bool {
            self.error(
                pointer.to_string(),
                Kind::TypeMismatch,
                format!("this must be a yes/no condition, but it gives a {}", expr.ty().name()),
            );
            return None;
        }
        Some(expr)
    }

    fn compute(&self, src: &str, pointer: &str, n: NodeId) -> Option<Expr> {
        let expr = self.expression(src, pointer, Some(n))?;
        let node = &self.form.nodes[n];
        let field_type = node.ty.clone()?;
        let fits = *expr.ty() == field_type || (*expr.ty() == Type::Int && field_type == Type::Decimal);
        if !fits {
            let hint =
                if field_type == Type::Int && *expr.ty() == Type::Decimal { " (use round(…, 0) or an integer expression)" } else { "" };
            self.error(
                pointer.to_string(),
                Kind::TypeMismatch,
                format!("the field holds a {} but the expression gives a {}{hint}", field_type.name(), expr.ty().name()),
            );
            return None;
        }
        Some(expr)
    }

    fn expression(&self, src: &str, pointer: &str, reader: Option<NodeId>) -> Option<Expr> {
        let resolver = ScopeResolver { compiler: self, reader };
        let result = expr::parse(src).and_then(|ast| expr::check(&ast, &resolver));
        match result {
            Ok(expr) => Some(expr),
            Err(error) => {
                let kind = match error.kind {
                    ExprErrorKind::Syntax => Kind::ExpressionSyntax,
                    ExprErrorKind::UnknownReference => Kind::UnknownReference,
                    ExprErrorKind::Type => Kind::TypeMismatch,
                    ExprErrorKind::Regex => Kind::BadRegex,
                };
                self.error(pointer.to_string(), kind, format!("{} (column {} of \"{src}\")", error.message, error.position + 1));
                None
            }
        }
    }

    /// Looks a dotted name up from `reader`'s position.
    fn lookup(&self, path: &[&str], reader: Option<NodeId>) -> Result<NodeId, String> {
        let nodes = &self.form.nodes;
        let first = path.first().copied().unwrap_or_default();
        let mut container = reader.and_then(|r| self.enclosing_group(r));
        let found = loop {
            match container {
                Some(group) => match self.form.member(Some(group), first) {
                    Some(found) => break Some(found),
                    None => container = self.enclosing_group(group),
                },
                None => break self.form.member(None, first),
            }
        };
        let mut node = found.ok_or_else(|| self.unknown_name(first))?;
        for segment in &path[1..] {
            if nodes[node].field_type() != Some(FieldType::Group) {
                return Err(format!("'{}' is not a group, so it has no field '{segment}'", nodes[node].id));
            }
            node = self.form.member(Some(node), segment).ok_or_else(|| format!("group '{}' has no field '{segment}'", nodes[node].id))?;
        }
        Ok(node)
    }

    fn enclosing_group(&self, n: NodeId) -> Option<NodeId> {
        let parent = self.form.nodes[n].parent?;
        (self.form.nodes[parent].kind != NodeKind::Step).then_some(parent)
    }

    fn unknown_name(&self, name: &str) -> String {
        let similar: Vec<&str> = self
            .form
            .nodes
            .iter()
            .filter(|n| n.kind != NodeKind::Step && edit_distance(&n.id, name) <= 2)
            .map(|n| n.id.as_str())
            .take(3)
            .collect();
        if similar.is_empty() {
            format!("unknown field '{name}'")
        } else {
            format!("unknown field '{name}' (did you mean {}?)", similar.join(", "))
        }
    }

    fn resolve_field(&self, path: &[&str], reader: Option<NodeId>) -> Result<Resolved, String> {
        let form = self.form;
        let target = self.lookup(path, reader)?;
        let node = &form.nodes[target];
        let name = path.join(".");
        let ty = match (node.field_type(), node.ty.clone()) {
            (Some(FieldType::Group), _) if node.is_repeat() => Type::Instances,
            (Some(FieldType::Group), _) => return Err(format!("'{name}' is a group and has no value; refer to one of its fields")),
            (Some(FieldType::Static), _) => return Err(format!("'{name}' is a static text and has no value")),
            (_, Some(ty)) => ty,
            (_, None) => return Err(format!("'{name}' has no value")),
        };
        let reader_scope = reader.map_or(0, |r| form.nodes[r].scope);
        let reader_chain = &form.scopes[reader_scope].chain;
        let target_chain = &form.scopes[node.scope].chain;
        let shared = reader_chain.iter().zip(target_chain).take_while(|(a, b)| a == b).count();
        let (mode, ty) = if target_chain.len() == shared {
            let mode = if matches!(ty, Type::Instances | Type::List(_)) { RefMode::Entries } else { RefMode::Scalar };
            (mode, ty)
        } else if matches!(ty, Type::Instances | Type::List(_)) {
            return Err(format!(
                "'{name}' lies inside a repeating group and holds several values per instance; it cannot be used from here"
            ));
        } else {
            (RefMode::FanOut, Type::List(Box::new(ty)))
        };
        let r = self.table.borrow_mut().intern(RefTarget { node: target, scope: node.scope, slot: node.slot, shared, mode });
        Ok(Resolved::Field { r, ty })
    }
}

struct ScopeResolver<'a> {
    compiler: &'a Compiler<'a>,
    reader: Option<NodeId>,
}

impl Resolver for ScopeResolver<'_> {
    fn resolve(&self, path: &[&str]) -> Result<Resolved, String> {
        if path.first() == Some(&"param") {
            let [_, name] = path else {
                return Err("write a parameter as param.NAME".into());
            };
            let form = self.compiler.form;
            let declared = form
                .definition
                .parameters
                .get(name)
                .ok_or_else(|| format!("unknown parameter '{name}' (declare it under \"parameters\")"))?;
            let value = form.parameters.get(name).cloned().flatten();
            return Ok(Resolved::Constant { value, ty: parameter_type(declared.kind) });
        }
        self.compiler.resolve_field(path, self.reader)
    }
}

/// Levenshtein distance, for "did you mean" hints on short ids.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}
