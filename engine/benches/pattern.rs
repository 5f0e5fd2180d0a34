//! The pattern engine against regex-lite (the crate it replaced), on the
//! patterns of the real forms: compiling, and matching a text that fits
//! and one that does not. Also the pattern that makes backtracking engines
//! take exponential time, on a 1000-character text.

use criterion::{criterion_group, criterion_main, Criterion};
use efa_engine::pattern::Pattern;

const CASES: [(&str, &str, &str, &str); 4] = [
    ("house_number", "^[0-9]{1,5} ?[a-zA-Z]?( ?[-/] ?[0-9]{1,5} ?[a-zA-Z]?)?$", "12 - 14b", "12--14"),
    ("plate", "^[A-Za-zÄÖÜäöü]{1,3}[- ][A-Za-z]{1,2} ?[0-9]{1,4}[EHeh]?$", "MÜ-AB 123E", "MÜAB123"),
    ("email", r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "anna.schmidt@musterstadt.de", "anna.schmidt@musterstadt"),
    ("date", "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "2026-11-23", "2026-13-23"),
];

fn benches(c: &mut Criterion) {
    for (name, pattern, fits, fails) in CASES {
        let ours = Pattern::new(pattern).unwrap();
        let reference = regex_lite::Regex::new(&format!("^(?:{pattern})$")).unwrap();
        assert!(ours.is_match(fits) && reference.is_match(fits));
        assert!(!ours.is_match(fails) && !reference.is_match(fails));
        c.bench_function(&format!("pattern/{name}/compile"), |b| b.iter(|| Pattern::new(pattern).unwrap()));
        c.bench_function(&format!("regex_lite/{name}/compile"), |b| {
            b.iter(|| regex_lite::Regex::new(&format!("^(?:{pattern})$")).unwrap())
        });
        c.bench_function(&format!("pattern/{name}/match"), |b| b.iter(|| (ours.is_match(fits), ours.is_match(fails))));
        c.bench_function(&format!("regex_lite/{name}/match"), |b| b.iter(|| (reference.is_match(fits), reference.is_match(fails))));
    }
    let text = format!("{}b", "a".repeat(1000));
    let ours = Pattern::new("(a+)+$").unwrap();
    let reference = regex_lite::Regex::new("^(?:(a+)+$)$").unwrap();
    c.bench_function("pattern/nested_repetition_1000", |b| b.iter(|| ours.is_match(&text)));
    c.bench_function("regex_lite/nested_repetition_1000", |b| b.iter(|| reference.is_match(&text)));
}

criterion_group! {
    name = pattern;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(1)).warm_up_time(std::time::Duration::from_millis(300));
    targets = benches
}
criterion_main!(pattern);
