//! Start and stop: a broken forms directory stops the start with every
//! problem named; SIGTERM lets a request in flight finish.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{forms_dir, valid, Backend, Database, Options, Server, SUBMIT};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_broken_library_refuses_to_start_and_names_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    copy_dir(&forms_dir(), &forms);
    let path = forms.join("hundesteuer-anmeldung.json");
    let mut definition: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    definition["steps"][0]["fields"][0]["visible"] = Value::from("nachname == 'x'");
    std::fs::write(&path, definition.to_string()).unwrap();
    std::fs::write(forms.join("kaputt.json"), "{ not json").unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_efa"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite://{}", dir.path().join("efa.db").display()))
        .arg("--forms")
        .arg(&forms)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The definition was written on one line: line 1, at the condition.
    let located = stderr.lines().find(|line| line.contains("hundesteuer-anmeldung.json:1:")).unwrap_or_default();
    assert!(located.contains(": /steps/0/fields/0/visible: unknown field 'nachname'"), "{stderr}");
    assert!(stderr.contains("kaputt.json#/: not valid JSON"), "a file that is not JSON names its own line: {stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).is_empty(), "it must not claim to listen");

    let missing =
        Command::new(env!("CARGO_BIN_EXE_efa")).args(["serve", "--addr", "127.0.0.1:0", "--forms", "/nonexistent/forms"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let bad_db = Command::new(env!("CARGO_BIN_EXE_efa"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database", "mysql://x"])
        .arg("--forms")
        .arg(forms_dir())
        .output()
        .unwrap();
    assert_eq!(bad_db.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_db.stderr).contains("unsupported database URL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_request_in_flight() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let mut server = Server::start(&db);
    let addr = server.addr();
    let body = valid().to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(stream, "POST /{SUBMIT} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}", body.len()).unwrap();
    stream.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let _ = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(tail.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");

    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    let id = response.split("\"id\":\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
    drop(server);
    let server = Server::start(&db);
    let stored = server.operator_get(&format!("api/musterstadt/submissions/{id}"), "musterstadt-secret").await;
    assert_eq!(stored.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_is_logged_without_query_or_body() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let mut server = Server::start(&db);
    assert_eq!(server.get("healthz").await.status(), StatusCode::OK);
    assert_eq!(server.get("api/forms/nichts?secret=42").await.status(), StatusCode::NOT_FOUND);
    let accepted = server.post_json(SUBMIT, &valid()).await;
    assert_eq!(accepted.status(), StatusCode::CREATED);
    assert!(server.terminate().success());
    let stderr = std::fs::read_to_string(db.dir.path().join("stderr.txt")).unwrap();
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("efa serve: GET ") || l.starts_with("efa serve: POST ")).collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[0].starts_with("efa serve: GET /healthz 200 ") && lines[0].ends_with(" ms"), "{stderr}");
    assert!(lines[1].starts_with("efa serve: GET /api/forms/nichts 404 "), "no query string: {stderr}");
    assert!(lines[2].starts_with(&format!("efa serve: POST /{SUBMIT} 201 ")), "{stderr}");
    assert!(!stderr.contains("Mustermann") && !stderr.contains("secret"), "nothing of the data or the query is logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_token_may_be_configured_as_its_digest() {
    use sha2::Digest;
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let hex: String = sha2::Sha256::digest(b"musterstadt-secret").iter().map(|b| format!("{b:02x}")).collect();
    let server = Server::start_with(&db, Options { args: Vec::new(), tokens: Some(format!("musterstadt=sha256:{hex}")) });
    let list = server.operator_get("api/musterstadt/submissions", "musterstadt-secret").await;
    assert_eq!(list.status(), StatusCode::OK);
    let digest_as_token = server.operator_get("api/musterstadt/submissions", &format!("sha256:{hex}")).await;
    assert_eq!(digest_as_token.status(), StatusCode::UNAUTHORIZED);
}
