//! The script API: [`FormSession`] for pages that render forms themselves,
//! `Validator` and `validate` for revalidating a submission in Node.
//!
//! Every call does one citizen-sized piece of work and returns its whole
//! result at once (a batched diff of field states, a report): crossing the
//! JS↔WASM boundary per rule is what makes naive WASM engines slow.

use std::sync::Arc;

#[cfg(feature = "server")]
use efa_engine::CompiledForm;
use efa_engine::{read_image, Context, Date, Session, WriteJson};
use wasm_bindgen::prelude::*;

use crate::convert::{from_js, nfc, parse, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** One problem with a value. `path` is a JSON pointer into the submission data. */
export interface Issue { code: string; path: string; message: string; rule?: string }
/** The state of one field instance (`path` like `/hund/0/name`) or step (`#stepid`). */
export interface FieldState {
  path: string; visible: boolean; required: boolean; readonly: boolean;
  value: unknown; count?: number; errors: Issue[]; warnings: Issue[];
}
/** The canonical submission (and the draft): form id and version plus the data. */
export interface Envelope { form: { id: string; version: string }; data: Record<string, unknown> }
/** The outcome of a full validation. */
export interface Report { valid: boolean; errors: Issue[]; warnings: Issue[]; submission?: Envelope }
"#;

/// A citizen's session with one form: values plus incremental evaluation.
#[wasm_bindgen]
pub struct FormSession {
    session: Session,
}

#[wasm_bindgen]
impl FormSession {
    /// Compiles `definition` (JSON text) for `tenant` (JSON text, optional)
    /// with `codelists` (JSON text of an object `{id: codeList}`, optional)
    /// and starts a session in `lang` on the civil date `today` (`YYYY-MM-DD`).
    /// Throws with every definition or tenant error. In the Node build only:
    /// in browsers, forms arrive compiled ([`FormSession::from_image`]).
    #[cfg(feature = "server")]
    #[wasm_bindgen(constructor)]
    pub fn new(
        definition: &str,
        tenant: Option<String>,
        codelists: Option<String>,
        lang: &str,
        today: &str,
    ) -> Result<FormSession, JsError> {
        let form = compile_texts(definition, tenant.as_deref(), codelists.as_deref())?;
        Ok(FormSession { session: Session::new(form, context(today, lang)?) })
    }

    /// Starts a session with a compiled form image (`efa compile`, or
    /// `compileImage` of the compiler module) in `lang` on the civil date
    /// `today` (`YYYY-MM-DD`). Throws when the bytes are no image of this
    /// engine build.
    #[wasm_bindgen(js_name = fromImage)]
    pub fn from_image(image: &[u8], lang: &str, today: &str) -> Result<FormSession, JsError> {
        let (form, _tenant) = read_image(image).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(FormSession { session: Session::new(Arc::new(form), context(today, lang)?) })
    }

    /// Stores `value` at `path` (e.g. `/hund/0/name`) and returns the states
    /// that changed because of it.
    #[wasm_bindgen(unchecked_return_type = "FieldState[]")]
    pub fn set(&mut self, path: &str, value: JsValue) -> Result<JsValue, JsError> {
        let states = self.store(path, from_js(&value)?)?;
        to_js(&states)
    }

    /// Like [`FormSession::set`] with the value as JSON text and the result
    /// as JSON text (for callers that keep JSON anyway).
    #[wasm_bindgen(js_name = setJson)]
    pub fn set_json(&mut self, path: &str, value: &str) -> Result<String, JsError> {
        let states = self.store(path, parse(value, "the value").map_err(|e| JsError::new(&e))?)?;
        Ok(states.to_json_text())
    }

    /// Stores `value` (JSON text) at `path` as the widget does on an input
    /// and returns how many states changed, without handing them to
    /// JavaScript: the engine's share of a keystroke in `<efa-form>`, whose
    /// renderer takes the states as Rust values. For
    /// tests/wasm-runner/bench.mjs (Node build only).
    #[cfg(feature = "conformance")]
    #[wasm_bindgen(js_name = setCounting)]
    pub fn set_counting(&mut self, path: &str, value: &str) -> Result<usize, JsError> {
        let states = self.store(path, parse(value, "the value").map_err(|e| JsError::new(&e))?)?;
        Ok(states.len())
    }

    /// Every field state, in document order.
    #[wasm_bindgen(unchecked_return_type = "FieldState[]")]
    pub fn state(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.states())
    }

    /// The canonical submission: relevant, non-empty values only.
    #[wasm_bindgen(unchecked_return_type = "Envelope")]
    pub fn submission(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.submission())
    }

    /// Full validation of the current values: what the server will say.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn validate(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.report())
    }

    /// Adds an entry to the repeating group at `path` (e.g. `/hund`);
    /// returns every state.
    #[wasm_bindgen(js_name = addInstance, unchecked_return_type = "FieldState[]")]
    pub fn add_instance(&mut self, path: &str) -> Result<JsValue, JsError> {
        let states = self.session.add_instance(path).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&states)
    }

    /// Removes the entry at `path` (e.g. `/hund/1`); returns every state.
    #[wasm_bindgen(js_name = removeInstance, unchecked_return_type = "FieldState[]")]
    pub fn remove_instance(&mut self, path: &str) -> Result<JsValue, JsError> {
        let states = self.session.remove_instance(path).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&states)
    }

    /// Number of entries of the repeating group at `path`.
    #[wasm_bindgen(js_name = instanceCount)]
    pub fn instance_count(&self, path: &str) -> Option<u32> {
        self.session.instance_count(path).map(|n| n as u32)
    }

    /// The draft: every entered value with form id and version.
    #[wasm_bindgen(unchecked_return_type = "Envelope")]
    pub fn draft(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.draft())
    }

    /// Restores a draft, also one of an older form version (values carry
    /// over where the field still fits); returns every state.
    #[wasm_bindgen(js_name = loadDraft, unchecked_return_type = "FieldState[]")]
    pub fn load_draft(&mut self, #[wasm_bindgen(unchecked_param_type = "Envelope")] draft: JsValue) -> Result<JsValue, JsError> {
        let draft = nfc(from_js(&draft)?);
        to_js(&self.session.load_draft(&draft))
    }

    /// Switches the language of messages; returns every state.
    #[wasm_bindgen(js_name = setLanguage, unchecked_return_type = "FieldState[]")]
    pub fn set_language(&mut self, lang: &str) -> Result<JsValue, JsError> {
        to_js(&self.session.set_language(lang))
    }

    /// The form id.
    #[wasm_bindgen(getter, js_name = formId)]
    pub fn form_id(&self) -> String {
        self.session.form().id().to_string()
    }

    /// The form version.
    #[wasm_bindgen(getter, js_name = formVersion)]
    pub fn form_version(&self) -> String {
        self.session.form().version().to_string()
    }
}

impl FormSession {
    /// Stores a citizen's value (normalized to NFC) at `path`; the states
    /// that changed.
    fn store(&mut self, path: &str, value: serde_json::Value) -> Result<Vec<efa_engine::FieldState>, JsError> {
        self.session.set(path, nfc(value)).map_err(|e| JsError::new(&e.to_string()))
    }
}

/// A compiled form for revalidating submissions, as a server must before
/// it accepts anything: compile once, then one call per submission. In the
/// Node build only (feature `server`): in a browser, `FormSession.validate`
/// gives the same report for the session's values, and citizens do not
/// download a second way to get it.
#[cfg(feature = "server")]
#[wasm_bindgen]
pub struct Validator {
    form: Arc<CompiledForm>,
}

#[cfg(feature = "server")]
#[wasm_bindgen]
impl Validator {
    /// Compiles `definition` for `tenant` with `codelists` (JSON texts, as
    /// for [`FormSession::new`]). Throws with every definition or tenant error.
    #[wasm_bindgen(constructor)]
    pub fn new(definition: &str, tenant: Option<String>, codelists: Option<String>) -> Result<Validator, JsError> {
        Ok(Validator { form: compile_texts(definition, tenant.as_deref(), codelists.as_deref())? })
    }

    /// Revalidates a submission envelope (`{"form": {...}, "data": {...}}`,
    /// JSON text) on the civil date `today` with messages in `lang`: the
    /// report has `valid`, `errors`, `warnings` and, when valid, the
    /// canonical `submission` to store.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn validate(&self, submission: &str, today: &str, lang: &str) -> Result<JsValue, JsError> {
        to_js(&self.report(submission, today, lang)?)
    }

    /// Like [`Validator::validate`] for servers, which hold JSON as text or
    /// bytes and store or forward it: the submission as a string or as the
    /// UTF-8 bytes of a request body (`Uint8Array`, e.g. a Node `Buffer`:
    /// copied as it is, not re-encoded), the report as JSON text.
    #[wasm_bindgen(js_name = validateJson)]
    pub fn validate_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] submission: JsValue,
        today: &str,
        lang: &str,
    ) -> Result<String, JsError> {
        let text = match submission.as_string() {
            Some(text) => text,
            None => {
                let bytes = submission
                    .dyn_into::<js_sys::Uint8Array>()
                    .map_err(|_| JsError::new("the submission must be a string or a Uint8Array"))?;
                String::from_utf8(bytes.to_vec()).map_err(|_| JsError::new("the submission is not UTF-8"))?
            }
        };
        Ok(self.report(&text, today, lang)?.to_json_text())
    }

    /// Validates the text as it is read, without a `serde_json::Value` of
    /// it: that parse cost as much as the validation itself.
    fn report(&self, submission: &str, today: &str, lang: &str) -> Result<efa_engine::Report, JsError> {
        let report = self.form.validate_envelope_text(submission, &context(today, lang)?);
        report.map_err(|e| JsError::new(&format!("the submission is not valid JSON: {e}")))
    }
}

/// One-shot revalidation: compiles `definition` and validates `submission`
/// (see [`Validator`], which compiles once for many submissions).
#[cfg(feature = "server")]
#[wasm_bindgen(unchecked_return_type = "Report")]
pub fn validate(
    definition: &str,
    tenant: Option<String>,
    submission: &str,
    today: &str,
    lang: &str,
    codelists: Option<String>,
) -> Result<JsValue, JsError> {
    Validator::new(definition, tenant, codelists)?.validate(submission, today, lang)
}

/// The size of the WASM linear memory in bytes (it grows, never shrinks):
/// for monitoring and the benchmark.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

#[cfg(feature = "server")]
fn compile_texts(definition: &str, tenant: Option<&str>, codelists: Option<&str>) -> Result<Arc<CompiledForm>, JsError> {
    let loaded = efa_wasm_compiler::load_texts(definition, tenant, codelists).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(loaded.form)
}

fn context(today: &str, lang: &str) -> Result<Context, JsError> {
    let today = Date::parse(today).ok_or_else(|| JsError::new(&format!("'{today}' is not a date like 2026-11-23")))?;
    Ok(Context::new(today, lang))
}

#[cfg(feature = "conformance")]
/// Runs one case file of the conformance corpus (`tests/conformance/cases/`)
/// with `library` (`{"forms": {id: definition}, "tenants": {…}, "codelists": {…}}`)
/// and returns the output exactly as the native runner writes it (pretty
/// JSON and a newline), so the two can be compared byte for byte.
#[wasm_bindgen(js_name = runConformanceFile)]
pub fn run_conformance_file(file: &str, library: &str) -> Result<String, JsError> {
    let file = parse(file, "the case file").map_err(|e| JsError::new(&e))?;
    let library = parse(library, "the library").map_err(|e| JsError::new(&e))?;
    let output = efa_engine::conformance::run_file(&file, &library);
    serde_json::to_string_pretty(&output).map(|text| text + "\n").map_err(|e| JsError::new(&e.to_string()))
}

#[cfg(feature = "conformance")]
/// Runs one conformance case (see [`run_conformance_file`]); returns its
/// output as JSON text.
#[wasm_bindgen(js_name = runConformanceCase)]
pub fn run_conformance_case(case: &str, library: &str) -> Result<String, JsError> {
    let case = parse(case, "the case").map_err(|e| JsError::new(&e))?;
    let library = parse(library, "the library").map_err(|e| JsError::new(&e))?;
    serde_json::to_string(&efa_engine::conformance::run_case(&case, &library)).map_err(|e| JsError::new(&e.to_string()))
}
