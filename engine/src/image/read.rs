//! The decoder: one function per type, in the order of `write.rs`. It ships
//! in the widget, so it stays small: a [`Reader`] with a few non-generic
//! methods, and generic code only in the `list`, `option` and `name_map`
//! helpers, which take plain function pointers.
//!
//! Damage is not returned by every function: the reader records the first
//! damage it finds and from then on reads as if the bytes had ended (every
//! number 0, every text and list empty, every tag the first, a leaf), so
//! the per-type functions have no error paths. With a `Result` each `?`
//! would have to drop whatever the function had read before it, and those
//! paths made up most of the decoder's WebAssembly. The caller turns the
//! recorded damage into the error.
//!
//! It never reaches the compiler: values are rebuilt by their checked
//! constructors (`Date::from_ymd`, `Decimal::from_mantissa`,
//! `ShortText::new`), patterns from their stored program, never by parsing.

use std::sync::Arc;

use serde_json::Value as Json;

use super::{ImageError, MAX_DEPTH};
use crate::compile::{
    member_index, Bound, Check, ChoiceOption, CompiledForm, Cond, FieldSpec, Graph, Logic, Node, NodeKind, RefMode, RefTarget, Rule, Scope,
};
use crate::expr::eval::{Arith, Call, Cmp, Node as ExprNode, ShortText};
use crate::expr::{Expr, Ref};
use crate::model::{
    Branding, Contact, FieldType, FormDefinition, FormRule, Links, Parameter, ParameterType, Repeat, Severity, Step, Tenant, Text,
};
use crate::pattern::class::Class;
use crate::pattern::compile::{Inst, Program};
use crate::pattern::parse::Look;
use crate::pattern::Pattern;
use crate::value::{Date, Decimal, Type, Value};
use crate::NameMap;

/// The payload: the tenant, then the form, then nothing.
pub(super) fn image(bytes: &[u8]) -> Result<(CompiledForm, Option<Tenant>), ImageError> {
    let r = &mut Reader { bytes, depth: 0, damage: None };
    let tenant = option(r, self::tenant);
    let form = self::form(r);
    if !r.bytes.is_empty() {
        r.fail("bytes follow the end of the form");
    }
    match r.damage {
        Some(what) => Err(ImageError::Damaged(what.into())),
        None => Ok((form, tenant)),
    }
}

/// The bytes not read yet, how deeply nested the value being read is, and
/// the first damage found.
struct Reader<'a> {
    bytes: &'a [u8],
    depth: usize,
    damage: Option<&'static str>,
}

impl<'a> Reader<'a> {
    /// Records `what` (unless damage was found before) and drops the bytes
    /// left, so that reading winds down at once: counts are 0 from here on.
    fn fail(&mut self, what: &'static str) {
        self.damage.get_or_insert(what);
        self.bytes = &[];
    }

    /// Whether no damage was found yet. Loops over items stop at the first:
    /// the items still counted would be made of nothing.
    fn intact(&self) -> bool {
        self.damage.is_none()
    }

    fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&first, rest)) => {
                self.bytes = rest;
                first
            }
            None => {
                self.fail("it ends too early");
                0
            }
        }
    }

    /// The next `n` bytes.
    fn take(&mut self, n: usize) -> &'a [u8] {
        if n > self.bytes.len() {
            self.fail("a length runs past the end");
        }
        let (taken, rest) = self.bytes.split_at(n.min(self.bytes.len()));
        self.bytes = rest;
        taken
    }

    /// LEB128, at most 128 bits.
    fn wide(&mut self) -> u128 {
        let mut n = 0u128;
        for shift in (0..128).step_by(7) {
            let byte = self.byte();
            let bits = u128::from(byte & 0x7f);
            // The last group has room for two bits only.
            if shift == 126 && bits > 0b11 {
                break;
            }
            n |= bits << shift;
            if byte & 0x80 == 0 {
                return n;
            }
        }
        self.fail("a number is too large");
        0
    }

    fn varint(&mut self) -> u64 {
        let n = self.wide();
        u64::try_from(n).unwrap_or_else(|_| self.too_large())
    }

    fn usize(&mut self) -> usize {
        let n = self.wide();
        usize::try_from(n).unwrap_or_else(|_| self.too_large())
    }

    fn u32(&mut self) -> u32 {
        let n = self.wide();
        u32::try_from(n).unwrap_or_else(|_| self.too_large())
    }

    /// Zigzag: the low bit is the sign.
    fn signed(&mut self) -> i128 {
        let n = self.wide();
        (n >> 1) as i128 ^ -((n & 1) as i128)
    }

    fn i64(&mut self) -> i64 {
        let n = self.signed();
        i64::try_from(n).unwrap_or_else(|_| self.too_large())
    }

    fn too_large<T: Default>(&mut self) -> T {
        self.fail("a number is too large");
        T::default()
    }

    fn bool(&mut self) -> bool {
        match self.byte() {
            0 => false,
            1 => true,
            _ => {
                self.fail("a flag is neither 0 nor 1");
                false
            }
        }
    }

    /// A count of items. Each item takes at least one byte, so a count
    /// beyond the bytes left is damage, found before anything is allocated.
    fn len(&mut self) -> usize {
        let n = self.usize();
        if n > self.bytes.len() {
            self.fail("a length runs past the end");
            return 0;
        }
        n
    }

    fn str(&mut self) -> &'a str {
        let n = self.len();
        std::str::from_utf8(self.take(n)).unwrap_or_else(|_| {
            self.fail("a text is not UTF-8");
            ""
        })
    }

    fn string(&mut self) -> String {
        self.str().to_string()
    }

    /// Steps into a nested value, refusing nesting beyond [`MAX_DEPTH`]
    /// (the reader recurses, and the widget's stack is small). `false`:
    /// read a leaf instead.
    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.fail("values are nested too deeply");
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }
}

fn form(r: &mut Reader) -> CompiledForm {
    let definition = definition(r);
    let nodes = list(r, node);
    let steps = ids(r);
    let top_level = ids(r);
    let scopes = list(r, scope);
    let refs = list(r, ref_target);
    let rules = list(r, rule);
    let graph = graph(r);
    let parameters = name_map(r, optional_value);
    let uses_today = r.bool();
    // Rebuilding the member index looks the members up: the one semantic
    // check, so that damage cannot make it panic.
    let mut members = top_level.iter().chain(nodes.iter().flat_map(|node| &node.children));
    let member_index = if members.any(|&member| member >= nodes.len()) {
        r.fail("a member is not a node");
        Vec::new()
    } else {
        member_index(&nodes, &top_level)
    };
    CompiledForm { definition, nodes, steps, top_level, member_index, scopes, refs, rules, graph, parameters, uses_today }
}

fn node(r: &mut Reader) -> Node {
    Node {
        id: r.string(),
        kind: node_kind(r),
        pointer: r.string(),
        parent: option(r, Reader::usize),
        children: ids(r),
        step: r.usize(),
        label: option(r, text),
        hint: option(r, text),
        text: option(r, text),
        repeat: option(r, repeat),
        options: list(r, choice_option),
        spec: option(r, field_spec),
        computed: r.bool(),
        min: option(r, bound).map(Box::new),
        max: option(r, bound).map(Box::new),
        max_length: option(r, Reader::u32),
        data_path: list(r, Reader::string),
        data_pointer: Arc::from(r.str()),
        scope: r.usize(),
        slot: r.usize(),
        inner_scope: option(r, Reader::usize),
        ty: option(r, ty),
        logic: logic(r),
        pattern: option(r, pattern).map(Box::new),
    }
}

fn node_kind(r: &mut Reader) -> NodeKind {
    match r.byte() {
        0 => NodeKind::Step,
        tag => NodeKind::Field(field_type(r, tag - 1)),
    }
}

fn field_type(r: &mut Reader, tag: u8) -> FieldType {
    match tag {
        0 => FieldType::Text,
        1 => FieldType::Textarea,
        2 => FieldType::Integer,
        3 => FieldType::Decimal,
        4 => FieldType::Money,
        5 => FieldType::Date,
        6 => FieldType::Boolean,
        7 => FieldType::Choice,
        8 => FieldType::Multichoice,
        9 => FieldType::Email,
        10 => FieldType::Phone,
        11 => FieldType::Iban,
        12 => FieldType::Postcode,
        13 => FieldType::Attachment,
        14 => FieldType::Static,
        15 => FieldType::Group,
        _ => {
            r.fail("unknown field type");
            FieldType::Text
        }
    }
}

fn choice_option(r: &mut Reader) -> ChoiceOption {
    ChoiceOption { code: r.string(), label: text(r), visible: option(r, expr).map(Box::new) }
}

fn field_spec(r: &mut Reader) -> FieldSpec {
    FieldSpec {
        min_length: option(r, Reader::u32),
        latin: r.bool(),
        min_items: option(r, Reader::u32),
        max_items: option(r, Reader::u32),
        accept: list(r, Reader::string),
        max_size: option(r, Reader::varint),
        autocomplete: option(r, Reader::string),
        fim: option(r, Reader::string),
    }
}

fn repeat(r: &mut Reader) -> Repeat {
    Repeat { min: r.u32(), max: r.u32() }
}

fn bound(r: &mut Reader) -> Bound {
    match r.byte() {
        0 => Bound::Value(value(r)),
        1 => Bound::Today,
        _ => {
            r.fail("unknown bound");
            Bound::Today
        }
    }
}

fn logic(r: &mut Reader) -> Logic {
    Logic {
        visible: option(r, expr).map(Box::new),
        required: cond(r),
        readonly: cond(r),
        compute: option(r, expr).map(Box::new),
        default: option(r, json).map(Box::new),
        checks: list(r, check),
    }
}

fn cond(r: &mut Reader) -> Cond {
    match r.byte() {
        0 => Cond::Const(r.bool()),
        1 => Cond::When(Box::new(expr(r))),
        _ => {
            r.fail("unknown condition");
            Cond::Const(false)
        }
    }
}

fn check(r: &mut Reader) -> Check {
    Check { id: option(r, Reader::string), expr: expr(r), message: text(r), severity: severity(r) }
}

fn rule(r: &mut Reader) -> Rule {
    Rule { id: r.string(), check: expr(r), when: option(r, expr), fields: ids(r), message: text(r), severity: severity(r) }
}

fn scope(r: &mut Reader) -> Scope {
    Scope { chain: list(r, |r| (r.usize(), r.usize())), repeat_node: option(r, Reader::usize), slots: r.usize(), repeats: ids(r) }
}

fn ref_target(r: &mut Reader) -> RefTarget {
    RefTarget { node: r.usize(), scope: r.usize(), slot: r.usize(), shared: r.usize(), mode: ref_mode(r) }
}

fn ref_mode(r: &mut Reader) -> RefMode {
    match r.byte() {
        0 => RefMode::Scalar,
        1 => RefMode::Entries,
        2 => RefMode::FanOut,
        _ => {
            r.fail("unknown reference mode");
            RefMode::Scalar
        }
    }
}

fn graph(r: &mut Reader) -> Graph {
    Graph {
        order: ids(r),
        rank: list(r, Reader::u32),
        value_dependents: list(r, ids),
        status_dependents: list(r, ids),
        rule_dependents: list(r, ids),
        value_sources: list(r, ids),
    }
}

fn expr(r: &mut Reader) -> Expr {
    Expr { ty: ty(r), node: expr_node(r) }
}

fn expr_node(r: &mut Reader) -> ExprNode {
    if !r.enter() {
        return ExprNode::Const(None);
    }
    let node = match r.byte() {
        0 => ExprNode::Const(optional_value(r)),
        1 => ExprNode::Field(reference(r)),
        2 => ExprNode::ListField(reference(r)),
        3 => ExprNode::List(list(r, expr_node).into_boxed_slice()),
        4 => ExprNode::ToDecimal(operand(r)),
        5 => ExprNode::Not(operand(r)),
        6 => ExprNode::Neg(operand(r)),
        7 => ExprNode::And(operand(r), operand(r)),
        8 => ExprNode::Or(operand(r), operand(r)),
        9 => ExprNode::Arith(arith(r), operand(r), operand(r)),
        10 => ExprNode::Cmp(cmp(r), operand(r), operand(r)),
        11 => ExprNode::In(operand(r), operand(r)),
        12 => ExprNode::If(operand(r), operand(r), operand(r)),
        13 => ExprNode::Call(call(r), list(r, expr_node).into_boxed_slice()),
        14 => ExprNode::Matches(operand(r), Box::new(pattern(r))),
        15 => ExprNode::FieldCmp(cmp(r), reference(r), value(r)),
        16 => ExprNode::FieldIsText(reference(r), r.bool(), short_text(r)),
        17 => ExprNode::FieldIsEmpty(reference(r)),
        _ => {
            r.fail("unknown expression");
            ExprNode::Const(None)
        }
    };
    r.leave();
    node
}

fn operand(r: &mut Reader) -> Box<ExprNode> {
    Box::new(expr_node(r))
}

fn reference(r: &mut Reader) -> Ref {
    Ref(r.u32())
}

fn arith(r: &mut Reader) -> Arith {
    match r.byte() {
        0 => Arith::AddInt,
        1 => Arith::SubInt,
        2 => Arith::MulInt,
        3 => Arith::AddDec,
        4 => Arith::SubDec,
        5 => Arith::MulDec,
        6 => Arith::Div,
        7 => Arith::Concat,
        _ => {
            r.fail("unknown operator");
            Arith::AddInt
        }
    }
}

fn cmp(r: &mut Reader) -> Cmp {
    match r.byte() {
        0 => Cmp::Eq,
        1 => Cmp::Ne,
        2 => Cmp::Lt,
        3 => Cmp::Le,
        4 => Cmp::Gt,
        5 => Cmp::Ge,
        _ => {
            r.fail("unknown comparison");
            Cmp::Eq
        }
    }
}

fn call(r: &mut Reader) -> Call {
    match r.byte() {
        0 => Call::Today,
        1 => Call::Age,
        2 => Call::DaysBetween,
        3 => Call::Year,
        4 => Call::AddDays,
        5 => Call::AddYears,
        6 => Call::Len,
        7 => Call::Count,
        8 => Call::CountInstances,
        9 => Call::SumInt,
        10 => Call::SumDec,
        11 => Call::Min,
        12 => Call::Max,
        13 => Call::Any,
        14 => Call::All,
        15 => Call::IsEmpty,
        16 => Call::Round(r.u32()),
        _ => {
            r.fail("unknown function");
            Call::Today
        }
    }
}

fn short_text(r: &mut Reader) -> ShortText {
    let text = r.str();
    ShortText::new(text).unwrap_or_else(|| {
        r.fail("a short text is too long");
        ShortText { len: 0, bytes: [0; ShortText::CAPACITY] }
    })
}

fn pattern(r: &mut Reader) -> Pattern {
    Pattern { source: r.str().into(), program: Program { insts: list(r, inst) } }
}

fn inst(r: &mut Reader) -> Inst {
    match r.byte() {
        0 => Inst::Class(Class { ranges: list(r, |r| (r.u32(), r.u32())) }),
        1 => Inst::Split(r.usize(), r.usize()),
        2 => Inst::Jump(r.usize()),
        3 => Inst::Look(look(r)),
        4 => Inst::Match,
        _ => {
            r.fail("unknown pattern instruction");
            Inst::Match
        }
    }
}

fn look(r: &mut Reader) -> Look {
    match r.byte() {
        0 => Look::TextStart,
        1 => Look::TextEnd,
        2 => Look::LineStart,
        3 => Look::LineEnd,
        4 => Look::WordBoundary,
        5 => Look::NotWordBoundary,
        _ => {
            r.fail("unknown pattern assertion");
            Look::TextStart
        }
    }
}

fn value(r: &mut Reader) -> Value {
    if !r.enter() {
        return Value::Bool(false);
    }
    let value = match r.byte() {
        0 => Value::Bool(r.bool()),
        1 => Value::Int(r.i64()),
        2 => Value::Decimal(decimal(r)),
        3 => Value::Text(Arc::from(r.str())),
        4 => Value::Date(date(r)),
        5 => Value::List(list(r, optional_value).into()),
        _ => {
            r.fail("unknown value");
            Value::Bool(false)
        }
    };
    r.leave();
    value
}

fn decimal(r: &mut Reader) -> Decimal {
    let (mantissa, scale) = (r.signed(), r.u32());
    Decimal::from_mantissa(mantissa, scale).unwrap_or_else(|| {
        r.fail("a decimal is out of range");
        Decimal::ZERO
    })
}

fn date(r: &mut Reader) -> Date {
    let (year, month, day) = (r.u32(), r.u32(), r.u32());
    i32::try_from(year).ok().and_then(|year| Date::from_ymd(year, month, day)).unwrap_or_else(|| {
        r.fail("a date does not exist");
        Date::EPOCH
    })
}

fn optional_value(r: &mut Reader) -> Option<Value> {
    option(r, value)
}

fn ty(r: &mut Reader) -> Type {
    if !r.enter() {
        return Type::Bool;
    }
    let ty = match r.byte() {
        0 => Type::Bool,
        1 => Type::Int,
        2 => Type::Decimal,
        3 => Type::Text,
        4 => Type::Date,
        5 => Type::List(Box::new(ty(r))),
        6 => Type::Instances,
        _ => {
            r.fail("unknown type");
            Type::Bool
        }
    };
    r.leave();
    ty
}

/// What compiling left of the definition: steps without fields.
fn definition(r: &mut Reader) -> FormDefinition {
    FormDefinition {
        schema: option(r, Reader::string),
        id: r.string(),
        version: r.string(),
        title: text(r),
        description: option(r, text),
        languages: list(r, Reader::string),
        leika: option(r, Reader::string),
        parameters: name_map(r, parameter),
        steps: list(r, step),
        rules: list(r, form_rule),
    }
}

fn parameter(r: &mut Reader) -> Parameter {
    Parameter { kind: parameter_type(r), default: option(r, json), description: option(r, text) }
}

fn parameter_type(r: &mut Reader) -> ParameterType {
    match r.byte() {
        0 => ParameterType::Text,
        1 => ParameterType::Integer,
        2 => ParameterType::Decimal,
        3 => ParameterType::Money,
        4 => ParameterType::Boolean,
        5 => ParameterType::Date,
        _ => {
            r.fail("unknown parameter type");
            ParameterType::Text
        }
    }
}

fn step(r: &mut Reader) -> Step {
    Step { id: r.string(), title: text(r), description: option(r, text), visible: option(r, Reader::string), fields: Vec::new() }
}

fn form_rule(r: &mut Reader) -> FormRule {
    FormRule {
        id: r.string(),
        check: r.string(),
        fields: list(r, Reader::string),
        message: text(r),
        severity: severity(r),
        when: option(r, Reader::string),
    }
}

fn tenant(r: &mut Reader) -> Tenant {
    Tenant {
        schema: option(r, Reader::string),
        id: r.string(),
        name: text(r),
        branding: branding(r),
        contact: option(r, contact),
        links: links(r),
        parameters: name_map(r, |r| name_map(r, json)),
    }
}

fn branding(r: &mut Reader) -> Branding {
    Branding {
        logo: option(r, Reader::string),
        logo_alt: option(r, text),
        primary_color: r.string(),
        on_primary_color: r.string(),
        text_color: r.string(),
        background_color: r.string(),
        error_color: r.string(),
        font_family: option(r, Reader::string),
        radius: option(r, Reader::u32),
    }
}

fn contact(r: &mut Reader) -> Contact {
    Contact {
        office: option(r, text),
        email: option(r, Reader::string),
        phone: option(r, Reader::string),
        address: option(r, Reader::string),
    }
}

fn links(r: &mut Reader) -> Links {
    Links { privacy: r.string(), imprint: r.string(), accessibility: r.string() }
}

fn text(r: &mut Reader) -> Text {
    match r.byte() {
        0 => Text::Plain(r.string()),
        1 => Text::Localized(name_map(r, Reader::string)),
        _ => {
            r.fail("unknown text");
            Text::Plain(String::new())
        }
    }
}

fn severity(r: &mut Reader) -> Severity {
    match r.byte() {
        0 => Severity::Error,
        1 => Severity::Warning,
        _ => {
            r.fail("unknown severity");
            Severity::Error
        }
    }
}

/// A JSON value, numbers in serde_json's representation.
fn json(r: &mut Reader) -> Json {
    if !r.enter() {
        return Json::Null;
    }
    let json = match r.byte() {
        0 => Json::Null,
        1 => Json::Bool(false),
        2 => Json::Bool(true),
        3 => Json::Number(r.varint().into()),
        4 => Json::Number(r.i64().into()),
        5 => float(r),
        6 => Json::String(r.string()),
        7 => Json::Array(list(r, json)),
        8 => Json::Object(json_members(r)),
        _ => {
            r.fail("unknown JSON value");
            Json::Null
        }
    };
    r.leave();
    json
}

fn float(r: &mut Reader) -> Json {
    let mut bits = [0; 8];
    let taken = r.take(8);
    bits[..taken.len()].copy_from_slice(taken);
    serde_json::Number::from_f64(f64::from_le_bytes(bits)).map(Json::Number).unwrap_or_else(|| {
        r.fail("a number is not finite");
        Json::Null
    })
}

fn json_members(r: &mut Reader) -> serde_json::Map<String, Json> {
    let count = r.len();
    let mut members = serde_json::Map::new();
    for _ in 0..count {
        if !r.intact() {
            break;
        }
        let key = r.string();
        members.insert(key, json(r));
    }
    members
}

fn ids(r: &mut Reader) -> Vec<usize> {
    list(r, Reader::usize)
}

/// A count, then the items. No capacity is reserved from the count: it is
/// only known not to exceed the bytes left, and an item in memory is larger
/// than its bytes. Reading stops at the first damage.
fn list<'a, T>(r: &mut Reader<'a>, item: fn(&mut Reader<'a>) -> T) -> Vec<T> {
    let count = r.len();
    let mut items = Vec::new();
    while items.len() < count && r.intact() {
        items.push(item(r));
    }
    items
}

/// 0, or 1 and the value.
fn option<'a, T>(r: &mut Reader<'a>, some: fn(&mut Reader<'a>) -> T) -> Option<T> {
    match r.byte() {
        0 => None,
        1 => Some(some(r)),
        _ => {
            r.fail("unknown option");
            None
        }
    }
}

/// A count, then each name and its value. The names come sorted, so each
/// insertion appends.
fn name_map<'a, V>(r: &mut Reader<'a>, value: fn(&mut Reader<'a>) -> V) -> NameMap<V> {
    let count = r.len();
    let mut map = NameMap::new();
    for _ in 0..count {
        if !r.intact() {
            break;
        }
        let name = r.string();
        map.insert(name, value(r));
    }
    map
}
