//! Generated forms for benchmarks: `size` fields on ten steps, about half of
//! them with `visible`/`required` conditions over one to three earlier fields,
//! many of those on one hub field (`f0`).

use serde_json::{json, Value as Json};

/// A small deterministic generator (no `rand` in the engine's dependencies).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

const KINDS: [&str; 5] = ["text", "integer", "choice", "boolean", "date"];

fn kind_of(index: usize) -> &'static str {
    if index == 0 {
        "choice"
    } else {
        KINDS[index % KINDS.len()]
    }
}

/// A condition that reads field `index` (true for some of its values).
fn test_of(index: usize) -> String {
    match kind_of(index) {
        "text" => format!("!is_empty(f{index})"),
        "integer" => format!("f{index} > 5"),
        "choice" => format!("f{index} == 'a'"),
        "boolean" => format!("f{index}"),
        _ => format!("f{index} < date('2000-01-01')"),
    }
}

/// The definition of a generated form with `size` fields.
pub fn definition(size: usize) -> Json {
    let mut rng = Lcg(42);
    let per_step = size.div_ceil(10);
    let mut steps = Vec::new();
    for step in 0..10 {
        let mut fields = Vec::new();
        for index in step * per_step..((step + 1) * per_step).min(size) {
            let mut field = json!({ "id": format!("f{index}"), "type": kind_of(index), "label": format!("Feld {index}") });
            if kind_of(index) == "choice" {
                field["options"] = json!(["a", "b", "c"]);
            }
            if index > 0 && rng.next(2) == 0 {
                let mut terms = Vec::new();
                if rng.next(3) == 0 {
                    terms.push(test_of(0));
                }
                for _ in 0..1 + rng.next(3 - terms.len().min(2)) {
                    terms.push(test_of(rng.next(index)));
                }
                let condition = terms.join(if rng.next(2) == 0 { " && " } else { " || " });
                let key = if rng.next(2) == 0 { "visible" } else { "required" };
                field[key] = Json::String(condition);
            }
            fields.push(field);
        }
        steps.push(json!({ "id": format!("s{step}"), "title": format!("Schritt {step}"), "fields": fields }));
    }
    json!({ "id": format!("generated-{size}"), "version": "1.0.0", "title": "Generated", "steps": steps })
}

/// A value that satisfies the test of field `index`.
pub fn value_for(index: usize) -> Json {
    match kind_of(index) {
        "text" => json!("Wert"),
        "integer" => json!(7),
        "choice" => json!("a"),
        "boolean" => json!(true),
        _ => json!("1990-05-17"),
    }
}

/// The path of a field that nothing reads: the last one, since conditions
/// only name earlier fields.
pub fn leaf_path(size: usize) -> String {
    format!("/f{}", size - 1)
}
