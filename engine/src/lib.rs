//! efa-engine: the portable core of efa-forms.
//!
//! A form is a declarative JSON definition. The engine compiles it (every
//! authoring mistake becomes a [`DefinitionError`] with a JSON pointer),
//! evaluates it incrementally in a citizen's [`Session`], and revalidates
//! submitted data in one call ([`CompiledForm::validate`]). The same code runs
//! natively on servers and as WebAssembly in the browser, so both reach the
//! same verdict.
//!
//! ```
//! use std::sync::Arc;
//! use efa_engine::{compile, Context, Date, Resources, Session};
//! use serde_json::json;
//!
//! let definition = json!({
//!     "id": "hundesteuer-anmeldung", "version": "1.0.0", "title": "Hundesteuer",
//!     "steps": [{ "id": "halter", "title": "Halter", "fields": [
//!         { "id": "zahlweise", "type": "choice", "label": "Zahlweise", "required": true,
//!           "options": ["lastschrift", "ueberweisung"] },
//!         { "id": "iban", "type": "iban", "label": "IBAN", "required": true,
//!           "visible": "zahlweise == 'lastschrift'" }
//!     ]}]
//! });
//! let form = Arc::new(compile(&definition, Resources::default()).expect("a valid form"));
//! let context = Context::new(Date::parse("2026-11-23").unwrap(), "en");
//!
//! // In the browser: incremental evaluation.
//! let mut session = Session::new(form.clone(), context.clone());
//! let changed = session.set("/zahlweise", json!("lastschrift")).unwrap();
//! assert!(changed.iter().any(|s| &*s.path == "/iban" && s.visible && s.required));
//!
//! // On the server: one-shot revalidation.
//! let report = form.validate(&json!({ "zahlweise": "lastschrift" }), &context);
//! assert!(!report.valid);
//! assert_eq!(report.errors[0].code, "required");
//! assert_eq!(&*report.errors[0].path, "/iban");
//!
//! // Data for a field that is not relevant is rejected.
//! let report = form.validate(&json!({ "zahlweise": "ueberweisung", "iban": "DE89370400440532013000" }), &context);
//! assert_eq!(report.errors[0].code, "not_relevant");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod compile;
pub mod conformance;
mod diagram;
pub mod error;
pub mod expr;
pub mod formats;
pub mod i18n;
mod image;
pub mod input;
mod map;
pub mod model;
pub mod pattern;
mod read;
mod schema;
pub mod session;
pub mod tenant;
mod validate;
pub mod value;
mod write;

pub use compile::{
    compile, compile_definition, parse_codelist, parse_definition, parse_definition_text, parse_tenant, CompiledForm, Node, NodeId,
    NodeKind, Resources,
};
pub use diagram::Notation;
pub use error::{DefinitionError, DefinitionErrorKind};
pub use image::{engine_fingerprint, read_image, write_image, ImageError, IMAGE_MAGIC};
pub use map::NameMap;
pub use read::{locate, parse_json, JsonError};
pub use session::{Context, FieldState, Issue, PathError, Session, Submission};
pub use validate::Report;
pub use value::{Date, Decimal, Value};
pub use write::WriteJson;
