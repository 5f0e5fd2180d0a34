//! The tamper suite: every class of DESIGN 4.3 is rejected over HTTP with
//! 422 and the right code at the right path; malformed, oversized, deeply
//! nested and mistyped requests get a clear 4xx; the service stays healthy.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{codes_at, dangerous, dog, multipart, pdf, valid, Backend, Database, Server, SUBMIT};

/// Sends a JSON submission and expects 422 with `code` at `path`.
async fn rejected(server: &Server, body: &Value, path: &str, code: &str) {
    let response = server.post_json(SUBMIT, body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code} at {path}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_submission");
    assert!(codes_at(&body, path).iter().any(|c| c == code), "expected {code} at {path}, got {body}");
    for issue in body["issues"].as_array().unwrap() {
        assert!(issue["message"].as_str().is_some_and(|m| !m.is_empty()), "{issue}");
    }
}

/// Sends a multipart submission and expects 422 with `code` at `path`.
async fn rejected_multipart(server: &Server, form: reqwest::multipart::Form, path: &str, code: &str) {
    let response = server.client.post(server.at(SUBMIT)).multipart(form).send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{code} at {path}: {body}");
    assert!(codes_at(&body, path).iter().any(|c| c == code), "expected {code} at {path}, got {body}");
}

fn with(mutate: impl FnOnce(&mut Value)) -> Value {
    let mut body = valid();
    mutate(&mut body["data"]);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tampering_class_is_rejected_with_its_code() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let server = Server::start(&db);

    rejected(&server, &with(|d| drop(d.as_object_mut().unwrap().remove("familienname"))), "/familienname", "required").await;
    rejected(&server, &with(|d| d["geburtsdatum"] = json!("2015-06-01")), "/geburtsdatum", "rule").await;
    rejected(&server, &with(|d| d["vorname"] = json!(42)), "/vorname", "type").await;
    rejected(&server, &with(|d| d["hund"] = json!({"name": "Bello"})), "/hund", "type").await;
    rejected(&server, &with(|d| d["zahlungsweise"] = json!("bar")), "/zahlungsweise", "not_in_options").await;
    rejected(&server, &with(|d| d["hund"][0]["rasse"] = json!("wolf")), "/hund/0/rasse", "not_in_options").await;
    rejected(&server, &with(|d| d["admin"] = json!(true)), "/admin", "unknown_key").await;
    rejected(&server, &with(|d| d["hund"][0]["chef"] = json!("x")), "/hund/0/chef", "unknown_key").await;
    rejected(&server, &with(|d| d["zuzugsdatum"] = json!("2022-01-01")), "/zuzugsdatum", "not_relevant").await;
    rejected(&server, &with(|d| d["iban"] = json!("DE89370400440532013000")), "/iban", "unknown_key").await;
    rejected(&server, &with(|d| d["sepa"] = json!({"iban": "DE89370400440532013000"})), "/sepa/iban", "not_relevant").await;
    rejected(&server, &with(|d| d["hund"] = json!([])), "/hund", "repeat_min").await;
    rejected(&server, &with(|d| d["hund"] = Value::Array((0..11).map(|i| dog(&format!("Hund {i}"))).collect())), "/hund", "repeat_max")
        .await;
    rejected(&server, &with(|d| d["hund"][0]["name"] = json!("B".repeat(51))), "/hund/0/name", "max_length").await;
    rejected(&server, &with(|d| d["vorname"] = json!("E".repeat(200_000))), "/vorname", "too_large").await;
    rejected(&server, &with(|d| d["anzahl_hunde"] = json!(2)), "/anzahl_hunde", "computed_mismatch").await;

    // Attachment limits, checked on what was actually received.
    let text = b"just some text".to_vec();
    let envelope = dangerous(&[("notiz.txt", "text/plain", text.len())]);
    let form = multipart(&envelope, vec![("/hund/0/nachweis", "notiz.txt", "text/plain", text)]);
    rejected_multipart(&server, form, "/hund/0/nachweis", "attachment_type").await;

    let big = pdf(10 * 1024 * 1024 + 1, 7);
    let envelope = dangerous(&[("gross.pdf", "application/pdf", big.len())]);
    let form = multipart(&envelope, vec![("/hund/0/nachweis", "gross.pdf", "application/pdf", big)]);
    rejected_multipart(&server, form, "/hund/0/nachweis", "attachment_size").await;

    let files: Vec<_> = (0..4).map(|i| (format!("n{i}.pdf"), pdf(100, i))).collect();
    let envelope = dangerous(&files.iter().map(|(n, b)| (n.as_str(), "application/pdf", b.len())).collect::<Vec<_>>());
    let parts = files.iter().map(|(n, b)| ("/hund/0/nachweis", n.as_str(), "application/pdf", b.clone())).collect();
    rejected_multipart(&server, multipart(&envelope, parts), "/hund/0/nachweis", "attachment_count_max").await;

    // Metadata that lies about the file.
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0 this is not a pdf".to_vec();
    let envelope = dangerous(&[("erlaubnis.pdf", "application/pdf", exe.len())]);
    let form = multipart(&envelope, vec![("/hund/0/nachweis", "erlaubnis.pdf", "application/pdf", exe)]);
    rejected_multipart(&server, form, "/hund/0/nachweis", "attachment_mismatch").await;

    let real = pdf(5000, 9);
    let envelope = dangerous(&[("erlaubnis.pdf", "application/pdf", 100)]);
    let form = multipart(&envelope, vec![("/hund/0/nachweis", "erlaubnis.pdf", "application/pdf", real.clone())]);
    rejected_multipart(&server, form, "/hund/0/nachweis", "attachment_mismatch").await;

    let envelope = dangerous(&[("erlaubnis.pdf", "application/pdf", real.len())]);
    rejected(&server, &envelope, "/hund/0/nachweis", "attachment_missing").await;
    let form = multipart(&envelope, vec![("/hund/0/nachweis", "andere.pdf", "application/pdf", real.clone())]);
    rejected_multipart(&server, form, "/hund/0/nachweis", "attachment_mismatch").await;

    let form = multipart(&valid(), vec![("/hund/0/nachweis", "erlaubnis.pdf", "application/pdf", real)]);
    rejected_multipart(&server, form, "/hund/0/nachweis", "attachment_unexpected").await;

    // Envelope problems.
    let mut wrong_version = valid();
    wrong_version["form"]["version"] = json!("0.9.0");
    rejected(&server, &wrong_version, "", "version_mismatch").await;
    rejected(&server, &json!({"data": valid()["data"]}), "", "envelope").await;
    rejected(&server, &json!([1, 2, 3]), "", "envelope").await;

    // One call reports every problem at once.
    let many = with(|d| {
        d["familienname"] = json!("");
        d["zahlungsweise"] = json!("bar");
        d["admin"] = json!(1);
    });
    let body: Value = server.post_json(SUBMIT, &many).await.json().await.unwrap();
    assert!(body["issues"].as_array().unwrap().len() >= 3, "{body}");

    // Thousands of problems: the answer lists a bounded number.
    let flood = with(|d| {
        for i in 0..2000 {
            d[format!("x{i}")] = json!(i);
        }
    });
    let body: Value = server.post_json(SUBMIT, &flood).await.json().await.unwrap();
    assert_eq!(body["issues"].as_array().unwrap().len(), 500);
    assert!(body["error"]["message"].as_str().unwrap().contains("2000"), "{body}");

    assert!(server.all_ids().await.is_empty(), "nothing invalid was stored");
    assert_eq!(server.get("healthz").await.status(), StatusCode::OK);
}

/// Sends raw bytes and returns the status line and the body.
fn raw_request(addr: &str, request: &[u8]) -> (String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text.lines().next().unwrap_or_default().to_string();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_client_errors() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let server = Server::start(&db);
    let submit = server.at(SUBMIT);
    let expect = |status: StatusCode, code: &'static str| {
        move |response: reqwest::Response| async move {
            assert_eq!(response.status(), status, "{code}");
            assert_eq!(response.headers()["content-type"], "application/json", "{code}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], code);
        }
    };

    let plain = server.client.post(&submit).header("content-type", "text/plain").body(valid().to_string()).send().await.unwrap();
    expect(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")(plain).await;
    let none = server.client.post(&submit).body(valid().to_string()).send().await.unwrap();
    expect(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")(none).await;
    let form = multipart(&valid(), vec![]);
    let validate = server.at("api/musterstadt/forms/hundesteuer-anmeldung/validate");
    let multipart_validate = server.client.post(&validate).multipart(form).send().await.unwrap();
    expect(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")(multipart_validate).await;

    let json = |body: &str| server.client.post(&submit).header("content-type", "application/json").body(body.to_string()).send();
    expect(StatusCode::BAD_REQUEST, "malformed_json")(json("{\"form\": ").await.unwrap()).await;
    expect(StatusCode::BAD_REQUEST, "malformed_json")(json("").await.unwrap()).await;
    expect(StatusCode::BAD_REQUEST, "malformed_json")(json("{\"a\": \"\u{0}\" }\u{1}").await.unwrap()).await;
    let deep = "[".repeat(200_000) + &"]".repeat(200_000);
    expect(StatusCode::BAD_REQUEST, "too_deep")(json(&deep).await.unwrap()).await;
    let deep_object = "{\"a\":".repeat(50_000) + "1" + &"}".repeat(50_000);
    expect(StatusCode::BAD_REQUEST, "too_deep")(json(&deep_object).await.unwrap()).await;
    // Nesting within the parser's limit reaches the engine, which rejects the shape.
    let nested = "[".repeat(100) + &"]".repeat(100);
    let within = format!(r#"{{"form": {{"id": "hundesteuer-anmeldung", "version": "1.0.0"}}, "data": {{"vorname": {nested}}}}}"#);
    let response = json(&within).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let ten_mb = format!("{{\"data\": \"{}\"}}", "a".repeat(10 * 1024 * 1024));
    let response = server.client.post(&submit).header("content-type", "application/json").body(ten_mb.clone()).send().await;
    match response {
        Ok(response) => expect(StatusCode::PAYLOAD_TOO_LARGE, "too_large")(response).await,
        // The server may answer and close before the client finished sending.
        Err(error) => panic!("the 413 did not reach the client: {error}"),
    }
    // Sent chunked, without a Content-Length: cut off while reading.
    let addr = server.addr();
    let chunk = "a".repeat(1 << 20);
    let mut request = format!(
        "POST /{SUBMIT} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..3 {
        request.extend(format!("{:x}\r\n{chunk}\r\n", chunk.len()).into_bytes());
    }
    request.extend(b"0\r\n\r\n");
    let (status, body) = tokio::task::spawn_blocking(move || raw_request(&addr, &request)).await.unwrap();
    assert!(status.contains("413"), "{status}");
    assert!(body.contains("too_large"), "{body}");

    let unknown_form = server.post_json("api/musterstadt/forms/nope/submissions", &valid()).await;
    expect(StatusCode::NOT_FOUND, "unknown_form")(unknown_form).await;
    let unknown_tenant = server.post_json("api/nowhere/forms/hundesteuer-anmeldung/submissions", &valid()).await;
    expect(StatusCode::NOT_FOUND, "unknown_tenant")(unknown_tenant).await;
    let bad_key = server.client.post(&submit).header("Idempotency-Key", "has space").json(&valid()).send().await.unwrap();
    expect(StatusCode::BAD_REQUEST, "invalid_idempotency_key")(bad_key).await;

    // Multipart structure.
    let no_submission = reqwest::multipart::Form::new().text("other", "x");
    let response = server.client.post(&submit).multipart(no_submission).send().await.unwrap();
    expect(StatusCode::BAD_REQUEST, "unexpected_part")(response).await;
    let only_files =
        reqwest::multipart::Form::new().part("/hund/0/nachweis", reqwest::multipart::Part::bytes(pdf(20, 1)).file_name("x.pdf"));
    let response = server.client.post(&submit).multipart(only_files).send().await.unwrap();
    expect(StatusCode::BAD_REQUEST, "missing_submission")(response).await;
    let broken =
        server.client.post(&submit).header("content-type", "multipart/form-data; boundary=xyz").body("garbage").send().await.unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    let mut too_many = reqwest::multipart::Form::new()
        .part("submission", reqwest::multipart::Part::text(valid().to_string()).mime_str("application/json").unwrap());
    for i in 0..150 {
        too_many = too_many.part("/hund/0/nachweis", reqwest::multipart::Part::bytes(pdf(20, i)).file_name("x.pdf"));
    }
    let response = server.client.post(&submit).multipart(too_many).send().await.unwrap();
    expect(StatusCode::PAYLOAD_TOO_LARGE, "too_many_parts")(response).await;

    assert!(server.all_ids().await.is_empty());
    assert_eq!(server.get("healthz").await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_times_out_with_408() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let options = crate::common::Options { args: vec!["--timeout-secs".into(), "1".into()], ..crate::common::Options::standard() };
    let server = Server::start_with(&db, options);
    let addr = server.addr();
    // Promise 100 bytes, send none.
    let request = format!("POST /{SUBMIT} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
    let (status, body) = tokio::task::spawn_blocking(move || raw_request(&addr, request.as_bytes())).await.unwrap();
    assert!(status.contains("408"), "{status}");
    assert!(body.contains("\"timeout\""), "{body}");
    assert_eq!(server.get("healthz").await.status(), StatusCode::OK);
}
