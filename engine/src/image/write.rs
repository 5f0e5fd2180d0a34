//! The encoder: one function per type, in the order of `read.rs`. It runs
//! natively only (the efa CLI), on forms the compiler produced.

use serde_json::Value as Json;

use crate::compile::{
    Bound, Check, ChoiceOption, CompiledForm, Cond, FieldSpec, Graph, Logic, Node, NodeKind, RefMode, RefTarget, Rule, Scope,
};
use crate::expr::eval::{Arith, Call, Cmp, Node as ExprNode, ShortText};
use crate::expr::{Expr, Ref};
use crate::model::{
    Branding, Contact, FieldType, FormDefinition, FormRule, Links, Parameter, ParameterType, Repeat, Severity, Step, Tenant, Text,
};
use crate::pattern::compile::Inst;
use crate::pattern::parse::Look;
use crate::pattern::Pattern;
use crate::value::{Type, Value};
use crate::NameMap;

/// The payload: the tenant, then the form.
pub(super) fn image(out: Vec<u8>, form: &CompiledForm, tenant: Option<&Tenant>) -> Vec<u8> {
    let w = &mut Writer { out };
    option(w, tenant, self::tenant);
    self::form(w, form);
    std::mem::take(&mut w.out)
}

/// Appends the primitives of the format to the image.
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn byte(&mut self, byte: u8) {
        self.out.push(byte);
    }

    /// LEB128: seven bits per byte, the high bit set on all but the last.
    fn wide(&mut self, mut n: u128) {
        while n >= 0x80 {
            self.byte((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        self.byte(n as u8);
    }

    fn varint(&mut self, n: u64) {
        self.wide(n.into());
    }

    fn usize(&mut self, n: usize) {
        self.varint(n as u64);
    }

    fn u32(&mut self, n: u32) {
        self.varint(n.into());
    }

    /// Zigzag, so that small negative numbers stay short.
    fn signed(&mut self, n: i128) {
        self.wide(((n << 1) ^ (n >> 127)) as u128);
    }

    fn bool(&mut self, b: bool) {
        self.byte(u8::from(b));
    }

    fn str(&mut self, s: &str) {
        self.usize(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }
}

fn form(w: &mut Writer, form: &CompiledForm) {
    definition(w, &form.definition);
    list(w, &form.nodes, node);
    list(w, &form.steps, |w, &n| w.usize(n));
    list(w, &form.top_level, |w, &n| w.usize(n));
    // `member_index` is left out: the reader rebuilds it from the nodes.
    list(w, &form.scopes, scope);
    list(w, &form.refs, ref_target);
    list(w, &form.rules, rule);
    graph(w, &form.graph);
    name_map(w, &form.parameters, |w, value| option(w, value.as_ref(), self::value));
    w.bool(form.uses_today);
}

fn node(w: &mut Writer, node: &Node) {
    w.str(&node.id);
    node_kind(w, node.kind);
    w.str(&node.pointer);
    option(w, node.parent.as_ref(), |w, &n| w.usize(n));
    list(w, &node.children, |w, &n| w.usize(n));
    w.usize(node.step);
    option(w, node.label.as_ref(), text);
    option(w, node.hint.as_ref(), text);
    option(w, node.text.as_ref(), text);
    option(w, node.repeat.as_ref(), repeat);
    list(w, &node.options, choice_option);
    option(w, node.spec.as_ref(), field_spec);
    w.bool(node.computed);
    option(w, node.min.as_deref(), bound);
    option(w, node.max.as_deref(), bound);
    option(w, node.max_length.as_ref(), |w, &n| w.u32(n));
    list(w, &node.data_path, |w, key| w.str(key));
    w.str(&node.data_pointer);
    w.usize(node.scope);
    w.usize(node.slot);
    option(w, node.inner_scope.as_ref(), |w, &n| w.usize(n));
    option(w, node.ty.as_ref(), ty);
    logic(w, &node.logic);
    option(w, node.pattern.as_deref(), pattern);
}

/// 0 for a step, 1 + the field type's tag for a field.
fn node_kind(w: &mut Writer, kind: NodeKind) {
    match kind {
        NodeKind::Step => w.byte(0),
        NodeKind::Field(t) => w.byte(1 + field_type_tag(t)),
    }
}

fn field_type_tag(t: FieldType) -> u8 {
    match t {
        FieldType::Text => 0,
        FieldType::Textarea => 1,
        FieldType::Integer => 2,
        FieldType::Decimal => 3,
        FieldType::Money => 4,
        FieldType::Date => 5,
        FieldType::Boolean => 6,
        FieldType::Choice => 7,
        FieldType::Multichoice => 8,
        FieldType::Email => 9,
        FieldType::Phone => 10,
        FieldType::Iban => 11,
        FieldType::Postcode => 12,
        FieldType::Attachment => 13,
        FieldType::Static => 14,
        FieldType::Group => 15,
    }
}

fn choice_option(w: &mut Writer, option: &ChoiceOption) {
    w.str(&option.code);
    text(w, &option.label);
    self::option(w, option.visible.as_deref(), expr);
}

fn field_spec(w: &mut Writer, spec: &FieldSpec) {
    option(w, spec.min_length.as_ref(), |w, &n| w.u32(n));
    w.bool(spec.latin);
    option(w, spec.min_items.as_ref(), |w, &n| w.u32(n));
    option(w, spec.max_items.as_ref(), |w, &n| w.u32(n));
    list(w, &spec.accept, |w, s| w.str(s));
    option(w, spec.max_size.as_ref(), |w, &n| w.varint(n));
    option(w, spec.autocomplete.as_deref(), Writer::str);
    option(w, spec.fim.as_deref(), Writer::str);
}

fn repeat(w: &mut Writer, repeat: &Repeat) {
    w.u32(repeat.min);
    w.u32(repeat.max);
}

fn bound(w: &mut Writer, bound: &Bound) {
    match bound {
        Bound::Value(v) => {
            w.byte(0);
            value(w, v);
        }
        Bound::Today => w.byte(1),
    }
}

fn logic(w: &mut Writer, logic: &Logic) {
    option(w, logic.visible.as_deref(), expr);
    cond(w, &logic.required);
    cond(w, &logic.readonly);
    option(w, logic.compute.as_deref(), expr);
    option(w, logic.default.as_deref(), json);
    list(w, &logic.checks, check);
}

fn cond(w: &mut Writer, cond: &Cond) {
    match cond {
        Cond::Const(b) => {
            w.byte(0);
            w.bool(*b);
        }
        Cond::When(e) => {
            w.byte(1);
            expr(w, e);
        }
    }
}

fn check(w: &mut Writer, check: &Check) {
    option(w, check.id.as_deref(), Writer::str);
    expr(w, &check.expr);
    text(w, &check.message);
    severity(w, check.severity);
}

fn rule(w: &mut Writer, rule: &Rule) {
    w.str(&rule.id);
    expr(w, &rule.check);
    option(w, rule.when.as_ref(), expr);
    list(w, &rule.fields, |w, &n| w.usize(n));
    text(w, &rule.message);
    severity(w, rule.severity);
}

fn scope(w: &mut Writer, scope: &Scope) {
    list(w, &scope.chain, |w, &(scope, slot)| {
        w.usize(scope);
        w.usize(slot);
    });
    option(w, scope.repeat_node.as_ref(), |w, &n| w.usize(n));
    w.usize(scope.slots);
    list(w, &scope.repeats, |w, &n| w.usize(n));
}

fn ref_target(w: &mut Writer, target: &RefTarget) {
    w.usize(target.node);
    w.usize(target.scope);
    w.usize(target.slot);
    w.usize(target.shared);
    ref_mode(w, target.mode);
}

fn ref_mode(w: &mut Writer, mode: RefMode) {
    w.byte(match mode {
        RefMode::Scalar => 0,
        RefMode::Entries => 1,
        RefMode::FanOut => 2,
    });
}

fn graph(w: &mut Writer, graph: &Graph) {
    list(w, &graph.order, |w, &n| w.usize(n));
    list(w, &graph.rank, |w, &n| w.u32(n));
    for lists in [&graph.value_dependents, &graph.status_dependents, &graph.rule_dependents, &graph.value_sources] {
        list(w, lists, |w, items| list(w, items, |w, &n| w.usize(n)));
    }
}

fn expr(w: &mut Writer, expr: &Expr) {
    ty(w, &expr.ty);
    expr_node(w, &expr.node);
}

fn expr_node(w: &mut Writer, node: &ExprNode) {
    match node {
        ExprNode::Const(v) => {
            w.byte(0);
            option(w, v.as_ref(), value);
        }
        ExprNode::Field(r) => {
            w.byte(1);
            reference(w, *r);
        }
        ExprNode::ListField(r) => {
            w.byte(2);
            reference(w, *r);
        }
        ExprNode::List(items) => {
            w.byte(3);
            list(w, items, expr_node);
        }
        ExprNode::ToDecimal(x) => unary(w, 4, x),
        ExprNode::Not(x) => unary(w, 5, x),
        ExprNode::Neg(x) => unary(w, 6, x),
        ExprNode::And(a, b) => binary(w, 7, a, b),
        ExprNode::Or(a, b) => binary(w, 8, a, b),
        ExprNode::Arith(op, a, b) => {
            w.byte(9);
            arith(w, *op);
            binary_operands(w, a, b);
        }
        ExprNode::Cmp(op, a, b) => {
            w.byte(10);
            cmp(w, *op);
            binary_operands(w, a, b);
        }
        ExprNode::In(a, b) => binary(w, 11, a, b),
        ExprNode::If(c, a, b) => {
            w.byte(12);
            expr_node(w, c);
            binary_operands(w, a, b);
        }
        ExprNode::Call(c, args) => {
            w.byte(13);
            call(w, *c);
            list(w, args, expr_node);
        }
        ExprNode::Matches(x, p) => {
            w.byte(14);
            expr_node(w, x);
            pattern(w, p);
        }
        ExprNode::FieldCmp(op, r, v) => {
            w.byte(15);
            cmp(w, *op);
            reference(w, *r);
            value(w, v);
        }
        ExprNode::FieldIsText(r, negated, text) => {
            w.byte(16);
            reference(w, *r);
            w.bool(*negated);
            short_text(w, text);
        }
        ExprNode::FieldIsEmpty(r) => {
            w.byte(17);
            reference(w, *r);
        }
    }
}

fn unary(w: &mut Writer, tag: u8, x: &ExprNode) {
    w.byte(tag);
    expr_node(w, x);
}

fn binary(w: &mut Writer, tag: u8, a: &ExprNode, b: &ExprNode) {
    w.byte(tag);
    binary_operands(w, a, b);
}

fn binary_operands(w: &mut Writer, a: &ExprNode, b: &ExprNode) {
    expr_node(w, a);
    expr_node(w, b);
}

fn reference(w: &mut Writer, r: Ref) {
    w.u32(r.0);
}

fn arith(w: &mut Writer, op: Arith) {
    w.byte(match op {
        Arith::AddInt => 0,
        Arith::SubInt => 1,
        Arith::MulInt => 2,
        Arith::AddDec => 3,
        Arith::SubDec => 4,
        Arith::MulDec => 5,
        Arith::Div => 6,
        Arith::Concat => 7,
    });
}

fn cmp(w: &mut Writer, op: Cmp) {
    w.byte(match op {
        Cmp::Eq => 0,
        Cmp::Ne => 1,
        Cmp::Lt => 2,
        Cmp::Le => 3,
        Cmp::Gt => 4,
        Cmp::Ge => 5,
    });
}

fn call(w: &mut Writer, call: Call) {
    let tag = match call {
        Call::Today => 0,
        Call::Age => 1,
        Call::DaysBetween => 2,
        Call::Year => 3,
        Call::AddDays => 4,
        Call::AddYears => 5,
        Call::Len => 6,
        Call::Count => 7,
        Call::CountInstances => 8,
        Call::SumInt => 9,
        Call::SumDec => 10,
        Call::Min => 11,
        Call::Max => 12,
        Call::Any => 13,
        Call::All => 14,
        Call::IsEmpty => 15,
        Call::Round(places) => {
            w.byte(16);
            w.u32(places);
            return;
        }
    };
    w.byte(tag);
}

/// The text only; the reader pads it again.
fn short_text(w: &mut Writer, text: &ShortText) {
    let bytes = text.bytes.get(..usize::from(text.len)).unwrap_or_default();
    w.str(std::str::from_utf8(bytes).unwrap_or_default());
}

fn pattern(w: &mut Writer, pattern: &Pattern) {
    w.str(&pattern.source);
    list(w, &pattern.program.insts, inst);
}

fn inst(w: &mut Writer, inst: &Inst) {
    match inst {
        Inst::Class(class) => {
            w.byte(0);
            list(w, &class.ranges, |w, &(low, high)| {
                w.u32(low);
                w.u32(high);
            });
        }
        Inst::Split(a, b) => {
            w.byte(1);
            w.usize(*a);
            w.usize(*b);
        }
        Inst::Jump(to) => {
            w.byte(2);
            w.usize(*to);
        }
        Inst::Look(l) => {
            w.byte(3);
            look(w, *l);
        }
        Inst::Match => w.byte(4),
    }
}

fn look(w: &mut Writer, look: Look) {
    w.byte(match look {
        Look::TextStart => 0,
        Look::TextEnd => 1,
        Look::LineStart => 2,
        Look::LineEnd => 3,
        Look::WordBoundary => 4,
        Look::NotWordBoundary => 5,
    });
}

fn value(w: &mut Writer, value: &Value) {
    match value {
        Value::Bool(b) => {
            w.byte(0);
            w.bool(*b);
        }
        Value::Int(i) => {
            w.byte(1);
            w.signed((*i).into());
        }
        Value::Decimal(d) => {
            w.byte(2);
            w.signed(d.mantissa);
            w.u32(d.scale());
        }
        Value::Text(t) => {
            w.byte(3);
            w.str(t);
        }
        Value::Date(d) => {
            w.byte(4);
            w.u32(d.year().unsigned_abs());
            w.u32(d.month());
            w.u32(d.day());
        }
        Value::List(items) => {
            w.byte(5);
            list(w, items, |w, item| option(w, item.as_ref(), self::value));
        }
    }
}

fn ty(w: &mut Writer, ty: &Type) {
    match ty {
        Type::Bool => w.byte(0),
        Type::Int => w.byte(1),
        Type::Decimal => w.byte(2),
        Type::Text => w.byte(3),
        Type::Date => w.byte(4),
        Type::List(inner) => {
            w.byte(5);
            self::ty(w, inner);
        }
        Type::Instances => w.byte(6),
    }
}

/// What compiling left of the definition: its steps keep no fields
/// (`compile_definition` moved them into the nodes), so none are written.
fn definition(w: &mut Writer, definition: &FormDefinition) {
    option(w, definition.schema.as_deref(), Writer::str);
    w.str(&definition.id);
    w.str(&definition.version);
    text(w, &definition.title);
    option(w, definition.description.as_ref(), text);
    list(w, &definition.languages, |w, s| w.str(s));
    option(w, definition.leika.as_deref(), Writer::str);
    name_map(w, &definition.parameters, parameter);
    list(w, &definition.steps, step);
    list(w, &definition.rules, form_rule);
}

fn parameter(w: &mut Writer, parameter: &Parameter) {
    parameter_type(w, parameter.kind);
    option(w, parameter.default.as_ref(), json);
    option(w, parameter.description.as_ref(), text);
}

fn parameter_type(w: &mut Writer, kind: ParameterType) {
    w.byte(match kind {
        ParameterType::Text => 0,
        ParameterType::Integer => 1,
        ParameterType::Decimal => 2,
        ParameterType::Money => 3,
        ParameterType::Boolean => 4,
        ParameterType::Date => 5,
    });
}

fn step(w: &mut Writer, step: &Step) {
    debug_assert!(step.fields.is_empty(), "a compiled form keeps no fields in its definition");
    w.str(&step.id);
    text(w, &step.title);
    option(w, step.description.as_ref(), text);
    option(w, step.visible.as_deref(), Writer::str);
}

fn form_rule(w: &mut Writer, rule: &FormRule) {
    w.str(&rule.id);
    w.str(&rule.check);
    list(w, &rule.fields, |w, s| w.str(s));
    text(w, &rule.message);
    severity(w, rule.severity);
    option(w, rule.when.as_deref(), Writer::str);
}

fn tenant(w: &mut Writer, tenant: &Tenant) {
    option(w, tenant.schema.as_deref(), Writer::str);
    w.str(&tenant.id);
    text(w, &tenant.name);
    branding(w, &tenant.branding);
    option(w, tenant.contact.as_ref(), contact);
    links(w, &tenant.links);
    name_map(w, &tenant.parameters, |w, values| name_map(w, values, json));
}

fn branding(w: &mut Writer, branding: &Branding) {
    option(w, branding.logo.as_deref(), Writer::str);
    option(w, branding.logo_alt.as_ref(), text);
    w.str(&branding.primary_color);
    w.str(&branding.on_primary_color);
    w.str(&branding.text_color);
    w.str(&branding.background_color);
    w.str(&branding.error_color);
    option(w, branding.font_family.as_deref(), Writer::str);
    option(w, branding.radius.as_ref(), |w, &n| w.u32(n));
}

fn contact(w: &mut Writer, contact: &Contact) {
    option(w, contact.office.as_ref(), text);
    option(w, contact.email.as_deref(), Writer::str);
    option(w, contact.phone.as_deref(), Writer::str);
    option(w, contact.address.as_deref(), Writer::str);
}

fn links(w: &mut Writer, links: &Links) {
    w.str(&links.privacy);
    w.str(&links.imprint);
    w.str(&links.accessibility);
}

fn text(w: &mut Writer, text: &Text) {
    match text {
        Text::Plain(s) => {
            w.byte(0);
            w.str(s);
        }
        Text::Localized(map) => {
            w.byte(1);
            name_map(w, map, |w, s| w.str(s));
        }
    }
}

fn severity(w: &mut Writer, severity: Severity) {
    w.byte(match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    });
}

/// A JSON value (defaults, parameter values). Numbers keep serde_json's
/// representation (unsigned, negative or float), so they compare and print
/// as before.
fn json(w: &mut Writer, json: &Json) {
    match json {
        Json::Null => w.byte(0),
        Json::Bool(b) => w.byte(1 + u8::from(*b)),
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                w.byte(3);
                w.varint(u);
            } else if let Some(i) = n.as_i64() {
                w.byte(4);
                w.signed(i.into());
            } else {
                w.byte(5);
                w.out.extend_from_slice(&n.as_f64().unwrap_or_default().to_le_bytes());
            }
        }
        Json::String(s) => {
            w.byte(6);
            w.str(s);
        }
        Json::Array(items) => {
            w.byte(7);
            list(w, items, self::json);
        }
        Json::Object(members) => {
            w.byte(8);
            w.usize(members.len());
            for (key, value) in members {
                w.str(key);
                self::json(w, value);
            }
        }
    }
}

/// A count, then the items.
fn list<T>(w: &mut Writer, items: &[T], item: fn(&mut Writer, &T)) {
    w.usize(items.len());
    for x in items {
        item(w, x);
    }
}

/// 0, or 1 and the value.
fn option<T: ?Sized>(w: &mut Writer, value: Option<&T>, some: fn(&mut Writer, &T)) {
    match value {
        None => w.byte(0),
        Some(x) => {
            w.byte(1);
            some(w, x);
        }
    }
}

/// A count, then each name and its value, in the map's (sorted) order.
fn name_map<V>(w: &mut Writer, map: &NameMap<V>, value: fn(&mut Writer, &V)) {
    w.usize(map.len());
    for (name, v) in map {
        w.str(name);
        value(w, v);
    }
}
