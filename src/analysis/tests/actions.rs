//! Code actions: the fix offered at a cursor, shown as the text after applying it.

use expect_test::{Expect, expect};

use super::{analyze_x86_64, cursor};
use crate::analysis::actions::{self, ActionOptions};

/// The titles of the fixes at the cursor and, for the first one, the fixed text.
fn check(fixture: &str, expected: Expect) {
    let (text, offset) = cursor(fixture);
    let analysis = analyze_x86_64(&text);
    let found = actions::code_actions(&text, &analysis, offset..offset, ActionOptions::default());
    let shown = match found.first() {
        None => "(no action)".to_string(),
        Some(first) => {
            let titles: Vec<&str> = found.iter().map(|a| a.title.as_str()).collect();
            format!(
                "{}\n---\n{}",
                titles.join("\n"),
                actions::apply(&text, &first.edits)
            )
        }
    };
    expected.assert_eq(&shown);
}

#[test]
fn preallocate_a_counted_loop() {
    check(
        r#"
fn squares(n: usize) -> Vec<usize> {
    let mut v$0 = Vec::new();
    for i in 0..n {
        v.push(i * i);
    }
    v
}
"#,
        expect![[r#"
            Pre-allocate n elements: Vec::with_capacity(n)
            ---

            fn squares(n: usize) -> Vec<usize> {
                let mut v = Vec::with_capacity(n);
                for i in 0..n {
                    v.push(i * i);
                }
                v
            }
        "#]],
    );
}

#[test]
fn preallocate_a_literal_loop_says_what_it_saves() {
    check(
        r#"
fn main() {
    let mut v$0 = Vec::new();
    for i in 0..1000u64 {
        v.push(i);
    }
    println!("{}", v.len());
}
"#,
        expect![[r#"
            Pre-allocate 1000 elements: 1 allocation instead of 9 (8 KiB copied while growing)
            ---

            fn main() {
                let mut v = Vec::with_capacity(1000);
                for i in 0..1000u64 {
                    v.push(i);
                }
                println!("{}", v.len());
            }
        "#]],
    );
}

#[test]
fn no_preallocation_when_the_push_is_conditional() {
    check(
        r#"
fn evens(n: u32) -> Vec<u32> {
    let mut v$0 = Vec::new();
    for i in 0..n {
        if i % 2 == 0 {
            v.push(i);
        }
    }
    v
}
"#,
        expect!["(no action)"],
    );
}

#[test]
fn string_parameter_becomes_str_and_callers_lend() {
    check(
        r#"
fn greet(name$0: String) {
    println!("Hello, {}! ({} bytes)", name, name.len());
}
fn main() {
    let s = String::from("Ada");
    greet(s.clone());
    greet(String::from("Bob"));
    greet(s);
}
"#,
        expect![[r#"
            Take `&str` instead of `String`: callers lend their text instead of handing over (or cloning) a heap buffer
            ---

            fn greet(name: &str) {
                println!("Hello, {}! ({} bytes)", name, name.len());
            }
            fn main() {
                let s = String::from("Ada");
                greet(&s);
                greet("Bob");
                greet(&s);
            }
        "#]],
    );
}

#[test]
fn string_parameter_that_is_stored_stays() {
    check(
        r#"
struct User { name: String }
fn make(name$0: String) -> User {
    User { name }
}
"#,
        expect!["(no action)"],
    );
}

#[test]
fn ref_vec_parameter_becomes_slice() {
    check(
        r#"
fn total(values$0: &Vec<u64>) -> u64 {
    values.iter().sum()
}
"#,
        expect![[r#"
            Take `&[u64]` instead of `&Vec<u64>`: one pointer hop less, and arrays and slices are accepted
            ---

            fn total(values: &[u64]) -> u64 {
                values.iter().sum()
            }
        "#]],
    );
}

#[test]
fn needless_clone_of_a_last_use() {
    check(
        r#"
fn consume(s: String) -> usize { s.len() }
fn main() {
    let s = String::from("hello");
    println!("{s}");
    let n = consume(s$0.clone());
    println!("{n}");
}
"#,
        expect![[r#"
            Move `s` instead of cloning it: it is not used afterwards (saves a 5 B allocation)
            ---

            fn consume(s: String) -> usize { s.len() }
            fn main() {
                let s = String::from("hello");
                println!("{s}");
                let n = consume(s);
                println!("{n}");
            }
        "#]],
    );
}

#[test]
fn clone_used_later_stays() {
    check(
        r#"
fn consume(s: String) -> usize { s.len() }
fn main() {
    let s = String::from("hello");
    let n = consume(s$0.clone());
    println!("{n} {s}");
}
"#,
        expect!["(no action)"],
    );
}

#[test]
fn fixed_vec_becomes_array() {
    check(
        r#"
fn main() {
    let v = vec!$0[0u32; 10];
    println!("{} {}", v.len(), v[3]);
}
"#,
        expect![[r#"
            Use an array: `[0u32; 10]` never grows, so it can live on the stack (saves a 40 B heap allocation)
            ---

            fn main() {
                let v = [0u32; 10];
                println!("{} {}", v.len(), v[3]);
            }
        "#]],
    );
}

#[test]
fn pushed_vec_stays_a_vec() {
    check(
        r#"
fn main() {
    let mut v = vec!$0[1, 2, 3];
    v.push(4);
    println!("{v:?}");
}
"#,
        expect!["(no action)"],
    );
}

#[test]
fn huge_array_moves_to_the_heap() {
    check(
        r#"
fn main() {
    let buffer$0 = [0u8; 1_000_000];
    println!("{}", buffer.len() + buffer[10] as usize);
}
"#,
        expect![[r#"
            Move `buffer` to the heap: `vec![0u8; 1_000_000]` takes 977 KiB of stack; a Vec puts it on the heap (24 bytes on the stack)
            ---

            fn main() {
                let buffer = vec![0u8; 1_000_000];
                println!("{}", buffer.len() + buffer[10] as usize);
            }
        "#]],
    );
}

#[test]
fn preallocate_a_while_loop_with_a_visible_counter() {
    check(
        r#"
fn fill(limit: usize) -> Vec<u8> {
    let mut bytes$0 = Vec::new();
    let mut i = 0;
    while i < limit {
        bytes.push(7);
        i += 1;
    }
    bytes
}
"#,
        expect![[r#"
            Pre-allocate limit elements: Vec::with_capacity(limit)
            ---

            fn fill(limit: usize) -> Vec<u8> {
                let mut bytes = Vec::with_capacity(limit);
                let mut i = 0;
                while i < limit {
                    bytes.push(7);
                    i += 1;
                }
                bytes
            }
        "#]],
    );
}
