//! Drafts: saved in this browser on request (never silently: a shared
//! computer must not keep a citizen's answers), restored after a reload,
//! exported to and imported from a JSON file.
//!
//! A draft is the engine's `draft()`: form id, version and every entered
//! value. Loading one of an older version keeps what still fits (the engine
//! is lenient); files are not part of a draft and must be chosen again.

use std::cell::RefCell;
use std::rc::Rc;

use efa_engine::model::FieldType;
use serde_json::Value as Json;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, Storage};

use super::text::Msg;
use super::Widget;
use crate::components::notice::Tone;
use crate::components::Attr;

impl Widget {
    fn storage_key(&self) -> String {
        ["efa-draft:", self.form.id()].concat()
    }

    fn storage(&self) -> Option<Storage> {
        // Access throws when storage is disabled (private modes, policies).
        let window = web_sys::window()?;
        crate::components::object_prop(&window, "localStorage")
    }

    /// Loads a draft saved in this browser, before the first render; returns
    /// what the notice should say.
    pub(super) fn restore_saved_draft(&mut self) -> Option<Vec<Msg>> {
        let text = self.storage()?.get_item(&self.storage_key()).ok().flatten()?;
        let draft = efa_engine::parse_json(&text).ok()?;
        let mut lines = vec![Msg::DraftRestored];
        lines.extend(self.load_draft(&draft)?);
        Some(lines)
    }

    /// Replaces all values with `draft` when it belongs to this form;
    /// returns extra notice lines (other version, files to choose again).
    fn load_draft(&mut self, draft: &Json) -> Option<Vec<Msg>> {
        let form = draft.get("form")?;
        if form.get("id").and_then(Json::as_str) != Some(self.form.id()) {
            return None;
        }
        let draft = crate::convert::nfc(draft.clone());
        self.session.load_draft(&draft);
        let mut lines = Vec::new();
        if form.get("version").and_then(Json::as_str) != Some(self.form.version()) {
            lines.push(Msg::DraftOtherVersion);
        }
        if self.clear_attachments() {
            lines.push(Msg::AttachmentsAgain);
        }
        self.files.clear();
        self.revealed.clear();
        self.dirty.clear();
        self.server.clear();
        self.idempotency_key = None;
        Some(lines)
    }

    /// Drops file metadata a draft brought without the files themselves.
    fn clear_attachments(&mut self) -> bool {
        let paths: Vec<String> = self
            .session
            .states()
            .into_iter()
            .filter(|s| !s.value.is_null())
            .filter(|s| self.form.node_at(&s.path).is_some_and(|n| self.form.node(n).field_type() == Some(FieldType::Attachment)))
            .map(|s| s.path.to_string())
            .collect();
        for path in &paths {
            let _ = self.session.set(path, Json::Null);
        }
        !paths.is_empty()
    }

    /// “Entwurf speichern”.
    pub(super) fn save_draft(&mut self) {
        let text = crate::convert::json_text(&self.session.draft());
        let saved = self.storage().is_some_and(|s| s.set_item(&self.storage_key(), &text).is_ok());
        if saved {
            self.notice(Tone::Success, &[Msg::DraftSaved], Some(("discard-draft", Msg::DiscardDraft)))
        } else {
            self.notice(Tone::Failure, &[Msg::StorageUnavailable], None)
        }
    }

    /// “Gespeicherten Entwurf löschen”: forgets the saved draft (the values
    /// on screen stay; the citizen may still send or save again).
    pub(super) fn discard_draft(&mut self) {
        self.forget_saved_draft();
        self.notice(Tone::Info, &[Msg::DraftDiscarded], None)
    }

    /// Removes the saved draft (after sending, or on request).
    pub(super) fn forget_saved_draft(&self) {
        if let Some(storage) = self.storage() {
            let _ = storage.remove_item(&self.storage_key());
        }
    }

    /// “Als Datei herunterladen”: a JSON file via a temporary object URL.
    pub(super) fn export_draft(&self) {
        let text = crate::convert::json_text(&self.session.draft());
        let Ok(blob) = super::json_blob(&text) else { return };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
        let Ok(link) = self.doc.create_element("a") else { return };
        link.attr("href", &url);
        link.attr("download", &[self.form.id(), "-entwurf.json"].concat());
        link.unchecked_ref::<web_sys::HtmlElement>().click();
        let _ = web_sys::Url::revoke_object_url(&url);
    }

    fn import_text(&mut self, text: Option<String>) {
        let Some(text) = text else { return self.notice(Tone::Failure, &[Msg::DraftUnreadable], None) };
        let loaded = efa_engine::parse_json(&text).ok().and_then(|draft| self.load_draft(&draft));
        let Some(extra) = loaded else { return self.notice(Tone::Failure, &[Msg::DraftForeign], None) };
        self.render_all();
        let mut lines = vec![Msg::DraftImported];
        lines.extend(extra);
        self.notice(Tone::Success, &lines, None)
    }
}

/// Reads a chosen draft file and loads it.
pub(super) async fn import(widget: Rc<RefCell<Widget>>, file: File) {
    let text = JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
    if let Ok(mut widget) = widget.try_borrow_mut() {
        widget.import_text(text);
    }
}
