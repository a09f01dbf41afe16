//! Every binding form and type form: what memlens finds, infers and places.

use expect_test::{Expect, expect};

use super::analyze_x86_64;
use crate::analysis::inlay;

/// One line per binding: name, kind, type, and the inlay label (region, size, heap).
fn check(source: &str, expected: Expect) {
    let analysis = analyze_x86_64(source);
    let lines: Vec<String> = analysis
        .bindings
        .iter()
        .map(|report| {
            format!(
                "{} {} {} | {}",
                report.binding.kind.as_str(),
                report.binding.name,
                report
                    .ty()
                    .map_or_else(|| "?".to_string(), ToString::to_string),
                inlay::label(report, Default::default())
            )
        })
        .chain(
            analysis
                .errors
                .iter()
                .map(|e| format!("error: {}", e.message)),
        )
        .collect();
    expected.assert_eq(&(lines.join("\n") + "\n"));
}

#[test]
fn let_patterns() {
    check(
        r#"
struct Point { x: i32, y: i32 }
fn f() {
    let a = 1;
    let mut b = 2u8;
    let (c, d) = (1.5, 'x');
    let Point { x, y: renamed } = Point { x: 1, y: 2 };
    let &e = &3i64;
    let [f, g] = [true, false];
    let (ref h, _) = (String::from("ab"), 0);
    let Some(i) = Some(4u16) else { return };
}
"#,
        expect![[r#"
            local a i32 | stack 4B
            local b u8 | stack 1B
            local c f64 | stack 8B
            local d char | stack 4B
            local x i32 | stack 4B
            local renamed i32 | stack 4B
            local e i64 | stack 8B
            local f bool | stack 1B
            local g bool | stack 1B
            local h &String | stack 8B
            local i u16 | stack 2B
        "#]],
    );
}

#[test]
fn params_self_closures_loops_and_matches() {
    check(
        r#"
struct Counter { n: u64 }
impl Counter {
    fn by_ref(&self, step: u64) -> u64 { self.n + step }
    fn by_mut(&mut self) {}
    fn by_value(self, name: String, pair: (u8, u8), big: [u64; 8]) {}
}
fn loops(v: &Vec<u32>, words: &[&str]) {
    for item in v {}
    for (index, word) in words.iter().enumerate() {}
    for n in 0..10u8 {}
    let add = |a: i32, b: i32| a + b;
    let opt = Some(String::from("x"));
    if let Some(inner) = &opt {}
    match opt {
        Some(owned) => {}
        None => {}
    }
}
"#,
        expect![[r#"
            param self &Counter | reg 8B
            param step u64 | reg 8B
            param self &mut Counter | reg 8B
            param self Counter | reg 8B
            param name String | stack 24B
            param pair (u8, u8) | reg 2B
            param big [u64; 8] | stack 64B
            param v &Vec<u32> | reg 8B
            param words &[&str] | reg 16B
            local item &u32 | stack 8B
            local index usize | stack 8B
            local word &&str | stack 8B
            local n u8 | stack 1B
            local a i32 | stack 4B
            local b i32 | stack 4B
            local add {closure} | stack 0B
            local opt Option<String> | stack 24B + heap 1B
            local inner &String | stack 8B
            local owned String | stack 24B + heap ?
        "#]],
    );
}

#[test]
fn statics_and_consts() {
    check(
        r#"
static GREETING: &str = "Hello";
static mut BUFFER: [u8; 10_000] = [0; 10_000];
static mut COUNT: u32 = 3;
static ZEROS: [u64; 4] = [0; 4];
const LIMIT: usize = 4 * 1024;
static TABLE: [u16; LIMIT] = [0; LIMIT];
"#,
        expect![[r#"
            static GREETING &str | rodata 16B
            static BUFFER [u8; 10000] | bss 10000B
            static COUNT u32 | data 4B
            static ZEROS [u64; 4] | rodata 32B
            const LIMIT usize | inline 8B
            static TABLE [u16; 4096] | rodata 8192B
        "#]],
    );
}

#[test]
fn type_forms() {
    check(
        r#"
use std::num::NonZeroU32;
struct Padded { a: u8, b: u64, c: u16 }
fn f() {
    let unit = ();
    let tuple: (u8, u32, u8) = (1, 2, 3);
    let text: &str = "hi";
    let slice: &[u16] = &[1, 2];
    let object: &dyn std::fmt::Debug = &1;
    let raw: *const u8 = std::ptr::null();
    let boxed_str: Box<str> = "x".into();
    let boxed_slice: Box<[u8]> = vec![1u8].into_boxed_slice();
    let boxed_dyn: Box<dyn Fn()> = Box::new(|| {});
    let maybe_box: Option<Box<i32>> = None;
    let maybe_ref: Option<&u8> = None;
    let maybe_nonzero: Option<NonZeroU32> = None;
    let maybe_bool: Option<bool> = None;
    let maybe_char: Option<char> = None;
    let nested: Option<Option<bool>> = None;
    let padded = Padded { a: 1, b: 2, c: 3 };
    let function: fn(u8) -> u8 = |x| x;
    let nothing: std::marker::PhantomData<u64> = std::marker::PhantomData;
}
"#,
        expect![[r#"
            local unit () | stack 0B
            local tuple (u8, u32, u8) | stack 8B
            local text &str | stack 16B
            local slice &[u16] | stack 16B
            local object &dyn std::fmt::Debug | stack 16B
            local raw *const u8 | stack 8B + heap ?
            local boxed_str Box<str> | stack 16B + heap ?
            local boxed_slice Box<[u8]> | stack 16B + heap 1B
            local boxed_dyn Box<dyn Fn()> | stack 16B + heap ?
            local maybe_box Option<Box<i32>> | stack 8B
            local maybe_ref Option<&u8> | stack 8B
            local maybe_nonzero Option<NonZero<u32>> | stack 4B
            local maybe_bool Option<bool> | stack 1B
            local maybe_char Option<char> | stack 4B
            local nested Option<Option<bool>> | stack 1B
            local padded Padded | stack 16B
            local x u8 | stack 1B
            local function fn(u8) -> u8 | stack 8B
            local nothing PhantomData<u64> | stack 0B
        "#]],
    );
}

#[test]
fn inference_from_initializers() {
    check(
        r#"
struct Pair { left: String, right: String }
fn make(n: u16) -> Vec<u16> { vec![n] }
fn takes_u8(byte: u8) {}
fn f() {
    let s = String::from("world");
    let t = "abc".to_string();
    let o = "abcd".to_owned();
    let e = String::new();
    let w = String::with_capacity(10);
    let v = vec![1, 2, 3, 4, 5];
    let r = vec![0u64; 100];
    let n: Vec<u8> = Vec::new();
    let c: Vec<u32> = Vec::with_capacity(8);
    let arr = [1.0f32; 4];
    let words = vec![String::from("hello"), String::from("world")];
    let b = Box::new(42);
    let p = Pair { left: String::from("ab"), right: String::from("cde") };
    let made = make(3);
    let later = 7;
    takes_u8(later);
    let sum = 1u64 + 2;
    let len = s.len();
    let upper = s.to_uppercase();
    let first = v[0];
    let field = p.left;
}
"#,
        expect![[r#"
            param n u16 | reg 2B
            param byte u8 | reg 1B
            local s String | stack 24B + heap 5B
            local t String | stack 24B + heap 3B
            local o String | stack 24B + heap 4B
            local e String | stack 24B
            local w String | stack 24B + heap 10B
            local v Vec<i32> | stack 24B + heap 20B
            local r Vec<u64> | stack 24B + heap 800B
            local n Vec<u8> | stack 24B
            local c Vec<u32> | stack 24B + heap 32B
            local arr [f32; 4] | stack 16B
            local words Vec<String> | stack 24B + heap 58B
            local b Box<i32> | stack 8B + heap 4B
            local p Pair | stack 48B + heap 5B
            local made Vec<u16> | stack 24B + heap ?
            local later u8 | stack 1B
            local sum u64 | stack 8B
            local len usize | stack 8B
            local upper String | stack 24B + heap ?
            local first i32 | stack 4B
            local field String | stack 24B + heap ?
        "#]],
    );
}

#[test]
fn a_broken_function_keeps_the_others() {
    check(
        r#"
fn before() { let kept = 1u8; }
fn typing( {
    let lost =
fn after() { let also_kept = [0u8; 3]; }
"#,
        expect![[r#"
            local kept u8 | stack 1B
            local also_kept [u8; 3] | stack 3B
            error: unbalanced delimiters: a `(`, `[` or `{` is not closed (or a string or comment is unterminated)
        "#]],
    );
}

#[test]
fn closures_are_sized_only_when_their_captures_are_certain() {
    check(
        r#"
fn f() {
    let n = 3u8;
    let s = String::from("a");
    let pair = (1u8, 2u8);
    let by_ref = || n + 1;
    let reads = || s.len();
    let fields = || pair.0;
    let owned = move || s.len();
}
"#,
        expect![[r#"
            local n u8 | stack 1B
            local s String | stack 24B + heap 1B
            local pair (u8, u8) | stack 2B
            local by_ref {closure} | stack 8B
            local reads {closure} | stack ?
            local fields {closure} | stack ?
            local owned {closure} | stack 24B + heap 1B
        "#]],
    );
}

#[test]
fn omitted_generic_arguments_take_their_defaults() {
    check(
        r#"
struct Wrap<T = u64> { a: T, b: u8 }
struct WithDefault<T, U = Vec<T>> { t: T, u: U }
type Pair<T = u8> = (T, T);
struct Holder { w: Wrap, p: Pair }
fn make() -> Wrap { Wrap { a: 1, b: 2 } }
impl Wrap {
    fn get(&self) -> u64 { self.a }
}
fn f() {
    let w: Wrap = Wrap { a: 1, b: 2 };
    let narrow: Wrap<u8> = Wrap { a: 1, b: 2 };
    let s: WithDefault<u8> = WithDefault { t: 1, u: Vec::new() };
    let p: Pair = (1, 2);
    let h = Holder { w: make(), p: (3, 4) };
    let made = make();
    let inner = h.w;
}
"#,
        expect![[r#"
            param self &Wrap<u64> | reg 8B
            local w Wrap<u64> | stack 16B
            local narrow Wrap<u8> | stack 2B
            local s WithDefault<u8, Vec<u8>> | stack 32B
            local p (u8, u8) | stack 2B
            local h Holder | stack 24B
            local made Wrap<u64> | stack 16B
            local inner Wrap<u64> | stack 16B
        "#]],
    );
}

#[test]
fn std_paths_and_imports_name_what_rustc_names() {
    check(
        r#"
use std::io::Result;
use std::fmt::{self, Result as FmtResult};
use std::collections::hash_map::HashMap as Map;
struct Report { error: std::io::Error, kind: std::io::ErrorKind, shown: fmt::Result }
fn read() -> Result<String> { Ok(String::new()) }
fn show() -> FmtResult { Ok(()) }
fn main() -> Result<()> {
    let r: Result<u32> = Ok(1);
    let f: FmtResult = Ok(());
    let text = read()?;
    let shown = show();
    let qualified: std::io::Result<u8> = Ok(2);
    let core_path: core::fmt::Result = Ok(());
    let map: Map<u8, u8> = Map::new();
    let cell: core::cell::Cell<u8> = core::cell::Cell::new(1);
    let maybe: Option<std::io::Error> = None;
    let panicked: std::thread::Result<u8> = Ok(1);
    let weak: std::sync::Weak<u8> = std::sync::Weak::new();
    let c: std::ffi::c_int = 0;
    let report: Option<Report> = None;
    Ok(())
}
"#,
        expect![[r#"
            local r Result<u32, io::Error> | stack 16B
            local f Result<(), fmt::Error> | stack 1B
            local text String | stack 24B + heap ?
            local shown Result<(), fmt::Error> | stack 1B
            local qualified Result<u8, io::Error> | stack 16B
            local core_path Result<(), fmt::Error> | stack 1B
            local map HashMap<u8, u8> | stack 48B
            local cell Cell<u8> | stack 1B
            local maybe Option<io::Error> | stack 8B
            local panicked Result<u8, Box<dyn Any + Send>> | stack 16B
            local weak sync::Weak<u8> | stack 8B + heap ?
            local c i32 | stack 4B
            local report Option<Report> | stack 16B
        "#]],
    );
}

#[test]
fn self_in_impls_is_the_impl_type() {
    check(
        r#"
struct Wrap<T> { a: T, b: u8 }
enum Shape { Circle(f32), Square(f32, f32), Point }
impl Wrap<u32> {
    fn make() -> Self { Self { a: 1, b: 2 } }
    fn go(&self) {
        let annotated: Self = Self { a: 3, b: 4 };
        let literal = Self { a: 5, b: 6 };
        let made = Self::make();
    }
}
impl Shape {
    fn unit() -> Self { Self::Point }
    fn go() {
        let circle = Self::Circle(1.0);
        let point = Self::Point;
        let made = Self::unit();
        let outside = Shape::Square(1.0, 2.0);
    }
}
"#,
        expect![[r#"
            param self &Wrap<u32> | reg 8B
            local annotated Wrap<u32> | stack 8B
            local literal Wrap<u32> | stack 8B
            local made Wrap<u32> | stack 8B
            local circle Shape | stack 12B
            local point Shape | stack 12B
            local made Shape | stack 12B
            local outside Shape | stack 12B
        "#]],
    );
}

#[test]
fn unsized_tails_and_trait_objects_behind_pointers() {
    check(
        r#"
trait Tr {}
struct Tail<T: ?Sized> { len: u32, data: T }
fn f(
    bytes: &Tail<[u8]>,
    boxed: Box<Tail<dyn Tr>>,
    object: &(dyn Tr + Send + 'static),
    shared: Box<dyn Tr + Send + Sync>,
    sized: Tail<u64>,
) {}
"#,
        expect![[r#"
            param bytes &Tail<[u8]> | reg 16B
            param boxed Box<Tail<dyn Tr>> | reg 16B
            param object &(dyn Tr + Send) | reg 16B
            param shared Box<dyn Tr + Send + Sync> | stack 16B
            param sized Tail<u64> | stack 16B
        "#]],
    );
}

#[test]
fn generic_arguments_written_on_a_call_path() {
    check(
        r#"
struct Wrap<T> { a: T, b: u8 }
impl<T> Wrap<T> {
    fn new(a: T) -> Self { Self { a, b: 0 } }
}
fn empty<T>(hint: u8) -> Vec<T> { Vec::new() }
fn f() {
    let inferred = Wrap::new(5u8);
    let on_the_type = Wrap::<u16>::new(5);
    let on_the_function = empty::<u64>(1);
}
"#,
        expect![[r#"
            param a T | stack ?
            param hint u8 | reg 1B
            local inferred Wrap<u8> | stack 2B
            local on_the_type Wrap<u16> | stack 4B
            local on_the_function Vec<u64> | stack 24B + heap ?
        "#]],
    );
}

#[test]
fn struct_literal_through_a_type_alias() {
    check(
        r#"
struct Point { x: i64, y: u8 }
type P = Point;
fn f() {
    let p = P { x: 1, y: 2 };
}
"#,
        expect![[r#"
            local p Point | stack 16B
        "#]],
    );
}

#[test]
fn fields_and_variants_behind_cfg_are_left_out_as_the_build_leaves_them() {
    // walkdir's DirEntry has `#[cfg(windows)] metadata` and `#[cfg(unix)] ino` fields.
    check(
        r#"
struct Entry {
    depth: usize,
    #[cfg(unix)]
    ino: u64,
    #[cfg(windows)]
    handle: [u8; 64],
}
enum Kind { File, #[cfg(windows)] Junction([u64; 8]) }
fn f(e: Entry, k: Kind, r: &Entry) {}
"#,
        expect![[r#"
            param e Entry | reg 16B
            param k Kind | reg 0B
            param r &Entry | reg 8B
        "#]],
    );
}

/// An associated type is `Sized` unless its trait declares it `?Sized`: a reference to
/// `A::Item` is one pointer whatever `A` is, one to a `?Sized` one (`Deref::Target`) is not
/// known. Found on tinyvec (`&mut <A as Array>::Item`, 22 bindings rustc sizes at 8 bytes).
#[test]
fn references_to_associated_types_are_thin_unless_declared_unsized() {
    check(
        r#"
pub trait Array {
    type Item: Default;
    type Slice: ?Sized;
    fn slice_mut(&mut self) -> &mut [Self::Item];
    fn get(&self) -> &Self::Slice;
}
pub struct ArrayVec<A: Array> { len: u16, data: A }
impl<A: Array> ArrayVec<A> {
    pub fn first(&mut self) -> Option<&mut A::Item> {
        let item = &mut self.data.slice_mut()[0];
        let slice = self.data.get();
        let maybe = Some(&*item);
        Some(item)
    }
}
fn std_traits<I: Iterator, D: std::ops::Deref>(it: &mut I, d: &D) {
    let next = it.next();
    let item = next.as_ref();
    let target = d.deref();
}
"#,
        expect![[r#"
            param self &mut Self | stack ?
            param self &Self | stack ?
            param self &mut ArrayVec<A> | reg 8B
            local item &mut <A as Array>::Item | stack 8B
            local slice &<A as Array>::Slice | stack ?
            local maybe Option<&<A as Array>::Item> | stack 8B
            param it &mut I | reg 8B
            param d &D | reg 8B
            local next Option<<I as Iterator>::Item> | stack ? + heap ?
            local item Option<&<I as Iterator>::Item> | stack 8B
            local target &<D as Deref>::Target | stack ?
        "#]],
    );
}

#[test]
fn a_binding_changed_after_its_let_has_both_heap_figures() {
    check(
        r#"
use std::collections::HashMap;
fn f() {
    let mut v = Vec::new();
    for i in 0..10u8 { v.push(i); }
    let mut s = String::from("ab");
    s.push_str("cdefgh");
    let mut m: HashMap<u8, u8> = HashMap::new();
    m.insert(1, 2);
    let fixed = vec![1u32, 2, 3];
}
"#,
        expect![[r#"
            local v Vec<u8> | stack 24B + heap 0B → 16B
            local i u8 | stack 1B
            local s String | stack 24B + heap 2B → 8B
            local m HashMap<u8, u8> | stack 48B + heap 0B → 40B
            local fixed Vec<u32> | stack 24B + heap 12B
        "#]],
    );
}

#[test]
fn a_value_of_an_unknown_type_owns_an_unknown_heap() {
    // `String + &String` needs the operator's one impl to coerce its right side, which the
    // engine does not do yet: the type is unknown, and so is the heap (it once said 0 B).
    check(
        r#"
fn f() {
    let s1 = String::from("tic");
    let s2 = String::from("tac");
    let s = s1 + "-" + &s2;
}
"#,
        expect![[r#"
            local s1 String | stack 24B + heap 3B
            local s2 String | stack 24B + heap 3B
            local s ? | stack ? + heap ?
        "#]],
    );
}

#[test]
fn inserts_into_a_map_typed_by_them_count_each_key_once() {
    check(
        r#"
use std::collections::HashMap;
fn f() {
    let mut scores = HashMap::new();
    scores.insert(String::from("Blue"), 10);
    scores.insert("Blue".to_string(), 25);
    let mut named = HashMap::new();
    named.insert(String::from("Blue"), String::from("x"));
    named.insert(String::from("Blue"), String::from("y"));
}
"#,
        expect![[r#"
            local scores HashMap<String, i32> | stack 48B + heap 0B → 152B
            local named HashMap<String, String> | stack 48B + heap 0B → ?
        "#]],
    );
}
