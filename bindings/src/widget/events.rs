//! Event handling: one delegated listener per event type on the widget's
//! container. Controls say what they are with `data-path` and `data-action`
//! attributes, so re-rendered parts need no new listeners.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use serde_json::Value as Json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, File};

use super::{draft, send, Widget};
use crate::components::step_nav::Page;
use crate::components::{date, items, object_prop, prop, set_prop, tag_name, Kind};

/// Work that must happen after the widget is released: host events may
/// call back into the element, and sending waits for the network.
pub(super) enum After {
    Nothing,
    /// Tell the host page about a change (`efa-change`).
    Changed(Json),
    /// Validate and send.
    Send,
    /// Read a draft file.
    Import(File),
    /// Reveal what was left during a press, after its click.
    FlushLater,
}

/// A registered listener: event name and closure (kept alive with it).
pub(super) type Listener = (&'static str, Closure<dyn FnMut(Event)>);

/// The events the widget listens to.
#[derive(Clone, Copy)]
enum On {
    Input,
    Change,
    Click,
    FocusOut,
    Submit,
    PointerDown,
    PointerUp,
}

/// Each listener knows its event, so dispatch needs neither the event's
/// `type` from JavaScript nor string comparisons.
const EVENTS: [(&str, On); 7] = [
    ("input", On::Input),
    ("change", On::Change),
    ("click", On::Click),
    ("focusout", On::FocusOut),
    ("submit", On::Submit),
    ("pointerdown", On::PointerDown),
    ("pointerup", On::PointerUp),
];

/// Registers the listeners on `container`; the closures hold the widget
/// weakly, so dropping the handle ends it. Adding a listener to an element
/// cannot fail, so no error path is carried.
pub(super) fn listen(widget: &Rc<RefCell<Widget>>, container: &Element) -> Vec<Listener> {
    let mut listeners = Vec::with_capacity(EVENTS.len());
    for (name, on) in EVENTS {
        let weak: Weak<RefCell<Widget>> = Rc::downgrade(widget);
        let listener = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            if let Some(widget) = weak.upgrade() {
                dispatch(&widget, on, &event);
            }
        });
        let _ = container.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        listeners.push((name, listener));
    }
    listeners
}

fn dispatch(widget: &Rc<RefCell<Widget>>, on: On, event: &Event) {
    // A handler that moves the focus fires focusout while the widget is
    // borrowed; that nested event is skipped rather than panicking.
    let after = match widget.try_borrow_mut() {
        Ok(mut widget) => widget.on_event(on, event),
        Err(_) => return,
    };
    match after {
        After::Nothing => {}
        After::Changed(detail) => {
            let host = widget.borrow().host.clone();
            super::send::host_event(&host, "efa-change", &detail, false);
        }
        waiting => wasm_bindgen_futures::spawn_local(later(widget.clone(), waiting)),
    }
}

/// Work that waits for the network, a file or the next task. One future
/// type for all of it, so the task machinery is instantiated once.
async fn later(widget: Rc<RefCell<Widget>>, after: After) {
    match after {
        After::Send => send::run(widget).await,
        After::Import(file) => draft::import(widget, file).await,
        After::FlushLater => flush_later(widget).await,
        After::Nothing | After::Changed(_) => {}
    }
}

/// Waits one task (the click follows the pointerup in the same task), then
/// reveals what is still pending: a press that ended without a click.
async fn flush_later(widget: Rc<RefCell<Widget>>) {
    let timeout = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(timeout).await;
    if let Ok(mut widget) = widget.try_borrow_mut() {
        widget.flush_pending();
    }
}

impl Widget {
    fn on_event(&mut self, on: On, event: &Event) -> After {
        let Ok(target) = prop(event, "target").dyn_into::<Element>() else { return After::Nothing };
        match on {
            On::Input => self.on_input(&target),
            On::Change => self.on_change(&target),
            On::Click => self.on_click(&target, event),
            On::FocusOut => {
                // A focusout's `relatedTarget` is the node taking the focus, or null.
                let next: Option<web_sys::Node> = object_prop(event, "relatedTarget");
                self.on_leave(&target, next.as_ref());
                After::Nothing
            }
            On::Submit => {
                event.prevent_default();
                self.on_submit()
            }
            On::PointerDown => {
                self.pressing = true;
                After::Nothing
            }
            On::PointerUp => {
                self.pressing = false;
                if self.pending.is_empty() {
                    After::Nothing
                } else {
                    After::FlushLater
                }
            }
        }
    }

    /// Typing: the value goes to the engine at once (computed fields and
    /// relevance follow), messages wait until the citizen leaves the field.
    fn on_input(&mut self, target: &Element) -> After {
        let Some(path) = target.get_attribute("data-path") else { return After::Nothing };
        let Some(kind) = self.views.get(&path).map(|v| v.kind) else { return After::Nothing };
        if !matches!(kind, Kind::Text | Kind::Date) {
            return After::Nothing;
        }
        self.dirty.insert(path.clone());
        let value = self.read(&path);
        self.set(&path, value).map_or(After::Nothing, After::Changed)
    }

    /// A finished choice (radio, checkbox, select, file) or a text field left
    /// after a change: store it and show its messages.
    fn on_change(&mut self, target: &Element) -> After {
        if target.get_attribute("data-action").as_deref() == Some("import-file") {
            let file = items(&prop(target, "files")).next().map(JsCast::unchecked_into);
            set_prop(target, "value", &JsValue::from_str(""));
            return file.map_or(After::Nothing, After::Import);
        }
        let Some(path) = target.get_attribute("data-path") else { return After::Nothing };
        let Some(kind) = self.views.get(&path).map(|v| v.kind) else { return After::Nothing };
        if self.states.get(&path).is_some_and(|s| s.readonly) {
            // A select (or a choice changed some other way) goes back to
            // the value the form gives it.
            self.restore(&path);
            return After::Nothing;
        }
        let change = match kind {
            Kind::Files => self.add_files(&path, target),
            Kind::Radios | Kind::Checkboxes | Kind::Boolean | Kind::Text => {
                let value = self.read(&path);
                self.set(&path, value)
            }
            Kind::Date | Kind::Display => None,
        };
        if kind != Kind::Date {
            self.reveal_left(path);
        }
        change.map_or(After::Nothing, After::Changed)
    }

    /// Leaving a date input for something outside it shows its messages
    /// (leaving the day for the month does not).
    fn on_leave(&mut self, target: &Element, next: Option<&web_sys::Node>) {
        let Some(path) = target.get_attribute("data-path") else { return };
        let Some(view) = self.views.get(&path) else { return };
        if view.kind != Kind::Date || !self.dirty.contains(&path) || next.is_some_and(|n| view.group.contains(Some(n))) {
            return;
        }
        self.reveal_left(path)
    }

    fn on_click(&mut self, target: &Element, event: &Event) -> After {
        // Radios and checkboxes have no `readonly`: a prevented click leaves
        // them as they were (no `change` follows), and they stay focusable
        // (no disabled controls).
        if target.get_attribute("data-path").is_some_and(|path| self.is_readonly_choice(&path)) {
            event.prevent_default();
            return After::Nothing;
        }
        let after = self.on_action(target, event);
        // The press is over: messages of the field it left may show now.
        self.flush_pending();
        after
    }

    fn on_action(&mut self, target: &Element, event: &Event) -> After {
        let Some(control) = target.closest("[data-action]").ok().flatten() else { return After::Nothing };
        let action = control.get_attribute("data-action").unwrap_or_default();
        let path = control.get_attribute("data-path").unwrap_or_default();
        match action.as_str() {
            "goto" | "change" => {
                event.prevent_default();
                self.go_to_field(&path);
            }
            "goto-step" => {
                let step = control.get_attribute("data-step").and_then(|s| s.parse().ok()).unwrap_or(0);
                self.jump(Page::Step(step));
            }
            "review" => self.jump(Page::Review),
            "back" => self.back(),
            "add" => self.add_instance(&path),
            "remove" => self.remove_instance(&path),
            "remove-file" => {
                let index = control.get_attribute("data-index").and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
                return self.remove_file(&path, index).map_or(After::Nothing, After::Changed);
            }
            "lang" => self.set_language(&control.get_attribute("data-lang").unwrap_or_default()),
            "save-draft" => self.save_draft(),
            "export-draft" => self.export_draft(),
            "import-draft" => {
                if let Some(input) = self.container.query_selector("[data-action=import-file]").ok().flatten() {
                    input.unchecked_ref::<web_sys::HtmlElement>().click();
                }
            }
            "discard-draft" => self.discard_draft(),
            "retry" => return After::Send,
            _ => {}
        }
        After::Nothing
    }

    fn on_submit(&mut self) -> After {
        match self.page {
            Page::Step(_) => {
                self.next();
                After::Nothing
            }
            Page::Review => After::Send,
            Page::Receipt => After::Nothing,
        }
    }

    /// Whether `path` is a radio group or checkbox that is read-only now.
    fn is_readonly_choice(&self, path: &str) -> bool {
        let choice = self.views.get(path).is_some_and(|v| matches!(v.kind, Kind::Radios | Kind::Checkboxes | Kind::Boolean));
        choice && self.states.get(path).is_some_and(|s| s.readonly)
    }

    /// Puts the state's value back into a choice's controls.
    fn restore(&self, path: &str) {
        let (Some(view), Some(state)) = (self.views.get(path), self.states.get(path)) else { return };
        let chosen = |code: &str| match &state.value {
            Json::String(value) => value == code,
            Json::Array(codes) => codes.iter().any(|c| c.as_str() == Some(code)),
            Json::Bool(value) => *value,
            _ => false,
        };
        for control in &view.controls {
            let value = control.get_attribute("value").unwrap_or_default();
            match (view.kind, tag_name(control).as_str()) {
                (Kind::Radios | Kind::Checkboxes | Kind::Boolean, _) => {
                    set_prop(control, "checked", &JsValue::from_bool(chosen(&value)));
                }
                (_, "SELECT") => {
                    let current = state.value.as_str().unwrap_or_default();
                    set_prop(control, "value", &JsValue::from_str(current));
                }
                _ => {}
            }
        }
    }

    /// Reads the value of the field at `path` from its controls.
    fn read(&self, path: &str) -> Json {
        let Some(view) = self.views.get(path) else { return Json::Null };
        let checked = |element: &Element| prop(element, "checked").as_bool() == Some(true);
        let text = |element: &Element| prop(element, "value").as_string().unwrap_or_default();
        let mut chosen = view.controls.iter().filter(|c| checked(c)).map(|c| Json::String(text(c)));
        match view.kind {
            Kind::Text => view.controls.first().map_or(Json::Null, |control| Json::String(text(control))),
            Kind::Radios => chosen.next_back().unwrap_or(Json::Null),
            Kind::Checkboxes => Json::Array(chosen.collect()),
            Kind::Boolean => Json::Bool(view.controls.first().is_some_and(checked)),
            Kind::Date => match view.controls.as_slice() {
                [day, month, year] => date::compose(&text(day), &text(month), &text(year)),
                _ => Json::Null,
            },
            Kind::Files | Kind::Display => Json::Null,
        }
    }
}
