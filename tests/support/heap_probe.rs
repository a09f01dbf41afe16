//! Measuring the heap bytes each `let` binding owns, by running an instrumented copy of a program.
//!
//! The copy gets a counting `#[global_allocator]`. Each `let` statement is wrapped so that the
//! live heap bytes are read before and after it; the difference is what the new binding owns
//! (temporaries are freed by the end of the statement). Results are printed at exit, keyed by the
//! binding's 1-based line and column in the original file.

use std::collections::HashMap;

use quote::quote;
use syn::visit_mut::VisitMut;

use super::rustc_probe::{ProbeDir, compile};

const PRELUDE: &str = r#"
mod __memlens_probe {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicIsize, Ordering};
    pub static LIVE: AtomicIsize = AtomicIsize::new(0);
    pub struct Counting;
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            LIVE.fetch_add(layout.size() as isize, Ordering::SeqCst);
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size() as isize, Ordering::SeqCst);
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::SeqCst);
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
    pub fn live() -> isize { LIVE.load(Ordering::SeqCst) }
    /// Results go to stderr, which is unbuffered and allocates nothing.
    pub fn report(line: u32, column: u32, bytes: isize) {
        eprintln!("heap {line}:{column} {bytes}");
    }
}
#[global_allocator]
static __MEMLENS_ALLOCATOR: __memlens_probe::Counting = __memlens_probe::Counting;
"#;

/// Wraps every `let name = ...;` with a single-identifier pattern in a measurement.
struct Instrument;

impl VisitMut for Instrument {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, block);
        let mut statements = Vec::with_capacity(block.stmts.len() * 3);
        for statement in block.stmts.drain(..) {
            let measured = match &statement {
                syn::Stmt::Local(local) if local.init.is_some() => binding_ident(&local.pat),
                _ => None,
            };
            match measured {
                Some(ident) => {
                    let start = ident.span().start();
                    let (line, column) = (start.line as u32, start.column as u32 + 1);
                    statements.push(
                        syn::parse_quote! { let __memlens_before = __memlens_probe::live(); },
                    );
                    statements.push(statement);
                    statements.push(syn::parse_quote! {
                        __memlens_probe::report(#line, #column, __memlens_probe::live() - __memlens_before);
                    });
                }
                None => statements.push(statement),
            }
        }
        block.stmts = statements;
    }
}

fn binding_ident(pat: &syn::Pat) -> Option<syn::Ident> {
    match pat {
        syn::Pat::Ident(ident) if ident.subpat.is_none() => Some(ident.ident.clone()),
        syn::Pat::Type(typed) => binding_ident(&typed.pat),
        _ => None,
    }
}

/// The first `println!` allocates stdout's line buffer; do that before anything is measured.
fn prime_stdout(file: &mut syn::File) {
    for item in &mut file.items {
        if let syn::Item::Fn(function) = item {
            if function.sig.ident == "main" {
                function
                    .block
                    .stmts
                    .insert(0, syn::parse_quote! { println!("memlens probe"); });
            }
        }
    }
}

/// Runs an instrumented copy of `source` and returns the heap bytes measured per (line, column).
/// The program's stdout is initialised first, so its buffer is not charged to a binding.
pub fn measure_heap(name: &str, source: &str) -> HashMap<(u32, u32), i64> {
    let mut file = syn::parse_file(source).expect("fixture parses");
    // Inner attributes must come first in a crate; the prelude goes before the file's items.
    file.attrs.clear();
    Instrument.visit_file_mut(&mut file);
    prime_stdout(&mut file);
    let instrumented = format!("{PRELUDE}\n{}", quote!(#file));
    let dir = ProbeDir::new(name);
    let binary = compile(&dir.path, name, &instrumented, &[]);
    let output = std::process::Command::new(&binary)
        .output()
        .expect("probe runs");
    assert!(output.status.success(), "probe {name} failed");
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("heap ")?;
            let (position, bytes) = rest.split_once(' ')?;
            let (line, column) = position.split_once(':')?;
            Some((
                (line.parse().ok()?, column.parse().ok()?),
                bytes.parse().ok()?,
            ))
        })
        .collect()
}
