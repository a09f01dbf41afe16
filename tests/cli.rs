//! The `memlens explain` command: its table, its JSON contract, and its exit codes.

use std::process::{Command, Output};

use serde_json::Value;

fn memlens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_memlens"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("memlens runs")
}

fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("memlens-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

fn stderr_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line on stderr: {stderr:?}"
    );
    stderr
}

#[test]
fn explain_prints_a_table_of_every_binding() {
    let output = memlens(&["explain", "examples/where_data_lives.rs"]);
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).expect("utf-8");
    let header = table.lines().nth(1).expect("a header row");
    for column in ["line:col", "name", "type", "where", "stack", "heap"] {
        assert!(header.contains(column), "{header}");
    }
    for name in [
        "GREETING",
        "BUFFER",
        "x",
        "y",
        "s",
        "v",
        "arr",
        "doubled",
        "param_num",
        "param_text",
        "result",
    ] {
        assert!(
            table
                .lines()
                .any(|line| line.split_whitespace().nth(1) == Some(name)),
            "{name} in\n{table}"
        );
    }
}

#[test]
fn json_follows_the_contract() {
    let output = memlens(&["explain", "--json", "examples/where_data_lives.rs"]);
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(report["file"], "examples/where_data_lives.rs");
    assert_eq!(report["target"], "x86_64-unknown-linux-gnu");
    assert!(report["errors"].as_array().is_some_and(Vec::is_empty));
    let bindings = report["bindings"].as_array().expect("bindings");
    let s = bindings.iter().find(|b| b["name"] == "s").expect("s");
    for key in [
        "line", "column", "kind", "type", "region", "size", "align", "heap",
    ] {
        assert!(s.get(key).is_some(), "missing {key} in {s}");
    }
    assert_eq!(
        (s["kind"].as_str(), s["type"].as_str(), s["region"].as_str()),
        (Some("local"), Some("String"), Some("stack"))
    );
    assert_eq!(s["heap"]["certainty"], "exact");
    let kinds: Vec<&str> = bindings.iter().filter_map(|b| b["kind"].as_str()).collect();
    for kind in ["local", "param", "static"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    let param_num = bindings
        .iter()
        .find(|b| b["name"] == "param_num")
        .expect("param_num");
    assert_eq!(param_num["region"], "register");
}

/// Lines and columns are 1-based; columns count Unicode chars (the emoji is one, not two or
/// four) and point at the name itself, after `mut`.
#[test]
fn columns_count_chars_and_point_at_the_name() {
    let path = temp_file(
        "columns.rs",
        "fn main() {\n    let é = \"😀\"; let mut x = 1;\n}\n".as_bytes(),
    );
    let output = memlens(&["explain", "--json", path.to_str().unwrap()]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let x = report["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "x")
        .expect("x");
    assert_eq!(
        (x["line"].as_u64(), x["column"].as_u64()),
        (Some(2), Some(26))
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn syntax_errors_still_report_the_rest() {
    let path = temp_file(
        "broken.rs",
        b"fn good() { let kept = 1u8; }\nfn broken( {\n    let lost = \n",
    );
    let output = memlens(&["explain", "--json", path.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "a syntax error is not a failure of memlens"
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert!(
        report["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["name"] == "kept")
    );
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    assert!(errors[0]["line"].as_u64().is_some() && errors[0]["message"].as_str().is_some());
    let _ = std::fs::remove_file(path);
}

#[test]
fn targets_change_the_numbers() {
    let json = |target: &str| -> Value {
        let output = memlens(&[
            "explain",
            "--json",
            "--target",
            target,
            "examples/where_data_lives.rs",
        ]);
        assert!(output.status.success(), "{target}");
        serde_json::from_slice(&output.stdout).expect("valid JSON")
    };
    for target in [
        "i686-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "wasm32-unknown-unknown",
    ] {
        assert_eq!(json(target)["target"], target);
    }
    let size_of_s = |report: &Value| {
        report["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == "s")
            .unwrap()["size"]
            .clone()
    };
    assert_ne!(
        size_of_s(&json("i686-unknown-linux-gnu")),
        size_of_s(&json("x86_64-unknown-linux-gnu"))
    );
}

#[test]
fn bad_input_exits_2_with_one_clear_line() {
    let missing = memlens(&["explain", "no/such/file.rs"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr_line(&missing).contains("no such file"));

    let binary = temp_file("latin1.rs", b"fn main() { let s = \"caf\xe9\"; }\n");
    let not_utf8 = memlens(&["explain", binary.to_str().unwrap()]);
    assert_eq!(not_utf8.status.code(), Some(2));
    assert!(stderr_line(&not_utf8).contains("not UTF-8"));
    let _ = std::fs::remove_file(binary);

    let target = memlens(&[
        "explain",
        "--target",
        "sparc-sun-solaris",
        "examples/where_data_lives.rs",
    ]);
    assert_eq!(target.status.code(), Some(2));
    assert!(stderr_line(&target).contains("unknown target `sparc-sun-solaris`"));
}

/// A binding changed after its `let` has both figures, in JSON and in the table, and they are
/// the core's; the line named is the line of the last change.
#[test]
fn changed_bindings_report_both_heap_figures() {
    let path = "tests/fixtures/heap_over_scope.rs";
    let text = std::fs::read_to_string(path).expect("fixture");
    let core = memlens::analysis::analyze(&text, memlens::analysis::Target::default());
    let output = memlens(&["explain", "--json", path]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let bindings = report["bindings"].as_array().expect("bindings");
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut changed = 0;
    for (json, binding) in bindings.iter().zip(&core.bindings) {
        assert_eq!(json["heap"]["bytes"].as_u64(), binding.heap().bytes());
        match binding.heap_after_changes() {
            Some((heap, changed_at)) => {
                changed += 1;
                let after = &json["heap_after_changes"];
                assert_eq!(after["bytes"].as_u64(), heap.bytes(), "{json}");
                assert_eq!(after["certainty"], heap.certainty(), "{json}");
                assert_eq!(after["line"].as_u64(), Some(line_of(changed_at) as u64));
                let (after_line, let_line) = (after["line"].as_u64(), json["line"].as_u64());
                assert!(after_line > let_line, "{json}");
            }
            None => assert!(json.get("heap_after_changes").is_none(), "{json}"),
        }
    }
    assert!(changed >= 4, "changed bindings: {changed}");
    let table = String::from_utf8(memlens(&["explain", path]).stdout).expect("utf-8");
    assert!(
        table
            .lines()
            .nth(1)
            .is_some_and(|header| header.ends_with("after changes"))
    );
}
