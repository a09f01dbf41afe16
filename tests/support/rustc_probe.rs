//! Compiling and running probe programs with the machine's rustc: the source of truth for tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A scratch directory for one probe, removed when dropped.
pub struct ProbeDir {
    pub path: PathBuf,
}

impl ProbeDir {
    pub fn new(name: &str) -> ProbeDir {
        // Tests run in parallel threads of one process, so the pid alone is not unique.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = NEXT.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!(
            "memlens-probe-{name}-{}-{unique}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        ProbeDir { path }
    }
}

impl Drop for ProbeDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Whether rustc is on this machine; truth tests skip (loudly) without it.
pub fn rustc_available() -> bool {
    Command::new("rustc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Compiles `source` into an executable in `dir`; panics with rustc's errors on failure.
pub fn compile(dir: &Path, name: &str, source: &str, extra_args: &[&str]) -> PathBuf {
    try_compile(dir, name, source, extra_args).unwrap_or_else(|errors| {
        panic!("probe {name} does not compile:\n{errors}\n--- source ---\n{source}")
    })
}

/// Compiles `source` into an executable in `dir`, or gives rustc's errors.
pub fn try_compile(
    dir: &Path,
    name: &str,
    source: &str,
    extra_args: &[&str],
) -> Result<PathBuf, String> {
    let source_path = dir.join(format!("{name}.rs"));
    std::fs::write(&source_path, source).map_err(|e| format!("write probe: {e}"))?;
    let binary = dir.join(name);
    let output = Command::new("rustc")
        .args(["--edition", "2024", "-A", "warnings", "-o"])
        .arg(&binary)
        .arg(&source_path)
        .args(extra_args)
        .output()
        .map_err(|e| format!("rustc does not run: {e}"))?;
    if output.status.success() {
        Ok(binary)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Runs a compiled probe and returns its stdout.
pub fn run(binary: &Path) -> String {
    let output = Command::new(binary).output().expect("probe runs");
    assert!(
        output.status.success(),
        "probe failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// `size align` of each type, as rustc lays it out on the host. The types may name items of
/// `program`, whose own `main` is renamed so that the probe's runs instead.
pub fn sizes_and_aligns(program: &str, types: &[String]) -> Vec<(u64, u64)> {
    let dir = ProbeDir::new("sizes");
    let program = program
        .replace("//!", "//")
        .replacen("fn main()", "fn __fixture_main()", 1);
    // Glob imports in a child module see the program's items and std's without clashing.
    let mut source = format!(
        "#![allow(unused)]\n{program}\nmod __probe {{\n    use super::*;\n    use std::collections::*;\n    use std::rc::*;\n    use std::sync::*;\n    pub fn run() {{\n"
    );
    for ty in types {
        source.push_str(&format!(
            "        println!(\"{{}} {{}}\", std::mem::size_of::<{ty}>(), std::mem::align_of::<{ty}>());\n"
        ));
    }
    source.push_str("    }\n}\nfn main() { __probe::run() }\n");
    let binary = compile(&dir.path, "sizes", &source, &[]);
    run(&binary)
        .lines()
        .map(|line| {
            let mut numbers = line.split(' ').map(|n| n.parse::<u64>().expect("number"));
            (
                numbers.next().expect("size"),
                numbers.next().expect("align"),
            )
        })
        .collect()
}
