//! Sending: impossible while the engine finds anything missing; otherwise
//! the canonical submission goes to the element's `action` URL — JSON, or
//! multipart (part `submission` plus one part per file, named by the
//! attachment field's JSON pointer) when files are attached.
//!
//! A 422 answer's issues are shown like the widget's own; a network failure
//! keeps everything and offers to try again with the same idempotency key.

use std::cell::RefCell;
use std::rc::Rc;

use efa_engine::Issue;
use serde_json::Value as Json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlElement, Request, Response};

use super::text::Msg;
use super::{ctx, Widget};
use crate::components::notice::Tone;
use crate::components::step_nav::Page;
use crate::components::{notice, Res};
use crate::convert::{json_text, object};

/// What came back.
enum Outcome {
    /// 2xx: stored.
    Accepted(u16, Json),
    /// 422: the server's issues.
    Rejected(Vec<Issue>),
    /// Another status, or no answer (`None`).
    Failed(Option<u16>),
}

/// Dispatches a `CustomEvent` on the host element (bubbles, crosses the
/// shadow boundary); returns false when a listener cancelled it.
pub(crate) fn host_event(host: &HtmlElement, name: &str, detail: &Json, cancelable: bool) -> bool {
    let detail = js_sys::JSON::parse(&json_text(detail)).unwrap_or(JsValue::NULL);
    let init = super::options(&[
        ("bubbles", &JsValue::TRUE),
        ("composed", &JsValue::TRUE),
        ("cancelable", &JsValue::from_bool(cancelable)),
        ("detail", &detail),
    ]);
    match web_sys::CustomEvent::new_with_event_init_dict(name, init.unchecked_ref()) {
        Ok(event) => host.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

/// Validates, announces `efa-submit` (cancelable: a host may send itself),
/// sends, and shows the receipt, the server's issues or a retry offer.
pub(crate) async fn run(widget: Rc<RefCell<Widget>>) {
    let prepared = match widget.try_borrow_mut() {
        Ok(mut widget) => widget.prepare(),
        Err(_) => return,
    };
    let Prepared { host, envelope, request } = match prepared {
        Ok(Some(prepared)) => prepared,
        Ok(None) => return,
        Err(error) => return web_sys::console::error_1(&error),
    };
    if !host_event(&host, "efa-submit", &envelope, true) {
        if let Ok(mut widget) = widget.try_borrow_mut() {
            widget.sending = false;
            let _ = widget.shell.as_ref().map(|s| notice::clear(&s.notices));
        }
        return;
    }
    // Without an action the notice says so; a host listener may send.
    let Some(request) = request else { return };
    let outcome = fetch(request).await;
    let detail = match widget.try_borrow_mut() {
        Ok(mut widget) => widget.finish(outcome),
        Err(_) => return,
    };
    let (name, detail) = detail;
    host_event(&host, name, &detail, false);
}

async fn fetch(request: Request) -> Outcome {
    let Some(window) = web_sys::window() else { return Outcome::Failed(None) };
    let Ok(response) = JsFuture::from(window.fetch_with_request(&request)).await else { return Outcome::Failed(None) };
    let response: Response = response.unchecked_into();
    let status = crate::components::number_prop(&response, "status") as u16;
    let body = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    let body = efa_engine::parse_json(&body).unwrap_or(Json::Null);
    match status {
        200..=299 => Outcome::Accepted(status, body),
        422 => Outcome::Rejected(issues(&body)),
        _ => Outcome::Failed(Some(status)),
    }
}

/// `{"issues": [...]}` or `{"errors": [...]}` (also nested in `report`).
fn issues(body: &Json) -> Vec<Issue> {
    let list = ["issues", "errors"].iter().find_map(|key| body.get(key).or_else(|| body.get("report")?.get(key))?.as_array());
    list.into_iter()
        .flatten()
        .filter_map(|item| {
            Some(Issue {
                code: item.get("code").and_then(Json::as_str).unwrap_or_default().to_string().into(),
                path: item.get("path").and_then(Json::as_str).unwrap_or_default().into(),
                message: item.get("message").and_then(Json::as_str)?.into(),
                rule: None,
            })
        })
        .collect()
}

/// The receipt id in a success answer, whatever the service calls it.
fn reference(body: &Json) -> Option<String> {
    ["receipt", "receiptId", "reference", "id"].iter().find_map(|key| match body.get(key)? {
        Json::String(text) => Some(text.clone()),
        Json::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

/// A complete submission, ready to announce and send.
struct Prepared {
    host: HtmlElement,
    envelope: Json,
    /// `None` without an `action`: only a host listener can send it.
    request: Option<Request>,
}

impl Widget {
    /// Checks everything; `None` when something is missing (the summary
    /// says what) or a send is under way.
    fn prepare(&mut self) -> Res<Option<Prepared>> {
        if self.sending {
            return Ok(None);
        }
        let report = self.session.report();
        if !report.valid {
            let all: Vec<String> = self.views.iter().map(|(path, _)| path.clone()).collect();
            self.reveal(all);
            self.show_errors(&report.errors, None);
            return Ok(None);
        }
        self.hide_errors();
        let envelope = self.session.submission().to_json();
        let Some(action) = self.action.clone() else {
            self.notice(Tone::Failure, &[Msg::NoAction], None);
            return Ok(Some(Prepared { host: self.host.clone(), envelope, request: None }));
        };
        self.sending = true;
        self.notice(Tone::Info, &[Msg::Sending], None);
        let request = self.request(&action, &envelope)?;
        Ok(Some(Prepared { host: self.host.clone(), envelope, request: Some(request) }))
    }

    fn request(&mut self, action: &str, envelope: &Json) -> Res<Request> {
        // A plain object of headers, as a request accepts it: no `Headers`
        // imports, and no error paths for names that are constants.
        let key = JsValue::from_str(self.idempotency_key.get_or_insert_with(new_key));
        let headers = super::options(&[("Accept", &JsValue::from_str("application/json")), ("Idempotency-Key", &key)]);
        let json = json_text(envelope);
        // Only files of attachment fields that are still relevant travel.
        let mut files =
            self.files.iter().filter(|(path, files)| !files.is_empty() && self.states.get(*path).is_some_and(|s| s.visible)).peekable();
        let body = if files.peek().is_none() {
            crate::components::set_prop(&headers, "Content-Type", &JsValue::from_str("application/json"));
            JsValue::from_str(&json)
        } else {
            let form = web_sys::FormData::new()?;
            let blob = super::json_blob(&json)?;
            form.append_with_blob_and_filename("submission", &blob, "submission.json")?;
            for (path, list) in files {
                for file in list {
                    form.append_with_blob_and_filename(path, file, &crate::components::text_prop(file, "name"))?;
                }
            }
            form.into()
        };
        let init = super::options(&[("method", &JsValue::from_str("POST")), ("headers", &headers), ("body", &body)]);
        Request::new_with_str_and_init(action, init.unchecked_ref())
    }

    /// Shows the outcome; returns the `efa-submitted` detail on success.
    /// Shows the outcome; returns the event the host page hears of it:
    /// `efa-submitted`, or `efa-send-failed` with the status (none when the
    /// network failed) and the server's issues.
    fn finish(&mut self, outcome: Outcome) -> (&'static str, Json) {
        self.sending = false;
        if let Some(shell) = &self.shell {
            notice::clear(&shell.notices);
        }
        match outcome {
            Outcome::Accepted(status, body) => {
                let reference = reference(&body);
                self.forget_saved_draft();
                self.idempotency_key = None;
                self.reference = reference.clone();
                self.show_page(Page::Receipt, super::nav::Focus::Heading);
                ("efa-submitted", object([("status", status.into()), ("receipt", reference.into()), ("response", body)]))
            }
            Outcome::Rejected(issues) if !issues.is_empty() => {
                for issue in &issues {
                    if let Some(path) = self.views.contains_key(&issue.path).then(|| issue.path.to_string()) {
                        self.server.or_insert_with(&path, || issue.message.to_string());
                    }
                }
                let intro = ctx!(self).msg(Msg::RejectedIntro);
                self.show_errors(&issues, Some(intro));
                let issues = issues
                    .iter()
                    .map(|i| object([("code", (*i.code).into()), ("path", (*i.path).into()), ("message", (*i.message).into())]));
                ("efa-send-failed", object([("status", 422.into()), ("issues", Json::Array(issues.collect()))]))
            }
            Outcome::Rejected(_) => self.failed(Some(422)),
            Outcome::Failed(status) => self.failed(status),
        }
    }

    fn failed(&mut self, status: Option<u16>) -> (&'static str, Json) {
        let event = ("efa-send-failed", object([("status", status.map_or(Json::Null, Json::from)), ("issues", Json::Array(Vec::new()))]));
        let Some(shell) = &self.shell else { return event };
        let ctx = ctx!(self);
        let text = match status {
            Some(status) => ctx.msg(Msg::SendFailedStatus).replace("{status}", &status.to_string()),
            None => ctx.msg(Msg::SendFailed).to_string(),
        };
        notice::show(&ctx, &shell.notices, Tone::Failure, &[&text], Some(("retry", ctx.msg(Msg::Retry))));
        if let Some(button) = shell.notices.query_selector("button").ok().flatten() {
            crate::components::focus(&button);
        }
        event
    }
}

/// A random idempotency key (a UUID where the browser offers one).
fn new_key() -> String {
    let crypto = web_sys::window().and_then(|w| crate::components::object_prop::<web_sys::Crypto>(&w, "crypto"));
    match crypto {
        Some(crypto) => crypto.random_uuid(),
        None => ["efa-", &js_sys::Math::random().to_bits().to_string()].concat(),
    }
}
