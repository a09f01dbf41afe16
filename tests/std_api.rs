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
