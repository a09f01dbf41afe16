//! Diagnostics: what memlens warns about, with its numbers.

use expect_test::{Expect, expect};

use super::analyze_x86_64;
use crate::analysis::diagnostics::{DiagnosticOptions, diagnostics};

fn check(source: &str, expected: Expect) {
    let analysis = analyze_x86_64(source);
    let lines: Vec<String> = diagnostics(&analysis, DiagnosticOptions::default())
        .into_iter()
        .map(|d| {
            format!(
                "{:?} {} at {}: {}",
                d.severity, d.code, &source[d.range], d.message
            )
        })
        .collect();
    expected.assert_eq(&(lines.join("\n") + "\n"));
}

#[test]
fn big_values_frames_recursion_and_leaks() {
    check(
        r#"
fn huge() {
    let table = [0u64; 100_000];
    println!("{}", table[1]);
}
fn walk(depth: u32) -> u32 {
    let scratch = [0u8; 2048];
    if depth == 0 { return scratch[0] as u32; }
    walk(depth - 1)
}
fn forever() -> &'static mut Vec<u64> {
    let data = Box::new(vec![1u64, 2, 3]);
    Box::leak(data)
}
fn small() { let x = 1; }
"#,
        expect![[r#"
            Warning large-stack-frame at huge: `huge` needs a stack frame of about 800000 bytes (estimated from its locals; more than 512000). Largest: `table` (800000 B).
            Warning large-stack-value at table: `table` puts 800000 bytes on the stack (more than 16384); a main thread has 8 MiB of stack, a spawned thread 2 MiB. A Vec or Box keeps the bytes on the heap.
            Hint deep-recursion at walk: `walk` is recursive and each call adds about 2048 bytes of locals: an 8 MiB main-thread stack overflows after about 4096 nested calls (a 2 MiB spawned thread after 1024).
            Information leaked-box at Box::leak(data): Box::leak: these 48 heap bytes are never freed (the reference lives for the rest of the program)
        "#]],
    );
}

#[test]
fn rc_cycle_through_refcell() {
    check(
        r#"
use std::cell::RefCell;
use std::rc::Rc;
struct Node {
    next: Option<Rc<RefCell<Node>>>,
}
fn main() {
    let a = Rc::new(RefCell::new(Node { next: None }));
    let b = Rc::new(RefCell::new(Node { next: Some(Rc::clone(&a)) }));
    a.borrow_mut().next = Some(Rc::clone(&b));
}
fn no_cycle() {
    let a = Rc::new(RefCell::new(Node { next: None }));
    let b = Rc::new(RefCell::new(Node { next: Some(Rc::clone(&a)) }));
}
"#,
        expect![[r#"
            Warning rc-cycle at a.borrow_mut().next = Some(Rc::clone(&b)): Reference cycle: `a` → `b` → `a` hold each other, so no count reaches zero and their 64 heap bytes are never freed. Make one link a `Weak` (`Rc::downgrade`).
        "#]],
    );
}
