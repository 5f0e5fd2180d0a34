//! The citizen's assistant: a renderer that builds the DOM from the compiled
//! form once and then patches only the fields each change names.
//!
//! The engine runs in the same WASM instance as the renderer, so a keystroke
//! is one `Session::set` plus DOM updates for the returned diff — values never
//! cross to JS and back.
//!
//! [`mount`] is called by the `<efa-form>` element (`js/efa-form.js`) with the
//! fetched files; it returns a [`FormWidget`] handle that owns the widget.

mod build;
pub(crate) mod display;
mod draft;
mod events;
mod nav;
mod send;
pub(crate) mod text;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use efa_engine::model::Tenant;
use efa_engine::{read_image, CompiledForm, Context, Date, FieldState, Session};
use serde_json::Value as Json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, File, HtmlElement};

use crate::components::frame::{self, Shell};
use crate::components::step_nav::Page;
use crate::components::{element, items, notice, number_prop, object_prop, prop, set_prop, tag_name, text_prop, Attr, Res};
use crate::convert::{from_js, object, to_js};
use text::{t, Msg};

/// A render context borrowing only the fields it needs, so that views can
/// be updated while it is alive.
macro_rules! ctx {
    ($widget:expr) => {
        $crate::components::Ctx { doc: &$widget.doc, form: &$widget.form, lang: &$widget.lang, heading: $widget.heading }
    };
}
pub(crate) use ctx;

#[wasm_bindgen(typescript_custom_section)]
const MOUNT_OPTIONS: &str = r#"
/** What `mount` needs besides the form's image: the element's settings. */
export interface MountOptions {
  lang?: string; today: string; action?: string | null; headingLevel?: number | null;
}
"#;

/// What the page passes to [`mount`] (a [`MountOptions`-shaped] object).
///
/// Read by hand from the JSON rather than with a serde derive: the derive
/// would add a deserializer to every citizen's download for four keys.
struct Options {
    lang: String,
    today: String,
    action: Option<String>,
    heading_level: u8,
}

impl Options {
    fn from_json(mut json: Json) -> Result<Options, JsError> {
        let mut take = |key: &str| json.get_mut(key).map(Json::take).filter(|v| !v.is_null());
        let text = |value: Option<Json>| value.and_then(|v| v.as_str().map(str::to_string));
        let lang = text(take("lang")).unwrap_or_default();
        let today = text(take("today")).ok_or_else(|| JsError::new("options: today is missing"))?;
        let action = text(take("action")).filter(|a| !a.is_empty());
        let heading_level = take("headingLevel").and_then(|v| v.as_u64()).map_or(2, |l| l.clamp(1, 4) as u8);
        Ok(Options { lang, today, action, heading_level })
    }
}

/// The live widget.
pub(crate) struct Widget {
    doc: Document,
    host: HtmlElement,
    container: Element,
    form: Arc<CompiledForm>,
    tenant: Option<Tenant>,
    session: Session,
    lang: String,
    heading: u8,
    action: Option<String>,
    /// The host page's title, restored when errors are gone.
    title: String,
    shell: Option<Shell>,
    /// Rendered fields by data path.
    views: build::Views,
    /// The latest state of every field, by path (steps as `#id`).
    states: HashMap<String, FieldState>,
    page: Page,
    /// Fields whose messages are shown: the citizen left them or tried to go on.
    revealed: HashSet<String>,
    /// A pointer is down: messages for a field just left wait until the
    /// press ends, so they cannot push the pressed button away from under
    /// the pointer (the click would be lost).
    pressing: bool,
    /// Fields left during a press, revealed when it ends.
    pending: Vec<String>,
    /// Fields typed into since the widget started.
    dirty: HashSet<String>,
    /// Messages from the server's last rejection, until the value changes.
    server: ByPath<String>,
    /// Chosen files per attachment field.
    files: ByPath<Vec<File>>,
    /// A change link led here from the review page: continue goes back there.
    return_to_review: bool,
    sending: bool,
    /// The receipt number of the accepted submission, for the receipt page.
    reference: Option<String>,
    /// Sent with every attempt to send the same data, so a retried send is
    /// stored once (`Idempotency-Key`).
    idempotency_key: Option<String>,
}

/// The handle the `<efa-form>` element keeps. Dropping it removes the
/// event listeners; the DOM stays.
#[wasm_bindgen]
pub struct FormWidget {
    widget: Rc<RefCell<Widget>>,
    listeners: Vec<events::Listener>,
    target: Element,
}

#[wasm_bindgen]
impl FormWidget {
    /// Switches the language (one of the form's languages).
    #[wasm_bindgen(js_name = setLanguage)]
    pub fn set_language(&self, lang: &str) -> Result<(), JsError> {
        let mut widget = self.widget.try_borrow_mut().map_err(|_| JsError::new("the widget is busy"))?;
        widget.set_language(lang);
        Ok(())
    }

    /// The canonical submission the widget would send now.
    #[wasm_bindgen(unchecked_return_type = "Envelope")]
    pub fn submission(&self) -> Result<JsValue, JsError> {
        let widget = self.widget.try_borrow().map_err(|_| JsError::new("the widget is busy"))?;
        to_js(&widget.session.submission())
    }

    /// Full validation of the current values.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn validate(&self) -> Result<JsValue, JsError> {
        let widget = self.widget.try_borrow().map_err(|_| JsError::new("the widget is busy"))?;
        to_js(&widget.session.report())
    }
}

impl Drop for FormWidget {
    fn drop(&mut self) {
        for (name, listener) in &self.listeners {
            let _ = self.target.remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
    }
}

/// Renders the form of `image` (a compiled form image: `efa compile`, or
/// `compileImage` of the compiler module) into `root` (the element's shadow
/// root) for the element `host`, with the settings in `options`. When the
/// bytes are no image of this engine build, an error state is shown instead
/// and the error is thrown.
#[wasm_bindgen]
pub fn mount(
    root: &web_sys::Node,
    host: HtmlElement,
    image: &[u8],
    #[wasm_bindgen(unchecked_param_type = "MountOptions")] options: JsValue,
) -> Result<FormWidget, JsError> {
    let options = Options::from_json(from_js(&options)?)?;
    let doc: Document = object_prop(&host, "ownerDocument").ok_or_else(|| JsError::new("the element is not in a document"))?;
    let container = element(&doc, root, "div", "efa-container");
    let requested = options.lang.clone();
    let (form, tenant) = match read_image(image) {
        Ok(loaded) => loaded,
        Err(error) => {
            let message = error.to_string();
            failure_box(&doc, &container, &requested, std::slice::from_ref(&message));
            return Err(JsError::new(&message));
        }
    };
    let form = Arc::new(form);
    let lang = if form.languages().contains(&requested) { requested } else { form.default_language().to_string() };
    let today = Date::parse(&options.today).ok_or_else(|| JsError::new("today must be a date like 2026-11-23"))?;
    let session = Session::new(form.clone(), Context::new(today, lang.clone()));
    let mut widget = Widget {
        title: text_prop(&doc, "title"),
        doc,
        host,
        container: container.clone(),
        form,
        tenant,
        session,
        lang,
        heading: options.heading_level,
        action: options.action,
        shell: None,
        views: build::Views::default(),
        states: HashMap::new(),
        page: Page::Step(0),
        revealed: HashSet::new(),
        pressing: false,
        pending: Vec::new(),
        dirty: HashSet::new(),
        server: ByPath::default(),
        files: ByPath::default(),
        return_to_review: false,
        sending: false,
        reference: None,
        idempotency_key: None,
    };
    widget.page = Page::Step(widget.first_step());
    let restored = widget.restore_saved_draft();
    widget.render_all();
    if let Some(lines) = restored {
        widget.notice(notice::Tone::Info, &lines, Some(("discard-draft", Msg::DiscardDraft)));
    }
    let widget = Rc::new(RefCell::new(widget));
    let listeners = events::listen(&widget, &container);
    Ok(FormWidget { widget, listeners, target: container })
}

/// Shows the “form unavailable” state in `root` (for the element when it
/// cannot fetch the files); `details` are listed for the operator.
#[wasm_bindgen(js_name = renderFailure)]
pub fn render_failure(root: &web_sys::Node, lang: &str, details: Vec<String>) -> Result<(), JsError> {
    let doc: Document = object_prop(root, "ownerDocument").ok_or_else(|| JsError::new("no document"))?;
    let container = element(&doc, root, "div", "efa-container");
    failure_box(&doc, &container, lang, &details);
    Ok(())
}

fn failure_box(doc: &Document, container: &Element, lang: &str, details: &[String]) {
    let make = |parent: &Element, tag: &str, class: &str, text: &str| {
        let element = element(doc, parent, tag, class);
        element.set_text_content(Some(text));
        element
    };
    let root = make(container, "div", "efa efa-unavailable", "");
    root.attr("role", "alert");
    make(&root, "h2", "efa-heading-l", t(lang, Msg::Unavailable));
    make(&root, "p", "efa-body", t(lang, Msg::UnavailableText));
    let list = make(&root, "ul", "efa-list efa-unavailable__details", "");
    for detail in details {
        make(&list, "li", "", detail);
    }
}

/// A plain object with `entries`: the option bags of DOM constructors
/// (event, request, blob and scroll options) set through one import
/// instead of a generated setter per field.
pub(crate) fn options(entries: &[(&str, &JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// A `Blob` of JSON text (a draft file, the submission part).
pub(crate) fn json_blob(text: &str) -> Res<web_sys::Blob> {
    let options = options(&[("type", &JsValue::from_str("application/json"))]);
    web_sys::Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&text.into()), options.unchecked_ref())
}

impl Widget {
    /// Builds everything from scratch: at start, after a language switch
    /// and when a draft replaces all values.
    fn render_all(&mut self) {
        self.container.set_text_content(None);
        let ctx = ctx!(self);
        let titles: Vec<&str> = self.form.steps().iter().map(|&s| ctx.label(self.form.node(s))).collect();
        let shell = frame::render(&ctx, &self.container, self.tenant.as_ref(), &titles);
        self.views.clear();
        let draft = self.session.draft();
        let source = build::Source { values: &draft["data"], session: &self.session };
        for (index, &step) in self.form.steps().iter().enumerate() {
            let section = &shell.steps[index];
            let node = self.form.node(step);
            let mut intro = Vec::new();
            if index == 0 {
                intro.extend(ctx.text_opt(self.form.definition().description.as_ref()));
            }
            intro.extend(ctx.text_opt(node.hint.as_ref()));
            for text in intro {
                ctx.text_el(section, "p", "efa-body efa-lead", text);
            }
            build::members(&ctx, section, &node.children, "", &source, &mut self.views);
        }
        self.shell = Some(shell);
        let states = self.session.states();
        self.replace_states(states);
        for path in self.files.keys() {
            self.show_files(path);
        }
        self.show_page(self.page, nav::Focus::None)
    }

    /// Takes a complete list of states (after add/remove/load) and patches
    /// every view.
    fn replace_states(&mut self, states: Vec<FieldState>) {
        self.states.clear();
        self.apply(states)
    }

    /// Patches the views a diff names and remembers the states.
    fn apply(&mut self, states: Vec<FieldState>) {
        let ctx = ctx!(self);
        let mut steps_changed = false;
        for state in states {
            if state.path.starts_with('#') {
                steps_changed = true;
            } else if let Some(view) = self.views.get(&state.path) {
                let show = self.revealed.contains(&*state.path);
                view.apply(&ctx, &state, show, self.server.get(&state.path).map(String::as_str));
            }
            self.states.insert(state.path.to_string(), state);
        }
        if steps_changed && self.shell.is_some() {
            self.update_navigation();
        }
    }

    /// Re-applies the stored state of `paths` (after revealing them).
    fn refresh(&self, paths: &[String]) {
        let ctx = ctx!(self);
        for path in paths {
            if let (Some(view), Some(state)) = (self.views.get(path), self.states.get(path)) {
                view.apply(&ctx, state, self.revealed.contains(path), self.server.get(path).map(String::as_str));
            }
        }
    }

    /// Shows the messages of `paths` from now on.
    fn reveal(&mut self, paths: Vec<String>) {
        self.revealed.extend(paths.iter().cloned());
        self.refresh(&paths)
    }

    /// Reveals a field the citizen left — at once, or after the press
    /// that moved the focus away.
    fn reveal_left(&mut self, path: String) {
        if self.pressing {
            self.pending.push(path);
        } else {
            self.reveal(vec![path])
        }
    }

    /// Reveals the fields left during a press that has ended.
    fn flush_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() {
            self.reveal(pending);
        }
    }

    /// Stores a citizen's input; returns what the host's `efa-change` says.
    fn set(&mut self, path: &str, value: Json) -> Option<Json> {
        let value = crate::convert::nfc(value);
        let Ok(states) = self.session.set(path, value.clone()) else { return None };
        self.server.remove(path);
        self.idempotency_key = None;
        let changed = !states.is_empty();
        self.apply(states);
        // The server's message for this field is gone even when the engine
        // saw no change (it may have judged differently).
        self.refresh(&[path.to_string()]);
        changed.then(|| crate::convert::object([("path", Json::from(path)), ("value", value)]))
    }

    /// Adds an entry to the repeating group at `path` and focuses it.
    fn add_instance(&mut self, path: &str) {
        let Ok(states) = self.session.add_instance(path) else { return };
        self.rebuild_entries(path, states);
        // The last entry is the new one; focus its first control.
        let Some(list) = self.views.get(path).and_then(|v| v.items.as_ref()) else { return };
        let children = prop(list, "children");
        let entry = items(&children).rev().map(Element::unchecked_from_js).find(|e| tag_name(e) == "FIELDSET");
        if let Some(entry) = entry {
            crate::components::focus(&entry);
        }
    }

    /// Removes the entry at `path` (`/hund/1`) and moves the focus to the
    /// group's add button or first remaining field.
    fn remove_instance(&mut self, path: &str) {
        let Some((group, index)) = path.rsplit_once('/') else { return };
        let Ok(index) = index.parse::<usize>() else { return };
        let Ok(states) = self.session.remove_instance(path) else { return };
        let group = group.to_string();
        let shift = |p: &str| reindex(p, &group, index);
        self.files.rekey(shift);
        self.server.rekey(shift);
        self.revealed = self.revealed.iter().filter_map(|p| shift(p)).collect();
        self.dirty = self.dirty.iter().filter_map(|p| shift(p)).collect();
        self.idempotency_key = None;
        // The files of later entries moved to new paths: tell the engine.
        let prefix = [group.as_str(), "/"].concat();
        let moved: Vec<String> = self.files.keys().filter(|p| p.starts_with(&prefix)).cloned().collect();
        self.rebuild_entries(&group, states);
        for path in moved {
            self.sync_files(&path);
        }
        if let Some(items) = self.views.get(&group).and_then(|v| v.focus.clone()) {
            crate::components::focus(&items);
        }
    }

    /// Re-renders the entries of the repeating group at `path` and applies
    /// `states` (all of them: paths after a removed entry shift).
    fn rebuild_entries(&mut self, path: &str, states: Vec<FieldState>) {
        let Some((node, items)) = self.views.get(path).and_then(|v| Some((v.node, v.items.clone()?))) else { return };
        let prefix = [path, "/"].concat();
        self.views.retain(|p| !p.starts_with(&prefix));
        let draft = self.session.draft();
        let source = build::Source { values: &draft["data"], session: &self.session };
        let ctx = ctx!(self);
        build::entries(&ctx, &items, node, path, &source, &mut self.views);
        self.replace_states(states);
        for path in self.files.keys().filter(|p| p.starts_with(&prefix)) {
            self.show_files(path);
        }
    }

    /// Adds the files chosen in an attachment's file input.
    fn add_files(&mut self, path: &str, input: &Element) -> Option<Json> {
        let chosen = self.files.or_insert_with(path, Vec::new);
        chosen.extend(items(&prop(input, "files")).map(File::unchecked_from_js));
        // Cleared so that choosing the same file again is a change.
        set_prop(input, "value", &JsValue::from_str(""));
        self.sync_files(path)
    }

    /// Removes the `index`th chosen file of the attachment at `path`.
    fn remove_file(&mut self, path: &str, index: usize) -> Option<Json> {
        if let Some(files) = self.files.get_mut(path) {
            if index < files.len() {
                files.remove(index);
            }
        }
        let change = self.sync_files(path);
        if let Some(focus) = self.views.get(path).and_then(|v| v.focus.clone()) {
            crate::components::focus(&focus);
        }
        change
    }

    /// Tells the engine the metadata of the chosen files and lists them.
    fn sync_files(&mut self, path: &str) -> Option<Json> {
        let files = self.files.get(path).map(Vec::as_slice).unwrap_or_default();
        let meta: Vec<Json> = files
            .iter()
            .map(|f| {
                let (name, media_type, size) = (text_prop(f, "name"), text_prop(f, "type"), number_prop(f, "size"));
                object([("name", name.into()), ("type", media_type.into()), ("size", (size as u64).into())])
            })
            .collect();
        let value = if meta.is_empty() { Json::Null } else { Json::Array(meta) };
        self.revealed.insert(path.to_string());
        let change = self.set(path, value);
        self.show_files(path);
        change
    }

    fn show_files(&self, path: &str) {
        let Some(list) = self.views.get(path).and_then(|v| v.items.clone()) else { return };
        let files: Vec<(String, f64)> =
            self.files.get(path).into_iter().flatten().map(|f| (text_prop(f, "name"), number_prop(f, "size"))).collect();
        crate::components::attachment::show_files(&ctx!(self), &list, path, &files)
    }

    /// Switches the language and re-renders.
    fn set_language(&mut self, lang: &str) {
        if lang == self.lang || !self.form.languages().iter().any(|l| l == lang) {
            return;
        }
        self.lang = lang.to_string();
        self.session.set_language(lang);
        let errors_shown = self.shell.as_ref().is_some_and(|s| s.summary.is_shown());
        self.render_all();
        self.set_title_error(false);
        if errors_shown {
            // The summary's words changed language with everything else.
            self.revalidate_page();
        }
        if let Some(switch) = self.container.query_selector(".efa-language__link").ok().flatten() {
            crate::components::focus(&switch);
        }
    }

    /// Shows a notice with the widget's words.
    fn notice(&self, tone: notice::Tone, lines: &[Msg], action: Option<(&str, Msg)>) {
        let Some(shell) = &self.shell else { return };
        let ctx = ctx!(self);
        let lines: Vec<&str> = lines.iter().map(|m| ctx.msg(*m)).collect();
        notice::show(&ctx, &shell.notices, tone, &lines, action.map(|(name, text)| (name, ctx.msg(text))))
    }

    /// Index of the first step that applies.
    fn first_step(&self) -> usize {
        self.visible_steps().iter().position(|v| *v).unwrap_or(0)
    }
}

/// Values by data path (server messages, chosen files) in a list: the
/// widget keeps a few, and a hash map type per value type would cost more
/// code than a short scan.
pub(crate) struct ByPath<V>(Vec<(String, V)>);

impl<V> Default for ByPath<V> {
    fn default() -> Self {
        ByPath(Vec::new())
    }
}

impl<V> ByPath<V> {
    fn get(&self, path: &str) -> Option<&V> {
        self.0.iter().find(|(p, _)| p == path).map(|(_, value)| value)
    }

    fn get_mut(&mut self, path: &str) -> Option<&mut V> {
        self.0.iter_mut().find(|(p, _)| p == path).map(|(_, value)| value)
    }

    /// The value at `path`, made by `make` if there is none yet.
    fn or_insert_with(&mut self, path: &str, make: impl FnOnce() -> V) -> &mut V {
        let index = match self.0.iter().position(|(p, _)| p == path) {
            Some(index) => index,
            None => {
                self.0.push((path.to_string(), make()));
                self.0.len() - 1
            }
        };
        &mut self.0[index].1
    }

    fn remove(&mut self, path: &str) {
        self.0.retain(|(p, _)| p != path);
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(path, _)| path)
    }

    fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(path, value)| (path, value))
    }

    /// Moves every value to the path `shift` gives, dropping it for `None`.
    fn rekey(&mut self, shift: impl Fn(&str) -> Option<String>) {
        self.0 = std::mem::take(&mut self.0).into_iter().filter_map(|(p, value)| Some((shift(&p)?, value))).collect();
    }
}

/// The path `p` after the entry `removed` of the repeating group `group`
/// was removed: `None` inside the removed entry, one index lower after it.
fn reindex(p: &str, group: &str, removed: usize) -> Option<String> {
    let Some(rest) = p.strip_prefix(group).and_then(|r| r.strip_prefix('/')) else { return Some(p.to_string()) };
    let (index, tail) = rest.split_once('/').map_or((rest, ""), |(i, t)| (i, t));
    match index.parse::<usize>() {
        Ok(i) if i == removed => None,
        Ok(i) if i > removed => Some([group, "/", &(i - 1).to_string(), if tail.is_empty() { "" } else { "/" }, tail].concat()),
        _ => Some(p.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::reindex;

    #[test]
    fn paths_after_a_removed_entry_shift() {
        assert_eq!(reindex("/hund/2/name", "/hund", 1).as_deref(), Some("/hund/1/name"));
        assert_eq!(reindex("/hund/1/name", "/hund", 1), None);
        assert_eq!(reindex("/hund/0/name", "/hund", 1).as_deref(), Some("/hund/0/name"));
        assert_eq!(reindex("/halter", "/hund", 1).as_deref(), Some("/halter"));
    }
}
