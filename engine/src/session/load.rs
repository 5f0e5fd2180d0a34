//! Loading submitted data (strict: every deviation is reported) or a draft
//! (lenient: what no longer fits the form is dropped).

use serde_json::value::RawValue;
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
        for (key, value) in object {
            self.member(self.form.member(container, key), key, value, index, path);
        }
    }

    /// One key of an object (naming `node`, if any) and its value.
    fn member(&mut self, node: Option<NodeId>, key: &str, value: &Json, index: &mut Vec<u32>, path: &str) {
        let form = self.form;
        let Some(node) = node else {
            self.tamper(&pointer_push(path, key), "unknown_key", None, key);
            return;
        };
        let definition = &form.nodes[node];
        if definition.has_value() {
            // The hot path: no pointer is built unless something is wrong.
            self.value(node, value, index);
            return;
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

/// A submitted envelope read from JSON text, its `data` loaded member by
/// member as it is read: no map of a thousand keys is built (and hashed)
/// just to be walked once.
pub(crate) struct TextEnvelope {
    /// Distinct keys of the envelope object.
    pub keys: usize,
    /// The `form` member (id and version).
    pub form: Option<Json>,
    /// The `data` member, loaded strictly (as [`load`] does).
    pub data: Option<(Frame, Vec<Tamper>)>,
}

/// Reads an envelope `{"form": …, "data": …}` from JSON text; `None` when the
/// text is JSON but not an object (no envelope at all).
pub(crate) fn load_envelope_text(form: &CompiledForm, text: &str) -> Result<Option<TextEnvelope>, serde_json::Error> {
    use serde::Deserializer as _;
    if !text.trim_start().starts_with('{') {
        serde_json::from_str::<serde::de::IgnoredAny>(text)?;
        return Ok(None);
    }
    let repeated = std::cell::Cell::new(false);
    let mut reader = serde_json::Deserializer::from_str(text);
    let envelope = reader.deserialize_map(EnvelopeVisitor { form, repeated: &repeated }).and_then(|envelope| {
        reader.end()?;
        Ok(envelope)
    });
    match envelope {
        // A key given twice, in the envelope or in its data, means what a
        // parsed value makes of it: rare enough to read it in two passes.
        Err(_) if repeated.get() => load_envelope_members(form, text).map(Some),
        other => other.map(Some),
    }
}

/// The envelope's members by key (the last of a repeated key wins), then
/// `data` loaded from its own text.
fn load_envelope_members(form: &CompiledForm, text: &str) -> Result<TextEnvelope, serde_json::Error> {
    let members: std::collections::HashMap<String, &RawValue> = serde_json::from_str(text)?;
    Ok(TextEnvelope {
        keys: members.len(),
        form: members.get("form").map(|raw| serde_json::from_str(raw.get())).transpose()?,
        data: members.get("data").map(|raw| load_data_text(form, raw.get())).transpose()?,
    })
}

/// Reads the envelope in one pass: `data` is loaded while it is read, not
/// scanned once to find its end and then read again.
struct EnvelopeVisitor<'a> {
    form: &'a CompiledForm,
    /// Set when a key comes twice (the visitor then gives up).
    repeated: &'a std::cell::Cell<bool>,
}

impl<'de> serde::de::Visitor<'de> for EnvelopeVisitor<'_> {
    type Value = TextEnvelope;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a submission envelope")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // A set, not a list: hostile envelopes may bring many keys.
        let mut keys = std::collections::HashSet::new();
        let (mut form, mut data) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                self.repeated.set(true);
                return Err(serde::de::Error::custom("a key is repeated"));
            }
            match key.as_str() {
                "form" => form = Some(map.next_value::<Json>()?),
                "data" => data = Some(map.next_value_seed(DataVisitor { form: self.form, repeated: self.repeated })?),
                _ => drop(map.next_value::<serde::de::IgnoredAny>()?),
            }
            keys.insert(key);
        }
        Ok(TextEnvelope { keys: keys.len(), form, data })
    }
}

/// Loads the data object from its text one member at a time; anything but
/// an object is parsed and loaded as a value (it is one `type` problem).
fn load_data_text(form: &CompiledForm, text: &str) -> Result<(Frame, Vec<Tamper>), serde_json::Error> {
    use serde::de::DeserializeSeed as _;
    let repeated = std::cell::Cell::new(false);
    match (DataVisitor { form, repeated: &repeated }).deserialize(&mut serde_json::Deserializer::from_str(text)) {
        // A key given twice means what a parsed value makes of it (the last
        // value at the first place): rare enough to simply parse it so.
        Err(_) if repeated.get() => Ok(load(form, &serde_json::from_str(text)?, true)),
        other => other,
    }
}

struct DataVisitor<'a> {
    form: &'a CompiledForm,
    /// Set when a key comes twice (the visitor then gives up).
    repeated: &'a std::cell::Cell<bool>,
}

/// As the `data` member of an envelope: an object is loaded member by
/// member; anything else is loaded as the value it is (one `type` problem).
impl<'de> serde::de::DeserializeSeed<'de> for DataVisitor<'_> {
    type Value = (Frame, Vec<Tamper>);

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl DataVisitor<'_> {
    fn other(&self, value: Json) -> (Frame, Vec<Tamper>) {
        load(self.form, &value, true)
    }
}

impl<'de> serde::de::Visitor<'de> for DataVisitor<'_> {
    type Value = (Frame, Vec<Tamper>);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("the data object of a submission")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.other(Json::Null))
    }

    fn visit_bool<E>(self, value: bool) -> Result<Self::Value, E> {
        Ok(self.other(Json::Bool(value)))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Self::Value, E> {
        Ok(self.other(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Self::Value, E> {
        Ok(self.other(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Self::Value, E> {
        Ok(self.other(serde_json::Number::from_f64(value).map_or(Json::Null, Json::Number)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
        Ok(self.other(Json::String(value.to_string())))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(self.other(Json::Array(items)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let form = self.form;
        let mut loader = Loader { form, strict: true, root: Frame::new(form, 0, false), tampers: Vec::new() };
        let mut index = Vec::new();
        let mut seen = vec![false; form.nodes.len()];
        // A set, not a list: hostile data may bring a hundred thousand keys.
        let mut unknown = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let node = form.member(None, &key);
            let repeated = match node {
                Some(node) => std::mem::replace(&mut seen[node], true),
                None => !unknown.insert(key.clone()),
            };
            if repeated {
                self.repeated.set(true);
                return Err(serde::de::Error::custom("a key is repeated"));
            }
            let value: Json = map.next_value()?;
            loader.member(node, &key, &value, &mut index, "");
        }
        Ok((loader.root, loader.tampers))
    }
}
