//! SQLite backend: WAL, `synchronous=FULL`, and group commit.
//!
//! One writer thread owns the write connection. Inserts arrive over a
//! channel; the writer takes everything waiting (up to a batch limit), writes
//! it in one transaction (each insert in its own savepoint, so one bad insert
//! does not sink the others), commits — one fsync for the whole batch — and
//! only then answers every waiter. Throughput grows with concurrency while
//! every 201 still follows a completed commit.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::{AttachmentMeta, FormRef, Inserted, NewSubmission, Page, Receipt, Store, StoreError, Stored, Summary, SCHEMA_VERSION};

/// Most inserts in one transaction.
const MAX_BATCH: usize = 512;
/// Most attachment bytes in one transaction, so a burst of large uploads
/// does not hold many of them in one commit.
const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;
/// Inserts waiting for the writer before senders wait (backpressure).
const QUEUE: usize = 4096;

const MIGRATION_1: &str = "
CREATE TABLE submissions (
    seq             INTEGER PRIMARY KEY,
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
    submission_seq INTEGER NOT NULL REFERENCES submissions (seq),
    n              INTEGER NOT NULL,
    path           TEXT NOT NULL,
    name           TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    content        BLOB NOT NULL,
    PRIMARY KEY (submission_seq, n)
);
";

struct Job {
    submission: NewSubmission,
    reply: oneshot::Sender<Result<Inserted, StoreError>>,
}

/// Submissions in a SQLite file.
pub struct SqliteStore {
    writer: mpsc::Sender<Job>,
    /// Reads go through their own connection: WAL lets them run beside the writer.
    reader: Arc<Mutex<Connection>>,
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database file, and starts
    /// the writer thread.
    pub fn open(path: &Path) -> Result<SqliteStore, String> {
        let context = |e: rusqlite::Error| format!("{}: {e}", path.display());
        let mut writer = Connection::open(path).map_err(context)?;
        configure_writer(&writer).map_err(context)?;
        migrate(&mut writer).map_err(|e| format!("{}: {e}", path.display()))?;
        let reader = Connection::open(path).map_err(context)?;
        reader.execute_batch("PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;").map_err(context)?;
        let (sender, receiver) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("efa-sqlite-writer".into())
            .spawn(move || write_loop(writer, receiver))
            .map_err(|e| format!("cannot start the SQLite writer: {e}"))?;
        Ok(SqliteStore { writer: sender, reader: Arc::new(Mutex::new(reader)) })
    }

    /// Runs a read on the reader connection off the async threads.
    async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static) -> Result<T, StoreError> {
        let reader = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            let connection = reader.lock().map_err(|_| StoreError::Unavailable("reader lock poisoned".into()))?;
            f(&connection).map_err(StoreError::from)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }
}

/// Durability settings of the write connection: WAL (readers do not block
/// the writer) and `synchronous = FULL` (every commit is fsynced before the
/// 201 goes out, so even a power cut loses no acknowledged submission).
fn configure_writer(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
}

fn migrate(connection: &mut Connection) -> Result<(), String> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    if version > SCHEMA_VERSION {
        return Err(format!("the database has schema version {version}; this efa knows up to {SCHEMA_VERSION}"));
    }
    if version < 1 {
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| e.to_string())?;
        tx.execute_batch(MIGRATION_1).map_err(|e| format!("migration 1: {e}"))?;
        tx.execute_batch("PRAGMA user_version = 1").map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The writer thread: drain, write a batch, commit, answer.
fn write_loop(mut connection: Connection, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut weight = first.submission.weight();
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH && weight < MAX_BATCH_BYTES {
            let Ok(job) = jobs.try_recv() else { break };
            weight += job.submission.weight();
            batch.push(job);
        }
        let results = commit_batch(&mut connection, &batch);
        for (job, result) in batch.into_iter().zip(results) {
            // A waiter that gave up (client gone) is no error: the data is stored.
            let _ = job.reply.send(result);
        }
    }
}

fn commit_batch(connection: &mut Connection, batch: &[Job]) -> Vec<Result<Inserted, StoreError>> {
    let mut attempt = || -> rusqlite::Result<Vec<Result<Inserted, StoreError>>> {
        let mut tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut results = Vec::with_capacity(batch.len());
        for job in batch {
            let savepoint = tx.savepoint()?;
            let result = insert(&savepoint, &job.submission);
            // Dropping a savepoint rolls it back: a failed insert leaves nothing behind.
            if matches!(result, Ok(Inserted::Created(_))) {
                savepoint.commit()?;
            }
            results.push(result);
        }
        tx.commit()?;
        Ok(results)
    };
    match attempt() {
        Ok(results) => results,
        Err(error) => batch.iter().map(|_| Err(StoreError::Unavailable(error.to_string()))).collect(),
    }
}

fn insert(connection: &Connection, submission: &NewSubmission) -> Result<Inserted, StoreError> {
    let receipt = &submission.receipt;
    let envelope = submission.envelope.as_str();
    let (key, hash) = match &submission.idempotency {
        Some(i) => (Some(i.key.as_str()), Some(i.request_hash.as_str())),
        None => (None, None),
    };
    let inserted = connection
        .prepare_cached(
            "INSERT INTO submissions (id, tenant, form_id, form_version, received_at, envelope, idempotency_key, request_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (tenant, idempotency_key) DO NOTHING",
        )?
        .execute(params![receipt.id, receipt.tenant, receipt.form.id, receipt.form.version, receipt.received_at, envelope, key, hash])?;
    if inserted == 0 {
        return replay(connection, &receipt.tenant, key.unwrap_or_default(), hash.unwrap_or_default());
    }
    let seq = connection.last_insert_rowid();
    let mut statement = connection.prepare_cached(
        "INSERT INTO attachments (submission_seq, n, path, name, media_type, size, sha256, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for attachment in &submission.attachments {
        let m = &attachment.meta;
        let size = i64::try_from(m.size).unwrap_or(i64::MAX);
        statement.execute(params![seq, m.n, m.path, m.name, m.media_type, size, m.sha256, &attachment.content[..]])?;
    }
    Ok(Inserted::Created(receipt.clone()))
}

/// The answer for an idempotency key already stored.
fn replay(connection: &Connection, tenant: &str, key: &str, hash: &str) -> Result<Inserted, StoreError> {
    let (receipt, stored_hash) = connection
        .prepare_cached(
            "SELECT id, received_at, form_id, form_version, request_hash FROM submissions WHERE tenant = ?1 AND idempotency_key = ?2",
        )?
        .query_row(params![tenant, key], |row| Ok((receipt_from(row, tenant)?, row.get::<_, String>(4)?)))?;
    if stored_hash == hash {
        Ok(Inserted::Replayed(receipt))
    } else {
        Err(StoreError::Conflict)
    }
}

/// A receipt from columns id, received_at, form_id, form_version (0..4).
fn receipt_from(row: &rusqlite::Row<'_>, tenant: &str) -> rusqlite::Result<Receipt> {
    Ok(Receipt {
        id: row.get(0)?,
        received_at: row.get(1)?,
        form: FormRef { id: row.get(2)?, version: row.get(3)? },
        tenant: tenant.to_string(),
    })
}

fn attachment_meta(row: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentMeta> {
    Ok(AttachmentMeta {
        n: row.get(0)?,
        path: row.get(1)?,
        name: row.get(2)?,
        media_type: row.get(3)?,
        size: u64::try_from(row.get::<_, i64>(4)?).unwrap_or_default(),
        sha256: row.get(5)?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert(&self, submission: NewSubmission) -> Result<Inserted, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.writer.send(Job { submission, reply }).await.map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?
    }

    async fn list(&self, tenant: &str, after: Option<i64>, limit: u32) -> Result<Page, StoreError> {
        let tenant = tenant.to_string();
        self.read(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT s.id, s.received_at, s.form_id, s.form_version, s.seq,
                        (SELECT count(*) FROM attachments a WHERE a.submission_seq = s.seq)
                 FROM submissions s WHERE s.tenant = ?1 AND s.seq > ?2 ORDER BY s.seq LIMIT ?3",
            )?;
            let rows = statement.query_map(params![tenant, after.unwrap_or(0), i64::from(limit) + 1], |row| {
                Ok((Summary { receipt: receipt_from(row, &tenant)?, attachments: row.get(5)? }, row.get::<_, i64>(4)?))
            })?;
            let mut items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            let more = items.len() > limit as usize;
            items.truncate(limit as usize);
            let next = if more { items.last().map(|(_, seq)| seq.to_string()) } else { None };
            Ok(Page { items: items.into_iter().map(|(s, _)| s).collect(), next })
        })
        .await
    }

    async fn get(&self, tenant: &str, id: &str) -> Result<Option<Stored>, StoreError> {
        let (tenant, id) = (tenant.to_string(), id.to_string());
        self.read(move |c| {
            let found = c
                .prepare_cached(
                    "SELECT id, received_at, form_id, form_version, envelope, seq FROM submissions WHERE tenant = ?1 AND id = ?2",
                )?
                .query_row(params![tenant, id], |row| Ok((receipt_from(row, &tenant)?, row.get::<_, String>(4)?, row.get::<_, i64>(5)?)))
                .optional()?;
            let Some((receipt, envelope, seq)) = found else { return Ok(None) };
            let attachments = c
                .prepare_cached("SELECT n, path, name, media_type, size, sha256 FROM attachments WHERE submission_seq = ?1 ORDER BY n")?
                .query_map([seq], attachment_meta)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let submission = serde_json::from_str(&envelope).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            Ok(Some(Stored { receipt, submission, attachments }))
        })
        .await
    }

    async fn attachment(&self, tenant: &str, id: &str, n: u32) -> Result<Option<(AttachmentMeta, Bytes)>, StoreError> {
        let (tenant, id) = (tenant.to_string(), id.to_string());
        self.read(move |c| {
            c.prepare_cached(
                "SELECT a.n, a.path, a.name, a.media_type, a.size, a.sha256, a.content
                 FROM attachments a JOIN submissions s ON s.seq = a.submission_seq
                 WHERE s.tenant = ?1 AND s.id = ?2 AND a.n = ?3",
            )?
            .query_row(params![tenant, id, n], |row| Ok((attachment_meta(row)?, Bytes::from(row.get::<_, Vec<u8>>(6)?))))
            .optional()
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_durable_and_migration_is_idempotent() {
        let dir = std::env::temp_dir().join(format!("efa-sqlite-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut connection = Connection::open(dir.join("efa.db")).unwrap();
        configure_writer(&connection).unwrap();
        let mode: String = connection.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        let synchronous: i64 = connection.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!((mode.as_str(), synchronous), ("wal", 2), "WAL with synchronous = FULL (2)");
        migrate(&mut connection).unwrap();
        migrate(&mut connection).unwrap();
        let version: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        drop(connection);
        let _ = std::fs::remove_dir_all(dir);
    }
}
