//! Where field states live: one frame per scope instance.
//!
//! The root frame holds every node outside repeating groups; each instance of
//! a repeating group is a frame of that group's scope, nested in the frame of
//! the enclosing scope. An instance is addressed by its repeat indices from the
//! outermost repeat inwards (`[]` outside repeats, `[2]` for the third dog).

use std::sync::Arc;

use serde_json::Value as Json;

use super::Finding;
use crate::compile::{CompiledForm, NodeId};
use crate::input::InputError;
use crate::value::Value;

/// The state of one node in one instance.
///
/// Laid out for the propagation, which reads thousands of slots per
/// keystroke: what expressions read (value and relevance) and the flags
/// come first and share one cache line; findings and options, read only
/// for the fields being checked, take the second. Natively the slot is
/// aligned to that line (112 → 128 bytes, about 4 % off a hub change); in
/// WebAssembly the alignment measured no faster and would cost every page
/// 16 bytes a slot of linear memory, which never shrinks.
#[derive(Debug, Clone, Default)]
#[cfg_attr(not(target_arch = "wasm32"), repr(C, align(64)))]
#[cfg_attr(target_arch = "wasm32", repr(C))]
pub(crate) struct Slot {
    /// The value: parsed input, or the computed result.
    pub value: Option<Value>,
    pub relevant: bool,
    pub required: bool,
    pub readonly: bool,
    /// Why `raw` is not a value, if it is not.
    pub input_error: Option<InputError>,
    /// What was entered (or submitted), as JSON; `None` when nothing. Boxed:
    /// most slots hold none, and a form has a slot per field and instance.
    raw: Option<Box<Json>>,
    pub findings: Vec<Finding>,
    /// Options offered now, for choices with option filters.
    pub offered: Option<Vec<u32>>,
}

impl Slot {
    /// What was entered (or submitted), as JSON; `Null` when nothing.
    pub fn raw(&self) -> &Json {
        static NOTHING: Json = Json::Null;
        self.raw.as_deref().unwrap_or(&NOTHING)
    }

    /// Keeps `raw` as what was entered.
    pub fn set_raw(&mut self, raw: Json) {
        self.raw = (!raw.is_null()).then(|| Box::new(raw));
    }

    /// What expressions see: nothing when not relevant.
    pub fn effective(&self) -> Option<&Value> {
        if self.relevant {
            self.value.as_ref()
        } else {
            None
        }
    }
}

/// The slots of one scope instance and the instances of its repeating groups.
#[derive(Debug, Clone, Default)]
pub(crate) struct Frame {
    pub slots: Vec<Slot>,
    pub repeats: Vec<Vec<Frame>>,
}

impl Frame {
    /// A frame for `scope` with defaults applied and each repeating group at
    /// its minimum number of instances.
    pub fn new(form: &CompiledForm, scope: usize, with_defaults: bool) -> Frame {
        let definition = &form.scopes[scope];
        let mut slots = vec![Slot::default(); definition.slots];
        if with_defaults {
            for node in form.nodes.iter().filter(|n| n.scope == scope) {
                if let Some(default) = &node.logic.default {
                    let slot = &mut slots[node.slot];
                    slot.set_raw((**default).clone());
                    slot.value = crate::input::parse(node, default).ok().flatten();
                }
            }
        }
        let repeats = definition
            .repeats
            .iter()
            .map(|&group| {
                let node = &form.nodes[group];
                let inner = node.inner_scope.unwrap_or(scope);
                let count = if with_defaults { node.repeat.map_or(0, |r| r.min) } else { 0 };
                (0..count).map(|_| Frame::new(form, inner, with_defaults)).collect()
            })
            .collect();
        Frame { slots, repeats }
    }

    /// The frame of `scope` at the instance `index` (only the first
    /// `depth(scope)` indices are used).
    pub fn at(&self, form: &CompiledForm, scope: usize, index: &[u32]) -> Option<&Frame> {
        let mut frame = self;
        for (level, &(_, repeat_slot)) in form.scopes[scope].chain.iter().enumerate() {
            frame = frame.repeats.get(repeat_slot)?.get(*index.get(level)? as usize)?;
        }
        Some(frame)
    }

    /// Mutable variant of [`Frame::at`].
    pub fn at_mut(&mut self, form: &CompiledForm, scope: usize, index: &[u32]) -> Option<&mut Frame> {
        let mut frame = self;
        for (level, &(_, repeat_slot)) in form.scopes[scope].chain.iter().enumerate() {
            frame = frame.repeats.get_mut(repeat_slot)?.get_mut(*index.get(level)? as usize)?;
        }
        Some(frame)
    }

    /// The slot of `node` in the instance `index`.
    pub fn slot(&self, form: &CompiledForm, node: NodeId, index: &[u32]) -> Option<&Slot> {
        let node = &form.nodes[node];
        self.at(form, node.scope, index)?.slots.get(node.slot)
    }

    /// Mutable variant of [`Frame::slot`].
    pub fn slot_mut(&mut self, form: &CompiledForm, node: NodeId, index: &[u32]) -> Option<&mut Slot> {
        let node = &form.nodes[node];
        self.at_mut(form, node.scope, index)?.slots.get_mut(node.slot)
    }

    /// The instances of a repeating group, seen from the instance `index` of
    /// the group's enclosing scope.
    pub fn instances(&self, form: &CompiledForm, group: NodeId, index: &[u32]) -> Option<&Vec<Frame>> {
        let node = &form.nodes[group];
        let repeat_slot = form.scopes[node.inner_scope?].chain.last()?.1;
        self.at(form, node.scope, index)?.repeats.get(repeat_slot)
    }

    /// Mutable variant of [`Frame::instances`].
    pub fn instances_mut(&mut self, form: &CompiledForm, group: NodeId, index: &[u32]) -> Option<&mut Vec<Frame>> {
        let node = &form.nodes[group];
        let repeat_slot = form.scopes[node.inner_scope?].chain.last()?.1;
        self.at_mut(form, node.scope, index)?.repeats.get_mut(repeat_slot)
    }

    /// Every instance index of `scope`, in document order.
    pub fn indices(&self, form: &CompiledForm, scope: usize) -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        collect_indices(self, &form.scopes[scope].chain, &mut Vec::new(), &mut out);
        out
    }
}

fn collect_indices(frame: &Frame, chain: &[(usize, usize)], prefix: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
    let Some((&(_, repeat_slot), rest)) = chain.split_first() else {
        out.push(prefix.clone());
        return;
    };
    for (i, instance) in frame.repeats.get(repeat_slot).into_iter().flatten().enumerate() {
        prefix.push(i as u32);
        collect_indices(instance, rest, prefix, out);
        prefix.pop();
    }
}

/// The JSON pointer of `node` in the instance `index`: `/hund/2/name`.
#[inline]
pub(crate) fn pointer(form: &CompiledForm, node: NodeId, index: &[u32]) -> Arc<str> {
    let target = &form.nodes[node];
    if target.scope == 0 {
        return target.data_pointer.clone();
    }
    instance_pointer(form, node, index)
}

/// [`pointer`] of a node inside repeating groups.
fn instance_pointer(form: &CompiledForm, node: NodeId, index: &[u32]) -> Arc<str> {
    let mut path = String::new();
    let mut level = 0;
    let mut ancestors = Vec::new();
    let mut current = Some(node);
    while let Some(n) = current {
        if form.nodes[n].kind != crate::compile::NodeKind::Step {
            ancestors.push(n);
        }
        current = form.nodes[n].parent;
    }
    for &n in ancestors.iter().rev() {
        path = crate::error::pointer_push(&path, &form.nodes[n].id);
        if form.nodes[n].is_repeat() && n != node {
            if let Some(i) = index.get(level) {
                path = crate::error::pointer_push(&path, i);
            }
            level += 1;
        }
    }
    path.into()
}

/// Why a path given to a session does not name a field instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// The path as given.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for PathError {}

/// Parses a data pointer such as `/hund/0/name` into the node and instance.
/// A repeating group named without an index (`/hund`) addresses the group;
/// with one (`/hund/1`) the returned index is one longer than the group's
/// own and addresses that instance.
pub(crate) fn resolve_path(form: &CompiledForm, root: &Frame, path: &str) -> Result<(NodeId, Vec<u32>), PathError> {
    let fail = |message: &str| PathError { path: path.to_string(), message: message.to_string() };
    if !path.starts_with('/') {
        return Err(fail("a path starts with '/'"));
    }
    let mut node = None;
    let mut index = Vec::new();
    let mut tokens = path.split('/').skip(1).peekable();
    while let Some(token) = tokens.next() {
        let token = crate::error::pointer_token(token);
        let n = form.member(node, &token).ok_or_else(|| fail("no such field"))?;
        node = Some(n);
        if form.nodes[n].is_repeat() {
            let Some(next) = tokens.peek() else { break };
            let i: u32 = next.parse().map_err(|_| fail("expected an instance number after a repeating group"))?;
            tokens.next();
            let count = root.instances(form, n, &index).map_or(0, Vec::len);
            if i as usize >= count {
                return Err(fail("no such instance"));
            }
            index.push(i);
        }
    }
    node.map(|n| (n, index)).ok_or_else(|| fail("empty path"))
}
