//! Code actions applied to real programs must still compile: rustc type-checks every result.

mod support;

use std::process::Command;

use memlens::analysis::actions::{self, ActionOptions, CodeAction};
use memlens::analysis::{self, Target};
use support::rustc_probe::{ProbeDir, rustc_available};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("fixture exists")
}

fn all_actions(text: &str) -> Vec<CodeAction> {
    let analysis = analysis::analyze(text, Target::default());
    actions::code_actions(text, &analysis, 0..text.len(), ActionOptions::default())
}

/// Type-checks a program with rustc (no code generation); returns rustc's errors on failure.
fn type_checks(dir: &ProbeDir, name: &str, text: &str) -> Result<(), String> {
    let path = dir.path.join(format!("{name}.rs"));
    std::fs::write(&path, text).expect("write");
    let output = Command::new("rustc")
        .args([
            "--edition",
            "2024",
            "--emit=metadata",
            "-A",
            "warnings",
            "--crate-name",
            "fixed",
            "-o",
        ])
        .arg(dir.path.join(format!("{name}.rmeta")))
        .arg(&path)
        .output()
        .expect("rustc runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Applies each action on its own and type-checks the result; returns the titles applied.
fn apply_each_and_check(name: &str, text: &str) -> Vec<String> {
    let dir = ProbeDir::new(name);
    type_checks(&dir, "original", text).expect("the fixture itself compiles");
    let mut broken = Vec::new();
    let mut titles = Vec::new();
    for (index, action) in all_actions(text).iter().enumerate() {
        let fixed = actions::apply(text, &action.edits);
        if let Err(errors) = type_checks(&dir, &format!("fixed{index}"), &fixed) {
            broken.push(format!("`{}` breaks the build:\n{errors}", action.title));
        }
        titles.push(action.title.clone());
    }
    assert!(broken.is_empty(), "{}", broken.join("\n\n"));
    titles
}

#[test]
fn every_fix_in_the_fixture_compiles() {
    if !rustc_available() {
        eprintln!("SKIPPED: no rustc to check the fixes with");
        return;
    }
    let titles = apply_each_and_check("actions", &fixture("tests/fixtures/actions.rs"));
    let count = |prefix: &str| titles.iter().filter(|t| t.starts_with(prefix)).count();
    eprintln!(
        "{} fixes applied and compiled:\n{}",
        titles.len(),
        titles.join("\n")
    );
    assert!(count("Pre-allocate") >= 5, "pre-allocations: {titles:#?}");
    assert!(
        titles.iter().any(|t| t.contains("with_capacity(limit)")),
        "the while loop: {titles:#?}"
    );
    assert!(
        count("Take `&str` instead of `String`") == 2,
        "greet and consume: {titles:#?}"
    );
    assert!(
        count("Take `&str` instead of `&String`") == 1,
        "{titles:#?}"
    );
    assert!(
        count("Take `&[u64]`") == 1 && count("Take `&Path`") == 1,
        "{titles:#?}"
    );
    assert!(
        count("Move `word`") == 1 && count("Remove `.clone()`") == 1,
        "{titles:#?}"
    );
    assert!(
        count("Use an array") >= 2 && count("Move `buffer` to the heap") == 1,
        "{titles:#?}"
    );
    assert_eq!(count("Move `kept`"), 0, "kept is used after its clone");
    assert_eq!(
        count("Take `&Config` instead of `Box<Config>`"),
        1,
        "{titles:#?}"
    );
}

#[test]
fn fixes_on_the_seed_program_compile() {
    if !rustc_available() {
        eprintln!("SKIPPED: no rustc to check the fixes with");
        return;
    }
    let titles = apply_each_and_check("seed", &fixture("examples/where_data_lives.rs"));
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Take `&str` instead of `&String`")),
        "{titles:#?}"
    );
}
