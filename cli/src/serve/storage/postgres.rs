//! PostgreSQL backend, for several stateless instances on one database.
//!
//! Each insert is one transaction on a pooled connection; PostgreSQL's own
//! group commit batches the WAL flushes of concurrent commits. `INSERT … ON
//! CONFLICT (tenant, idempotency_key) DO NOTHING` waits for a concurrent
//! insert of the same key to finish, so two instances never store one
//! idempotent submission twice.

use async_trait::async_trait;
use bytes::Bytes;
use deadpool_postgres::Transaction;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{NoTls, Row};

use super::{AttachmentMeta, FormRef, Inserted, NewSubmission, Page, Receipt, Store, StoreError, Stored, Summary, SCHEMA_VERSION};

/// Connections per instance.
const POOL_SIZE: usize = 16;
/// Serializes migrations of instances starting together (`pg_advisory_xact_lock`).
const MIGRATION_LOCK: i64 = 0x0065_6661_5f6d_6967; // "efa_mig"

const MIGRATION_1: &str = "
CREATE TABLE submissions (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    tenant          TEXT NOT NULL,
    form_id         TEXT NOT NULL,
    form_version    TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    envelope        TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash    TEXT,
    UNIQUE (tenant, idempotency_key)
);
CREATE INDEX submissions_by_tenant ON submissions (tenant, seq);
CREATE TABLE attachments (
    submission_seq BIGINT NOT NULL REFERENCES submissions (seq),
    n              INTEGER NOT NULL,
    path           TEXT NOT NULL,
    name           TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    content        BYTEA NOT NULL,
    PRIMARY KEY (submission_seq, n)
);
";

/// Submissions in a PostgreSQL database.
pub struct PgStore {
    pool: Pool,
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

impl PgStore {
    /// Connects and migrates the schema.
    pub async fn connect(url: &str) -> Result<PgStore, String> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("bad PostgreSQL URL: {e}"))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool =
            Pool::builder(manager).max_size(POOL_SIZE).runtime(Runtime::Tokio1).build().map_err(|e| format!("PostgreSQL pool: {e}"))?;
        let mut client = pool.get().await.map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
        migrate(&mut client).await.map_err(|e| format!("PostgreSQL migration: {e}"))?;
        Ok(PgStore { pool })
    }
}

async fn migrate(client: &mut deadpool_postgres::Client) -> Result<(), String> {
    let text = |e: tokio_postgres::Error| e.to_string();
    let tx = client.transaction().await.map_err(text)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(text)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS efa_schema (version BIGINT NOT NULL)").await.map_err(text)?;
    let version: i64 = tx.query_one("SELECT coalesce(max(version), 0) FROM efa_schema", &[]).await.map_err(text)?.get(0);
    if version > SCHEMA_VERSION {
        return Err(format!("the database has schema version {version}; this efa knows up to {SCHEMA_VERSION}"));
    }
    if version < 1 {
        tx.batch_execute(MIGRATION_1).await.map_err(|e| format!("migration 1: {e}"))?;
        tx.execute("INSERT INTO efa_schema (version) VALUES (1)", &[]).await.map_err(text)?;
    }
    tx.commit().await.map_err(text)
}

fn receipt_from(row: &Row, tenant: &str) -> Receipt {
    Receipt {
        id: row.get("id"),
        received_at: row.get("received_at"),
        form: FormRef { id: row.get("form_id"), version: row.get("form_version") },
        tenant: tenant.to_string(),
    }
}

fn attachment_meta(row: &Row) -> AttachmentMeta {
    AttachmentMeta {
        n: u32::try_from(row.get::<_, i32>("n")).unwrap_or_default(),
        path: row.get("path"),
        name: row.get("name"),
        media_type: row.get("media_type"),
        size: u64::try_from(row.get::<_, i64>("size")).unwrap_or_default(),
        sha256: row.get("sha256"),
    }
}

async fn insert(client: &Transaction<'_>, submission: &NewSubmission) -> Result<Inserted, StoreError> {
    let receipt = &submission.receipt;
    let envelope = submission.envelope.as_str();
    let key = submission.idempotency.as_ref().map(|i| i.key.as_str());
    let hash = submission.idempotency.as_ref().map(|i| i.request_hash.as_str());
    let statement = client
        .prepare_cached(
            "INSERT INTO submissions (id, tenant, form_id, form_version, received_at, envelope, idempotency_key, request_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant, idempotency_key) DO NOTHING RETURNING seq",
        )
        .await?;
    let row = client
        .query_opt(
            &statement,
            &[&receipt.id, &receipt.tenant, &receipt.form.id, &receipt.form.version, &receipt.received_at, &envelope, &key, &hash],
        )
        .await?;
    let Some(row) = row else {
        // The key exists: answer with the stored receipt if the request is the same.
        let existing = client
            .query_one(
                "SELECT id, received_at, form_id, form_version, request_hash FROM submissions WHERE tenant = $1 AND idempotency_key = $2",
                &[&receipt.tenant, &key],
            )
            .await?;
        return if existing.get::<_, Option<String>>("request_hash").as_deref() == hash {
            Ok(Inserted::Replayed(receipt_from(&existing, &receipt.tenant)))
        } else {
            Err(StoreError::Conflict)
        };
    };
    let seq: i64 = row.get(0);
    let statement = client
        .prepare_cached(
            "INSERT INTO attachments (submission_seq, n, path, name, media_type, size, sha256, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    for attachment in &submission.attachments {
        let m = &attachment.meta;
        let n = i32::try_from(m.n).unwrap_or(i32::MAX);
        let size = i64::try_from(m.size).unwrap_or(i64::MAX);
        client.execute(&statement, &[&seq, &n, &m.path, &m.name, &m.media_type, &size, &m.sha256, &&attachment.content[..]]).await?;
    }
    Ok(Inserted::Created(receipt.clone()))
}

#[async_trait]
impl Store for PgStore {
    async fn insert(&self, submission: NewSubmission) -> Result<Inserted, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let result = insert(&tx, &submission).await?;
        if matches!(result, Inserted::Created(_)) {
            tx.commit().await?;
        }
        Ok(result)
    }

    async fn list(&self, tenant: &str, after: Option<i64>, limit: u32) -> Result<Page, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT s.id, s.received_at, s.form_id, s.form_version, s.seq,
                        (SELECT count(*) FROM attachments a WHERE a.submission_seq = s.seq) AS files
                 FROM submissions s WHERE s.tenant = $1 AND s.seq > $2 ORDER BY s.seq LIMIT $3",
                &[&tenant, &after.unwrap_or(0), &(i64::from(limit) + 1)],
            )
            .await?;
        let more = rows.len() > limit as usize;
        let rows = &rows[..rows.len().min(limit as usize)];
        let next = if more { rows.last().map(|r| r.get::<_, i64>("seq").to_string()) } else { None };
        let items = rows
            .iter()
            .map(|r| Summary { receipt: receipt_from(r, tenant), attachments: u32::try_from(r.get::<_, i64>("files")).unwrap_or_default() })
            .collect();
        Ok(Page { items, next })
    }

    async fn get(&self, tenant: &str, id: &str) -> Result<Option<Stored>, StoreError> {
        let client = self.pool.get().await?;
        let Some(row) = client
            .query_opt(
                "SELECT id, received_at, form_id, form_version, envelope, seq FROM submissions WHERE tenant = $1 AND id = $2",
                &[&tenant, &id],
            )
            .await?
        else {
            return Ok(None);
        };
        let seq: i64 = row.get("seq");
        let files = client
            .query("SELECT n, path, name, media_type, size, sha256 FROM attachments WHERE submission_seq = $1 ORDER BY n", &[&seq])
            .await?;
        let submission = serde_json::from_str(row.get("envelope")).map_err(|e| StoreError::Unavailable(format!("stored envelope: {e}")))?;
        Ok(Some(Stored { receipt: receipt_from(&row, tenant), submission, attachments: files.iter().map(attachment_meta).collect() }))
    }

    async fn attachment(&self, tenant: &str, id: &str, n: u32) -> Result<Option<(AttachmentMeta, Bytes)>, StoreError> {
        let client = self.pool.get().await?;
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        let row = client
            .query_opt(
                "SELECT a.n, a.path, a.name, a.media_type, a.size, a.sha256, a.content
                 FROM attachments a JOIN submissions s ON s.seq = a.submission_seq
                 WHERE s.tenant = $1 AND s.id = $2 AND a.n = $3",
                &[&tenant, &id, &n],
            )
            .await?;
        Ok(row.map(|r| (attachment_meta(&r), Bytes::from(r.get::<_, Vec<u8>>("content")))))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client.simple_query("SELECT 1").await?;
        Ok(())
    }
}
