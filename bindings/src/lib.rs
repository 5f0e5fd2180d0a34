//! efa-wasm: efa-forms in the browser and in Node.
//!
//! Two layers over the same engine:
//! - [`api`] — a small script API ([`api::FormSession`], [`api::validate`]):
//!   JSON in, JSON out, one call per citizen action, never one per rule;
//! - [`widget`] — the citizen's assistant: a web-sys renderer that builds the
//!   DOM from the compiled form and patches only the fields a change names.
//!   The `<efa-form>` custom element (`js/efa-form.js`) fetches the form's
//!   compiled image and hands it to [`widget::mount`].
//!
//! The browser build holds no compiler: forms arrive as images written by
//! `efa compile` or `efa serve` (`efa_engine::write_image`); a JSON definition
//! is compiled by the separate `efa-wasm-compiler` module, which the element
//! loads only when a page names one. The Node build (feature `server`) has
//! both.
//!
//! Text from definitions, tenants and values only ever reaches the DOM
//! through text APIs (`textContent`, attribute values), never as markup.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
mod components;
mod convert;
pub mod widget;
