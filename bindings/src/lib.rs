//! efa-wasm: efa-forms in the browser and in Node.
//!
//! Two layers over the same engine:
//! - [`api`] — a small script API ([`api::FormSession`], [`api::validate`]):
//!   JSON in, JSON out, one call per citizen action, never one per rule;
//! - [`widget`] — the citizen's assistant: a web-sys renderer that builds the
//!   DOM from the compiled form and patches only the fields a change names.
//!   The `<efa-form>` custom element (`js/efa-form.js`) fetches the files and
//!   hands them to [`widget::mount`].
//!
//! Text from definitions, tenants and values only ever reaches the DOM
//! through text APIs (`textContent`, attribute values), never as markup.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
mod components;
mod convert;
mod resources;
pub mod widget;

pub use resources::{load, referenced_codelists, LoadError, Loaded};
