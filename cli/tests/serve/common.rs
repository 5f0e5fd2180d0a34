//! Test harness: starts the real `efa serve` binary on 127.0.0.1 (port 0)
//! against a fresh SQLite file or a fresh PostgreSQL database, and builds
//! submissions of the dog-tax form.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Operator tokens every test server gets.
pub const TOKENS: &str = "musterstadt=musterstadt-secret,beispielhausen=beispielhausen-secret";
/// The form most tests use.
pub const FORM: &str = "hundesteuer-anmeldung";
/// Its submissions URL path for Musterstadt.
pub const SUBMIT: &str = "api/musterstadt/forms/hundesteuer-anmeldung/submissions";

/// Which storage backend a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database for one test: a SQLite file in a temporary directory,
/// or a new database on the server named by `EFA_TEST_POSTGRES_URL`.
pub struct Database {
    pub url: String,
    pub dir: tempfile::TempDir,
    /// The server URL and name of a PostgreSQL test database, dropped at the end.
    postgres: Option<(String, String)>,
}

impl Drop for Database {
    fn drop(&mut self) {
        let Some((base, name)) = self.postgres.take() else { return };
        // Best effort, on a thread of its own: Drop cannot await.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.ok()?;
                let task = tokio::spawn(connection);
                let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                drop(client);
                let _ = task.await;
                Some(())
            })
        })
        .join();
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Database {
    /// `None` for PostgreSQL when `EFA_TEST_POSTGRES_URL` is not set.
    pub async fn fresh(backend: Backend) -> Option<Database> {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => Some(Database { url: format!("sqlite://{}", dir.path().join("efa.db").display()), dir, postgres: None }),
            Backend::Postgres => {
                let base = std::env::var("EFA_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
                let name = format!("efa_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
                let (client, connection) =
                    tokio_postgres::connect(&base, tokio_postgres::NoTls).await.expect("connect to EFA_TEST_POSTGRES_URL");
                let task = tokio::spawn(connection);
                client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                drop(client);
                let _ = task.await;
                Some(Database { url: with_database(&base, &name), dir, postgres: Some((base, name)) })
            }
        }
    }
}

/// `base` with its database name replaced.
fn with_database(base: &str, name: &str) -> String {
    let (url, query) = base.split_once('?').map_or((base, None), |(u, q)| (u, Some(q)));
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[scheme_end..].find('/').map_or(url.len(), |i| scheme_end + i);
    let mut result = format!("{}/{name}", &url[..host_end]);
    if let Some(query) = query {
        result.push('?');
        result.push_str(query);
    }
    result
}

/// The repository's forms directory.
pub fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms")
}

/// A running `efa serve` child process.
pub struct Server {
    pub child: Child,
    /// Base URL, ending in `/`.
    pub url: String,
    pub client: reqwest::Client,
}

/// Extra options for a server.
#[derive(Default, Clone)]
pub struct Options {
    pub args: Vec<String>,
    pub tokens: Option<String>,
}

impl Options {
    pub fn standard() -> Self {
        Options { args: Vec::new(), tokens: Some(TOKENS.into()) }
    }
}

impl Server {
    /// Starts a server on the database with the standard options.
    pub fn start(db: &Database) -> Server {
        Self::start_with(db, Options::standard())
    }

    /// Starts a server and waits until it listens.
    pub fn start_with(db: &Database, options: Options) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_efa"));
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--database", &db.url])
            .arg("--forms")
            .arg(forms_dir())
            .args(&options.args)
            .env_remove("EFA_OPERATOR_TOKENS")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(db.dir.path().join("stderr.txt")).expect("stderr file")));
        if !options.args.iter().any(|a| a == "--widget") {
            command.arg("--widget").arg(db.dir.path().join("no-widget"));
        }
        if let Some(tokens) = &options.tokens {
            command.env("EFA_OPERATOR_TOKENS", tokens);
        }
        let mut child = command.spawn().expect("start efa serve");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(start) = line.find("http://") {
                    let _ = sender.send(line[start..].trim().to_string());
                }
            }
        });
        let url = match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let stderr = std::fs::read_to_string(db.dir.path().join("stderr.txt")).unwrap_or_default();
                panic!("efa serve did not start:\n{stderr}");
            }
        };
        let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("client");
        Server { child, url, client }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{}", self.url, path.trim_start_matches('/'))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.at(path)).send().await.expect("GET")
    }

    /// GET with a tenant's operator token.
    pub async fn operator_get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.get(self.at(path)).bearer_auth(token).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.at(path)).json(body).send().await.expect("POST")
    }

    /// The host:port the server listens on.
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").trim_end_matches('/').to_string()
    }

    /// Every submission id of Musterstadt, through the paginated operator API.
    pub async fn all_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let query = after.as_ref().map_or("limit=500".to_string(), |a| format!("limit=500&after={a}"));
            let page: Value =
                self.operator_get(&format!("api/musterstadt/submissions?{query}"), "musterstadt-secret").await.json().await.expect("page");
            ids.extend(page["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_string()));
            match page["next"].as_str() {
                Some(next) => after = Some(next.to_string()),
                None => return ids,
            }
        }
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "efa serve did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A valid dog-tax submission for one non-dangerous dog.
pub fn valid() -> Value {
    json!({
        "form": { "id": FORM, "version": "1.0.0" },
        "data": {
            "vorname": "Erika",
            "familienname": "Mustermann",
            "geburtsdatum": "1980-05-17",
            "anschrift": { "strasse": "Marktplatz", "hausnummer": "1", "plz": "12345", "ort": "Musterstadt" },
            "email": "erika@example.org",
            "hund": [dog("Bello")],
            "zahlungsweise": "ueberweisung",
            "richtigkeit": true
        }
    })
}

/// One non-dangerous dog.
pub fn dog(name: &str) -> Value {
    json!({ "name": name, "rasse": "mischling", "geschlecht": "ruede", "geburtsdatum": "2020-01-01", "haltung_seit": "2021-01-01" })
}

/// A valid submission for a dangerous dog, with proof files (name, type, size).
pub fn dangerous(files: &[(&str, &str, usize)]) -> Value {
    let mut envelope = valid();
    let data = &mut envelope["data"];
    data["haftpflicht"] = json!(true);
    data["versicherung"] = json!("Beispiel-Versicherung 4711");
    let dog = &mut data["hund"][0];
    dog["gefaehrlich"] = json!(true);
    dog["nachweis"] =
        Value::Array(files.iter().map(|(name, media_type, size)| json!({ "name": name, "type": media_type, "size": size })).collect());
    envelope
}

/// A PDF-looking file of `size` bytes, distinct per `seed`.
pub fn pdf(size: usize, seed: u64) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.7\n% seed {seed}\n").into_bytes();
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    while bytes.len() < size {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        bytes.push((x >> 56) as u8);
    }
    bytes.truncate(size);
    bytes
}

/// A multipart body: the envelope plus files (part name, file name, type, bytes).
pub fn multipart(envelope: &Value, files: Vec<(&str, &str, &str, Vec<u8>)>) -> reqwest::multipart::Form {
    let submission = reqwest::multipart::Part::text(envelope.to_string()).mime_str("application/json").expect("mime");
    let mut form = reqwest::multipart::Form::new().part("submission", submission);
    for (part, name, media_type, bytes) in files {
        let file = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()).mime_str(media_type).expect("mime");
        form = form.part(part.to_string(), file);
    }
    form
}

/// The codes of a 422's issues at a path.
pub fn codes_at(body: &Value, path: &str) -> Vec<String> {
    body["issues"]
        .as_array()
        .map(|issues| issues.iter().filter(|i| i["path"] == path).filter_map(|i| i["code"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Runs a test body against SQLite, and against PostgreSQL when configured.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $body:ident;)*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$body($crate::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if std::env::var("EFA_TEST_POSTGRES_URL").map_or(true, |u| u.is_empty()) {
                        eprintln!("skipped: EFA_TEST_POSTGRES_URL is not set");
                        return;
                    }
                    super::$body($crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}

#[test]
fn replaces_the_database_name() {
    assert_eq!(with_database("postgres://u@127.0.0.1:5433/efa", "t1"), "postgres://u@127.0.0.1:5433/t1");
    assert_eq!(with_database("postgres://u@127.0.0.1:5433", "t1"), "postgres://u@127.0.0.1:5433/t1");
    assert_eq!(with_database("postgres://u@h/efa?sslmode=disable", "t1"), "postgres://u@h/t1?sslmode=disable");
}
