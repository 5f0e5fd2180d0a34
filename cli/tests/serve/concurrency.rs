//! Concurrency: parallel submissions are all stored exactly once, and
//! parallel retries with the same Idempotency-Key store one submission.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{dog, valid, Backend, Database, Server, SUBMIT};

crate::on_both_backends! {
    five_hundred_parallel_submissions_are_stored_once => five_hundred_parallel;
    parallel_retries_with_one_key_store_once => parallel_retries;
    two_instances_on_one_database_store_a_key_once => two_instances;
}

fn numbered(i: usize) -> Value {
    let mut body = valid();
    body["data"]["hund"] = json!([dog(&format!("Hund {i}"))]);
    body
}

async fn five_hundred_parallel(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let server = Arc::new(Server::start(&db));
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let server = server.clone();
            tokio::spawn(async move {
                let response = server.post_json(SUBMIT, &numbered(i)).await;
                assert_eq!(response.status(), StatusCode::CREATED);
                response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
            })
        })
        .collect();
    let mut receipts = BTreeSet::new();
    for task in tasks {
        receipts.insert(task.await.unwrap());
    }
    assert_eq!(receipts.len(), 500, "every receipt is distinct");
    let stored: BTreeSet<String> = server.all_ids().await.into_iter().collect();
    assert_eq!(stored, receipts, "each submission stored exactly once");
}

async fn parallel_retries(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let server = Arc::new(Server::start(&db));
    // 100 submissions, each sent 5 times at once with its own key.
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let server = server.clone();
            let key = i % 100;
            tokio::spawn(async move {
                let response = server
                    .client
                    .post(server.at(SUBMIT))
                    .header("Idempotency-Key", format!("retry-{key}"))
                    .json(&numbered(key))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                (key, response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut by_key: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for task in tasks {
        let (key, receipt) = task.await.unwrap();
        by_key.entry(key).or_default().insert(receipt.to_string());
    }
    assert_eq!(by_key.len(), 100);
    assert!(by_key.values().all(|receipts| receipts.len() == 1), "one receipt per key: {by_key:?}");
    assert_eq!(server.all_ids().await.len(), 100, "no duplicates");
}

async fn two_instances(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let servers = Arc::new([Server::start(&db), Server::start(&db)]);
    // 50 submissions, each sent 4 times at once, alternately to both instances.
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let servers = servers.clone();
            let key = i % 50;
            tokio::spawn(async move {
                let server = &servers[i % 2];
                let request = server.client.post(server.at(SUBMIT)).header("Idempotency-Key", format!("shared-{key}")).json(&numbered(key));
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                (key, response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string())
            })
        })
        .collect();
    let mut by_key: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for task in tasks {
        let (key, id) = task.await.unwrap();
        by_key.entry(key).or_default().insert(id);
    }
    assert!(by_key.values().all(|ids| ids.len() == 1), "one receipt per key across instances: {by_key:?}");
    assert_eq!(servers[0].all_ids().await.len(), 50);
    assert_eq!(servers[1].all_ids().await.len(), 50);
}
