//! Declarations from the crate's other files: module tree, imports, renames, globs, ambiguity.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use expect_test::{Expect, expect};

use crate::analysis::Target;
use crate::analysis::crate_index::CrateIndex;
use crate::analysis::incremental::{Analyzer, CrateFile};
use crate::analysis::inlay;
use crate::analysis::items::package::{CrateRoot, TargetKind};

/// Files of a fixture crate, each introduced by a `//- /path` line.
fn crate_files(fixture: &str) -> HashMap<PathBuf, String> {
    fixture
        .split("//- ")
        .filter(|part| !part.trim().is_empty())
        .filter_map(|part| {
            let (path, text) = part.split_once('\n')?;
            Some((PathBuf::from(path.trim()), text.to_string()))
        })
        .collect()
}

fn indexed(files: &HashMap<PathBuf, String>) -> CrateIndex {
    let read = |path: &Path| files.get(path).cloned();
    let roots = [
        ("/src/lib.rs", TargetKind::Library),
        ("/src/main.rs", TargetKind::Binary),
        ("/build.rs", TargetKind::BuildScript),
    ]
    .into_iter()
    .map(|(path, kind)| CrateRoot {
        path: PathBuf::from(path),
        kind,
    })
    .filter(|root| files.contains_key(&root.path))
    .collect();
    let mut index = CrateIndex::with_roots(roots, Some("shop".to_string()));
    while index.index_some(1, &read) > 0 {}
    index
}

/// One line per binding of `path`: name, type, and the inlay label.
fn bindings_of(analyzer: &mut Analyzer, index: &CrateIndex, path: &str, text: &str) -> String {
    let krate = CrateFile {
        index,
        path: Path::new(path),
    };
    let analysis = analyzer.analyze_in_crate(text, Target::default(), 0..text.len(), Some(krate));
    analysis
        .bindings
        .iter()
        .map(|report| {
            let ty = report
                .ty()
                .map_or_else(|| "?".to_string(), ToString::to_string);
            format!(
                "{} {ty} | {}\n",
                report.binding.name,
                inlay::label(report, Default::default())
            )
        })
        .collect()
}

fn check(fixture: &str, path: &str, expected: Expect) {
    let files = crate_files(fixture);
    let index = indexed(&files);
    let text = &files[Path::new(path)];
    expected.assert_eq(&bindings_of(&mut Analyzer::default(), &index, path, text));
}

const SHOP: &str = r#"
//- /src/main.rs
mod shapes;
mod util;
mod inline {
    pub mod deep;
}
use shapes::{Point as P, Circle};
use util::*;
use inline::deep::Deep;
fn main() {
    let p = P { x: 1, y: 2 };
    let c = Circle::new(3.0);
    let w: Wrapper<u16> = Wrapper { inner: Vec::new(), tag: 1 };
    let b = BUF;
    let cfg: Config = make();
    let d = Deep { a: 1, b: 2 };
    let o: Option<Circle> = None;
    let f: Fallible = todo!();
}
//- /src/shapes/mod.rs
pub mod circle;
pub use circle::Circle;
pub struct Point { pub x: i64, pub y: u8 }
pub struct Config { a: u8 }
//- /src/shapes/circle.rs
pub struct Circle { r: f64, tag: u8 }
impl Circle {
    pub fn new(r: f64) -> Self { Circle { r, tag: 0 } }
}
//- /src/util.rs
use std::io;
pub struct Fallible<T = u16> { pub error: io::Error, pub value: T }
pub struct Wrapper<T> { pub inner: Vec<T>, pub tag: u8 }
pub struct Config { b: u64, c: u8, d: u64 }
pub const N: usize = 4;
pub static BUF: [u8; N] = [0; N];
pub fn make() -> Config { todo!() }
//- /src/inline/deep.rs
pub struct Deep { a: u32, b: u8 }
"#;

#[test]
fn types_from_other_files_are_known() {
    // `Config` is declared twice; the glob import of `util` picks util's 24-byte one.
    check(
        SHOP,
        "/src/main.rs",
        expect![[r#"
            p Point | stack 16B
            c Circle | stack 16B
            w Wrapper<u16> | stack 32B
            b [u8; 4] | stack 4B
            cfg Config | stack 24B
            d Deep | stack 8B
            o Option<Circle> | stack 24B
            f Fallible<u16> | stack 16B
        "#]],
    );
}

#[test]
fn an_ambiguous_name_that_is_not_imported_stays_unknown() {
    let fixture = format!(
        "{SHOP}\n//- /src/other.rs\nfn f() {{ let cfg: Config = todo!(); let d: Deep = todo!(); }}\n"
    );
    let fixture = fixture.replacen("mod util;", "mod util;\nmod other;", 1);
    check(
        &fixture,
        "/src/other.rs",
        expect![[r#"
            cfg ? | stack ? + heap ?
            d ? | stack ? + heap ?
        "#]],
    );
}

#[test]
fn a_file_sees_changes_to_the_files_it_uses() {
    let files = crate_files(SHOP);
    let mut index = indexed(&files);
    let main = &files[Path::new("/src/main.rs")];
    let mut analyzer = Analyzer::default();
    let before = bindings_of(&mut analyzer, &index, "/src/main.rs", main);
    assert!(before.contains("d Deep | stack 8B"), "{before}");
    // deep.rs gains a field, as after an edit in the editor or on disk.
    let read = |path: &Path| files.get(path).cloned();
    let edited = crate::analysis::crate_index::FileDeclarations::of_text(
        "pub struct Deep { a: u32, b: u8, c: u64 }",
    );
    index.update(Path::new("/src/inline/deep.rs"), edited, &read);
    let after = bindings_of(&mut analyzer, &index, "/src/main.rs", main);
    assert!(after.contains("d Deep | stack 16B"), "{after}");
}

#[test]
fn the_module_tree_follows_mod_items_in_both_file_forms() {
    let index = indexed(&crate_files(SHOP));
    let mut found: Vec<String> = [
        "/src/main.rs",
        "/src/shapes/mod.rs",
        "/src/shapes/circle.rs",
    ]
    .into_iter()
    .chain(["/src/util.rs", "/src/inline/deep.rs", "/src/missing.rs"])
    .filter(|path| index.contains(Path::new(path)))
    .map(str::to_string)
    .collect();
    found.sort();
    expect![[r#"
        [
            "/src/inline/deep.rs",
            "/src/main.rs",
            "/src/shapes/circle.rs",
            "/src/shapes/mod.rs",
            "/src/util.rs",
        ]
    "#]]
    .assert_debug_eq(&found);
}

#[test]
fn hovering_a_type_from_another_file_shows_its_layout() {
    let files = crate_files(SHOP);
    let index = indexed(&files);
    let text = &files[Path::new("/src/main.rs")];
    let krate = CrateFile {
        index: &index,
        path: Path::new("/src/main.rs"),
    };
    let analysis =
        Analyzer::default().analyze_in_crate(text, Target::default(), 0..text.len(), Some(krate));
    let offset = text.find("Option<Circle>").expect("the mention") + "Option<".len();
    let hover = crate::analysis::hover::hover(&analysis, offset).expect("a hover");
    expect![[r#"
        ```rust
        struct Circle
        ```

        ---

        size = 16 (0x10), align = 8, niches = none

        ```text
        offset  size  field
        0       8     r: f64
        8       1     tag: u8
        9       7     [7 bytes padding]
        ```"#]]
    .assert_eq(&hover.markdown);
}

#[test]
fn a_deleted_file_takes_its_declarations_along() {
    let mut files = crate_files(SHOP);
    let mut index = indexed(&files);
    let main = files[Path::new("/src/main.rs")].clone();
    let util = Path::new("/src/util.rs");
    files.remove(util);
    let read = |path: &Path| files.get(path).cloned();
    index.forget(util);
    index.relink(&read);
    assert!(!index.contains(util));
    let after = bindings_of(&mut Analyzer::default(), &index, "/src/main.rs", &main);
    assert!(after.contains("w ? | stack ?"), "{after}");
    assert!(after.contains("d Deep | stack 8B"), "{after}");
}

#[test]
fn files_named_by_path_attributes_own_their_directory() {
    // As rustc: a `#[path]` file looks for its own `mod` files beside it, like a mod.rs, and a
    // `#[path]` inside an inline module is relative to that module's directory.
    let index = indexed(&crate_files(
        r#"
//- /src/lib.rs
#[path = "imp/impls.rs"] mod imp;
mod inl { #[path = "y.rs"] pub mod z; }
#[path = "../src/lib.rs"] mod again;
//- /src/imp/impls.rs
pub mod helper;
//- /src/imp/helper.rs
pub struct H;
//- /src/inl/y.rs
pub struct Z;
"#,
    ));
    for path in ["/src/imp/impls.rs", "/src/imp/helper.rs", "/src/inl/y.rs"] {
        assert!(index.contains(Path::new(path)), "{path} is indexed");
    }
    // The module that names lib.rs again through `..` is the same file: indexing ended.
    assert_eq!(index.progress(), (4, 4));
}

#[test]
fn an_explicit_import_follows_re_exports_and_beats_a_glob() {
    check(
        r#"
//- /src/main.rs
mod shapes;
mod util;
use shapes::Circle;
use util::*;
fn main() { let o: Option<Circle> = None; let w: Wide = todo!(); }
//- /src/shapes/mod.rs
mod circle;
pub use circle::Circle;
//- /src/shapes/circle.rs
pub struct Circle { r: f64, tag: u8 }
//- /src/util.rs
pub struct Circle { big: [u8; 64] }
pub struct Wide { big: [u8; 64] }
"#,
        "/src/main.rs",
        expect![[r#"
            o Option<Circle> | stack 24B
            w Wide | stack 64B
        "#]],
    );
}

#[test]
fn an_import_from_a_dependency_hides_the_crates_type_of_that_name() {
    check(
        r#"
//- /src/lib.rs
mod a;
mod b;
//- /src/a.rs
pub struct Bytes { buf: [u8; 100] }
//- /src/b.rs
use bytes::Bytes;
fn f() { let x: Bytes = todo!(); }
"#,
        "/src/b.rs",
        expect![[r#"
            x ? | stack ? + heap ?
        "#]],
    );
}

#[test]
fn renaming_a_module_changes_what_the_file_declares() {
    let declared = |text: &str| {
        let mut analyzer = Analyzer::default();
        analyzer.analyze(text, Target::default());
        analyzer.own_declarations()
    };
    assert_ne!(declared("mod a;\n"), declared("mod b;\n"));
    assert_ne!(
        declared("mod a;\n"),
        declared("#[path = \"x.rs\"] mod a;\n")
    );
    assert_ne!(
        declared("mod a { pub struct X; }\n"),
        declared("mod c { pub struct X; }\n")
    );
}

#[test]
fn an_unimported_std_name_is_std_s_even_if_the_crate_declares_one() {
    // error.rs declares the usual `Result` alias; main.rs does not import it, so its `Result`
    // is std's, and only the imported `Error` comes from error.rs.
    check(
        r#"
//- /src/main.rs
mod error;
use error::Error;
fn main() {
    let r: Result<u8, ()> = Ok(1);
    let e: Error = todo!();
}
//- /src/error.rs
pub struct Error { code: u32 }
pub type Result<T> = std::result::Result<T, Error>;
"#,
        "/src/main.rs",
        expect![[r#"
            r Result<u8, ()> | stack 2B
            e Error | stack 4B
        "#]],
    );
}

/// A struct under an attribute macro that may rewrite it (ouroboros's `#[self_referencing]`
/// turns zoxide's `Database` from 80 bytes as written into rustc's 64) has no size from any
/// file: seen from another file, its definition carries no span, and it used to be laid out as
/// written there.
#[test]
fn a_rewritten_struct_has_no_size_from_another_file_either() {
    check(
        r#"
//- /src/main.rs
mod db;
use db::{Database, Plain};
fn main() {
    let d = Database::open();
    let p = Plain { bytes: Vec::new() };
}
//- /src/db.rs
use ouroboros::self_referencing;
#[self_referencing]
pub struct Database {
    pub bytes: Vec<u8>,
    pub dirs: Vec<u32>,
    pub flag: bool,
}
impl Database {
    pub fn open() -> Self { todo!() }
}
#[derive(Debug, Clone)]
pub struct Plain {
    pub bytes: Vec<u8>,
}
"#,
        "/src/main.rs",
        expect![[r#"
            d Database | stack ? + heap ?
            p Plain | stack 24B
        "#]],
    );
}

#[test]
fn a_file_two_crates_compile_is_a_module_of_each() {
    // The build script is indexed first (the last root); the binary must still have its module.
    for (path, expected) in [
        (
            "/src/main.rs",
            expect![[r#"
            pair Pair | stack 16B
        "#]],
        ),
        (
            "/build.rs",
            expect![[r#"
            pair Pair | stack 16B
        "#]],
        ),
    ] {
        check(TWO_CRATES_ONE_FILE, path, expected);
    }
}

const TWO_CRATES_ONE_FILE: &str = r#"
//- /src/main.rs
mod shared;
fn main() {
    let pair = shared::Pair { a: 1, b: 2 };
}
//- /src/shared.rs
pub struct Pair { pub a: u64, pub b: u8 }
//- /build.rs
#[path = "src/shared.rs"]
mod shared;
fn main() {
    let pair = shared::Pair { a: 1, b: 2 };
}
"#;

#[test]
fn extern_crate_alloc_at_the_root_is_a_path_start_in_every_module() {
    // rustc: `extern crate alloc;` at the crate root puts `alloc` in the extern prelude, so
    // other files name `alloc::…` without an import of their own.
    check(
        r#"
//- /src/lib.rs
#![no_std]
extern crate alloc;
mod sub;
//- /src/sub.rs
pub struct Keys<'a, T> { inner: alloc::collections::btree_map::Iter<'a, T, ()> }
impl<'a, T> Keys<'a, T> { fn next(&mut self) {} }
fn f() { let v = alloc::vec::Vec::<u8>::new(); let b: alloc::boxed::Box<u16> = todo!(); }
"#,
        "/src/sub.rs",
        expect![[r#"
            self &mut Keys<T> | reg 8B
            v Vec<u8> | stack 24B
            b Box<u16> | stack 8B
        "#]],
    );
}
