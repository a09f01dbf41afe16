//! Every macro call site of the corpus (`tests/macro_rules/corpus/*.rs`) expanded by memlens
//! and by rustc (`-Zunpretty=expanded`), compared item by item.

use std::path::PathBuf;

use crate::harness::{
    canonical, edition_of, expand_file, item_name, item_named, rustc_available, rustc_expanded,
};

fn corpus_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/macro_rules/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_expansions_equal_rustcs() {
    if !rustc_available() {
        return;
    }
    let (mut agreed, mut failures) = (0, Vec::new());
    for path in corpus_files() {
        let source = std::fs::read_to_string(&path).expect("corpus file");
        let edition = edition_of(&source);
        let theirs = rustc_expanded(&path, edition)
            .unwrap_or_else(|error| panic!("rustc rejects {}: {error}", path.display()));
        let theirs: syn::File = syn::parse_file(&theirs).unwrap_or_else(|error| {
            panic!(
                "rustc's output for {} does not parse: {error}",
                path.display()
            )
        });
        let mut ours = syn::parse_file(&source).expect("corpus parses");
        let errors = expand_file(&mut ours, edition);
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for error in errors {
            failures.push(format!("{file}: {error}"));
        }
        for item in &ours.items {
            let Some(name) = item_name(item).filter(|name| name.starts_with("site_")) else {
                continue;
            };
            let ours_text = canonical(item);
            let theirs_text = item_named(&theirs, &name)
                .map(canonical)
                .unwrap_or_default();
            if ours_text == theirs_text {
                agreed += 1;
            } else {
                failures.push(format!(
                    "{file}::{name}\n  ours:  {ours_text}\n  rustc: {theirs_text}"
                ));
            }
        }
    }
    eprintln!(
        "{agreed} call-site items agree with rustc, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(agreed >= 30, "only {agreed} sites compared");
}
