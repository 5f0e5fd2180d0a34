//! Durable storage of accepted submissions, behind one trait with two
//! backends: SQLite (embedded default, group commit) and PostgreSQL (for
//! several stateless instances). Both keep idempotency with a unique
//! constraint on (tenant, idempotency key), so a retried send is stored once
//! however many instances see it.

mod postgres;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value as Json;

/// Form id and version, as in the submission envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormRef {
    /// Form id.
    pub id: String,
    /// Form version.
    pub version: String,
}

/// What the citizen gets once the submission is durably stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Receipt id (a UUID).
    pub id: String,
    /// When it was received, RFC 3339 in UTC.
    pub received_at: String,
    /// The form.
    pub form: FormRef,
    /// The tenant it was sent to.
    pub tenant: String,
}

/// An idempotency key with the hash of the request it first came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    /// The `Idempotency-Key` header.
    pub key: String,
    /// SHA-256 (hex) of the request's content.
    pub request_hash: String,
}

/// A file to store with a submission.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// Metadata as in the submission.
    pub meta: AttachmentMeta,
    /// The bytes received.
    pub content: Bytes,
}

/// A validated submission, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// The receipt it gets when stored (not when replayed).
    pub receipt: Receipt,
    /// The canonical envelope `{"form", "data"}` from the engine, stored
    /// byte for byte as the engine wrote it.
    pub envelope: efa_engine::Submission,
    /// Idempotency key, if the client sent one.
    pub idempotency: Option<Idempotency>,
    /// Files, in document order.
    pub attachments: Vec<NewAttachment>,
}

impl NewSubmission {
    /// Bytes this submission occupies, for batching.
    pub fn weight(&self) -> usize {
        self.attachments.iter().map(|a| a.content.len()).sum::<usize>() + 1024
    }
}

/// The outcome of an insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// Stored now.
    Created(Receipt),
    /// The idempotency key was seen with the same request: the first receipt.
    Replayed(Receipt),
}

/// Metadata of a stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentMeta {
    /// Position among the submission's files (0-based), used in its URL.
    pub n: u32,
    /// JSON pointer of the attachment field, e.g. `/hund/0/nachweis`.
    pub path: String,
    /// File name.
    pub name: String,
    /// Media type.
    #[serde(rename = "type")]
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// A listed submission.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Receipt of the submission.
    #[serde(flatten)]
    pub receipt: Receipt,
    /// Number of files.
    pub attachments: u32,
}

/// A stored submission with its files' metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    /// Receipt of the submission.
    #[serde(flatten)]
    pub receipt: Receipt,
    /// The canonical envelope `{"form", "data"}`.
    pub submission: Json,
    /// Metadata of the files.
    pub attachments: Vec<AttachmentMeta>,
}

/// One page of a tenant's submissions, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Submissions on this page.
    pub items: Vec<Summary>,
    /// Cursor for the next page (`?after=`), if there may be more.
    pub next: Option<String>,
}

/// Why storage failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The idempotency key was already used with a different request.
    Conflict,
    /// The database failed; the text is for the log.
    Unavailable(String),
}

/// Storage of submissions.
#[async_trait]
pub trait Store: Send + Sync {
    /// Stores a submission durably (committed before returning), or returns
    /// the earlier receipt for a repeated idempotency key.
    async fn insert(&self, submission: NewSubmission) -> Result<Inserted, StoreError>;

    /// A page of a tenant's submissions after the cursor, oldest first.
    async fn list(&self, tenant: &str, after: Option<i64>, limit: u32) -> Result<Page, StoreError>;

    /// One of a tenant's submissions.
    async fn get(&self, tenant: &str, id: &str) -> Result<Option<Stored>, StoreError>;

    /// The `n`th file of one of a tenant's submissions.
    async fn attachment(&self, tenant: &str, id: &str, n: u32) -> Result<Option<(AttachmentMeta, Bytes)>, StoreError>;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens the store named by a URL (`sqlite://FILE`, `postgres://…`) and
/// migrates its schema.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, String> {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        if path.is_empty() {
            return Err("sqlite:// needs a file name, e.g. sqlite://efa.db".into());
        }
        let store = sqlite::SqliteStore::open(std::path::Path::new(path))?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url).await?))
    } else {
        Err(format!("unsupported database URL '{url}': use sqlite://FILE or postgres://…"))
    }
}

/// The SQL schema version both backends migrate to.
const SCHEMA_VERSION: i64 = 1;
