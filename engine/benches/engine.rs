//! Engine benchmarks on generated forms of 100, 1000 and 5000 fields:
//! compile, one change of the hub field, one change of a field nothing
//! depends on, and full revalidation of a complete submission (from a
//! parsed value, and from the envelope's JSON text as a server receives it).

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use efa_engine::{compile, Context, Date, Resources, Session};
use serde_json::json;

mod support;

fn context() -> Context {
    Context::new(Date::parse("2026-11-23").unwrap(), "de")
}

fn benches(c: &mut Criterion) {
    for size in [100, 1000, 5000] {
        let definition = support::definition(size);
        let form = Arc::new(compile(&definition, Resources::default()).expect("generated form compiles"));

        c.bench_with_input(BenchmarkId::new("compile", size), &definition, |b, definition| {
            b.iter(|| compile(definition, Resources::default()).unwrap())
        });

        let mut session = Session::new(form.clone(), context());
        let mut toggle = false;
        c.bench_function(&format!("hub_change/{size}"), |b| {
            b.iter(|| {
                toggle = !toggle;
                session.set("/f0", json!(if toggle { "a" } else { "b" })).unwrap()
            })
        });

        let leaf = support::leaf_path(size);
        let mut session = Session::new(form.clone(), context());
        let mut counter = 0u64;
        c.bench_function(&format!("leaf_change/{size}"), |b| {
            b.iter(|| {
                counter += 1;
                session.set(&leaf, json!(if counter % 2 == 0 { "x" } else { "y" })).unwrap()
            })
        });

        let mut filled = Session::new(form.clone(), context());
        for index in 0..size {
            let _ = filled.set(&format!("/f{index}"), support::value_for(index));
        }
        let submission = filled.submission().to_json();
        let data = submission["data"].clone();
        let report = form.validate(&data, &context());
        assert!(report.valid, "the generated submission must be valid: {:?}", &report.errors[..report.errors.len().min(3)]);
        c.bench_with_input(BenchmarkId::new("full_validation", size), &data, |b, data| b.iter(|| form.validate(data, &context())));
        // The same, as a server gets it: the envelope's JSON text.
        let text = filled.submission().as_str().to_string();
        c.bench_with_input(BenchmarkId::new("full_validation_text", size), &text, |b, text| {
            b.iter(|| form.validate_envelope_text(text, &context()).unwrap())
        });
    }
}

criterion_group! {
    name = engine;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = benches
}
criterion_main!(engine);
