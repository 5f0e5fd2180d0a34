//! `efa-load`: a load generator for `efa serve`, on loopback only.
//!
//! Starts `efa serve` (the binary next to this one) on 127.0.0.1 with a
//! fresh SQLite file (or `--database URL`), or uses `--url` of a running
//! server, then measures for the dog-tax form:
//! - validations per second (`POST …/validate`),
//! - durably stored submissions per second (`POST …/submissions`, 201 only
//!   after commit), checked afterwards against the operator API,
//!
//! with p50/p90/p99 latencies. Each connection sends its next request when
//! the previous answer arrived (closed loop), over HTTP/1.1 keep-alive.
//!
//! ```text
//! cargo build --release -p efa-cli && target/release/efa-load
//! target/release/efa-load --seconds 10 --connections 32 --database postgres://postgres@127.0.0.1:54320/efa
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

const TENANT: &str = "musterstadt";
const FORM: &str = "hundesteuer-anmeldung";
const TOKEN: &str = "efa-load-operator-token";

/// Load generator for `efa serve` (loopback only).
#[derive(Debug, Parser)]
#[command(name = "efa-load")]
struct Args {
    /// A running server (http://127.0.0.1:PORT/); by default one is started.
    #[arg(long)]
    url: Option<String>,
    /// Database of the started server (default: a new SQLite file in a temp dir).
    #[arg(long)]
    database: Option<String>,
    /// Forms directory of the started server.
    #[arg(long, default_value = "forms")]
    forms: PathBuf,
    /// Seconds measured per scenario (after one second of warm-up).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent connections for validations.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Concurrent connections for submissions (group commit needs concurrency).
    #[arg(long, default_value_t = 64)]
    submit_connections: usize,
    /// Worker threads of the generator (the rest of the machine is the server's).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Operator token of `musterstadt` on a server given by `--url`, to count
    /// stored submissions.
    #[arg(long)]
    token: Option<String>,
}

/// A valid dog-tax submission (one non-dangerous dog); `n` varies the content.
fn submission(n: usize) -> Value {
    json!({
        "form": { "id": FORM, "version": "1.0.0" },
        "data": {
            "vorname": "Erika",
            "familienname": "Mustermann",
            "geburtsdatum": "1980-05-17",
            "anschrift": { "strasse": "Marktplatz", "hausnummer": "1", "plz": "12345", "ort": "Musterstadt" },
            "email": "erika@example.org",
            "hund": [{ "name": format!("Bello {n}"), "rasse": "mischling", "geschlecht": "ruede",
                       "geburtsdatum": "2020-01-01", "haltung_seit": "2021-01-01" }],
            "zahlungsweise": "ueberweisung",
            "richtigkeit": true
        }
    })
}

/// One scenario's outcome.
struct Outcome {
    /// Successful requests during warm-up and measurement.
    acknowledged: usize,
    ok: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Outcome {
    fn print(&self, name: &str) {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        let at = |q: f64| sorted.get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1))).copied().unwrap_or_default();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<12} {:>9.0}/s  ok {:>7}  errors {:>4}  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
            self.ok as f64 / self.elapsed.as_secs_f64(),
            self.ok,
            self.errors,
            ms(at(0.50)),
            ms(at(0.90)),
            ms(at(0.99)),
            ms(sorted.last().copied().unwrap_or_default()),
        );
    }
}

/// Keeps `efa serve` running while measuring; stops it when dropped.
struct Spawned {
    child: Child,
    _dir: Option<TempDir>,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(args.threads.max(1)).enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("efa-load: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("efa-load: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let (url, _server, token) = match &args.url {
        Some(url) => (url.clone(), None, args.token.clone()),
        None => {
            let (url, server) = spawn_server(&args)?;
            (url, Some(server), Some(TOKEN.to_string()))
        }
    };
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .map_err(|_| format!("{url}: give http://127.0.0.1:PORT/ (loopback only)"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("{addr} is not a loopback address; efa-load only targets this machine"));
    }
    println!("efa-load: {url}, {} s per scenario, form {FORM}, tenant {TENANT}", args.seconds);

    let validate_path = format!("/api/{TENANT}/forms/{FORM}/validate");
    let submit_path = format!("/api/{TENANT}/forms/{FORM}/submissions");
    check_valid(addr, &validate_path).await?;
    let bodies: Arc<Vec<Bytes>> = Arc::new((0..1000).map(|n| Bytes::from(submission(n).to_string())).collect());
    let duration = Duration::from_secs(args.seconds.max(1));

    let before = match &token {
        Some(token) => Some(count_stored(addr, token).await?),
        None => None,
    };
    let validations = scenario(addr, &validate_path, 200, bodies.clone(), args.connections, duration).await;
    validations.print("validations");
    let submissions = scenario(addr, &submit_path, 201, bodies, args.submit_connections, duration).await;
    submissions.print("submissions");
    if let (Some(token), Some(before)) = (&token, before) {
        let stored = count_stored(addr, token).await? - before;
        let verdict = if stored == submissions.acknowledged { "every 201 is stored once" } else { "MISMATCH" };
        println!("stored       {stored} new submissions for {} answered 201: {verdict}", submissions.acknowledged);
        if stored != submissions.acknowledged {
            return Err("stored submissions do not match the 201 answers".into());
        }
    }
    Ok(())
}

/// Starts `efa serve` next to this binary on 127.0.0.1:0.
fn spawn_server(args: &Args) -> Result<(String, Spawned), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let efa = exe.with_file_name(if cfg!(windows) { "efa.exe" } else { "efa" });
    let (database, dir) = match &args.database {
        Some(url) => (url.clone(), None),
        None => {
            let dir = std::env::temp_dir().join(format!("efa-load-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            (format!("sqlite://{}", dir.join("efa.db").display()), Some(TempDir(dir)))
        }
    };
    let mut child = Command::new(&efa)
        .args(["serve", "--addr", "127.0.0.1:0", "--database", &database])
        .arg("--forms")
        .arg(&args.forms)
        .env("EFA_OPERATOR_TOKENS", format!("{TENANT}={TOKEN}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e} (build it: cargo build --release -p efa-cli)", efa.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let spawned = Spawned { child, _dir: dir };
    let mut line = String::new();
    let mut reader = std::io::BufReader::new(stdout);
    while std::io::BufRead::read_line(&mut reader, &mut line).map_err(|e| e.to_string())? > 0 {
        if let Some(start) = line.find("http://") {
            let url = line[start..].trim().to_string();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
            return Ok((url, spawned));
        }
        line.clear();
    }
    Err("efa serve exited before listening".into())
}

/// Aborts early if the sample submission is not valid (e.g. the form changed).
async fn check_valid(addr: SocketAddr, path: &str) -> Result<(), String> {
    let mut connection = Connection::open(addr).await?;
    let (status, body) = connection.post(path, Bytes::from(submission(0).to_string())).await?;
    let report: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if status != 200 || report["valid"] != true {
        return Err(format!("the sample submission is not valid ({status}): {report}"));
    }
    Ok(())
}

/// Number of stored submissions of the tenant, through the operator API.
async fn count_stored(addr: SocketAddr, token: &str) -> Result<usize, String> {
    let mut connection = Connection::open(addr).await?;
    let mut count = 0;
    let mut after = String::new();
    loop {
        let path = format!("/api/{TENANT}/submissions?limit=500{after}");
        let (status, body) = connection.get(&path, token).await?;
        if status != 200 {
            return Err(format!("listing submissions: {status} {}", String::from_utf8_lossy(&body)));
        }
        let page: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        count += page["items"].as_array().map_or(0, Vec::len);
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return Ok(count),
        }
    }
}

/// Runs `connections` closed loops against `path` for one second of warm-up
/// plus `duration`, recording latencies after the warm-up.
async fn scenario(addr: SocketAddr, path: &str, expect: u16, bodies: Arc<Vec<Bytes>>, connections: usize, duration: Duration) -> Outcome {
    let start = Instant::now() + Duration::from_secs(1);
    let end = start + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|worker| {
            let (path, bodies) = (path.to_string(), bodies.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut acknowledged) = (Vec::new(), 0, 0);
                let Ok(mut connection) = Connection::open(addr).await else { return (latencies, 1, 0) };
                let mut n = worker;
                loop {
                    let sent = Instant::now();
                    if sent >= end {
                        break;
                    }
                    n = (n + connections) % bodies.len();
                    let result = connection.post(&path, bodies[n].clone()).await;
                    let ok = matches!(result, Ok((status, _)) if status == expect);
                    acknowledged += usize::from(ok);
                    if sent >= start {
                        if ok {
                            latencies.push(sent.elapsed());
                        } else {
                            errors += 1;
                        }
                    }
                    if result.is_err() {
                        match Connection::open(addr).await {
                            Ok(fresh) => connection = fresh,
                            Err(_) => break,
                        }
                    }
                }
                (latencies, errors, acknowledged)
            })
        })
        .collect();
    let mut outcome = Outcome { acknowledged: 0, ok: 0, errors: 0, elapsed: duration, latencies: Vec::new() };
    for task in tasks {
        if let Ok((latencies, errors, acknowledged)) = task.await {
            outcome.acknowledged += acknowledged;
            outcome.ok += latencies.len();
            outcome.errors += errors;
            outcome.latencies.extend(latencies);
        }
    }
    outcome
}

/// One HTTP/1.1 keep-alive connection.
struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
    host: String,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Result<Connection, String> {
        let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(Connection { sender, host: addr.to_string() })
    }

    async fn post(&mut self, path: &str, body: Bytes) -> Result<(u16, Bytes), String> {
        let request = Request::post(path)
            .header("host", &self.host)
            .header("content-type", "application/json")
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        self.send(request).await
    }

    async fn get(&mut self, path: &str, token: &str) -> Result<(u16, Bytes), String> {
        let request = Request::get(path)
            .header("host", &self.host)
            .header("authorization", format!("Bearer {token}"))
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        self.send(request).await
    }

    async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<(u16, Bytes), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let response = self.sender.send_request(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok((status, body))
    }
}
