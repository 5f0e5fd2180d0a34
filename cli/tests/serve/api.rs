//! The API's happy paths and contracts: read endpoints, validation,
//! submissions and receipts, idempotency, the operator API, demo pages.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{dangerous, dog, multipart, pdf, valid, Backend, Database, Options, Server, SUBMIT};

crate::on_both_backends! {
    submission_is_stored_and_readable => submission_is_stored_and_readable;
    idempotency_key_gives_the_same_receipt => idempotency_key_gives_the_same_receipt;
    attachments_are_stored_with_the_submission => attachments_are_stored_with_the_submission;
    operator_tokens_are_per_tenant => operator_tokens_are_per_tenant;
    listing_is_paginated => listing_is_paginated;
}

fn is_rfc3339_utc(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && text.ends_with('Z')
}

async fn submission_is_stored_and_readable(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let server = Server::start(&db);
    let response = server.post_json(SUBMIT, &valid()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let receipt: Value = response.json().await.unwrap();
    let id = receipt["id"].as_str().unwrap();
    assert!(is_rfc3339_utc(receipt["receivedAt"].as_str().unwrap()), "{receipt}");
    assert_eq!(receipt["form"], json!({"id": "hundesteuer-anmeldung", "version": "1.0.0"}));
    assert_eq!(receipt["tenant"], "musterstadt");
    assert_eq!(location, format!("/api/musterstadt/submissions/{id}"));

    let stored: Value = server.operator_get(&location, "musterstadt-secret").await.json().await.unwrap();
    assert_eq!(stored["id"], receipt["id"]);
    assert_eq!(stored["receivedAt"], receipt["receivedAt"]);
    // The canonical submission is stored, not the raw body: computed values are filled in.
    assert_eq!(stored["submission"]["data"]["familienname"], "Mustermann");
    assert_eq!(stored["submission"]["data"]["anzahl_hunde"], 1);
    assert_eq!(stored["attachments"], json!([]));
}

async fn idempotency_key_gives_the_same_receipt(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let server = Server::start(&db);
    let send = |body: Value, key: &'static str, path: &'static str| {
        let request = server.client.post(server.at(path)).header("Idempotency-Key", key).json(&body);
        async move { request.send().await.expect("POST") }
    };
    let first = send(valid(), "key-1", SUBMIT).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();

    let again = send(valid(), "key-1", SUBMIT).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);

    let mut other = valid();
    other["data"]["vorname"] = json!("Max");
    let conflict = send(other.clone(), "key-1", SUBMIT).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    assert_eq!(conflict.json::<Value>().await.unwrap()["error"]["code"], "idempotency_conflict");

    // Keys are per tenant.
    let elsewhere = send(valid(), "key-1", "api/beispielhausen/forms/hundesteuer-anmeldung/submissions").await;
    assert_eq!(elsewhere.status(), StatusCode::CREATED);
    assert_ne!(elsewhere.json::<Value>().await.unwrap()["id"], first["id"]);

    // An invalid body does not use up a key.
    let mut invalid = valid();
    invalid["data"]["familienname"] = json!("");
    assert_eq!(send(invalid, "key-2", SUBMIT).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(send(other, "key-2", SUBMIT).await.status(), StatusCode::CREATED);

    assert_eq!(server.all_ids().await.len(), 2);
}

async fn attachments_are_stored_with_the_submission(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let server = Server::start(&db);
    let (a, b) = (pdf(2000, 1), b"\x89PNG\r\n\x1a\n-not-really-a-png-but-signed".to_vec());
    let envelope = dangerous(&[("erlaubnis.pdf", "application/pdf", a.len()), ("wesenstest.png", "image/png", b.len())]);
    let form = multipart(
        &envelope,
        vec![
            ("/hund/0/nachweis", "erlaubnis.pdf", "application/pdf", a.clone()),
            ("/hund/0/nachweis", "wesenstest.png", "image/png", b.clone()),
        ],
    );
    let response = server.client.post(server.at(SUBMIT)).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let receipt: Value = response.json().await.unwrap();
    let path = format!("api/musterstadt/submissions/{}", receipt["id"].as_str().unwrap());
    let stored: Value = server.operator_get(&path, "musterstadt-secret").await.json().await.unwrap();
    let files = stored["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], "/hund/0/nachweis");
    assert_eq!(files[0]["name"], "erlaubnis.pdf");
    assert_eq!(files[1]["type"], "image/png");
    assert_eq!(files[1]["size"], b.len());
    for (n, expected) in [a, b].iter().enumerate() {
        let response = server.operator_get(&format!("{path}/attachments/{n}"), "musterstadt-secret").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-disposition"], "attachment");
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(&response.bytes().await.unwrap()[..], &expected[..]);
    }
    let missing = server.operator_get(&format!("{path}/attachments/2"), "musterstadt-secret").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn operator_tokens_are_per_tenant(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let server = Server::start(&db);
    let receipt: Value = server.post_json(SUBMIT, &valid()).await.json().await.unwrap();
    let id = receipt["id"].as_str().unwrap();
    let own = format!("api/musterstadt/submissions/{id}");

    assert_eq!(server.get(&own).await.status(), StatusCode::UNAUTHORIZED);
    let wrong = server.operator_get(&own, "beispielhausen-secret").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    assert_eq!(wrong.json::<Value>().await.unwrap()["error"]["code"], "unauthorized");
    assert_eq!(server.operator_get(&own, "musterstadt-secret").await.status(), StatusCode::OK);
    // Another tenant's valid token, on its own path, does not find Musterstadt's submission.
    let across = server.operator_get(&format!("api/beispielhausen/submissions/{id}"), "beispielhausen-secret").await;
    assert_eq!(across.status(), StatusCode::NOT_FOUND);
    let list: Value = server.operator_get("api/beispielhausen/submissions", "beispielhausen-secret").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
    // A tenant without a token cannot be read at all.
    assert_eq!(server.operator_get("api/seedorf/submissions", "").await.status(), StatusCode::UNAUTHORIZED);
    drop(server);

    // Without configured tokens the operator API is off, clearly.
    let server = Server::start_with(&db, Options::default());
    let off = server.operator_get(&own, "musterstadt-secret").await;
    assert_eq!(off.status(), StatusCode::FORBIDDEN);
    assert_eq!(off.json::<Value>().await.unwrap()["error"]["code"], "operator_api_disabled");
}

async fn listing_is_paginated(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let server = Server::start(&db);
    let mut sent = Vec::new();
    for i in 0..5 {
        let mut body = valid();
        body["data"]["hund"] = json!([dog(&format!("Hund {i}"))]);
        let receipt: Value = server.post_json(SUBMIT, &body).await.json().await.unwrap();
        sent.push(receipt["id"].as_str().unwrap().to_string());
    }
    let mut seen = Vec::new();
    let mut query = "limit=2".to_string();
    let mut pages = 0;
    loop {
        let page: Value =
            server.operator_get(&format!("api/musterstadt/submissions?{query}"), "musterstadt-secret").await.json().await.unwrap();
        pages += 1;
        seen.extend(page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => query = format!("limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, sent, "oldest first, each once");
    let bad = server.operator_get("api/musterstadt/submissions?limit=0", "musterstadt-secret").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn read_api_serves_forms_tenants_codelists_and_schemas() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let server = Server::start(&db);
    let health = server.get("healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");

    let forms: Value = server.get("api/forms").await.json().await.unwrap();
    let dog_form = forms.as_array().unwrap().iter().find(|f| f["id"] == "hundesteuer-anmeldung").expect("listed");
    assert_eq!(dog_form["version"], "1.0.0");
    assert_eq!(dog_form["title"]["de"], "Hund zur Hundesteuer anmelden");
    let definition: Value = server.get("api/forms/hundesteuer-anmeldung").await.json().await.unwrap();
    assert_eq!(definition["steps"][0]["id"], "halter");
    let tenants: Value = server.get("api/tenants").await.json().await.unwrap();
    assert!(tenants.as_array().unwrap().iter().any(|t| t["id"] == "musterstadt"));
    let tenant: Value = server.get("api/tenants/musterstadt").await.json().await.unwrap();
    assert_eq!(tenant["branding"]["primaryColor"], "#005a9c");
    let list: Value = server.get("api/codelists/hunderassen").await.json().await.unwrap();
    assert_eq!(list["entries"][0]["code"], "mischling");
    let same: Value = server.get("api/codelists/hunderassen.json").await.json().await.unwrap();
    assert_eq!(same, list);
    let schema: Value = server.get("api/schemas/form.schema.json").await.json().await.unwrap();
    assert!(schema.get("$schema").is_some() || schema.get("$id").is_some() || schema.get("type").is_some());
    let data_schema: Value = server.get("api/musterstadt/forms/hundesteuer-anmeldung/schema").await.json().await.unwrap();
    assert!(data_schema["properties"]["data"]["properties"].get("hund").is_some(), "{data_schema}");

    for (path, code) in [
        ("api/forms/nope", "unknown_form"),
        ("api/tenants/nope", "unknown_tenant"),
        ("api/codelists/nope", "unknown_codelist"),
        ("api/nope/forms/hundesteuer-anmeldung/schema", "unknown_tenant"),
        ("api/no/such/route/at/all", "not_found"),
    ] {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}");
        assert!(body["error"]["message"].is_string() && body["issues"].is_array());
    }
    let wrong_method = server.client.delete(server.at("api/forms")).send().await.unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.json::<Value>().await.unwrap()["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn validate_reports_without_storing() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let server = Server::start(&db);
    let path = "api/musterstadt/forms/hundesteuer-anmeldung/validate";
    let report: Value = server.post_json(path, &valid()).await.json().await.unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["submission"]["form"]["id"], "hundesteuer-anmeldung");

    let mut invalid = valid();
    invalid["data"]["familienname"] = json!("");
    let response = server.client.post(server.at(path)).header("Accept-Language", "en-GB,en;q=0.9").json(&invalid).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["code"], "required");
    assert_eq!(report["errors"][0]["path"], "/familienname");
    assert_eq!(report["errors"][0]["message"], "Enter “Surname”.");

    // A bare data object works too; German is the default language.
    let report: Value = server.post_json(path, &invalid["data"]).await.json().await.unwrap();
    assert_eq!(report["errors"][0]["message"], "Bitte geben Sie „Familienname“ an.");
    assert!(server.all_ids().await.is_empty());
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let server = Server::start(&db);
    let served: Value = server.get("api/openapi.json").await.json().await.unwrap();
    let in_repo: Value = serde_json::from_str(include_str!("../../openapi.json")).unwrap();
    assert_eq!(served, in_repo);
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = served["paths"].as_object().unwrap();
    for path in [
        "/healthz",
        "/api/forms",
        "/api/forms/{form}",
        "/api/tenants",
        "/api/tenants/{tenant}",
        "/api/codelists",
        "/api/codelists/{id}",
        "/api/schemas",
        "/api/schemas/{name}",
        "/api/{tenant}/forms/{form}/schema",
        "/api/{tenant}/forms/{form}/validate",
        "/api/{tenant}/forms/{form}/submissions",
        "/api/{tenant}/submissions",
        "/api/{tenant}/submissions/{id}",
        "/api/{tenant}/submissions/{id}/attachments/{n}",
        "/api/openapi.json",
    ] {
        assert!(paths.contains_key(path), "OpenAPI misses {path}");
    }
    // Every reference resolves.
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&served, &mut found);
    assert!(found.len() > 20);
    for target in found {
        let pointer = target.strip_prefix('#').expect("local reference");
        assert!(served.pointer(pointer).is_some(), "dangling {target}");
    }
}

#[tokio::test]
async fn demo_portals_embed_the_widget_under_a_strict_csp() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let widget = db.dir.path().join("widget");
    let examples = db.dir.path().join("examples");
    std::fs::create_dir_all(&widget).unwrap();
    std::fs::create_dir_all(&examples).unwrap();
    std::fs::write(widget.join("efa-form.js"), "export {};\n").unwrap();
    std::fs::write(widget.join("efa_wasm_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::create_dir_all(examples.join("musterstadt")).unwrap();
    std::fs::write(examples.join("musterstadt/index.html"), "<!doctype html><title>Beispiel</title>").unwrap();
    let options = Options {
        args: vec!["--widget".into(), widget.display().to_string(), "--examples".into(), examples.display().to_string()],
        ..Options::standard()
    };
    let server = Server::start_with(&db, options);

    let index = server.get("/").await;
    assert_eq!(index.status(), StatusCode::OK);
    let html = index.text().await.unwrap();
    for tenant in ["musterstadt", "beispielhausen", "seedorf"] {
        assert!(html.contains(&format!(r#"href="/portal/{tenant}""#)), "{html}");
    }
    assert!(html.contains(r#"href="/examples/musterstadt/""#), "{html}");

    let portal = server.get("portal/musterstadt?form=hundesteuer-anmeldung").await;
    assert_eq!(portal.status(), StatusCode::OK);
    let headers = portal.headers().clone();
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let html = portal.text().await.unwrap();
    assert!(html.contains(
        r#"<efa-form form="/compiled/musterstadt/hundesteuer-anmeldung.efa" lang="de" action="/api/musterstadt/forms/hundesteuer-anmeldung/submissions">"#
    ), "{html}");
    assert!(html.contains(r#"<script type="module" src="/widget/efa-form.js"></script>"#));
    assert!(!html.contains("<style") && !html.contains("style="), "inline styles break the CSP");
    assert!(html.contains("?form=jagdschein"), "the picker links the other forms");
    assert_eq!(server.get("portal/nowhere").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.get("portal/musterstadt?form=nope").await.status(), StatusCode::NOT_FOUND);

    // The image the portal's element loads: the form compiled for the tenant.
    let compiled = server.get("compiled/musterstadt/hundesteuer-anmeldung.efa").await;
    assert_eq!(compiled.status(), StatusCode::OK);
    assert_eq!(compiled.headers()["content-type"], "application/octet-stream");
    let image = compiled.bytes().await.unwrap();
    let (form, tenant) = efa_engine::read_image(&image).expect("an image of this engine build");
    assert_eq!((form.id(), tenant.map(|t| t.id)), ("hundesteuer-anmeldung", Some("musterstadt".to_string())));
    for missing in
        ["compiled/nowhere/hundesteuer-anmeldung.efa", "compiled/musterstadt/nope.efa", "compiled/musterstadt/hundesteuer-anmeldung"]
    {
        assert_eq!(server.get(missing).await.status(), StatusCode::NOT_FOUND, "{missing}");
    }

    let wasm = server.get("widget/efa_wasm_bg.wasm").await;
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    let js = server.get("widget/efa-form.js").await;
    assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(server.get("widget/../../etc/passwd").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.get("widget/%2e%2e/secret").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.get("examples/musterstadt/").await.text().await.unwrap(), "<!doctype html><title>Beispiel</title>");
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let bare = no_redirects.get(server.at("examples/musterstadt")).send().await.unwrap();
    assert_eq!(bare.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(bare.headers()["location"], "/examples/musterstadt/");
    let logo = server.get("assets/musterstadt-logo.svg").await;
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert!(logo.headers().contains_key("content-security-policy"));
    // The file layout of the example portals works too.
    let definition: Value = server.get("forms/hundesteuer-anmeldung.json").await.json().await.unwrap();
    assert_eq!(definition["id"], "hundesteuer-anmeldung");
    let list: Value = server.get("forms/codelists/hunderassen.json").await.json().await.unwrap();
    assert_eq!(list["id"], "hunderassen");
    let tenant: Value = server.get("tenants/musterstadt.json").await.json().await.unwrap();
    assert_eq!(tenant["id"], "musterstadt");
    assert_eq!(server.get("efa/efa_wasm_bg.wasm").await.headers()["content-type"], "application/wasm");
    let css = server.get("static/portal.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn a_missing_widget_build_gets_a_helpful_404() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let server = Server::start(&db);
    let response = server.get("widget/efa-form.js").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let text = response.text().await.unwrap();
    assert!(text.contains("not built") && text.contains("--widget"), "{text}");
}

#[tokio::test]
async fn portals_on_other_hosts_may_call_the_public_api_only() {
    let db = Database::fresh(Backend::Sqlite).await.unwrap();
    let options = Options { args: vec!["--allow-origin".into(), "https://www.musterstadt.example".into()], ..Options::standard() };
    let server = Server::start_with(&db, options);
    let preflight = |path: &str, headers: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.at(path))
            .header("Origin", "https://www.musterstadt.example")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", headers)
            .send()
    };
    let allowed = preflight(SUBMIT, "content-type,idempotency-key").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://www.musterstadt.example");
    let allowed_headers = allowed.headers()["access-control-allow-headers"].to_str().unwrap().to_string();
    assert!(allowed_headers.contains("idempotency-key") && !allowed_headers.contains("authorization"), "{allowed_headers}");

    let response =
        server.client.post(server.at(SUBMIT)).header("Origin", "https://www.musterstadt.example").json(&valid()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["access-control-allow-origin"], "https://www.musterstadt.example");
    assert!(response.headers()["access-control-expose-headers"].to_str().unwrap().contains("location"));

    let other = server.client.get(server.at("api/forms")).header("Origin", "https://evil.example").send().await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
