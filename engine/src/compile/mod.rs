//! Definition → [`CompiledForm`].
//!
//! Compilation runs in passes, each in its own module:
//! 1. [`parse_definition`] — JSON → `model::FormDefinition` (shape errors with pointers);
//! 2. `tree` — flattens steps, groups and fields into [`Node`]s in document
//!    order and assigns each a storage slot in a scope (one scope per repeating group);
//! 3. `params` — values every form parameter from the tenant or the default;
//! 4. `resolve` — type checks every expression, resolving names by the scoping rules;
//! 5. `graph` — builds the dependency graph and the evaluation order, reporting cycles;
//! 6. `lint` — static checks (never-visible required fields, unreachable steps,
//!    missing translations).
//!
//! Every pass collects all the errors it finds instead of stopping at the first,
//! so an author sees every problem at once.

pub(crate) mod graph;
mod lint;
mod params;
mod resolve;
mod tree;

// Fx, not SipHash: keys come from the definition, lookups are hot, and the
// inserted keys are not attacker-chosen.
use rustc_hash::FxHashMap;

use crate::error::DefinitionError;
use crate::expr::{Expr, Ref};
use crate::model::{CodeList, FieldType, FormDefinition, Repeat, Severity, Tenant, Text};
use crate::value::{Date, Type, Value};
use crate::NameMap;

pub(crate) use graph::{arrange, sorted_positions, Graph};
pub(crate) use resolve::edit_distance;

/// What a definition may refer to besides itself.
#[derive(Debug, Default, Clone, Copy)]
pub struct Resources<'a> {
    /// Code lists by id.
    pub codelists: Option<&'a NameMap<CodeList>>,
    /// The tenant whose parameter values apply.
    pub tenant: Option<&'a Tenant>,
}

/// Index of a node in [`CompiledForm::nodes`].
pub type NodeId = usize;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A step (page); carries no data.
    Step,
    /// A field, static block or group.
    Field(FieldType),
}

/// One resolved option of a choice.
#[derive(Debug, Clone)]
pub struct ChoiceOption {
    /// Stored value.
    pub code: String,
    /// Label (the code itself when none was given).
    pub label: Text,
    /// Choice filter.
    pub(crate) visible: Option<Box<Expr>>,
}

/// A bound for numbers or dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    /// A fixed value.
    Value(Value),
    /// The context's date.
    Today,
}

/// A field's settings that are used as written. A node keeps only these,
/// not a copy of the whole field: forms have thousands of fields, and the
/// browser widget holds every node.
#[derive(Debug, Clone, Default)]
pub struct FieldSpec {
    /// Minimum text length in characters.
    pub min_length: Option<u32>,
    /// Restrict text to DIN SPEC 91379 characters.
    pub latin: bool,
    /// Least selections (multiple choice) or files (attachment).
    pub min_items: Option<u32>,
    /// Most selections (multiple choice) or files (attachment).
    pub max_items: Option<u32>,
    /// Accepted media types of attachments.
    pub accept: Vec<String>,
    /// Largest accepted attachment, in bytes.
    pub max_size: Option<u64>,
    /// HTML autocomplete token.
    pub autocomplete: Option<String>,
    /// FIM data field or group id.
    pub fim: Option<String>,
}

impl From<&crate::model::Field> for FieldSpec {
    fn from(field: &crate::model::Field) -> Self {
        FieldSpec {
            min_length: field.min_length,
            latin: field.latin,
            min_items: field.min_items,
            max_items: field.max_items,
            accept: field.accept.clone(),
            max_size: field.max_size,
            autocomplete: field.autocomplete.clone(),
            fim: field.fim.clone(),
        }
    }
}

/// A step, group, field or static block of the compiled form.
#[derive(Debug, Clone)]
pub struct Node {
    /// The id from the definition.
    pub id: String,
    /// Step or field type.
    pub kind: NodeKind,
    /// Pointer to the node in the definition.
    pub pointer: String,
    /// The enclosing group or step (`None` for steps).
    pub parent: Option<NodeId>,
    /// Direct members, in document order.
    pub children: Vec<NodeId>,
    /// Index of the step the node is on.
    pub step: usize,
    /// Label (step title for steps).
    pub label: Option<Text>,
    /// Hint (step description for steps).
    pub hint: Option<Text>,
    /// Static text.
    pub text: Option<Text>,
    /// Repetition of a group.
    pub repeat: Option<Repeat>,
    /// Options of a choice.
    pub options: Vec<ChoiceOption>,
    /// The field's settings that checks and renderers read as written
    /// (`None` for steps); everything else of the field is compiled into
    /// this node.
    pub spec: Option<FieldSpec>,
    /// Whether the value is computed.
    pub computed: bool,
    /// Lower bound (numbers, dates). Boxed, as other parts most fields lack.
    pub min: Option<Box<Bound>>,
    /// Upper bound (numbers, dates).
    pub max: Option<Box<Bound>>,
    /// Effective maximum text length (type default when not given).
    pub max_length: Option<u32>,
    /// Keys from the data root to this node's value (steps are not keys).
    pub data_path: Vec<String>,
    /// The JSON pointer of the node outside repeats (`#id` for steps); nodes
    /// inside repeats get their indices added per instance.
    pub(crate) data_pointer: std::sync::Arc<str>,
    pub(crate) scope: usize,
    pub(crate) slot: usize,
    pub(crate) inner_scope: Option<usize>,
    pub(crate) ty: Option<Type>,
    pub(crate) logic: Logic,
    pub(crate) pattern: Option<Box<crate::pattern::Pattern>>,
}

impl Node {
    /// The field type, if the node is a field.
    pub fn field_type(&self) -> Option<FieldType> {
        match self.kind {
            NodeKind::Field(t) => Some(t),
            NodeKind::Step => None,
        }
    }

    /// Whether the node carries a value in the submission.
    pub fn has_value(&self) -> bool {
        !matches!(self.kind, NodeKind::Step | NodeKind::Field(FieldType::Static | FieldType::Group))
    }

    /// Whether the node is a repeating group.
    pub fn is_repeat(&self) -> bool {
        self.repeat.is_some()
    }
}

/// `true`, `false` or a compiled condition.
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    Const(bool),
    When(Box<Expr>),
}

/// A compiled field check.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub id: Option<String>,
    pub expr: Expr,
    pub message: Text,
    pub severity: Severity,
}

/// The compiled expressions of a node. Each is boxed: most fields have
/// none of them, and every node of a large form is held in memory.
#[derive(Debug, Clone)]
pub(crate) struct Logic {
    pub visible: Option<Box<Expr>>,
    pub required: Cond,
    pub readonly: Cond,
    pub compute: Option<Box<Expr>>,
    pub default: Option<Box<serde_json::Value>>,
    pub checks: Vec<Check>,
}

impl Default for Logic {
    fn default() -> Self {
        Self { visible: None, required: Cond::Const(false), readonly: Cond::Const(false), compute: None, default: None, checks: Vec::new() }
    }
}

/// A compiled cross-field rule.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub id: String,
    pub check: Expr,
    pub when: Option<Expr>,
    pub fields: Vec<NodeId>,
    pub message: Text,
    pub severity: Severity,
}

/// A storage scope: the root, or the body of one repeating group.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// `(scope, repeat slot in its parent frame)` from the root down to this
    /// scope, excluding the root.
    pub chain: Vec<(usize, usize)>,
    /// The repeating group whose instances this scope's frames are.
    pub repeat_node: Option<NodeId>,
    /// Number of value slots in a frame of this scope.
    pub slots: usize,
    /// Repeating groups directly in this scope, by repeat slot.
    pub repeats: Vec<NodeId>,
}

impl Scope {
    pub fn depth(&self) -> usize {
        self.chain.len()
    }
}

/// How a reference reads its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RefMode {
    /// One value in the same instance (or an enclosing one).
    Scalar,
    /// The entries of a repeating group, a multiple choice or an attachment field.
    Entries,
    /// One value per instance of repeats not shared with the reader.
    FanOut,
}

/// What a [`Ref`] points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RefTarget {
    pub node: NodeId,
    /// The target's scope and slot, copied here so that reading a value does
    /// not touch the (large) node.
    pub scope: usize,
    pub slot: usize,
    /// Number of leading repeat indices shared with the reader.
    pub shared: usize,
    pub mode: RefMode,
}

/// A compiled, type-checked form, ready for sessions and revalidation.
/// Immutable and `Send + Sync`: compile once, share across threads.
#[derive(Debug, Clone)]
pub struct CompiledForm {
    pub(crate) definition: FormDefinition,
    pub(crate) nodes: Vec<Node>,
    pub(crate) steps: Vec<NodeId>,
    pub(crate) top_level: Vec<NodeId>,
    /// Members by id: index 0 holds the top-level fields, index `n + 1` the
    /// members of node `n` (lookups by key are hot in `set` and `validate`).
    pub(crate) member_index: Vec<FxHashMap<String, NodeId>>,
    pub(crate) scopes: Vec<Scope>,
    pub(crate) refs: Vec<RefTarget>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) graph: Graph,
    pub(crate) parameters: NameMap<Option<Value>>,
    pub(crate) uses_today: bool,
}

impl CompiledForm {
    /// The form id.
    pub fn id(&self) -> &str {
        &self.definition.id
    }

    /// The definition version.
    pub fn version(&self) -> &str {
        &self.definition.version
    }

    /// The definition this form was compiled from: its metadata, steps,
    /// parameters and rules. Its fields are not kept (each lives on in its
    /// [`Node`]), so that a compiled form holds no second copy of them.
    pub fn definition(&self) -> &FormDefinition {
        &self.definition
    }

    /// The definition's field of a node, found by the node's pointer
    /// (`/steps/0/fields/3/fields/1`); `None` for steps. Only while
    /// compiling: a compiled form keeps no fields in its definition.
    pub(crate) fn source_field(&self, node: NodeId) -> Option<&crate::model::Field> {
        let mut tokens = self.nodes[node].pointer.split('/').skip(1);
        let (Some("steps"), Some(step)) = (tokens.next(), tokens.next()) else {
            return None;
        };
        let mut fields = &self.definition.steps.get(step.parse::<usize>().ok()?)?.fields;
        let mut field = None;
        while let (Some("fields"), Some(index)) = (tokens.next(), tokens.next()) {
            let found = fields.get(index.parse::<usize>().ok()?)?;
            fields = &found.fields;
            field = Some(found);
        }
        field
    }

    /// Declared languages; the first is the default.
    pub fn languages(&self) -> &[String] {
        &self.definition.languages
    }

    /// The default language.
    pub fn default_language(&self) -> &str {
        self.definition.languages.first().map(String::as_str).unwrap_or("de")
    }

    /// All nodes in document order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// One node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The step nodes, in order.
    pub fn steps(&self) -> &[NodeId] {
        &self.steps
    }

    /// Parameter values in effect (after the tenant's values).
    pub fn parameters(&self) -> &NameMap<Option<Value>> {
        &self.parameters
    }

    /// Finds the node of a data path such as `/hund/0/name` (indices skipped).
    pub fn node_at(&self, pointer: &str) -> Option<NodeId> {
        let mut found = None;
        let mut expect_index = false;
        for token in pointer.split('/').skip(1) {
            if std::mem::take(&mut expect_index) && token.parse::<u32>().is_ok() {
                continue;
            }
            let token = crate::error::pointer_token(token);
            let id = self.member(found, &token)?;
            found = Some(id);
            expect_index = self.nodes[id].is_repeat();
        }
        found
    }

    /// The member `id` of a group (`None`: the top level).
    pub(crate) fn member(&self, container: Option<NodeId>, id: &str) -> Option<NodeId> {
        self.member_index.get(container.map_or(0, |c| c + 1))?.get(id).copied()
    }

    pub(crate) fn target(&self, r: Ref) -> RefTarget {
        self.refs[r.0 as usize]
    }
}

pub(crate) fn member_index(nodes: &[Node], top_level: &[NodeId]) -> Vec<FxHashMap<String, NodeId>> {
    let index = |members: &[NodeId]| members.iter().map(|&n| (nodes[n].id.clone(), n)).collect();
    std::iter::once(index(top_level))
        .chain(nodes.iter().map(|node| if node.kind == NodeKind::Step { FxHashMap::default() } else { index(&node.children) }))
        .collect()
}

/// Compiles a definition given as JSON.
///
/// Returns every definition error found, sorted by pointer.
pub fn compile(definition: &serde_json::Value, resources: Resources<'_>) -> Result<CompiledForm, Vec<DefinitionError>> {
    let definition = parse_definition(definition)?;
    compile_definition(definition, resources)
}

/// Compiles an already parsed definition.
pub fn compile_definition(definition: FormDefinition, resources: Resources<'_>) -> Result<CompiledForm, Vec<DefinitionError>> {
    let mut errors = Vec::new();
    let mut tree = tree::build(&definition, resources.codelists, &mut errors);
    for node in &mut tree.nodes {
        let pointer = match node.kind {
            NodeKind::Step => format!("#{}", node.id),
            NodeKind::Field(_) => node.data_path.iter().fold(String::new(), |pointer, key| crate::error::pointer_push(&pointer, key)),
        };
        node.data_pointer = pointer.into();
    }
    let parameters = params::resolve(&definition, resources.tenant, &mut errors);
    let members = member_index(&tree.nodes, &tree.top_level);
    let mut form = CompiledForm {
        definition,
        nodes: tree.nodes,
        steps: tree.steps,
        member_index: members,
        top_level: tree.top_level,
        scopes: tree.scopes,
        refs: Vec::new(),
        rules: Vec::new(),
        graph: Graph::default(),
        parameters,
        uses_today: false,
    };
    // The graph is built from whatever expressions compiled, so a cycle is
    // reported together with the name and type errors elsewhere in the form.
    if errors.is_empty() {
        resolve::compile_expressions(&mut form, &mut errors);
        form.graph = graph::build(&form, &mut errors);
    }
    lint::check(&form, &mut errors);
    if errors.is_empty() {
        for step in &mut form.definition.steps {
            step.fields = Vec::new();
        }
        Ok(form)
    } else {
        graph::sort_dedup_all(&mut errors);
        Err(errors)
    }
}

/// Parses the JSON of a definition into the model, reporting the pointer of
/// the first shape error.
pub fn parse_definition(json: &serde_json::Value) -> Result<FormDefinition, Vec<DefinitionError>> {
    crate::read::from_value(json, crate::read::definition)
}

/// Parses a tenant file and checks it (colour contrast, URL schemes).
pub fn parse_tenant(json: &serde_json::Value) -> Result<Tenant, Vec<DefinitionError>> {
    let tenant = crate::read::from_value(json, crate::read::tenant)?;
    let errors = crate::tenant::check(&tenant);
    if errors.is_empty() {
        Ok(tenant)
    } else {
        Err(errors)
    }
}

/// Parses a code list file.
pub fn parse_codelist(json: &serde_json::Value) -> Result<CodeList, Vec<DefinitionError>> {
    crate::read::from_value(json, crate::read::codelist)
}

/// Parses the JSON text of a definition straight into the model, without
/// the intermediate `serde_json::Value` (for a large form that tree takes
/// about as much memory as the compiled form; the browser widget loads text).
/// Errors name the pointer where the shape is wrong, the line and the column.
pub fn parse_definition_text(text: &str) -> Result<FormDefinition, Vec<DefinitionError>> {
    crate::read::from_text(text, crate::read::definition)
}

/// The type of a field's value as expressions see it.
pub(crate) fn value_type(kind: FieldType) -> Option<Type> {
    Some(match kind {
        FieldType::Text
        | FieldType::Textarea
        | FieldType::Email
        | FieldType::Phone
        | FieldType::Iban
        | FieldType::Postcode
        | FieldType::Choice => Type::Text,
        FieldType::Integer => Type::Int,
        FieldType::Decimal | FieldType::Money => Type::Decimal,
        FieldType::Date => Type::Date,
        FieldType::Boolean => Type::Bool,
        FieldType::Multichoice => Type::List(Box::new(Type::Text)),
        FieldType::Attachment => Type::Instances,
        FieldType::Static | FieldType::Group => return None,
    })
}

/// Parses a bound of a number or date field.
pub(crate) fn parse_bound(kind: FieldType, json: &serde_json::Value) -> Option<Bound> {
    match kind {
        FieldType::Date => match json.as_str()? {
            "today" => Some(Bound::Today),
            s => Date::parse(s).map(|d| Bound::Value(Value::Date(d))),
        },
        FieldType::Integer => json.as_i64().map(|i| Bound::Value(Value::Int(i))),
        FieldType::Decimal | FieldType::Money => {
            let text = match json {
                serde_json::Value::Number(n) => crate::input::exact_number_text(n)?,
                serde_json::Value::String(s) => s.clone(),
                _ => return None,
            };
            crate::value::Decimal::parse(&text).map(|d| Bound::Value(Value::Decimal(d)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn definition() -> serde_json::Value {
        json!({ "id": "f", "version": "1.0.0", "title": "F", "steps": [{ "id": "s", "title": "S", "fields": [
            { "id": "name", "type": "text", "label": "Name", "minLength": 2, "autocomplete": "name" },
            { "id": "gruppe", "type": "group", "label": "Gruppe", "fields": [
                { "id": "alter", "type": "integer", "label": "Alter", "visible": "name == 'x'" }
            ]}
        ]}]})
    }

    #[test]
    fn text_and_value_parse_to_the_same_form() {
        let from_value = compile(&definition(), Resources::default()).unwrap();
        let from_text = compile_definition(parse_definition_text(&definition().to_string()).unwrap(), Resources::default()).unwrap();
        let ids = |form: &CompiledForm| form.nodes().iter().map(|n| (n.id.clone(), n.pointer.clone())).collect::<Vec<_>>();
        assert_eq!(ids(&from_value), ids(&from_text));
        assert!(from_text.node(from_text.node_at("/gruppe/alter").unwrap()).logic.visible.is_some());
    }

    #[test]
    fn text_errors_name_line_column_and_pointer() {
        let errors = parse_definition_text("{\n  \"id\": ").unwrap_err();
        assert!(errors[0].message.contains("line 2"), "{}", errors[0].message);
        let errors = parse_definition_text(
            r#"{"id": "f", "version": "1", "title": "F", "steps": [{"id": "s", "title": "S", "fields": [{"id": "a", "type": "txt"}]}]}"#,
        )
        .unwrap_err();
        assert!(errors[0].message.contains("txt"), "{}", errors[0].message);
        assert_eq!(errors[0].pointer, "/steps/0/fields/0/type");
        assert!(parse_definition_text(&format!("{} x", definition())).is_err(), "trailing characters");
    }

    #[test]
    fn numbers_are_exact_or_refused_with_the_reason() {
        let with_bounds = |min: serde_json::Value, default: serde_json::Value| {
            json!({ "id": "f", "version": "1.0.0", "title": "F",
            "parameters": { "satz": { "type": "money", "default": default } },
            "steps": [{ "id": "s", "title": "S", "fields": [
                { "id": "betrag", "type": "decimal", "label": "Betrag", "min": min }
            ]}]})
        };
        // JavaScript writes small numbers with an exponent; they are exact.
        let form = compile(&with_bounds(json!(1e-7), json!(0.5)), Resources::default()).unwrap();
        let betrag = form.node(form.node_at("/betrag").unwrap());
        assert_eq!(betrag.min.as_deref(), Some(&Bound::Value(Value::Decimal(crate::Decimal::parse("0.0000001").unwrap()))));
        assert_eq!(form.parameters.get("satz"), Some(&Some(Value::Decimal(crate::Decimal::parse("0.5").unwrap()))));
        // Beyond 15 significant digits a JSON number may already be rounded.
        let number = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        let errors = compile(&with_bounds(number("12345678901234567.5"), number("0.30000000000000004")), Resources::default()).unwrap_err();
        let found: Vec<(&str, &str)> = errors.iter().map(|e| (e.pointer.as_str(), e.message.as_str())).collect();
        assert!(
            found.contains(&(
                "/parameters/satz/default",
                "default has more than 15 significant digits, more than a JSON number holds exactly; write it as a string"
            )),
            "{found:?}"
        );
        assert!(
            found.contains(&(
                "/steps/0/fields/0/min",
                "'min' has more than 15 significant digits, more than a JSON number holds exactly; write it as a string"
            )),
            "{found:?}"
        );
    }

    #[test]
    fn a_tenant_value_beyond_15_digits_is_refused() {
        let definition = json!({ "id": "f", "version": "1.0.0", "title": "F",
            "parameters": { "satz": { "type": "decimal" } },
            "steps": [{ "id": "s", "title": "S", "fields": [{ "id": "a", "type": "text", "label": "A" }]}]});
        let tenant = |value: serde_json::Value| {
            let mut tenant: serde_json::Value = serde_json::from_str(include_str!("../../../forms/tenants/seedorf.json")).unwrap();
            tenant["parameters"] = json!({ "*": { "satz": value } });
            parse_tenant(&tenant).unwrap()
        };
        let exact = tenant(json!("1234567890123456.75"));
        let form = compile(&definition, Resources { codelists: None, tenant: Some(&exact) }).unwrap();
        assert_eq!(form.parameters.get("satz"), Some(&Some(Value::Decimal(crate::Decimal::parse("1234567890123456.75").unwrap()))));
        // As a tenant file has it: the JSON text, which an f64 cannot hold.
        let rounded = tenant(serde_json::from_str("1234567890123456.75").unwrap());
        let errors = compile(&definition, Resources { codelists: None, tenant: Some(&rounded) }).unwrap_err();
        assert_eq!(errors[0].pointer, "/parameters/*/satz");
        assert!(errors[0].message.contains("more than 15 significant digits"), "{}", errors[0].message);
    }

    #[test]
    fn a_compiled_form_keeps_each_field_once() {
        let form = compile(&definition(), Resources::default()).unwrap();
        assert!(form.definition().steps.iter().all(|s| s.fields.is_empty()), "fields live on in the nodes");
        let name = form.node(form.node_at("/name").unwrap());
        let spec = name.spec.as_ref().unwrap();
        assert_eq!((spec.min_length, spec.autocomplete.as_deref()), (Some(2), Some("name")));
        assert_eq!(
            form.source_field(form.node_at("/gruppe/alter").unwrap()).map(|f| f.id.as_str()),
            None,
            "sources are gone after compiling"
        );
    }
}
