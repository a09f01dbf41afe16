//! The std API table (`src/analysis/std_api/std_api.txt`): regenerated from the installed
//! toolchain's `rust-src` and compared with the checked-in copy, and checked against rustc.
//!
//! Update the table after a toolchain change with
//! `MEMLENS_UPDATE_STD_API=1 cargo test --release --test std_api`.

mod support;

mod std_api {
    pub mod cfg;
    pub mod emit;
    pub mod expand;
    pub mod keys;
    pub mod lower;
    pub mod model;
    pub mod resolve;
    pub mod source;
    pub mod tokens;
    pub mod truth;
}

use std::path::PathBuf;
use std::process::Command;

use memlens::analysis::Target;
use memlens::analysis::std_api::{StdApi, TABLE_TEXT};

const UPDATE_VAR: &str = "MEMLENS_UPDATE_STD_API";

fn table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/analysis/std_api/std_api.txt")
}

fn rustc_output(args: &[&str]) -> Option<String> {
    let output = Command::new("rustc").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// `library/` of the installed rust-src, when there is one.
fn rust_src_library() -> Option<PathBuf> {
    let sysroot = rustc_output(&["--print", "sysroot"])?;
    let library = PathBuf::from(sysroot).join("lib/rustlib/src/rust/library");
    library.join("std/src/lib.rs").exists().then_some(library)
}

/// The table generated from `library`, with a summary of what was left out.
pub fn generate(library: &std::path::Path, rustc: &str) -> (String, String) {
    let model = std_api::source::read_std(library).expect("rust-src reads");
    let resolver = std_api::resolve::Resolver::new(&model);
    let keys = std_api::keys::assign(&resolver);
    let mut emitter = std_api::emit::Emitter::new(&resolver, &keys);
    emitter.emit_all();
    let (text, stats) = emitter.render(rustc, model.fingerprint, "2024");
    let expanded: usize = model.macros.expanded.values().sum();
    let failed: usize = model.macros.failed.values().map(|(n, _)| n).sum();
    let mut failures: Vec<(&String, &(usize, String))> = model.macros.failed.iter().collect();
    failures.sort_by_key(|f| std::cmp::Reverse(f.1.0));
    let summary = format!(
        "{} files, {} modules, {} items, {} impls read; {} methods written; impls skipped: {:?}\n\
         macro invocations expanded: {expanded}, not expanded: {failed}; most frequent: {:?}",
        model.files,
        model.modules.len(),
        model.items.len(),
        model.impls.len(),
        stats.methods,
        stats.skipped_impls,
        failures
            .iter()
            .take(25)
            .map(|(n, (c, why))| format!("{n}:{c} ({why})"))
            .collect::<Vec<_>>(),
    );
    (text, summary)
}

#[test]
fn checked_in_table_is_what_rust_src_generates() {
    let Some(library) = rust_src_library() else {
        eprintln!("skipped: no rust-src (rustup component add rust-src)");
        return;
    };
    let rustc = rustc_output(&["--version"]).expect("rustc runs");
    let update = std::env::var_os(UPDATE_VAR).is_some();
    let api = StdApi::for_target(&Target::default());
    assert!(
        update || api.info().rustc == rustc,
        "the std API table was generated from `{}` but the installed toolchain is `{rustc}`; \
         regenerate it with `{UPDATE_VAR}=1 cargo test --release --test std_api`",
        api.info().rustc
    );
    let (text, summary) = generate(&library, &rustc);
    eprintln!("{summary}\ntable: {} bytes", text.len());
    if update {
        std::fs::write(table_path(), &text).expect("write the table");
        return;
    }
    assert!(
        text == TABLE_TEXT,
        "the checked-in std API table differs from what rust-src generates; update it with \
         `{UPDATE_VAR}=1 cargo test --release --test std_api`"
    );
}

/// rustc's verdict for each case: the type it names, or for bounds whether it accepts them.
fn rustc_answers(cases: &[std_api::truth::Case]) -> Vec<Option<String>> {
    use std_api::truth::{IMPORTS, Query, SETUP};
    let dir = support::rustc_probe::ProbeDir::new("std-api-truth");
    // `ty::<T>()` names a type, sized or not, as `PhantomData<T>`.
    let mut types = format!(
        "{IMPORTS}\nfn ty<T: ?Sized>() -> std::marker::PhantomData<T> {{ loop {{}} }}\n\
         fn main() {{\n{SETUP}\n"
    );
    let mut bounds = format!("{IMPORTS}\n");
    let mut lines = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let (program, text) = match &case.query {
            Query::Holds(..) => {
                let (subject, bound) = case.expr.split_once(": ").expect("`T: Bound`");
                let text = format!(
                    "fn case_{index}() {{ fn f<T: ?Sized + {bound}>() {{}} f::<{subject}>(); }}\n"
                );
                (&mut bounds, text)
            }
            Query::Projection(..) => (&mut types, format!("let _: () = ty::<{}>();\n", case.expr)),
            // Through a binding, so that rustc does not infer the expression from `()`.
            _ => (
                &mut types,
                format!("let _: () = {{ let value = {}; value }};\n", case.expr),
            ),
        };
        lines.push((
            program.lines().count() + 1,
            matches!(case.query, Query::Holds(..)),
        ));
        program.push_str(&text);
    }
    types.push_str("}\n");
    let type_errors = rustc_errors(&dir, "types", &types);
    let bound_errors = rustc_errors(&dir, "bounds", &bounds);
    lines
        .iter()
        .map(|&(line, is_bound)| {
            if is_bound {
                let rejected = bound_errors
                    .iter()
                    .any(|(l, code, ..)| *l == line && code == "E0277");
                return Some((!rejected).to_string());
            }
            let on_line: Vec<_> = type_errors.iter().filter(|(l, ..)| *l == line).collect();
            // No error means the expression is `()`; any other error that rustc rejects it.
            let Some((_, code, label, note)) = on_line.first() else {
                return Some("()".into());
            };
            if code != "E0308" || on_line.len() > 1 {
                return None;
            }
            // rustc shortens long types in the label (`Result<MutexGuard<u8>, ...>`); its
            // note has them whole.
            let text = if label.contains("...") { note } else { label };
            let start = text.rfind("found ")?;
            let text = &text[start..];
            let start = text.find('`')? + 1;
            let end = text.rfind('`')?;
            let found = &text[start..end];
            let found = found
                .strip_prefix("PhantomData<")
                .and_then(|inner| inner.strip_suffix('>'))
                .unwrap_or(found);
            Some(std_api::truth::normalize_rustc(found))
        })
        .collect()
}

/// `(line, code, primary label, notes)` of each error rustc reports for `source`.
fn rustc_errors(
    dir: &support::rustc_probe::ProbeDir,
    name: &str,
    source: &str,
) -> Vec<(usize, String, String, String)> {
    let path = dir.path.join(format!("{name}.rs"));
    std::fs::write(&path, source).expect("write probe");
    let output = Command::new("rustc")
        .args([
            "--edition",
            "2024",
            "--error-format=json",
            "--emit=metadata",
            "-A",
            "warnings",
        ])
        .arg("--out-dir")
        .arg(&dir.path)
        .arg(&path)
        .output()
        .expect("rustc runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|error| {
            let code = error["code"]["code"].as_str()?.to_string();
            let span = error["spans"]
                .as_array()?
                .iter()
                .find(|s| s["is_primary"] == true)?;
            let line = span["line_start"].as_u64()? as usize;
            let label = span["label"].as_str().unwrap_or("").to_string();
            let notes = error["children"].as_array().into_iter().flatten();
            let note = notes
                .filter_map(|child| child["message"].as_str())
                .collect::<Vec<_>>()
                .join("\n");
            Some((line, code, label, note))
        })
        .collect()
}

#[test]
fn table_agrees_with_rustc_on_a_sample_of_queries() {
    if !support::rustc_probe::rustc_available() {
        eprintln!("skipped: no rustc");
        return;
    }
    let api = StdApi::for_target(&Target::default());
    let solver = std_api::truth::Solver { api };
    let cases = std_api::truth::cases();
    let expected = rustc_answers(&cases);
    let mut disagreements = Vec::new();
    let mut both_none = 0;
    for (case, expected) in cases.iter().zip(&expected) {
        let ours = solver.answer(&case.query);
        both_none += usize::from(ours.is_none() && expected.is_none());
        if ours != *expected {
            disagreements.push(format!("{}: table {ours:?}, rustc {expected:?}", case.expr));
        }
    }
    eprintln!(
        "std API truth: {} of {} queries agree with rustc ({both_none} agree that nothing \
         answers)",
        cases.len() - disagreements.len(),
        cases.len()
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// The private types the table holds for layouts (`std::sys::fs::unix::File`, the `libc` shim's
/// `std::libc::stat64`) are no module's members: users cannot name them, and std's re-exports of
/// `libc` (`pub use libc::mode_t` in `std::os::*::raw`) must not make the shim's stand-ins public.
#[test]
fn private_types_are_no_module_s_members() {
    let mut in_module = false;
    let mut leaks = Vec::new();
    for line in TABLE_TEXT.lines() {
        if !line.starts_with(' ') {
            in_module = line.starts_with('M');
            continue;
        }
        let target = line.split(' ').nth(3).unwrap_or("");
        if in_module && (target.starts_with("std::sys::") || target.starts_with("std::libc::")) {
            leaks.push(line.to_string());
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    assert!(
        TABLE_TEXT.contains(" std::libc::stat64 struct "),
        "the libc shim's types are in the table"
    );
}
