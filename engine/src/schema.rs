//! JSON Schema (2020-12) of the canonical submission, for case-handling
//! systems ("Fachverfahren") that must rely on the data's structure.
//!
//! The schema describes every submission the engine can accept: relevance and
//! conditional requiredness depend on answers, so only fields that are always
//! relevant and always required are listed under `required`.

use serde_json::{json, Map, Value as Json};

use crate::compile::{Bound, CompiledForm, Cond, NodeId};
use crate::input::to_json;
use crate::model::FieldType;
use crate::session::label_of;

impl CompiledForm {
    /// The JSON Schema of the submission envelope `{form, data}`.
    pub fn json_schema(&self) -> Json {
        let lang = self.default_language().to_string();
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("urn:efa-forms:{}:{}", self.id(), self.version()),
            "title": self.definition.title.get(&lang, &lang),
            "type": "object",
            "additionalProperties": false,
            "required": ["form", "data"],
            "properties": {
                "form": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id", "version"],
                    "properties": {
                        "id": { "const": self.id() },
                        "version": { "const": self.version() },
                    },
                },
                "data": self.object_schema(&self.top_level, &lang),
            },
        })
    }

    fn object_schema(&self, members: &[NodeId], lang: &str) -> Json {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for &node in members {
            let definition = &self.nodes[node];
            let Some(schema) = self.member_schema(node, lang) else {
                continue;
            };
            properties.insert(definition.id.clone(), schema);
            if self.always_present(node) {
                required.push(Json::String(definition.id.clone()));
            }
        }
        let mut schema = json!({ "type": "object", "additionalProperties": false, "properties": properties });
        if !required.is_empty() {
            schema["required"] = Json::Array(required);
        }
        schema
    }

    /// Required unconditionally (a plain group: one of its members is), and
    /// no condition on it or on any ancestor.
    fn always_present(&self, node: NodeId) -> bool {
        let definition = &self.nodes[node];
        if definition.logic.visible.is_some() || definition.computed {
            return false;
        }
        match (&definition.logic.required, definition.repeat, definition.field_type()) {
            (_, Some(repeat), _) => repeat.min > 0,
            (_, None, Some(FieldType::Group)) => definition.children.iter().any(|&c| self.always_present(c)),
            (Cond::Const(required), _, _) => *required && self.ancestors_unconditional(node),
            (Cond::When(_), _, _) => false,
        }
    }

    fn ancestors_unconditional(&self, node: NodeId) -> bool {
        std::iter::successors(self.nodes[node].parent, |&p| self.nodes[p].parent).all(|p| self.nodes[p].logic.visible.is_none())
    }

    fn member_schema(&self, node: NodeId, lang: &str) -> Option<Json> {
        let definition = &self.nodes[node];
        let kind = definition.field_type()?;
        let mut schema = match kind {
            FieldType::Static => return None,
            FieldType::Group => match definition.repeat {
                Some(repeat) => json!({
                    "type": "array",
                    // An empty list is never sent: emptiness means "absent".
                    "minItems": repeat.min.max(1),
                    "maxItems": repeat.max,
                    "items": self.object_schema(&definition.children, lang),
                }),
                None => self.object_schema(&definition.children, lang),
            },
            _ => self.value_schema(node, kind),
        };
        let title = label_of(self, node, lang);
        if let Some(object) = schema.as_object_mut() {
            object.insert("title".into(), Json::String(title.to_string()));
            if let Some(fim) = definition.spec.as_ref().and_then(|s| s.fim.as_ref()) {
                object.insert("x-fim-id".into(), Json::String(fim.clone()));
            }
        }
        Some(schema)
    }

    fn value_schema(&self, node: NodeId, kind: FieldType) -> Json {
        let definition = &self.nodes[node];
        let spec = definition.spec.as_ref();
        let codes = || Json::Array(definition.options.iter().map(|o| Json::String(o.code.clone())).collect());
        let mut schema = match kind {
            FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone => {
                json!({ "type": "string", "minLength": 1 })
            }
            FieldType::Iban => {
                json!({ "type": "string", "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$" })
            }
            FieldType::Postcode => json!({ "type": "string", "pattern": "^[0-9]{5}$" }),
            FieldType::Integer => json!({ "type": "integer" }),
            FieldType::Decimal => json!({ "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$" }),
            FieldType::Money => json!({ "type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$" }),
            FieldType::Date => {
                json!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
            }
            FieldType::Boolean => json!({ "type": "boolean" }),
            FieldType::Choice => json!({ "type": "string", "enum": codes() }),
            FieldType::Multichoice => {
                json!({ "type": "array", "minItems": 1, "uniqueItems": true, "items": { "enum": codes() } })
            }
            FieldType::Attachment => json!({
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "type", "size"],
                    "properties": {
                        "name": { "type": "string", "minLength": 1, "maxLength": crate::input::MAX_FILE_NAME },
                        "type": { "type": "string" },
                        "size": { "type": "integer", "minimum": 0 },
                    },
                },
            }),
            FieldType::Static | FieldType::Group => json!({}),
        };
        let Some(object) = schema.as_object_mut() else {
            return schema;
        };
        if let Some(max) = definition.max_length {
            object.insert("maxLength".into(), json!(max));
        }
        if let Some(min) = spec.and_then(|s| s.min_length) {
            object.insert("minLength".into(), json!(min.max(1)));
        }
        // The author's pattern, anchored and written in ECMA-262 syntax. It
        // compiled, so it translates.
        if let Some(Ok(pattern)) = definition.pattern.as_ref().map(|p| crate::pattern::ecma_anchored(p.source())) {
            object.insert("pattern".into(), json!(pattern));
        }
        if kind == FieldType::Integer {
            for (key, bound) in [("minimum", &definition.min), ("maximum", &definition.max)] {
                if let Some(Bound::Value(value)) = bound.as_deref() {
                    object.insert(key.into(), to_json(value));
                }
            }
        }
        if matches!(kind, FieldType::Multichoice | FieldType::Attachment) {
            if let Some(max) = spec.and_then(|s| s.max_items) {
                object.insert("maxItems".into(), json!(max));
            }
        }
        schema
    }
}
