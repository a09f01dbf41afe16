//! The judge checking its own instrument: on `tests/judge/probe_fixture`, rustc's answers read
//! through the probes must be the ones the fixture's `// expect:` comments state.

use std::collections::HashMap;

use crate::report::{CrateResult, rustc_text};
use crate::rustc::Answer;

/// One expectation: on `line`, binding `name` has `ty` and `size` (None: no fixed size).
struct Expected {
    line: usize,
    name: String,
    ty: String,
    size: Option<u64>,
}

/// The expectations of a fixture file's text.
fn expectations(text: &str) -> Vec<Expected> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let Some((_, list)) = line.split_once("// expect: ") else {
            continue;
        };
        for item in split_items(list) {
            let Some((name, rest)) = item.split_once('=') else {
                continue;
            };
            let Some((ty, size)) = rest.rsplit_once('@') else {
                continue;
            };
            out.push(Expected {
                line: index + 1,
                name: name.trim().to_string(),
                ty: ty.trim().to_string(),
                size: size.trim().parse().ok(),
            });
        }
    }
    out
}

/// Splits `a=u8@1, pairs=&[(u8, char)]@16` at the commas that start a new `name=`.
fn split_items(list: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for piece in list.split(", ") {
        let starts_item = piece.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
        match items.last_mut() {
            Some(last) if !starts_item => {
                last.push_str(", ");
                last.push_str(piece);
            }
            _ => items.push(piece.to_string()),
        }
    }
    items
}

/// Every way the fixture's answers differ from its expectations; empty when the probe works.
pub fn failures(result: &CrateResult, lib_text: &str) -> Vec<String> {
    let mut failures: Vec<String> = result
        .problems
        .iter()
        .map(|p| format!("fixture: {p}"))
        .collect();
    let answers: HashMap<(usize, &str), Option<&Answer>> = result
        .records
        .iter()
        .filter(|r| r.file == "src/lib.rs")
        .map(|r| ((r.line, r.name.as_str()), r.rustc.as_ref()))
        .collect();
    let expected = expectations(lib_text);
    if expected.is_empty() {
        failures.push("fixture: no expectations found".to_string());
    }
    for e in &expected {
        let want = match e.size {
            Some(bytes) => format!("{} ({bytes} B)", e.ty),
            None => format!("{} (no fixed size)", e.ty),
        };
        let got = match answers.get(&(e.line, e.name.as_str())) {
            None => "no such binding found".to_string(),
            Some(answer) => {
                let matches = match answer {
                    Some(Answer::Sized { ty, bytes }) => {
                        same_type(ty, &e.ty) && Some(*bytes) == e.size
                    }
                    Some(Answer::Unsized { ty, .. }) => same_type(ty, &e.ty) && e.size.is_none(),
                    None => false,
                };
                if matches {
                    continue;
                }
                rustc_text(*answer)
            }
        };
        failures.push(format!(
            "fixture line {} {}: expected {want}, rustc via the probe: {got}",
            e.line, e.name
        ));
    }
    let unexpected = result
        .records
        .iter()
        .filter(|r| {
            !expected
                .iter()
                .any(|e| e.line == r.line && e.name == r.name)
        })
        .map(|r| {
            format!(
                "fixture line {} {}: a binding without expectation",
                r.line, r.name
            )
        });
    failures.extend(unexpected);
    failures
}

/// Exact, except that `{closure}` stands for any closure: rustc names one by its position in
/// the probed file, which the probes themselves shift.
fn same_type(rustc: &str, expected: &str) -> bool {
    rustc == expected || (expected == "{closure}" && rustc.starts_with("{closure@"))
}
