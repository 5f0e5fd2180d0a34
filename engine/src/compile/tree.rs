//! Pass 2: flattens the definition into nodes and storage scopes, checking ids
//! and the properties each field type allows.

use std::collections::HashSet;

use super::{parse_bound, value_type, ChoiceOption, FieldSpec, Logic, Node, NodeId, NodeKind, Scope};
use crate::error::{pointer_push, DefinitionError, DefinitionErrorKind as Kind};
use crate::input::{is_imprecise_number, IMPRECISE_NUMBER};
use crate::model::{CodeList, Field, FieldType, FormDefinition, OptionItem, Options, Text};
use crate::pattern::Pattern;
use crate::NameMap;

/// Most nodes in one form.
pub const MAX_NODES: usize = 20_000;
/// Deepest nesting of groups.
pub const MAX_GROUP_DEPTH: usize = 16;
/// Most instances a repeating group may allow.
pub const MAX_REPEAT: u32 = 1_000;

/// Words that cannot be ids because expressions give them a meaning.
const RESERVED: [&str; 7] = ["if", "then", "else", "in", "true", "false", "param"];

pub(super) struct Tree {
    pub nodes: Vec<Node>,
    pub steps: Vec<NodeId>,
    pub top_level: Vec<NodeId>,
    pub scopes: Vec<Scope>,
}

struct Builder<'a> {
    tree: Tree,
    codelists: Option<&'a NameMap<CodeList>>,
    errors: &'a mut Vec<DefinitionError>,
    top_level_ids: HashSet<String>,
    /// Declared languages, first the default (code list labels need them all).
    languages: &'a [String],
}

pub(super) fn build(definition: &FormDefinition, codelists: Option<&NameMap<CodeList>>, errors: &mut Vec<DefinitionError>) -> Tree {
    let root = Scope { chain: Vec::new(), repeat_node: None, slots: 0, repeats: Vec::new() };
    let mut builder = Builder {
        tree: Tree { nodes: Vec::new(), steps: Vec::new(), top_level: Vec::new(), scopes: vec![root] },
        codelists,
        errors,
        top_level_ids: HashSet::new(),
        languages: &definition.languages,
    };
    if definition.steps.is_empty() {
        builder.error("/steps", Kind::InvalidProperty, "a form needs at least one step");
    }
    let mut step_ids = HashSet::new();
    for (index, step) in definition.steps.iter().enumerate() {
        let pointer = pointer_push("/steps", index);
        builder.check_id(&step.id, &pointer);
        if !step_ids.insert(step.id.clone()) {
            builder.error(pointer_push(&pointer, "id"), Kind::DuplicateId, format!("step id '{}' is used twice", step.id));
        }
        let node = builder.push(Node {
            id: step.id.clone(),
            kind: NodeKind::Step,
            pointer: pointer.clone(),
            parent: None,
            children: Vec::new(),
            step: index,
            label: Some(step.title.clone()),
            hint: step.description.clone(),
            text: None,
            repeat: None,
            options: Vec::new(),
            spec: None,
            computed: false,
            min: None,
            max: None,
            max_length: None,
            data_path: Vec::new(),
            data_pointer: Default::default(),
            scope: 0,
            slot: 0,
            inner_scope: None,
            ty: None,
            logic: Logic::default(),
            pattern: None,
        });
        builder.tree.steps.push(node);
        if step.fields.is_empty() {
            builder.error(pointer_push(&pointer, "fields"), Kind::InvalidProperty, "a step needs at least one field");
        }
        let fields_pointer = pointer_push(&pointer, "fields");
        builder.add_fields(&step.fields, &fields_pointer, node, index, 0, &[], 0);
    }
    builder.tree
}

impl Builder<'_> {
    fn error(&mut self, pointer: impl Into<String>, kind: Kind, message: impl Into<String>) {
        self.errors.push(DefinitionError::new(pointer, kind, message));
    }

    fn push(&mut self, mut node: Node) -> NodeId {
        let scope = &mut self.tree.scopes[node.scope];
        node.slot = scope.slots;
        scope.slots += 1;
        let id = self.tree.nodes.len();
        if let Some(parent) = node.parent {
            self.tree.nodes[parent].children.push(id);
        }
        self.tree.nodes.push(node);
        id
    }

    fn check_id(&mut self, id: &str, pointer: &str) {
        let mut chars = id.chars();
        let well_formed = chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            self.error(
                pointer_push(pointer, "id"),
                Kind::InvalidProperty,
                format!("id '{id}' must start with a letter and contain only letters a–z, digits and '_' (it is used in expressions)"),
            );
        } else if RESERVED.contains(&id) {
            self.error(
                pointer_push(pointer, "id"),
                Kind::InvalidProperty,
                format!("id '{id}' is a reserved word of the expression language"),
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_fields(&mut self, fields: &[Field], pointer: &str, parent: NodeId, step: usize, scope: usize, path: &[String], depth: usize) {
        let mut sibling_ids = HashSet::new();
        for (index, field) in fields.iter().enumerate() {
            let field_pointer = pointer_push(pointer, index);
            if self.tree.nodes.len() >= MAX_NODES {
                self.error(field_pointer, Kind::LimitExceeded, format!("a form may have at most {MAX_NODES} fields"));
                return;
            }
            self.check_id(&field.id, &field_pointer);
            let top_level = path.is_empty() && matches!(self.tree.nodes[parent].kind, NodeKind::Step);
            let unique = if top_level { self.top_level_ids.insert(field.id.clone()) } else { sibling_ids.insert(field.id.clone()) };
            if !unique {
                let scope_name = if top_level { "the form's top level (across all steps)" } else { "this group" };
                self.error(
                    pointer_push(&field_pointer, "id"),
                    Kind::DuplicateId,
                    format!("id '{}' is used twice in {scope_name}", field.id),
                );
            }
            if top_level {
                // The field's node is the next one pushed.
                self.tree.top_level.push(self.tree.nodes.len());
            }
            self.add_field(field, field_pointer, parent, step, scope, path, depth);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_field(&mut self, field: &Field, pointer: String, parent: NodeId, step: usize, scope: usize, path: &[String], depth: usize) {
        self.check_properties(field, &pointer);
        let mut data_path = path.to_vec();
        data_path.push(field.id.clone());
        let node = Node {
            id: field.id.clone(),
            kind: NodeKind::Field(field.kind),
            pointer: pointer.clone(),
            parent: Some(parent),
            children: Vec::new(),
            step,
            label: field.label.clone(),
            hint: field.hint.clone(),
            text: field.text.clone(),
            repeat: if field.kind == FieldType::Group { field.repeat } else { None },
            options: self.options(field, &pointer),
            spec: Some(FieldSpec::from(field)),
            computed: field.compute.is_some(),
            min: self.bound(field, field.min.as_deref(), &pointer, "min").map(Box::new),
            max: self.bound(field, field.max.as_deref(), &pointer, "max").map(Box::new),
            max_length: max_length(field),
            data_path: data_path.clone(),
            data_pointer: Default::default(),
            scope,
            slot: 0,
            inner_scope: None,
            ty: value_type(field.kind),
            logic: Logic::default(),
            pattern: self.pattern(field, &pointer).map(Box::new),
        };
        let id = self.push(node);
        if field.kind != FieldType::Group {
            return;
        }
        if depth + 1 > MAX_GROUP_DEPTH {
            self.error(pointer, Kind::LimitExceeded, format!("groups may be nested at most {MAX_GROUP_DEPTH} deep"));
            return;
        }
        let inner = match field.repeat {
            Some(_) => self.new_repeat_scope(scope, id),
            None => scope,
        };
        self.tree.nodes[id].inner_scope = field.repeat.map(|_| inner);
        let fields_pointer = pointer_push(&pointer, "fields");
        self.add_fields(&field.fields, &fields_pointer, id, step, inner, &data_path, depth + 1);
    }

    fn new_repeat_scope(&mut self, parent_scope: usize, node: NodeId) -> usize {
        let new_scope = self.tree.scopes.len();
        let repeat_slot = self.tree.scopes[parent_scope].repeats.len();
        self.tree.scopes[parent_scope].repeats.push(node);
        let mut chain = self.tree.scopes[parent_scope].chain.clone();
        chain.push((new_scope, repeat_slot));
        self.tree.scopes.push(Scope { chain, repeat_node: Some(node), slots: 0, repeats: Vec::new() });
        new_scope
    }

    fn check_properties(&mut self, field: &Field, pointer: &str) {
        use FieldType as T;
        let kind = field.kind;
        let text_like = matches!(kind, T::Text | T::Textarea | T::Email | T::Phone | T::Iban | T::Postcode);
        let mut misplaced = |present: bool, key: &str, allowed: &str| {
            if present {
                self.errors.push(DefinitionError::new(
                    pointer_push(pointer, key),
                    Kind::InvalidProperty,
                    format!("'{key}' is only allowed on {allowed}"),
                ));
            }
        };
        misplaced(field.options.is_some() && !matches!(kind, T::Choice | T::Multichoice), "options", "choice and multichoice fields");
        misplaced(field.repeat.is_some() && kind != T::Group, "repeat", "groups");
        misplaced(!field.fields.is_empty() && kind != T::Group, "fields", "groups");
        misplaced(field.text.is_some() && kind != T::Static, "text", "static blocks");
        misplaced(field.pattern.is_some() && !text_like, "pattern", "text fields");
        misplaced(field.latin && !matches!(kind, T::Text | T::Textarea), "latin", "text and textarea fields");
        misplaced(field.min_length.is_some() && !text_like, "minLength", "text fields");
        misplaced(field.max_length.is_some() && !text_like, "maxLength", "text fields");
        let ordered = matches!(kind, T::Integer | T::Decimal | T::Money | T::Date);
        misplaced(field.min.is_some() && !ordered, "min", "number, money and date fields");
        misplaced(field.max.is_some() && !ordered, "max", "number, money and date fields");
        let countable = matches!(kind, T::Multichoice | T::Attachment);
        misplaced(field.min_items.is_some() && !countable, "minItems", "multichoice and attachment fields");
        misplaced(field.max_items.is_some() && !countable, "maxItems", "multichoice and attachment fields");
        misplaced(!field.accept.is_empty() && kind != T::Attachment, "accept", "attachment fields");
        misplaced(field.max_size.is_some() && kind != T::Attachment, "maxSize", "attachment fields");
        let valueless = matches!(kind, T::Static | T::Group);
        misplaced(field.required.is_some() && kind == T::Static, "required", "fields that take a value");
        misplaced(field.compute.is_some() && (valueless || countable), "compute", "single-value fields");
        misplaced(field.default.is_some() && (valueless || kind == T::Attachment), "default", "fields that take a value");
        misplaced(field.readonly.is_some() && valueless, "readonly", "fields that take a value");
        misplaced(!field.rules.is_empty() && kind == T::Static, "rules", "fields and groups");
        self.check_required_parts(field, pointer);
    }

    fn check_required_parts(&mut self, field: &Field, pointer: &str) {
        use FieldType as T;
        match field.kind {
            T::Static if field.text.is_none() => {
                self.error(pointer_push(pointer, "text"), Kind::InvalidProperty, "a static block needs a 'text'")
            }
            T::Static => {}
            _ if field.label.is_none() => self.error(
                pointer_push(pointer, "label"),
                Kind::InvalidProperty,
                "every field and group needs a 'label' (screen readers announce it)",
            ),
            T::Choice | T::Multichoice if field.options.is_none() => {
                self.error(pointer_push(pointer, "options"), Kind::InvalidProperty, "a choice needs 'options'")
            }
            T::Group if field.fields.is_empty() => {
                self.error(pointer_push(pointer, "fields"), Kind::InvalidProperty, "a group needs at least one field")
            }
            _ => {}
        }
        if let Some(repeat) = field.repeat {
            if repeat.max == 0 || repeat.min > repeat.max || repeat.max > MAX_REPEAT {
                self.error(
                    pointer_push(pointer, "repeat"),
                    Kind::InvalidProperty,
                    format!("repeat needs 0 ≤ min ≤ max, 1 ≤ max ≤ {MAX_REPEAT} (found min {}, max {})", repeat.min, repeat.max),
                );
            }
        }
        if let (Some(min), Some(max)) = (field.min_length, field.max_length) {
            if min > max {
                self.error(pointer_push(pointer, "minLength"), Kind::InvalidProperty, "minLength is larger than maxLength");
            }
        }
        if let (Some(min), Some(max)) = (field.min_items, field.max_items) {
            if min > max {
                self.error(pointer_push(pointer, "minItems"), Kind::InvalidProperty, "minItems is larger than maxItems");
            }
        }
        for (index, media_type) in field.accept.iter().enumerate() {
            let valid = media_type.split_once('/').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && a != "*");
            if !valid {
                self.error(
                    pointer_push(&pointer_push(pointer, "accept"), index),
                    Kind::InvalidProperty,
                    format!("'{media_type}' is not a media type like 'application/pdf' or 'image/*'"),
                );
            }
        }
    }

    fn options(&mut self, field: &Field, pointer: &str) -> Vec<ChoiceOption> {
        let Some(options) = &field.options else {
            return Vec::new();
        };
        let options_pointer = pointer_push(pointer, "options");
        let resolved: Vec<ChoiceOption> = match options {
            Options::Inline(items) => items
                .iter()
                .map(|item| match item {
                    OptionItem::Code(code) => ChoiceOption { code: code.clone(), label: Text::Plain(code.clone()), visible: None },
                    OptionItem::Full(spec) => ChoiceOption { code: spec.code.clone(), label: spec.label.clone(), visible: None },
                })
                .collect(),
            Options::CodeList { codelist } => match self.codelists.and_then(|lists| lists.get(codelist)) {
                Some(list) => {
                    self.check_codelist_translations(list, &pointer_push(&options_pointer, "codelist"));
                    list.entries
                        .iter()
                        .map(|entry| ChoiceOption { code: entry.code.clone(), label: entry.label.clone(), visible: None })
                        .collect()
                }
                None => {
                    self.error(
                        pointer_push(&options_pointer, "codelist"),
                        Kind::UnknownCodeList,
                        format!("code list '{codelist}' not found (expected forms/codelists/{codelist}.json)"),
                    );
                    Vec::new()
                }
            },
        };
        if matches!(options, Options::Inline(items) if items.is_empty()) {
            self.error(&options_pointer, Kind::InvalidProperty, "a choice needs at least one option");
        }
        // Of `String`s like the id sets above: a set of `&str` would be one
        // more copy of the hash table's code in the widget.
        let mut seen: HashSet<String> = HashSet::new();
        for (index, option) in resolved.iter().enumerate() {
            if option.code.trim().is_empty() || option.code.trim() != option.code {
                self.error(
                    pointer_push(&options_pointer, index),
                    Kind::InvalidProperty,
                    "option codes must not be empty or start/end with spaces",
                );
            }
            if !seen.insert(option.code.clone()) {
                self.error(
                    pointer_push(&options_pointer, index),
                    Kind::DuplicateId,
                    format!("option code '{}' is used twice", option.code),
                );
            }
        }
        resolved
    }

    /// A code list must speak every language the form declares.
    fn check_codelist_translations(&mut self, list: &CodeList, pointer: &str) {
        let Some(default) = self.languages.first() else { return };
        for lang in self.languages {
            let missing: Vec<&str> = list.entries.iter().filter(|e| !e.label.has(lang, default)).map(|e| e.code.as_str()).collect();
            if !missing.is_empty() {
                let shown = missing.iter().take(5).copied().collect::<Vec<_>>().join(", ");
                let more = if missing.len() > 5 { format!(" and {} more", missing.len() - 5) } else { String::new() };
                self.error(pointer, Kind::MissingTranslation, format!("code list '{}' has no {lang} label for: {shown}{more}", list.id));
            }
        }
    }

    fn bound(&mut self, field: &Field, json: Option<&serde_json::Value>, pointer: &str, key: &str) -> Option<super::Bound> {
        let json = json?;
        let bound = parse_bound(field.kind, json);
        if bound.is_none() && matches!(field.kind, FieldType::Integer | FieldType::Decimal | FieldType::Money | FieldType::Date) {
            let message = match field.kind {
                FieldType::Date => format!("'{key}' must be an ISO date 'YYYY-MM-DD' or \"today\""),
                FieldType::Decimal | FieldType::Money if is_imprecise_number(json) => format!("'{key}' {IMPRECISE_NUMBER}"),
                _ => format!("'{key}' must be a number"),
            };
            self.error(pointer_push(pointer, key), Kind::InvalidProperty, message);
        }
        bound
    }

    fn pattern(&mut self, field: &Field, pointer: &str) -> Option<Pattern> {
        let pattern = field.pattern.as_ref()?;
        let pointer = pointer_push(pointer, "pattern");
        match Pattern::new(pattern) {
            Ok(pattern) => Some(pattern),
            Err(error) => {
                self.error(pointer, Kind::BadRegex, format!("pattern is {error}"));
                None
            }
        }
    }
}

/// The maximum length in effect: the author's, or a type default that keeps
/// hostile input bounded.
fn max_length(field: &Field) -> Option<u32> {
    let default = match field.kind {
        FieldType::Text => 1_000,
        FieldType::Textarea => 10_000,
        FieldType::Email => 254,
        FieldType::Phone => 40,
        FieldType::Iban => 42,
        FieldType::Postcode => 10,
        _ => return None,
    };
    Some(field.max_length.unwrap_or(default))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{compile, DefinitionErrorKind, NameMap, Resources};

    #[test]
    fn code_lists_need_every_declared_language() {
        let list = crate::parse_codelist(&json!({ "id": "farben", "entries": [
            { "code": "rot", "label": { "de": "Rot", "en": "Red" } },
            { "code": "blau", "label": { "de": "Blau" } }
        ]}))
        .unwrap();
        let lists = NameMap::from([("farben".to_string(), list)]);
        let definition = json!({ "id": "f", "version": "1.0.0", "languages": ["de", "en"], "title": { "de": "F", "en": "F" },
        "steps": [{ "id": "s", "title": { "de": "S", "en": "S" }, "fields": [
            { "id": "farbe", "type": "choice", "label": { "de": "Farbe", "en": "Colour" }, "options": { "codelist": "farben" } }
        ]}]});
        let errors = compile(&definition, Resources { codelists: Some(&lists), tenant: None }).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, DefinitionErrorKind::MissingTranslation);
        assert_eq!(errors[0].pointer, "/steps/0/fields/0/options/codelist");
        assert!(errors[0].message.contains("no en label for: blau"), "{}", errors[0].message);
    }
}
