//! The renderer's components, one module per GOV.UK-style pattern.
//!
//! A component builds the markup of one node and returns a [`FieldView`]:
//! the handful of elements that later state changes touch. Builders never
//! look at the evaluated state; [`FieldView::apply`] does, so a diff patches
//! exactly the fields it names.
//!
//! Every text from a definition, a tenant or a value is set with
//! `textContent` or as an attribute value: markup in a label stays text.

pub(crate) mod attachment;
pub(crate) mod checkbox;
pub(crate) mod choice;
pub(crate) mod date;
pub(crate) mod error_summary;
pub(crate) mod frame;
pub(crate) mod group;
pub(crate) mod notice;
pub(crate) mod receipt;
pub(crate) mod repeat;
pub(crate) mod review;
pub(crate) mod static_text;
pub(crate) mod step_nav;
pub(crate) mod text_input;

use std::cell::RefCell;

use efa_engine::model::Text;
use efa_engine::{CompiledForm, FieldState, Node};
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{Document, Element, Node as DomNode};

use crate::widget::text::{t, Msg};

/// Result of DOM work: web-sys reports failures as JS values.
pub(crate) type Res<T> = Result<T, JsValue>;

/// What every component needs to build markup.
pub(crate) struct Ctx<'a> {
    /// The document that creates elements.
    pub doc: &'a Document,
    /// The form being rendered.
    pub form: &'a CompiledForm,
    /// The language of the page.
    pub lang: &'a str,
    /// Heading level of the form title; steps use the next level.
    pub heading: u8,
}

impl<'a> Ctx<'a> {
    /// A text in the page language (the form's default language as fallback).
    pub fn text<'t>(&self, text: &'t Text) -> &'t str {
        text.get(self.lang, self.form.default_language())
    }

    /// An optional text, `None` when absent or blank.
    pub fn text_opt<'t>(&self, text: Option<&'t Text>) -> Option<&'t str> {
        text.map(|t| self.text(t)).filter(|t| !t.trim().is_empty())
    }

    /// The label of a node, or its id when the author gave none.
    pub fn label(&self, node: &'a Node) -> &'a str {
        node.label.as_ref().map_or(node.id.as_str(), |l| l.get(self.lang, self.form.default_language()))
    }

    /// A built-in UI text.
    pub fn msg(&self, msg: Msg) -> &'static str {
        t(self.lang, msg)
    }

    /// Creates `<tag class=…>` and appends it to `parent`.
    pub fn el(&self, parent: &Element, tag: &str, class: &str) -> Element {
        element(self.doc, parent, tag, class)
    }

    /// Like [`Ctx::el`], with text content.
    #[inline(never)]
    pub fn text_el(&self, parent: &Element, tag: &str, class: &str, text: &str) -> Element {
        let element = self.el(parent, tag, class);
        element.set_text_content(Some(text));
        element
    }

    /// A heading `levels` below the form title (h2…h6).
    pub fn heading(&self, parent: &Element, levels: u8, class: &str, text: &str) -> Element {
        const TAGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];
        let level = (self.heading + levels).clamp(1, 6);
        self.text_el(parent, TAGS[usize::from(level) - 1], class, text)
    }

    /// A button (never disabled: unavailable actions are not rendered).
    #[inline(never)]
    pub fn button(&self, parent: &Element, class: &str, action: &str, text: &str) -> Element {
        let button = self.text_el(parent, "button", class, text);
        button.attr("type", "button");
        button.attr("data-action", action);
        button
    }
}

/// Creates `<tag class=…>` (no class when empty) and appends it to `parent`.
#[inline(never)]
pub(crate) fn element(doc: &Document, parent: &DomNode, tag: &str, class: &str) -> Element {
    // Fails only for an invalid tag name; the widget's are constants.
    let element = doc.create_element(tag).unwrap_throw();
    if !class.is_empty() {
        element.attr("class", class);
    }
    // Fails only for a node that cannot take children; parents are
    // elements and the shadow root.
    let _ = parent.append_child(&element);
    element
}

/// Attribute changes that cannot fail: the DOM rejects only invalid
/// attribute names, and the widget's names are constants. Dropping the
/// impossible error here keeps error handling out of every call site
/// (hundreds of them), which is most of the renderer's WebAssembly size.
pub(crate) trait Attr {
    /// Sets an attribute.
    fn attr(&self, name: &str, value: &str);
    /// Removes an attribute.
    fn unattr(&self, name: &str);
}

impl Attr for Element {
    #[inline(never)]
    fn attr(&self, name: &str, value: &str) {
        let _ = self.set_attribute(name, value);
    }

    #[inline(never)]
    fn unattr(&self, name: &str) {
        let _ = self.remove_attribute(name);
    }
}

/// A property of a DOM object by key (a name, or an index of a list):
/// read through `Reflect`, so one import serves every property the widget
/// reads, instead of a generated getter (an import and its JavaScript
/// glue) per property and type.
#[inline(never)]
fn prop_at(object: &JsValue, key: &JsValue) -> JsValue {
    js_sys::Reflect::get(object, key).unwrap_or(JsValue::UNDEFINED)
}

/// A property by name (`value`, `checked`, `children`, an event's `target`).
#[inline(never)]
pub(crate) fn prop(object: &JsValue, name: &str) -> JsValue {
    prop_at(object, &JsValue::from_str(name))
}

/// A property by name, as text (empty when it is not a string).
pub(crate) fn text_prop(object: &JsValue, name: &str) -> String {
    prop(object, name).as_string().unwrap_or_default()
}

/// A property by name, as a number (0 when it is not a number).
pub(crate) fn number_prop(object: &JsValue, name: &str) -> f64 {
    prop(object, name).as_f64().unwrap_or(0.0)
}

/// Sets a property; the widget sets plain data properties (`value`,
/// `checked`, a document's `title`), which cannot throw.
#[inline(never)]
pub(crate) fn set_prop(object: &JsValue, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(name), value);
}

/// The items of an array-like DOM list (an element's `children`, a file
/// input's `files`), read by index through the same import.
pub(crate) fn items(list: &JsValue) -> impl DoubleEndedIterator<Item = JsValue> + '_ {
    (0..number_prop(list, "length") as u32).map(move |index| prop_at(list, &JsValue::from(index)))
}

/// A property holding an object (`ownerDocument`, `localStorage`), or
/// `None` when it is null or missing.
pub(crate) fn object_prop<T: JsCast>(object: &JsValue, name: &str) -> Option<T> {
    Some(prop(object, name)).filter(|value| !value.is_null() && !value.is_undefined()).map(JsCast::unchecked_into)
}

/// An element's tag name (`SELECT`, `FIELDSET`).
pub(crate) fn tag_name(element: &Element) -> String {
    text_prop(element, "tagName")
}

/// How a field's value is read back from its controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `<input>`, `<textarea>` or `<select>`: the element's value.
    Text,
    /// Radios: the checked one's code.
    Radios,
    /// Checkboxes of a multiple choice: the checked codes.
    Checkboxes,
    /// One checkbox: true or false.
    Boolean,
    /// Day, month and year inputs: an ISO date.
    Date,
    /// File input: handled by the attachment list.
    Files,
    /// Nothing to read: groups, static text, computed values.
    Display,
}

/// The elements of a rendered field that state changes touch.
pub(crate) struct FieldView {
    /// The node rendered (set by the builder that knows its id).
    pub node: efa_engine::NodeId,
    /// How to read the value.
    pub kind: Kind,
    /// The step the field is on.
    pub step: usize,
    /// The form group: hidden when not relevant, marked when in error.
    pub group: Element,
    /// The “(optional)” marker, hidden while the field is required.
    pub optional: Option<Element>,
    /// Error message paragraph and its text.
    pub error: Option<(Element, Element)>,
    /// Warning paragraph and its text.
    pub warning: Option<(Element, Element)>,
    /// Controls: what is read, what carries `aria-invalid` and `readonly`.
    pub controls: Vec<Element>,
    /// Elements whose `aria-describedby` names hint, error and warning:
    /// the input itself, or the fieldset of a radio or date group.
    pub described: Vec<Element>,
    /// Ids that always describe the controls (the hint).
    pub described_by: String,
    /// Id of the element error links and change links focus (for `href`).
    pub focus_id: String,
    /// The element error links and change links focus; the group when unset.
    pub focus: Option<Element>,
    /// Where a computed value is shown.
    pub output: Option<Element>,
    /// Instance container of a repeating group.
    pub items: Option<Element>,
    /// Members of a (non-repeating) group.
    pub body: Option<Element>,
    /// What [`FieldView::apply`] last wrote.
    applied: RefCell<Option<Applied>>,
}

/// What a view shows of a state. A patch writes only what differs from the
/// last one: every DOM call crosses from WebAssembly to JavaScript, and a
/// change of a field many others depend on patches dozens of views, most
/// of them only to show or hide them.
#[derive(Clone, Default, PartialEq)]
struct Applied {
    visible: bool,
    required: bool,
    readonly: bool,
    output: Option<String>,
    error: Option<String>,
    warning: Option<String>,
    options: Option<Vec<String>>,
}

impl FieldView {
    /// A view with only a group element; builders fill in the rest.
    pub fn new(kind: Kind, step: usize, group: Element, focus_id: String) -> Self {
        FieldView {
            node: 0,
            kind,
            step,
            group,
            optional: None,
            error: None,
            warning: None,
            controls: Vec::new(),
            described: Vec::new(),
            described_by: String::new(),
            focus_id,
            focus: None,
            output: None,
            items: None,
            body: None,
            applied: RefCell::new(None),
        }
    }

    /// Records a control: read, marked invalid or read-only, and the first
    /// one focused by links; `described` when it carries `aria-describedby`.
    #[inline(never)]
    pub fn add_control(&mut self, control: Element, described: bool) {
        if self.focus.is_none() {
            self.focus = Some(control.clone());
        }
        if described {
            self.described.push(control.clone());
        }
        self.controls.push(control);
    }

    /// Patches the view to `state`. Messages appear only when `show` (the
    /// citizen tried to continue, or left the field); `server` is a message
    /// the server sent for this field, shown until the value changes.
    pub fn apply(&self, ctx: &Ctx, state: &FieldState, show: bool, server: Option<&str>) {
        let error = server.or_else(|| show.then(|| state.errors.first().map(|i| &*i.message)).flatten());
        let warning = show.then(|| state.warnings.first().map(|i| &*i.message)).flatten();
        let next = Applied {
            visible: state.visible,
            required: state.required,
            readonly: state.readonly,
            output: self.output.as_ref().map(|_| crate::widget::display::value(ctx, ctx.form.node(self.node), &state.value)),
            error: error.map(str::to_owned),
            warning: warning.map(str::to_owned),
            options: state.options.clone(),
        };
        let last = self.applied.replace(None);
        let differs = |same: &dyn Fn(&Applied) -> bool| last.as_ref().is_none_or(|last| !same(last));
        if differs(&|last| last.visible == next.visible) {
            set_hidden(&self.group, !next.visible);
        }
        if let Some(optional) = self.optional.as_ref().filter(|_| differs(&|last| last.required == next.required)) {
            set_hidden(optional, next.required);
        }
        if let Some(output) = self.output.as_ref().filter(|_| differs(&|last| last.output == next.output)) {
            output.set_text_content(next.output.as_deref());
        }
        if differs(&|last| last.error == next.error && last.warning == next.warning) {
            self.show_messages(next.error.as_deref(), next.warning.as_deref());
        }
        if differs(&|last| last.readonly == next.readonly) {
            self.show_readonly(next.readonly);
        }
        if let Some(offered) = next.options.as_ref().filter(|_| differs(&|last| last.options == next.options)) {
            self.offer(offered);
        }
        self.applied.replace(Some(next));
    }

    /// The error and warning under the field, `aria-invalid`, and the
    /// `aria-describedby` that names hint and messages.
    fn show_messages(&self, error: Option<&str>, warning: Option<&str>) {
        let mut described = self.described_by.clone();
        if let Some((paragraph, text)) = &self.error {
            show_message(paragraph, text, error, &mut described);
        }
        if let Some((paragraph, text)) = &self.warning {
            show_message(paragraph, text, warning, &mut described);
        }
        mark_error(&self.group, error.is_some());
        for control in &self.controls {
            set_optional_attribute(control, "aria-invalid", error.is_some().then_some("true"));
        }
        for element in &self.described {
            set_optional_attribute(element, "aria-describedby", (!described.is_empty()).then_some(described.as_str()));
        }
    }

    fn show_readonly(&self, readonly: bool) {
        // Only text inputs have a `readonly` attribute. Checkboxes and
        // selects take ARIA's `aria-readonly`, and radios take it on their
        // group (role radiogroup; ARIA has no read-only radio). The widget
        // reverts any change to them (events.rs).
        let aria = readonly.then_some("true");
        let marked = match self.kind {
            Kind::Radios => &self.described,
            _ => &self.controls,
        };
        for element in marked {
            match self.kind {
                Kind::Text | Kind::Date if tag_name(element) != "SELECT" => set_flag(element, "readonly", readonly),
                Kind::Text | Kind::Checkboxes | Kind::Boolean | Kind::Radios => set_optional_attribute(element, "aria-readonly", aria),
                _ => {}
            }
        }
    }
}

/// Adds or removes the error class of a form group. Through the `class`
/// attribute, which the widget writes anyway, rather than `classList`
/// (two imports for this one call); the class is always the last one.
fn mark_error(group: &Element, on: bool) {
    const ERROR: &str = " efa-form-group--error";
    let class = group.get_attribute("class").unwrap_or_default();
    let base = class.strip_suffix(ERROR).unwrap_or(&class);
    group.attr("class", &if on { [base, ERROR].concat() } else { base.to_string() });
}

/// Sets the attribute `name` to `value`, or removes it for `None`.
#[inline(never)]
pub(crate) fn set_optional_attribute(element: &Element, name: &str, value: Option<&str>) {
    match value {
        Some(value) => element.attr(name, value),
        None => element.unattr(name),
    }
}

/// Sets or removes a boolean attribute (`hidden`, `readonly`).
fn set_flag(element: &Element, name: &str, on: bool) {
    set_optional_attribute(element, name, on.then_some(""));
}

impl FieldView {
    /// Shows only the options a choice filter offers now (hidden, not
    /// disabled: no disabled controls).
    fn offer(&self, offered: &[String]) {
        let is_offered = |element: &Element| element.get_attribute("value").is_none_or(|code| code.is_empty() || offered.contains(&code));
        for control in &self.controls {
            if matches!(self.kind, Kind::Radios | Kind::Checkboxes) {
                // Controls are always in an item element.
                let item: Element = prop(control, "parentElement").unchecked_into();
                set_hidden(&item, !is_offered(control));
            } else if tag_name(control) == "SELECT" {
                for option in items(&prop(control, "children")) {
                    let option: Element = option.unchecked_into();
                    set_hidden(&option, !is_offered(&option));
                }
            }
        }
    }
}

/// Moves the focus into `element`: the element itself when it takes focus,
/// else its first control, else the element made focusable for the moment.
#[inline(never)]
pub(crate) fn focus(element: &Element) {
    const CONTROLS: &str = "input:not([type=hidden]):not([hidden]), select, textarea, button, a[href]";
    let target = if element.matches(CONTROLS).unwrap_or(false) || element.get_attribute("tabindex").is_some() {
        element.clone()
    } else if let Some(control) = element.query_selector(CONTROLS).ok().flatten() {
        control
    } else {
        element.attr("tabindex", "-1");
        element.clone()
    };
    // Every element of the widget is an HTML element (created by tag name).
    let _ = target.unchecked_ref::<web_sys::HtmlElement>().focus();
}

/// Shows or hides an element with the `hidden` attribute (no inline styles:
/// they would break under a strict Content-Security-Policy).
pub(crate) fn set_hidden(element: &Element, hidden: bool) {
    set_flag(element, "hidden", hidden);
}

/// Shows `message` (or hides the paragraph) and names the paragraph in
/// `described` while it shows.
fn show_message(paragraph: &Element, text: &Element, message: Option<&str>, described: &mut String) {
    text.set_text_content(message);
    set_hidden(paragraph, message.is_none());
    if message.is_some() {
        push_id(described, &paragraph.get_attribute("id").unwrap_or_default());
    }
}

fn push_id(list: &mut String, id: &str) {
    if !list.is_empty() {
        list.push(' ');
    }
    list.push_str(id);
}

/// The element id of a data path, unique in the widget's shadow root:
/// `/hund/0/name` → `efa-hund-0-name`. Characters other than ASCII letters,
/// digits and `_` are escaped, so distinct paths never share an id.
pub(crate) fn field_id(path: &str) -> String {
    let mut id = String::from("efa");
    for c in path.chars() {
        match c {
            '/' => id.push('-'),
            c if c.is_ascii_alphanumeric() || c == '_' => id.push(c),
            c => id.push_str(&format!(".{:x}.", c as u32)),
        }
    }
    id
}

/// How every field starts: its element id, its form group in `parent`
/// (with the `extra` class) and its view, whose links focus the element
/// with the id plus `focus_suffix`. One function rather than the same
/// lines in every component.
#[inline(never)]
pub(crate) fn field(
    ctx: &Ctx,
    parent: &Element,
    node: &Node,
    path: &str,
    extra: &str,
    kind: Kind,
    focus_suffix: &str,
) -> (String, Element, FieldView) {
    let id = field_id(path);
    let group = form_group(ctx, parent, path, extra);
    let view = FieldView::new(kind, node.step, group.clone(), [&id, focus_suffix].concat());
    (id, group, view)
}

/// An `<input type=…>` with `id`, named by its data path (the delegated
/// listeners find the field by `data-path`).
#[inline(never)]
pub(crate) fn input(ctx: &Ctx, parent: &Element, class: &str, id: &str, input_type: &str, path: &str) -> Element {
    let input = ctx.el(parent, "input", class);
    input.attr("id", id);
    input.attr("type", input_type);
    input.attr("name", path);
    input.attr("data-path", path);
    input
}

/// The `<div class="efa-form-group">` every field lives in.
pub(crate) fn form_group(ctx: &Ctx, parent: &Element, path: &str, extra: &str) -> Element {
    let class = if extra.is_empty() { "efa-form-group".to_string() } else { ["efa-form-group ", extra].concat() };
    let group = ctx.el(parent, "div", &class);
    group.attr("data-field", path);
    group
}

/// A `<label for=…>` with the “(optional)” marker; returns the marker.
pub(crate) fn label(ctx: &Ctx, parent: &Element, class: &str, for_id: &str, text: &str) -> Element {
    let label = ctx.text_el(parent, "label", class, text);
    label.attr("for", for_id);
    optional_marker(ctx, &label)
}

/// The “ (optional)” marker inside a label or legend.
pub(crate) fn optional_marker(ctx: &Ctx, parent: &Element) -> Element {
    let marker = ctx.text_el(parent, "span", "efa-optional", &[" ", ctx.msg(Msg::Optional)].concat());
    marker.attr("hidden", "");
    marker
}

/// The hint under a label; returns its id (empty when there is no hint).
pub(crate) fn hint(ctx: &Ctx, parent: &Element, id: &str, text: Option<&str>) -> String {
    let Some(text) = text else { return String::new() };
    let hint = ctx.text_el(parent, "div", "efa-hint", text);
    let hint_id = [id, "-hint"].concat();
    hint.attr("id", &hint_id);
    hint_id
}

/// The error message (hidden until there is one): GOV.UK puts a visually
/// hidden “Fehler:” before the words, so screen readers announce what it is.
pub(crate) fn error_message(ctx: &Ctx, parent: &Element, id: &str) -> (Element, Element) {
    message(ctx, parent, &[id, "-error"].concat(), "efa-error-message", Msg::ErrorPrefix)
}

/// A non-blocking notice (a rule with severity warning).
pub(crate) fn warning_message(ctx: &Ctx, parent: &Element, id: &str) -> (Element, Element) {
    message(ctx, parent, &[id, "-warning"].concat(), "efa-warning-message", Msg::WarningPrefix)
}

fn message(ctx: &Ctx, parent: &Element, id: &str, class: &str, prefix: Msg) -> (Element, Element) {
    let paragraph = ctx.el(parent, "p", class);
    paragraph.attr("id", id);
    paragraph.attr("hidden", "");
    ctx.text_el(&paragraph, "span", "efa-visually-hidden", &[ctx.msg(prefix), " "].concat());
    let text = ctx.el(&paragraph, "span", "");
    (paragraph, text)
}

/// Error and warning of a field, in GOV.UK order after label and hint.
pub(crate) fn messages(ctx: &Ctx, parent: &Element, id: &str, view: &mut FieldView) {
    view.error = Some(error_message(ctx, parent, id));
    view.warning = Some(warning_message(ctx, parent, id));
}

/// Label, hint, error and warning of a single-control field, in GOV.UK
/// order; fills the view's messages.
pub(crate) fn labelled(ctx: &Ctx, group: &Element, node: &Node, id: &str, view: &mut FieldView, hint_text: Option<&str>) {
    view.optional = Some(label(ctx, group, "efa-label", id, ctx.label(node)));
    view.described_by = hint(ctx, group, id, hint_text);
    messages(ctx, group, id, view);
}

/// A `<fieldset>` with `<legend>`, hint, error and warning (for radios,
/// checkboxes and groups); returns the fieldset. Groups themselves are
/// never optional (their members are), so they get no marker.
pub(crate) fn fieldset(ctx: &Ctx, group: &Element, node: &Node, id: &str, view: &mut FieldView, legend_class: &str) -> Element {
    let fieldset = ctx.el(group, "fieldset", "efa-fieldset");
    let legend = ctx.text_el(&fieldset, "legend", legend_class, ctx.label(node));
    if node.field_type() != Some(efa_engine::model::FieldType::Group) {
        view.optional = Some(optional_marker(ctx, &legend));
    }
    view.described_by = hint(ctx, &fieldset, id, ctx.text_opt(node.hint.as_ref()));
    messages(ctx, &fieldset, id, view);
    fieldset
}

#[cfg(test)]
mod tests {
    use super::field_id;

    #[test]
    fn ids_are_unique_and_safe() {
        assert_eq!(field_id("/hund/0/name"), "efa-hund-0-name");
        assert_ne!(field_id("/a-b"), field_id("/a/b"));
        assert_eq!(field_id("/a b"), "efa-a.20.b");
    }
}
