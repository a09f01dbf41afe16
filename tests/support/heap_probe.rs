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
    /// The heap a value owns, computed by std itself: a buffer's capacity times its element
    /// size, plus what the elements own.
    pub trait Owned { fn owned(&self) -> usize; }
    impl Owned for String { fn owned(&self) -> usize { self.capacity() } }
    impl<T: Owned> Owned for Vec<T> {
        fn owned(&self) -> usize {
            let own = if std::mem::size_of::<T>() == 0 { 0 } else { self.capacity() * std::mem::size_of::<T>() };
            own + self.iter().map(Owned::owned).sum::<usize>()
        }
    }
    impl<T: ?Sized> Owned for &T { fn owned(&self) -> usize { 0 } }
    /// A hash table's clone allocates a table of the same bucket count, and clones of its keys
    /// and values: the allocator's count during a clone is what the original owns (for keys
    /// and values whose buffers have no spare capacity).
    fn cloned_bytes<T: Clone>(value: &T) -> usize {
        let before = live();
        let copy = value.clone();
        let grown = live() - before;
        drop(copy);
        grown as usize
    }
    impl<K: Clone, V: Clone> Owned for std::collections::HashMap<K, V> { fn owned(&self) -> usize { cloned_bytes(self) } }
    impl<T: Clone> Owned for std::collections::HashSet<T> { fn owned(&self) -> usize { cloned_bytes(self) } }
    impl<K: Clone, V: Clone> Owned for std::collections::BTreeMap<K, V> { fn owned(&self) -> usize { cloned_bytes(self) } }
    impl<T: Clone> Owned for std::collections::BTreeSet<T> { fn owned(&self) -> usize { cloned_bytes(self) } }
    macro_rules! owns_nothing { ($($t:ty),*) => { $(impl Owned for $t { fn owned(&self) -> usize { 0 } })* } }
    owns_nothing!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, bool, char, ());
    /// Autoref specialization: `(&Probe(&x)).owned_bytes()` is the owned bytes when the type
    /// implements `Owned`, else -1 (not measured).
    pub struct Probe<'a, T>(pub &'a T);
    pub trait OwnedSpecific { fn owned_bytes(&self) -> isize; }
    impl<T: Owned> OwnedSpecific for Probe<'_, T> { fn owned_bytes(&self) -> isize { self.0.owned() as isize } }
    pub trait OwnedFallback { fn owned_bytes(&self) -> isize; }
    impl<T> OwnedFallback for &Probe<'_, T> { fn owned_bytes(&self) -> isize { -1 } }
    pub fn report_owned(line: u32, column: u32, bytes: isize) {
        if bytes >= 0 {
            eprintln!("owned {line}:{column} {bytes}");
        }
    }
    /// Results go to stderr, which is unbuffered and allocates nothing.
    pub fn report(line: u32, column: u32, bytes: isize) {
        eprintln!("heap {line}:{column} {bytes}");
    }
}
#[allow(unused_imports)]
use __memlens_probe::{OwnedFallback as _, OwnedSpecific as _};
#[global_allocator]
static __MEMLENS_ALLOCATOR: __memlens_probe::Counting = __memlens_probe::Counting;
"#;

/// Methods that grow or shrink a `Vec` or `String` in place.
const MUTATING: [&str; 12] = [
    "push",
    "push_str",
    "insert",
    "insert_str",
    "extend",
    "extend_from_slice",
    "reserve",
    "reserve_exact",
    "shrink_to_fit",
    "truncate",
    "clear",
    "pop",
];

/// Wraps every `let name = ...;` with a single-identifier pattern in a measurement, and after
/// every statement that mutates a visible local in place, reports what that local owns.
#[derive(Default)]
struct Instrument {
    /// Locals visible at this point, with the (line, column) of their declaration.
    visible: Vec<(String, (u32, u32))>,
    /// Types memlens claims for bindings, by (line, column): each is asserted with
    /// `let _: &T = &name;`, so a wrong claim does not compile.
    claimed_types: HashMap<(u32, u32), syn::Type>,
}

impl VisitMut for Instrument {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let outer = self.visible.len();
        let mut statements = Vec::with_capacity(block.stmts.len() * 3);
        for mut statement in block.stmts.drain(..) {
            syn::visit_mut::visit_stmt_mut(self, &mut statement);
            let measured = match &statement {
                syn::Stmt::Local(local) if local.init.is_some() => binding_ident(&local.pat),
                _ => None,
            };
            let mutated = mutated_receivers(&statement);
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
                    if let Some(claimed) = self.claimed_types.get(&(line, column)) {
                        statements.push(syn::parse_quote! { let _: &#claimed = &#ident; });
                    }
                    self.visible.push((ident.to_string(), (line, column)));
                }
                None => statements.push(statement),
            }
            for name in mutated {
                let Some((_, (line, column))) = self.visible.iter().rev().find(|(n, _)| *n == name)
                else {
                    continue;
                };
                let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
                statements.push(syn::parse_quote! {
                    __memlens_probe::report_owned(#line, #column, (&__memlens_probe::Probe(&#ident)).owned_bytes());
                });
            }
        }
        block.stmts = statements;
        self.visible.truncate(outer);
    }

    fn visit_expr_closure_mut(&mut self, closure: &mut syn::ExprClosure) {
        // Locals captured by a closure may be borrowed by it; reporting them could not compile.
        let saved = std::mem::take(&mut self.visible);
        syn::visit_mut::visit_expr_closure_mut(self, closure);
        self.visible = saved;
    }
}

/// Names of locals that a statement grows or shrinks in place (`v.push(..)` anywhere in it).
fn mutated_receivers(statement: &syn::Stmt) -> Vec<String> {
    struct Finder(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            if let syn::Expr::Path(path) = &*call.receiver
                && let Some(ident) = path.path.get_ident()
                && MUTATING.contains(&call.method.to_string().as_str())
                && !self.0.contains(&ident.to_string())
            {
                self.0.push(ident.to_string());
            }
            syn::visit::visit_expr_method_call(self, call);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut finder = Finder(Vec::new());
    syn::visit::Visit::visit_stmt(&mut finder, statement);
    finder.0
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
        if let syn::Item::Fn(function) = item
            && function.sig.ident == "main"
        {
            function
                .block
                .stmts
                .insert(0, syn::parse_quote! { println!("memlens probe"); });
        }
    }
}

/// What the probe measured for one binding: its heap right after its `let`, and what it owns
/// after the last statement that changed it in place (for bindings that are changed).
#[derive(Clone, Copy, Debug, Default)]
pub struct Measured {
    pub after_let: Option<i64>,
    pub after_changes: Option<i64>,
}

/// Runs an instrumented copy of `source` and returns the heap bytes measured per (line, column).
/// The program's stdout is initialised first, so its buffer is not charged to a binding.
/// `claimed_types` are the types memlens gives bindings, by (line, column): the probe asserts
/// each one, so it does not compile if memlens names a wrong type.
pub fn measure_heap(
    name: &str,
    source: &str,
    claimed_types: &HashMap<(u32, u32), String>,
) -> HashMap<(u32, u32), Measured> {
    let mut file = syn::parse_file(source).expect("fixture parses");
    // Inner attributes must come first in a crate; the prelude goes before the file's items.
    file.attrs.clear();
    let claimed_types = claimed_types
        .iter()
        .filter_map(|(position, ty)| Some((*position, syn::parse_str::<syn::Type>(ty).ok()?)))
        .collect();
    Instrument {
        claimed_types,
        ..Instrument::default()
    }
    .visit_file_mut(&mut file);
    prime_stdout(&mut file);
    let instrumented = format!("{PRELUDE}\n{}", quote!(#file));
    let dir = ProbeDir::new(name);
    let binary = compile(&dir.path, name, &instrumented, &[]);
    let output = std::process::Command::new(&binary)
        .output()
        .expect("probe runs");
    assert!(output.status.success(), "probe {name} failed");
    let mut measured: HashMap<(u32, u32), Measured> = HashMap::new();
    for line in String::from_utf8_lossy(&output.stderr).lines() {
        let Some((kind, rest)) = line.split_once(' ') else {
            continue;
        };
        let Some((position, bytes)) = rest.split_once(' ') else {
            continue;
        };
        let Some((line, column)) = position.split_once(':') else {
            continue;
        };
        let (Ok(line), Ok(column), Ok(bytes)) =
            (line.parse(), column.parse(), bytes.parse::<i64>())
        else {
            continue;
        };
        let entry = measured.entry((line, column)).or_default();
        match kind {
            "heap" => entry.after_let = Some(bytes),
            "owned" => entry.after_changes = Some(bytes),
            _ => {}
        }
    }
    measured
}
