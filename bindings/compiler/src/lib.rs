//! efa-wasm-compiler: the compiler half of efa-forms as WebAssembly.
//!
//! `<efa-form>` runs compiled form *images* (written by `efa compile`, or
//! served by `efa serve` under `/compiled/…`), so the citizens' download
//! holds no compiler. When a page points the element at a JSON definition
//! instead — a static site without a build step, an author previewing — the
//! element loads this module on demand, compiles the definition with its
//! tenant and code lists here, and hands the image to the widget. Servers in
//! Node use the same code through the Node build of `efa-wasm`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod load;

pub use load::{load, load_texts, referenced_codelists, LoadError, Loaded};
use wasm_bindgen::prelude::*;

/// Compiles `definition` (JSON text) for `tenant` (JSON text, optional) with
/// `codelists` (JSON text of an object `{id: codeList}`, optional) into the
/// image `<efa-form>` and `FormSession.fromImage` load. Throws an `Error`
/// whose `details` lists every problem (`pointer: message [code]`) and whose
/// `file` names the file at fault (`definition`, `tenant` or `codelist`).
#[wasm_bindgen(js_name = compileImage)]
pub fn compile_image(definition: &str, tenant: Option<String>, codelists: Option<String>) -> Result<Vec<u8>, JsValue> {
    let loaded = load_texts(definition, tenant.as_deref(), codelists.as_deref()).map_err(|e| thrown(&e))?;
    Ok(efa_engine::write_image(&loaded.form, loaded.tenant.as_ref()))
}

/// The ids of the code lists `definition` (JSON text) refers to, so a page
/// can fetch exactly those before compiling.
#[wasm_bindgen(js_name = referencedCodelists)]
pub fn referenced_codelists_js(definition: &str) -> Result<Vec<String>, JsValue> {
    referenced_codelists(definition).map_err(|e| thrown(&e))
}

/// The error a page catches: the summary as message, the lines as `details`.
fn thrown(error: &LoadError) -> JsValue {
    let thrown = js_sys::Error::new(&error.to_string());
    let details: js_sys::Array = error.details().iter().map(|line| JsValue::from_str(line)).collect();
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&thrown, &"details".into(), &details);
    let _ = js_sys::Reflect::set(&thrown, &"file".into(), &error.file().into());
    thrown.into()
}
