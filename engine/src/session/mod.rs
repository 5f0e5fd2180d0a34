//! A citizen's session: values plus incremental evaluation.
//!
//! [`Session::set`] stores one value and re-evaluates only what depends on it,
//! in the compiled topological order (the XForms recalculation idea). A node
//! whose relevance and value come out unchanged stops the propagation there,
//! so a keystroke costs what it actually changes. The returned list names every
//! field whose state changed — the batched diff a renderer applies.

mod evaluate;
mod load;
mod output;
mod status;
mod store;

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value as Json;

use crate::compile::{CompiledForm, NodeId};
use crate::model::Severity;
use crate::value::Date;

pub(crate) use evaluate::Changes;
pub(crate) use load::{load, load_envelope_text, Tamper};
pub(crate) use output::label as label_of;
pub use output::Submission;
pub use store::PathError;
pub(crate) use store::{pointer, Frame};

/// What evaluation needs from the caller: the civil date and the language
/// of messages. The engine never reads a clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Today's date (the widget passes the civil date in Europe/Berlin).
    pub today: Date,
    /// Language of messages and labels, e.g. `de`.
    pub lang: String,
}

impl Context {
    /// A context for `today` in `lang`.
    pub fn new(today: Date, lang: impl Into<String>) -> Self {
        Self { today, lang: lang.into() }
    }
}

/// One problem with a value, as citizens and systems see it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Issue {
    /// Stable code, e.g. `required`, `iban`, `rule`, `unknown_key` (borrowed
    /// from the engine's catalog, so reporting one allocates nothing).
    pub code: Cow<'static, str>,
    /// JSON pointer of the field in the submission data, e.g. `/hund/0/name`
    /// (shared: a field's issues and its state name the same path).
    pub path: Arc<str>,
    /// Localized message (shared: a session words each message once).
    pub message: Arc<str>,
    /// The id of the violated rule, for `rule` issues that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// The state of one field instance (or step: path `#stepid`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldState {
    /// JSON pointer of the field, or `#stepid` for a step.
    pub path: Arc<str>,
    /// Relevant: the node and all its ancestors are visible.
    pub visible: bool,
    /// Required now.
    pub required: bool,
    /// Read-only now (always for computed fields).
    pub readonly: bool,
    /// The current value in canonical form (`null` when empty).
    pub value: Json,
    /// Number of instances, for repeating groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// The codes offered now, for choices whose options have filters (a
    /// renderer offers only these); absent when every option is offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Blocking problems.
    pub errors: Vec<Issue>,
    /// Non-blocking notices.
    pub warnings: Vec<Issue>,
}

/// A problem found by evaluation, before it is put into words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub detail: Detail,
}

/// What a finding's message needs besides the field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Detail {
    None,
    /// Index into the node's checks.
    Check(usize),
    /// Index into the form's rules.
    Rule(usize),
    /// Index of the offending file of an attachment field.
    File(usize),
}

impl Finding {
    pub fn error(code: &'static str) -> Self {
        Self { code, severity: Severity::Error, detail: Detail::None }
    }
}

/// The evaluated state of a form: frames plus form-rule results.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub root: Frame,
    pub rules: Vec<Option<Finding>>,
    pub context: Context,
    /// Scratch space of the propagation, kept to avoid reallocating per keystroke.
    scratch: evaluate::Scratch,
    /// Built-in messages already put into words, by field and code: they
    /// depend on nothing else in a session's language, and a keystroke that
    /// makes fifty fields required would otherwise word fifty again. By
    /// node, then code: a node has only a few codes, so a short scan does
    /// without a hash map (one more copy of its code in the widget).
    messages: RefCell<MessagesByNode>,
}

/// Messages in words by node, then by code.
type MessagesByNode = Vec<Vec<(&'static str, Arc<str>)>>;

impl State {
    pub fn new(form: &CompiledForm, root: Frame, context: Context) -> Self {
        let mut state =
            State { root, rules: vec![None; form.rules.len()], context, scratch: Default::default(), messages: Default::default() };
        state.evaluate_all(form);
        state
    }
}

/// A citizen's session with one compiled form.
#[derive(Debug, Clone)]
pub struct Session {
    form: Arc<CompiledForm>,
    state: State,
}

impl Session {
    /// Starts a session: defaults applied, repeating groups at their minimum.
    pub fn new(form: Arc<CompiledForm>, context: Context) -> Self {
        let root = Frame::new(&form, 0, true);
        let state = State::new(&form, root, context);
        Session { form, state }
    }

    /// The compiled form.
    pub fn form(&self) -> &CompiledForm {
        &self.form
    }

    /// The context in use.
    pub fn context(&self) -> &Context {
        &self.state.context
    }

    /// Switches the language of messages; returns every state (all texts change).
    pub fn set_language(&mut self, lang: &str) -> Vec<FieldState> {
        self.state.context.lang = lang.to_string();
        self.state.messages.get_mut().clear();
        self.states()
    }

    /// Stores the value at `path` (e.g. `/hund/0/name`) and returns the
    /// states that changed.
    pub fn set(&mut self, path: &str, value: Json) -> Result<Vec<FieldState>, PathError> {
        let form = &*self.form;
        let (node, index) = store::resolve_path(form, &self.state.root, path)?;
        let target = &form.nodes[node];
        if !target.has_value() || index.len() != form.scopes[target.scope].depth() {
            return Err(PathError { path: path.into(), message: "this is not a field that takes a value".into() });
        }
        if target.computed {
            return Err(PathError { path: path.into(), message: "this field is computed and cannot be set".into() });
        }
        let mut changes = Changes::for_nodes(form.nodes.len());
        self.state.store_input(form, node, &index, value, &mut changes);
        self.state.propagate(form, &[node], &mut changes);
        Ok(self.state.changed_states(form, changes))
    }

    /// Adds an instance to the repeating group at `path` (e.g. `/hund`).
    /// Returns every state of the form, since paths after it may shift.
    pub fn add_instance(&mut self, path: &str) -> Result<Vec<FieldState>, PathError> {
        let form = &*self.form;
        let (group, index) = self.group_at(path)?;
        let node = &form.nodes[group];
        let max = node.repeat.map_or(0, |r| r.max) as usize;
        let inner = node.inner_scope.unwrap_or(0);
        let instances = self.state.root.instances_mut(form, group, &index).ok_or_else(|| no_group(path))?;
        if instances.len() >= max {
            return Err(PathError { path: path.into(), message: format!("at most {max} entries are possible") });
        }
        instances.push(Frame::new(form, inner, true));
        self.state.evaluate_all(form);
        Ok(self.states())
    }

    /// Removes the instance at `path` (e.g. `/hund/1`). Returns every state.
    pub fn remove_instance(&mut self, path: &str) -> Result<Vec<FieldState>, PathError> {
        let form = &*self.form;
        let (group, mut index) = store::resolve_path(form, &self.state.root, path)?;
        let depth = form.scopes[form.nodes[group].scope].depth();
        if !form.nodes[group].is_repeat() || index.len() != depth + 1 {
            return Err(PathError { path: path.into(), message: "name an entry of a repeating group, like /hund/0".into() });
        }
        let position = index.pop().unwrap_or_default() as usize;
        let instances = self.state.root.instances_mut(form, group, &index).ok_or_else(|| no_group(path))?;
        instances.remove(position);
        self.state.evaluate_all(form);
        Ok(self.states())
    }

    fn group_at(&self, path: &str) -> Result<(NodeId, Vec<u32>), PathError> {
        let form = &*self.form;
        let (group, index) = store::resolve_path(form, &self.state.root, path)?;
        let depth = form.scopes[form.nodes[group].scope].depth();
        if !form.nodes[group].is_repeat() || index.len() != depth {
            return Err(no_group(path));
        }
        Ok((group, index))
    }

    /// Every field state, in document order.
    pub fn states(&self) -> Vec<FieldState> {
        let form = &*self.form;
        let slots = self.state.all_slots(form);
        self.state.field_states(form, slots)
    }

    /// The number of instances of the repeating group at `path`.
    pub fn instance_count(&self, path: &str) -> Option<usize> {
        let (group, index) = self.group_at(path).ok()?;
        self.state.root.instances(&self.form, group, &index).map(Vec::len)
    }

    /// Full validation of the current values: what the server will say.
    pub fn report(&self) -> crate::Report {
        crate::validate::report(&self.form, &self.state, Vec::new(), &|_| false)
    }

    /// The canonical submission: relevant, non-empty values only.
    pub fn submission(&self) -> Submission {
        self.state.submission(&self.form)
    }

    /// The draft: every entered value, relevant or not, with form id and
    /// version, for saving in the browser or exporting to a file.
    pub fn draft(&self) -> Json {
        output::envelope(&self.form, self.state.raw_data(&self.form))
    }

    /// Restores a draft (also one of an older form version: values carry over
    /// where the field still exists and the value still fits its type).
    pub fn load_draft(&mut self, draft: &Json) -> Vec<FieldState> {
        let data = draft.get("data").unwrap_or(draft);
        let (root, _) = load(&self.form, data, false);
        self.state = State::new(&self.form, root, self.state.context.clone());
        self.states()
    }
}

fn no_group(path: &str) -> PathError {
    PathError { path: path.into(), message: "this is not a repeating group".into() }
}
