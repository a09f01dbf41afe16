//! Hostile source text against the real binary: nesting and chains of every kind, a hundred
//! thousand deep, never abort or hang the process, and never change the answers for the other
//! items of the file.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Far longer than any honest run (a fraction of a second): only a hang reaches it.
const DEADLINE: Duration = Duration::from_secs(60);

/// An item whose answers a hostile neighbour must not change.
const SIBLING: &str = "fn sibling() { let kept = String::from(\"kept\"); let n = 5u32; }\n";

/// Every nesting and chain the issue lists, and the other recursive forms of expressions,
/// types, patterns and items: one per line, as name, prefix, what repeats to open, the middle,
/// what repeats to close, and the suffix, separated by tabs.
const FORMS: &str = r#"blocks	fn main() { 	{ 	let y = 1u8;	 }	 }
parens	fn main() { let y = 	(	1	)	; }
arrays	fn main() { let y = 	[	1	]	; }
calls	fn f(x: u8) -> u8 { x } fn main() { let y = 	f(	1	)	; }
boxes	fn main() { let y = 	Box::new(	1	)	; }
if-else	fn main() { let c = true; let y = 	if c { 1 } else 	{ 0 }		; }
inline-modules		mod m { 	fn f() {}	 }	
functions		fn f() { 		 }	
clone-chain	fn main() { let s = String::new(); let t = s	.clone()			; }
binary-chain	fn main() { let y = 1	 + 1			; }
generic-types	fn main() { let v: 	Vec<	u8	>	 = Vec::new(); }
reference-types	fn main() { let v: 	&	u8		 = &1; }
negations	fn main() { let y = 	-	1		; }
references	fn main() { let y = 	& 	1		; }
derefs	fn main() { let x = 1u8; let y = 	*&	x		; }
closures	fn main() { let y = 	|x: u8| 	1		; }
returns	fn main() { 	return 			; }
impl-trait	fn f(x: 	impl Fn() -> 	u8		) {}
tuple-patterns	fn main() { let 	(	a,	)	 = 1; }
matches	fn main() { let x = 1u8; let y = 	match x { _ => 	1	 }	; }
macros	fn main() { let y = 	vec![	1	]	; }
formats	fn main() { let y = 	format!("{}", 	1	)	; }
attributes	#[cfg(	all(	unix	)	)] fn main() {}
field-chain	struct S { s: u8 } fn main() { let s = S { s: 1 }; let t = s	.s			; }
casts	fn main() { let y = 1	 as u8			; }
try-chain	fn f() -> Option<u8> { let y = Some(1)	?			; None }"#;

/// One way to nest or chain syntax: `open` repeated, then `middle`, then `close` repeated,
/// inside `prefix` … `suffix`.
struct Form {
    name: &'static str,
    prefix: &'static str,
    open: &'static str,
    middle: &'static str,
    close: &'static str,
    suffix: &'static str,
}

fn forms() -> Vec<Form> {
    FORMS
        .lines()
        .map(|line| {
            let parts: Vec<&'static str> = line.split('\t').collect();
            let [name, prefix, open, middle, close, suffix] = parts[..] else {
                panic!("a form has six parts: {line:?}");
            };
            Form {
                name,
                prefix,
                open,
                middle,
                close,
                suffix,
            }
        })
        .collect()
}

impl Form {
    fn text(&self, depth: usize) -> String {
        format!(
            "{}{}{}{}{}\n",
            self.prefix,
            self.open.repeat(depth),
            self.middle,
            self.close.repeat(depth),
            self.suffix
        )
    }
}

/// Runs `memlens explain --json` on `text` and returns its JSON, failing on a crash, a
/// non-zero exit or a hang.
fn explain(dir: &Path, name: &str, text: &str) -> serde_json::Value {
    let path = dir.join(format!("{name}.rs"));
    std::fs::write(&path, text).expect("the test file is written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_memlens"))
        .args(["explain", "--json"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("memlens starts");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("memlens can be waited for") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("{name}: no answer within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    assert!(
        status.success(),
        "{name}: memlens exited with {status}: {stderr}"
    );
    let out = reader.join().expect("stdout is read");
    serde_json::from_str(&out).unwrap_or_else(|error| panic!("{name}: not JSON ({error}): {out}"))
}

/// The bindings of the sibling function, as JSON.
fn sibling_bindings(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["bindings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|binding| binding["function"] == "sibling")
        .cloned()
        .collect()
}

/// A directory of this test's own under the system's temporary directory.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "memlens-hostile-input-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// A hundred thousand levels of every form: the process answers, and the other item of the
/// file keeps exactly the answers it has alone.
#[test]
fn deep_nesting_of_every_kind_neither_aborts_nor_hangs() {
    let dir = scratch("every-kind");
    let alone = sibling_bindings(&explain(&dir, "alone", SIBLING));
    assert_eq!(alone.len(), 2, "the sibling's two bindings are reported");
    let forms = forms();
    assert!(forms.len() > 20);
    for form in &forms {
        let text = format!("{SIBLING}{}", form.text(100_000));
        let report = explain(&dir, form.name, &text);
        assert_eq!(
            sibling_bindings(&report),
            alone,
            "{}: the sibling's answers changed",
            form.name
        );
    }
}

/// Where an item is left out for its depth, the error says so at the place it gets too deep,
/// and an item nested as deep as real code goes is analysed.
#[test]
fn only_items_nested_past_the_limit_are_left_out() {
    let dir = scratch("limit");
    for name in [
        "blocks",
        "parens",
        "generic-types",
        "inline-modules",
        "negations",
    ] {
        let forms = forms();
        let form = forms.iter().find(|form| form.name == name).expect("a form");
        let deep = explain(&dir, name, &form.text(100_000));
        let errors = deep["errors"].as_array().cloned().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{name}: one error for the deep item");
        let message = errors[0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("deep"), "{name}: {message}");
        let shallow = explain(&dir, name, &form.text(60));
        assert_eq!(
            shallow["errors"],
            serde_json::json!([]),
            "{name} at depth 60"
        );
    }
}

/// The JSON report of the binding named `name`.
fn binding<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["bindings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|binding| binding["name"] == name)
        .unwrap_or_else(|| panic!("no binding {name} in {report}"))
}

/// Loops with huge or exponential trip counts are replayed in closed form or within a budget,
/// and a growth past `isize::MAX` bytes (std panics: capacity overflow) is never a number.
#[test]
fn huge_counts_finish_and_overflow_is_not_a_number() {
    let dir = scratch("counts");
    let nested_twice = format!(
        "{}deep.push(1u8);{}",
        "for _ in 0..2 { ".repeat(40),
        " }".repeat(40)
    );
    let text = format!(
        "fn main() {{\n\
         let mut pairs = Vec::new();\n\
         for _ in 0..100000 {{ for _ in 0..100000 {{ pairs.push(1); pairs.push(2); }} }}\n\
         let mut deep = Vec::new();\n\
         {nested_twice}\n\
         let mut mixed = Vec::new();\n\
         for _ in 0..100000 {{ for _ in 0..100000 {{ mixed.push(1u8); mixed.reserve(2); }} }}\n\
         let mut all = Vec::new();\n\
         for i in 0..u64::MAX {{ all.push(i) }}\n\
         let too_big = vec![0u64; 1 << 61];\n\
         let nested = vec![vec![0u64; 1 << 40]; 1 << 40];\n\
         let reserved: Vec<u16> = Vec::with_capacity(usize::MAX);\n\
         let mut map = std::collections::HashMap::new();\n\
         map.insert(1u8, 2u8);\n\
         map.reserve(18446744073709551615);\n\
         }}\n"
    );
    let report = explain(&dir, "counts", &text);
    for name in ["pairs", "deep"] {
        let later = &binding(&report, name)["heap_after_changes"];
        assert_eq!(
            later["certainty"], "exact",
            "{name}: pushes alone sum exactly: {later}"
        );
    }
    let mixed = &binding(&report, "mixed")["heap_after_changes"];
    assert_ne!(mixed["certainty"], "exact", "past the budget: {mixed}");
    for name in ["all", "map"] {
        let later = &binding(&report, name)["heap_after_changes"];
        assert_eq!(later["certainty"], "unknown", "{name} overflows: {later}");
    }
    for name in ["too_big", "reserved"] {
        let heap = &binding(&report, name)["heap"];
        assert_eq!(heap["certainty"], "unknown", "{name} overflows: {heap}");
    }
    let nested = &binding(&report, "nested")["heap"];
    assert_ne!(
        nested["certainty"], "exact",
        "the elements' total overflows: {nested}"
    );
}

/// Generics that double a type (`(T, T)` applied 40 times, a struct holding itself with its
/// argument doubled) finish at once: the type past memlens's part limit is unknown, said in a
/// line rather than printed in full, and the definition that grows without end has no size.
#[test]
fn types_that_double_stay_bounded() {
    let dir = scratch("doubling");
    let text = format!(
        "{SIBLING}fn d<T>(x: T) -> (T, T) {{ (x, x) }}\n\
         struct Q<T> {{ q: Q<(T, T)> }}\n\
         fn main() {{ let y = {}1u8{}; let q: Q<u8>; }}\n",
        "d(".repeat(40),
        ")".repeat(40)
    );
    let report = explain(&dir, "doubling", &text);
    for name in ["y", "q"] {
        let stated = binding(&report, name);
        assert!(stated["size"].is_null(), "{name}: {stated}");
        let ty = stated["type"].as_str().unwrap_or_default();
        assert!(
            ty.len() < 100,
            "{name}: the type is not printed in full: {ty}"
        );
    }
    assert_eq!(
        sibling_bindings(&report),
        sibling_bindings(&explain(&dir, "alone", SIBLING))
    );
}
