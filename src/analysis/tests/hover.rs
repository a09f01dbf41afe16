//! Hover texts at definitions, uses and type names.

use expect_test::{Expect, expect};

use super::{analyze_x86_64, cursor};
use crate::analysis::hover;

fn check(fixture: &str, expected: Expect) {
    let (text, offset) = cursor(fixture);
    let analysis = analyze_x86_64(&text);
    let markdown =
        hover::hover(&analysis, offset).map_or_else(|| "(no hover)".to_string(), |h| h.markdown);
    expected.assert_eq(&markdown);
}

#[test]
fn string_local() {
    check(
        r#"fn main() { let s$0 = String::from("world"); }"#,
        expect![[r#"
            ```rust
            let s: String
            ```

            ---

            `s` is a local variable, so its 24 bytes live on the stack in `main`'s frame; the 5 bytes it owns live on the heap, where it points.

            `stack 24 B + heap 5 B` — String::from copies the 5 bytes of the literal

            size = 24 (0x18), align = 8, niches = 2^63

            ```text
            stack (24 B)         heap
            ┌──────────────┐     ┌──────────┐
            │ s: String    │     │          │
            │ ptr ─────────┼────▶│ 5 B      │
            │ len          │     │          │
            │ cap          │     │          │
            └──────────────┘     └──────────┘
            ```"#]],
    );
}

#[test]
fn use_site_shows_the_binding() {
    check(
        r#"fn main() { let v = vec![1, 2, 3]; println!("{}", v$0.len()); }"#,
        expect![[r#"
            ```rust
            let v: Vec<i32>
            ```

            ---

            `v` is a local variable, so its 24 bytes live on the stack in `main`'s frame; the 12 bytes it owns live on the heap, where it points.

            `stack 24 B + heap 12 B` — vec! allocates exactly 3 elements × 4 B

            size = 24 (0x18), align = 8, niches = 2^63

            ```text
            stack (24 B)         heap
            ┌──────────────┐     ┌──────────┐
            │ v: Vec<i32>  │     │          │
            │ ptr ─────────┼────▶│ 12 B     │
            │ len          │     │          │
            │ cap          │     │          │
            └──────────────┘     └──────────┘
            ```"#]],
    );
}

#[test]
fn parameter_in_register() {
    check(
        r#"fn process_data(param_num: i32, param_text$0: &String) -> i32 { param_num }"#,
        expect![[r#"
            ```rust
            param_text: &String
            ```

            ---

            `param_text` is a parameter of `process_data`: the x86-64 System V convention passes it in `RSI`, not in memory; the compiler may spill it to the stack.

            `register 8 B`

            size = 8, align = 8, niches = 1"#]],
    );
}

#[test]
fn large_parameter_by_reference() {
    check(
        r#"fn f(big$0: [u64; 6]) {}"#,
        expect![[r#"
            ```rust
            big: [u64; 6]
            ```

            ---

            `big` is a parameter of `f` too big for registers (48 bytes): the caller keeps it in its own stack frame and passes its address in `RDI`.

            `stack 48 B`

            size = 48 (0x30), align = 8"#]],
    );
}

#[test]
fn static_in_bss() {
    check(
        r#"static mut BUFFER$0: [u8; 10_000] = [0; 10_000];"#,
        expect![[r#"
            ```rust
            static mut BUFFER: [u8; 10000]
            ```

            ---

            `BUFFER` is a writable static whose bytes are all zero, so it lives in BSS (`.bss`): the executable records only its size, and the loader zero-fills its 10000 bytes at start-up.

            `bss 10000 B`

            size = 10000 (0x2710), align = 1"#]],
    );
}

#[test]
fn str_static() {
    check(
        r#"static GREETING$0: &str = "Hello";"#,
        expect![[r#"
            ```rust
            static GREETING: &str
            ```

            ---

            `GREETING` is an immutable static holding a pointer, so it lives in read-only data for the whole run (`.data.rel.ro`: the loader fills in the address, then the page is made read-only); the 5 bytes of text it points to are more read-only data (`.rodata`).

            `rodata 16 B + 5 B of text in rodata`

            size = 16 (0x10), align = 8, niches = 1"#]],
    );
}

#[test]
fn const_is_inlined() {
    check(
        r#"const MAX$0: i32 = 100;"#,
        expect![[r#"
            ```rust
            const MAX: i32
            ```

            ---

            `MAX` is a constant: it has no address of its own; rustc copies its value into each place that uses it.

            `inline 4 B`

            size = 4, align = 4"#]],
    );
}

#[test]
fn struct_definition_with_padding() {
    check(
        r#"struct Padded$0 { a: u8, b: u64, c: u16 }"#,
        expect![[r#"
            ```rust
            struct Padded
            ```

            ---

            size = 16 (0x10), align = 8, niches = none

            ```text
            offset  size  field
            0       8     b: u64
            8       2     c: u16
            10      1     a: u8
            11      5     [5 bytes padding]
            ```

            rustc reordered the fields: in declaration order (`#[repr(C)]`) this type would take 24 bytes, 8 more."#]],
    );
}

#[test]
fn std_type_name() {
    check(
        r#"fn f(v: Vec<Stri$0ng>) {}"#,
        expect![[r#"
            ```rust
            String
            ```

            ---

            size = 24 (0x18), align = 8, niches = 2^63"#]],
    );
}

#[test]
fn growth_rule_after_pushes() {
    check(
        r#"fn main() { let mut v$0 = Vec::new(); for i in 0..10 { v.push(i); } }"#,
        expect![[r#"
            ```rust
            let mut v: Vec<i32>
            ```

            ---

            `v` is a local variable, so its 24 bytes live on the stack in `main`'s frame; the 64 bytes it owns live on the heap, where it points.

            `stack 24 B + heap 0 B here → 64 B after line 1` — capacity 16 after 10 pushes (4 → 8 → 16, 3 allocations)

            size = 24 (0x18), align = 8, niches = 2^63

            ```text
            stack (24 B)         heap
            ┌──────────────┐     ┌──────────┐
            │ v: Vec<i32>  │     │          │
            │ ptr ─────────┼────▶│ 64 B     │
            │ len          │     │          │
            │ cap          │     │          │
            └──────────────┘     └──────────┘
            ```"#]],
    );
}

#[test]
fn format_reserves_twice_its_literals() {
    check(
        r#"fn main(n: u32) { let s$0 = format!("total: {}", n); }"#,
        expect![[r#"
            ```rust
            let s: String
            ```

            ---

            `s` is a local variable, so its 24 bytes live on the stack in `main`'s frame; at least 14 bytes it owns live on the heap, where it points.

            `stack 24 B + heap ≥ 14 B` — format! reserves twice its 7 literal bytes, and grows if the arguments need more

            size = 24 (0x18), align = 8, niches = 2^63

            ```text
            stack (24 B)         heap
            ┌──────────────┐     ┌──────────┐
            │ s: String    │     │          │
            │ ptr ─────────┼────▶│ ≥ 14 B   │
            │ len          │     │          │
            │ cap          │     │          │
            └──────────────┘     └──────────┘
            ```"#]],
    );
}

#[test]
fn function_name_shows_its_frame() {
    check(
        r#"fn work$0() { let buffer = [0u8; 4096]; let count = 3u64; let name = String::from("x"); }"#,
        expect![[r#"
            ```rust
            fn work
            ```

            ---

            Stack frame: about 4128 bytes of locals (an estimate: the compiler may overlap some and keep others in registers; saved registers and the return address add a little).

            Largest locals:
            - `buffer: [u8; 4096]` — 4096 B
            - `name: String` — 24 B
            - `count: u64` — 8 B"#]],
    );
}

#[test]
fn field_name_shows_its_place() {
    check(
        r#"struct Padded { a: u8, b$0: u64, c: u16 }"#,
        expect![[r#"
            ```rust
            b: u64
            ```

            ---

            A field of `Padded`: offset = 0, size = 8, align = 8"#]],
    );
}

#[test]
fn variant_name_shows_its_size() {
    check(
        r#"enum Shape { Circle(f64), Rect$0 { w: f64, h: f64 }, Empty }"#,
        expect![[r#"
            ```rust
            Shape::Rect
            ```

            ---

            A variant of `Shape`: its data uses 16 of the enum's 24 bytes, beside the 8 bytes of the tag."#]],
    );
}

#[test]
fn defaulted_type_name_shows_the_default_instance() {
    check(
        r#"
struct Wrap<T = u64> { a: T, b: u8 }
fn main() { let w: Wr$0ap = Wrap { a: 1, b: 2 }; }"#,
        expect![[r#"
            ```rust
            struct Wrap<u64>
            ```

            ---

            size = 16 (0x10), align = 8, niches = none

            ```text
            offset  size  field
            0       8     a: u64
            8       1     b: u8
            9       7     [7 bytes padding]
            ```"#]],
    );
}

#[test]
fn io_result_names_its_error() {
    check(
        r#"
use std::io;
fn main() { let r$0: io::Result<u32> = Ok(1); }"#,
        expect![[r#"
            ```rust
            let r: Result<u32, io::Error>
            ```

            ---

            `r` is a local variable, so its 16 bytes live on the stack in `main`'s frame.

            `stack 16 B + heap 0 B`

            size = 16 (0x10), align = 8, niches = 2^32 - 2"#]],
    );
}

#[test]
fn niche_counts_are_exact() {
    use crate::analysis::hover::niche_count;
    assert_eq!(niche_count(122), "122");
    assert_eq!(niche_count(1 << 32), "2^32");
    // `Option<char>`: 2^32 values, 0x110000 valid chars, one taken by `None`.
    assert_eq!(niche_count((1 << 32) - 0x110000 - 1), "2^32 - 1 114 113");
    assert_eq!(niche_count((1 << 32) - 2), "2^32 - 2");
    assert_eq!(niche_count(3_000_000), "3 000 000");
    assert_eq!(niche_count(u128::MAX), "2^128 - 1");
}
