//! Evaluation of value vertices (relevance, computed values) and the
//! incremental propagation after a change.

use serde_json::Value as Json;

use super::{Finding, Frame, State};
use crate::compile::{CompiledForm, NodeId, RefMode, RefTarget};
use crate::expr::{Env, Ref};
use crate::value::{Date, Value};

/// Reads field values for expressions evaluated in one instance.
pub(crate) struct StateEnv<'a> {
    pub form: &'a CompiledForm,
    pub root: &'a Frame,
    pub index: &'a [u32],
    pub today: Date,
}

impl Env for StateEnv<'_> {
    fn value(&self, r: Ref) -> Option<&Value> {
        let target = &self.form.refs[r.0 as usize];
        if target.scope == 0 {
            return self.root.slots.get(target.slot)?.effective();
        }
        self.instance_value(target)
    }

    fn list(&self, r: Ref) -> Vec<Option<Value>> {
        let target = self.form.target(r);
        let index = &self.index[..target.shared.min(self.index.len())];
        let node = &self.form.nodes[target.node];
        match target.mode {
            RefMode::Entries if node.is_repeat() => {
                let relevant = self.root.slot(self.form, target.node, index).is_some_and(|s| s.relevant);
                let count = if relevant { self.root.instances(self.form, target.node, index).map_or(0, Vec::len) } else { 0 };
                vec![Some(Value::Bool(true)); count]
            }
            RefMode::Entries | RefMode::Scalar => match self.root.slot(self.form, target.node, index).and_then(|s| s.effective()) {
                Some(Value::List(items)) => items.to_vec(),
                _ => Vec::new(),
            },
            RefMode::FanOut => {
                let chain = &self.form.scopes[node.scope].chain;
                let start_scope = if target.shared == 0 { 0 } else { chain[target.shared - 1].0 };
                let mut out = Vec::new();
                if let Some(frame) = self.root.at(self.form, start_scope, index) {
                    fan_out(frame, &chain[target.shared..], node.slot, &mut out);
                }
                out
            }
        }
    }

    fn today(&self) -> Date {
        self.today
    }
}

impl StateEnv<'_> {
    /// [`Env::value`] of a field inside repeating groups. Kept apart so that
    /// reading a field outside them, the common case, is a small function.
    #[inline(never)]
    fn instance_value(&self, target: &RefTarget) -> Option<&Value> {
        let index = &self.index[..target.shared.min(self.index.len())];
        self.root.slot(self.form, target.node, index)?.effective()
    }
}

/// A computed value in the field's own terms: an integer result in a decimal
/// field becomes a decimal, and money is rounded to cents (half up), so the
/// value the citizen sees is exactly the one the server recomputes.
fn fit_to_field(node: &crate::compile::Node, value: Value) -> Option<Value> {
    use crate::model::FieldType;
    use crate::value::Decimal;
    match (node.field_type(), value) {
        (Some(FieldType::Money), Value::Int(i)) => Some(Value::Decimal(Decimal::from_i64(i))),
        (Some(FieldType::Money), Value::Decimal(d)) => d.round_half_up(2).map(Value::Decimal),
        (Some(FieldType::Decimal), Value::Int(i)) => Some(Value::Decimal(Decimal::from_i64(i))),
        (_, value) => Some(value),
    }
}

fn fan_out(frame: &Frame, levels: &[(usize, usize)], slot: usize, out: &mut Vec<Option<Value>>) {
    match levels.split_first() {
        None => out.push(frame.slots.get(slot).and_then(|s| s.effective().cloned())),
        Some((&(_, repeat_slot), rest)) => {
            for instance in frame.repeats.get(repeat_slot).into_iter().flatten() {
                fan_out(instance, rest, slot, out);
            }
        }
    }
}

/// The slot instances whose state changed.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// Nodes outside repeating groups, as a bit set over node ids: node
    /// order is document order, so reading the set needs no sorting.
    root: Vec<u64>,
    /// Instances inside repeating groups.
    nested: Vec<(NodeId, Vec<u32>)>,
    /// A full evaluation changes everything; nobody asks what.
    ignore: bool,
}

impl Changes {
    /// Changes to record for a form of `nodes` nodes; the bit set is sized
    /// once instead of growing while nodes are added.
    pub fn for_nodes(nodes: usize) -> Self {
        Changes { root: vec![0; nodes.div_ceil(64)], ..Changes::default() }
    }

    /// Changes that are not recorded.
    pub fn ignored() -> Self {
        Changes { ignore: true, ..Changes::default() }
    }

    /// Records that the state of `node` in instance `index` changed.
    #[inline]
    pub fn add(&mut self, node: NodeId, index: &[u32]) {
        match self.root.get_mut(node / 64) {
            Some(word) if index.is_empty() => *word |= 1 << (node % 64),
            _ => self.add_slowly(node, index),
        }
    }

    /// [`Changes::add`] of an instance inside repeating groups, of a node
    /// beyond the bit set, or of changes that are ignored.
    #[inline(never)]
    fn add_slowly(&mut self, node: NodeId, index: &[u32]) {
        if self.ignore {
            return;
        }
        if !index.is_empty() {
            self.nested.push((node, index.to_vec()));
            return;
        }
        if self.root.len() <= node / 64 {
            self.root.resize(node / 64 + 1, 0);
        }
        self.root[node / 64] |= 1 << (node % 64);
    }

    /// How many slots changed (an instance recorded twice counts twice).
    pub fn count(&self) -> usize {
        let root: usize = self.root.iter().map(|word| word.count_ones() as usize).sum();
        root + self.nested.len()
    }

    /// Calls `f` with every changed slot, each once, in document order (node
    /// order, then instance order). Outside repeating groups, the common
    /// case, no list of slots is built.
    pub fn for_each(self, mut f: impl FnMut(NodeId, &[u32])) {
        if self.nested.is_empty() {
            for_each_bit(&self.root, |node| f(node, &[]));
            return;
        }
        let mut slots: Vec<(NodeId, Vec<u32>)> = Vec::with_capacity(self.count());
        for_each_bit(&self.root, |node| slots.push((node, Vec::new())));
        slots.extend(self.nested);
        crate::compile::graph::sort_dedup_all(&mut slots);
        for (node, index) in &slots {
            f(*node, index);
        }
    }
}

/// Calls `f` with the position of every set bit, in increasing order.
fn for_each_bit(words: &[u64], mut f: impl FnMut(usize)) {
    for (word_index, &word) in words.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            f(word_index * 64 + word.trailing_zeros() as usize);
            word &= word - 1;
        }
    }
}

/// What changed when a value vertex was re-evaluated, least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Same,
    /// Only relevance: what expressions read (the effective value) is the same.
    Relevance,
    /// The effective value.
    Value,
}

/// Reusable buffers of the propagation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// Nodes waiting for re-evaluation, as a bit set over topological rank:
    /// dependents always rank after what they depend on, so one forward scan
    /// visits them in order (cheaper than a heap per keystroke).
    pending: Vec<u64>,
    status_marked: Vec<bool>,
    rule_marked: Vec<bool>,
    /// The findings of the status being evaluated.
    findings: Vec<Finding>,
    /// Nodes whose status and rules whose finding must be recomputed.
    status: Vec<NodeId>,
    rules: Vec<usize>,
}

/// Work collected during one propagation.
struct Work<'s> {
    /// The lowest word of `scratch.pending` that may still hold a bit.
    cursor: usize,
    scratch: &'s mut Scratch,
}

impl Work<'_> {
    fn enqueue(&mut self, form: &CompiledForm, node: NodeId) {
        let rank = form.graph.rank[node] as usize;
        self.scratch.pending[rank / 64] |= 1 << (rank % 64);
        self.cursor = self.cursor.min(rank / 64);
    }

    /// The pending node of lowest rank.
    fn next(&mut self, form: &CompiledForm) -> Option<NodeId> {
        while let Some(word) = self.scratch.pending.get_mut(self.cursor) {
            if *word != 0 {
                let bit = word.trailing_zeros() as usize;
                *word &= !(1 << bit);
                return Some(form.graph.order[self.cursor * 64 + bit]);
            }
            self.cursor += 1;
        }
        None
    }

    /// Schedules everything that reads `node`'s value.
    fn dependents_of(&mut self, form: &CompiledForm, node: NodeId) {
        self.mark_status(node);
        for &dependent in &form.graph.value_dependents[node] {
            self.enqueue(form, dependent);
        }
        for &dependent in &form.graph.status_dependents[node] {
            self.mark_status(dependent);
        }
        for &rule in &form.graph.rule_dependents[node] {
            if !self.scratch.rule_marked[rule] {
                self.scratch.rule_marked[rule] = true;
                self.scratch.rules.push(rule);
            }
        }
    }

    /// Schedules the node's own status and its members (relevance is inherited).
    fn members_of(&mut self, form: &CompiledForm, node: NodeId) {
        self.mark_status(node);
        for &member in &form.nodes[node].children {
            self.enqueue(form, member);
        }
    }

    fn mark_status(&mut self, node: NodeId) {
        if !self.scratch.status_marked[node] {
            self.scratch.status_marked[node] = true;
            self.scratch.status.push(node);
        }
    }
}

impl State {
    /// Evaluates every node of every instance, in dependency order.
    pub fn evaluate_all(&mut self, form: &CompiledForm) {
        let mut ignored = Changes::ignored();
        for &node in &form.graph.order {
            self.each_instance(form, node, |state, index| {
                state.eval_value(form, node, index, &mut ignored);
            });
        }
        let mut findings = std::mem::take(&mut self.scratch.findings);
        for node in 0..form.nodes.len() {
            self.each_instance(form, node, |state, index| state.eval_status(form, node, index, &mut findings, &mut ignored));
        }
        self.scratch.findings = findings;
        for rule in 0..form.rules.len() {
            self.eval_rule(form, rule, &mut ignored);
        }
    }

    /// Re-evaluates what depends on `sources`, whose values just changed.
    pub fn propagate(&mut self, form: &CompiledForm, sources: &[NodeId], changes: &mut Changes) {
        let mut scratch = std::mem::take(&mut self.scratch);
        let count = form.nodes.len();
        scratch.pending.resize(count.div_ceil(64), 0);
        scratch.status_marked.resize(count, false);
        scratch.rule_marked.resize(form.rules.len(), false);
        let mut work = Work { cursor: usize::MAX, scratch: &mut scratch };
        for &source in sources {
            work.dependents_of(form, source);
        }
        while let Some(node) = work.next(form) {
            let mut outcome = Outcome::Same;
            self.each_instance(form, node, |state, index| outcome = outcome.max(state.eval_value(form, node, index, changes)));
            match outcome {
                Outcome::Same => {}
                // Readers see only the effective value, which did not change;
                // members inherit relevance and must follow.
                Outcome::Relevance => work.members_of(form, node),
                Outcome::Value => work.dependents_of(form, node),
            }
        }
        for &node in &scratch.status {
            let findings = &mut scratch.findings;
            self.each_instance(form, node, |state, index| state.eval_status(form, node, index, findings, changes));
        }
        for &rule in &scratch.rules {
            self.eval_rule(form, rule, changes);
        }
        for node in scratch.status.drain(..) {
            scratch.status_marked[node] = false;
        }
        for rule in scratch.rules.drain(..) {
            scratch.rule_marked[rule] = false;
        }
        self.scratch = scratch;
    }

    /// Calls `f` for every instance of the scope `node` lives in; the root
    /// scope has exactly one and needs no index list (the common, hot case).
    fn each_instance(&mut self, form: &CompiledForm, node: NodeId, mut f: impl FnMut(&mut State, &[u32])) {
        let scope = form.nodes[node].scope;
        if scope == 0 {
            f(self, &[]);
        } else {
            for index in self.root.indices(form, scope) {
                f(self, &index);
            }
        }
    }

    /// Stores an input value (parsed, or with its input error).
    pub fn store_input(&mut self, form: &CompiledForm, node: NodeId, index: &[u32], raw: Json, changes: &mut Changes) {
        let parsed = crate::input::parse(&form.nodes[node], &raw);
        let Some(slot) = self.root.slot_mut(form, node, index) else {
            return;
        };
        let (value, error) = match parsed {
            Ok(value) => (value, None),
            Err(error) => (None, Some(error)),
        };
        if slot.value != value || slot.input_error != error {
            changes.add(node, index);
        }
        slot.set_raw(raw);
        slot.value = value;
        slot.input_error = error;
    }

    /// Relevance and computed value of one node instance, and what changed.
    fn eval_value(&mut self, form: &CompiledForm, node: NodeId, index: &[u32], changes: &mut Changes) -> Outcome {
        let definition = &form.nodes[node];
        let env = StateEnv { form, root: &self.root, index, today: self.context.today };
        let parent_relevant = definition.parent.is_none_or(|p| env.root.slot(form, p, index).is_some_and(|s| s.relevant));
        let visible = definition.logic.visible.as_ref().is_none_or(|e| e.holds(&env) == Some(true));
        let relevant = parent_relevant && visible;
        let computed = match (&definition.logic.compute, relevant) {
            (Some(expr), true) => Some(expr.eval(&env).and_then(|value| fit_to_field(definition, value))),
            (Some(_), false) => Some(None),
            (None, _) => None,
        };
        let Some(slot) = self.root.slot_mut(form, node, index) else {
            return Outcome::Same;
        };
        let had_effective = slot.effective().is_some();
        let value_changed = match computed {
            Some(value) if slot.value != value => {
                slot.value = value;
                true
            }
            _ => false,
        };
        let relevance_changed = slot.relevant != relevant;
        slot.relevant = relevant;
        // The effective value (what readers see), compared without a copy of
        // it: while relevant it is the value; else it appears or vanishes.
        let effective_changed = match relevance_changed {
            false => relevant && value_changed,
            true => had_effective || slot.effective().is_some(),
        };
        // Readers of a repeating group see its instances, which vanish with
        // its relevance.
        let outcome = if effective_changed || (relevance_changed && definition.is_repeat()) {
            Outcome::Value
        } else if relevance_changed {
            Outcome::Relevance
        } else {
            Outcome::Same
        };
        if outcome != Outcome::Same {
            changes.add(node, index);
        }
        outcome
    }

    /// A form rule: fires (records a finding) when its check is false.
    fn eval_rule(&mut self, form: &CompiledForm, rule: usize, changes: &mut Changes) {
        let definition = &form.rules[rule];
        let env = StateEnv { form, root: &self.root, index: &[], today: self.context.today };
        let applies = definition.when.as_ref().is_none_or(|w| w.holds(&env) == Some(true));
        let fields_relevant = definition.fields.iter().any(|&f| env.root.slot(form, f, &[]).is_some_and(|s| s.relevant));
        let fires = applies && fields_relevant && definition.check.holds(&env) == Some(false);
        let finding = fires.then_some(Finding { code: "rule", severity: definition.severity, detail: super::Detail::Rule(rule) });
        if self.rules[rule] != finding {
            self.rules[rule] = finding;
            for &field in &definition.fields {
                changes.add(field, &[]);
            }
        }
    }
}
