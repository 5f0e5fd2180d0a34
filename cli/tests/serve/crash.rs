//! Crash safety: `kill -9` during a burst of submissions (some with
//! attachments); after a restart every submission that got a 201 is there,
//! with its files.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{dangerous, multipart, pdf, valid, Backend, Database, Server, SUBMIT};

crate::on_both_backends! {
    every_acknowledged_submission_survives_kill_9 => survives_kill_9;
}

/// A 201'd submission and the bytes of its file, if it had one.
struct Acknowledged {
    id: String,
    file: Option<Vec<u8>>,
}

async fn survives_kill_9(backend: Backend) {
    let db = Database::fresh(backend).await.expect("database");
    let mut server = Server::start(&db);
    let url = server.url.clone();
    let acknowledged = Arc::new(Mutex::new(Vec::<Acknowledged>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let workers: Vec<_> = (0..32u64)
        .map(|worker| {
            let (client, url, acknowledged, stop) = (client.clone(), url.clone(), acknowledged.clone(), stop.clone());
            tokio::spawn(async move {
                for round in 0u64.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let request = client.post(format!("{url}{SUBMIT}"));
                    let (request, file) = if round % 2 == 0 {
                        (request.json(&valid()), None)
                    } else {
                        let bytes = pdf(3000 + (worker * 7 + round) as usize % 5000, worker * 100_000 + round);
                        let envelope = dangerous(&[("nachweis.pdf", "application/pdf", bytes.len())]);
                        (
                            request.multipart(multipart(
                                &envelope,
                                vec![("/hund/0/nachweis", "nachweis.pdf", "application/pdf", bytes.clone())],
                            )),
                            Some(bytes),
                        )
                    };
                    match request.send().await {
                        Ok(response) if response.status() == StatusCode::CREATED => {
                            let Ok(receipt) = response.json::<Value>().await else { break };
                            let id = receipt["id"].as_str().unwrap().to_string();
                            acknowledged.lock().unwrap().push(Acknowledged { id, file });
                        }
                        Ok(response) => panic!("unexpected status {}", response.status()),
                        // The server is gone: this request may or may not be stored; it was not acknowledged.
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    drop(server);

    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    assert!(acknowledged.len() >= 20, "the burst was too small to mean anything: {}", acknowledged.len());
    let server = Server::start(&db);
    let stored = server.all_ids().await;
    assert!(stored.len() >= acknowledged.len());
    let mut with_files = 0;
    for ack in &acknowledged {
        let path = format!("api/musterstadt/submissions/{}", ack.id);
        let response = server.operator_get(&path, "musterstadt-secret").await;
        assert_eq!(response.status(), StatusCode::OK, "acknowledged submission {} lost", ack.id);
        let body: Value = response.json().await.unwrap();
        if let Some(file) = &ack.file {
            with_files += 1;
            assert_eq!(body["attachments"][0]["size"], file.len());
            let bytes = server.operator_get(&format!("{path}/attachments/0"), "musterstadt-secret").await.bytes().await.unwrap();
            assert_eq!(&bytes[..], &file[..], "attachment of {} differs", ack.id);
        }
    }
    assert!(with_files > 0);
    eprintln!("{} acknowledged ({with_files} with a file), {} stored, 0 lost", acknowledged.len(), stored.len());
}
