//! Loading submitted data (strict: every deviation is reported) or a draft
//! (lenient: what no longer fits the form is dropped).

use serde_json::{Map, Value as Json};

use super::Frame;
use crate::compile::{CompiledForm, NodeId};
use crate::error::pointer_push;
use crate::model::FieldType;

/// A problem with the shape of submitted data, found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tamper {
    pub path: String,
    pub code: &'static str,
    /// The field concerned, when the key named one.
    pub node: Option<NodeId>,
    /// The offending key.
    pub key: String,
}

struct Loader<'a> {
    form: &'a CompiledForm,
    strict: bool,
    root: Frame,
    tampers: Vec<Tamper>,
}

/// Loads `data` (the object of field values). In strict mode nothing gets
/// defaults and every shape problem becomes a [`Tamper`]; in lenient mode the
/// form's defaults stay where the data says nothing, and misfits are dropped.
pub(crate) fn load(form: &CompiledForm, data: &Json, strict: bool) -> (Frame, Vec<Tamper>) {
    let mut loader = Loader { form, strict, root: Frame::new(form, 0, !strict), tampers: Vec::new() };
    match data.as_object() {
        Some(object) => loader.members(None, object, &mut Vec::new(), ""),
        None if strict => loader.tamper("", "type", None, ""),
        None => {}
    }
    (loader.root, loader.tampers)
}

impl Loader<'_> {
    fn tamper(&mut self, path: &str, code: &'static str, node: Option<NodeId>, key: &str) {
        if self.strict {
            self.tampers.push(Tamper { path: path.to_string(), code, node, key: key.to_string() });
        }
    }

    fn members(&mut self, container: Option<NodeId>, object: &Map<String, Json>, index: &mut Vec<u32>, path: &str) {
        let form = self.form;
        for (key, value) in object {
            let Some(node) = form.member(container, key) else {
                self.tamper(&pointer_push(path, key), "unknown_key", None, key);
                continue;
            };
            let definition = &form.nodes[node];
            if definition.has_value() {
                // The hot path: no pointer is built unless something is wrong.
                self.value(node, value, index);
                continue;
            }
            let key_path = pointer_push(path, key);
            match definition.field_type() {
                Some(FieldType::Static) | None => self.tamper(&key_path, "unknown_key", None, key),
                Some(FieldType::Group) if definition.is_repeat() => self.instances(node, value, index, &key_path),
                Some(FieldType::Group) => match value.as_object() {
                    Some(inner) => self.members(Some(node), inner, index, &key_path),
                    None if value.is_null() => {}
                    None => self.tamper(&key_path, "type", Some(node), key),
                },
                Some(_) => {}
            }
        }
    }

    fn instances(&mut self, group: NodeId, value: &Json, index: &mut Vec<u32>, path: &str) {
        let form = self.form;
        let definition = &form.nodes[group];
        let Some(items) = value.as_array() else {
            if !value.is_null() {
                self.tamper(path, "type", Some(group), &definition.id);
            }
            return;
        };
        let max = definition.repeat.map_or(0, |r| r.max) as usize;
        if items.len() > max {
            // Only the allowed number is loaded: hostile arrays stay bounded.
            self.tamper(path, "repeat_max", Some(group), &definition.id);
        }
        let inner_scope = definition.inner_scope.unwrap_or(0);
        let Some(instances) = self.root.instances_mut(form, group, index) else {
            return;
        };
        instances.clear();
        for (position, item) in items.iter().enumerate().take(max) {
            let Some(instances) = self.root.instances_mut(form, group, index) else {
                return;
            };
            instances.push(Frame::new(form, inner_scope, !self.strict));
            let item_path = pointer_push(path, position);
            index.push(position as u32);
            match item.as_object() {
                Some(object) => self.members(Some(group), object, index, &item_path),
                None => self.tamper(&item_path, "type", Some(group), &definition.id),
            }
            index.pop();
        }
    }

    fn value(&mut self, node: NodeId, value: &Json, index: &[u32]) {
        let form = self.form;
        let definition = &form.nodes[node];
        let parsed = crate::input::parse(definition, value);
        let strict = self.strict;
        // Revalidation keeps the submitted JSON only where later checks read
        // it (computed values are compared, files are checked by their
        // metadata): copying every submitted string would cost a third of a
        // revalidation. Drafts keep everything.
        let keep_raw = !strict || definition.computed || definition.field_type() == Some(FieldType::Attachment);
        let Some(slot) = self.root.slot_mut(form, node, index) else {
            return;
        };
        match parsed {
            Ok(parsed) => {
                if keep_raw {
                    slot.set_raw(value.clone());
                }
                if !definition.computed {
                    slot.value = parsed;
                }
            }
            Err(error) if strict => {
                slot.input_error = Some(error);
            }
            // A draft value that no longer fits the field is dropped.
            Err(_) => {}
        }
    }
}
