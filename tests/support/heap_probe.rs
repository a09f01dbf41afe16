//! Measuring the heap bytes each `let` binding owns, by running an instrumented copy of a program.
//!
//! The copy gets a counting `#[global_allocator]`. Each `let` statement is wrapped so that the
//! live heap bytes are read before and after it; the difference is what the new binding owns
//! (temporaries are freed by the end of the statement). Results are printed at exit, keyed by the
//! binding's 1-based line and column in the original file.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use quote::quote;
use syn::visit_mut::VisitMut;

use super::rustc_probe::{ProbeDir, try_compile};

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
    /// size, plus what the elements own. `None` where ownership is shared (an `Rc` with other
    /// strong references), so no one figure is the truth.
    pub trait Owned { fn owned(&self) -> Option<usize>; }
    fn sum<'a, T: Owned + 'a>(items: impl Iterator<Item = &'a T>) -> Option<usize> {
        items.map(Owned::owned).sum()
    }
    impl Owned for String { fn owned(&self) -> Option<usize> { Some(self.capacity()) } }
    impl<T: Owned> Owned for Vec<T> {
        fn owned(&self) -> Option<usize> {
            let own = if std::mem::size_of::<T>() == 0 { 0 } else { self.capacity() * std::mem::size_of::<T>() };
            Some(own + sum(self.iter())?)
        }
    }
    impl<T: ?Sized> Owned for &T { fn owned(&self) -> Option<usize> { Some(0) } }
    impl<T: ?Sized> Owned for &mut T { fn owned(&self) -> Option<usize> { Some(0) } }
    impl<T: Owned> Owned for Option<T> { fn owned(&self) -> Option<usize> { self.as_ref().map_or(Some(0), Owned::owned) } }
    impl<T: Owned> Owned for Box<T> {
        fn owned(&self) -> Option<usize> { Some(std::mem::size_of::<T>() + (**self).owned()?) }
    }
    /// An `Rc`/`Arc` allocation holds the two counts, then the value.
    fn counted_block<T>() -> usize {
        let counts = Layout::new::<[usize; 2]>();
        counts.extend(Layout::new::<T>()).map_or(0, |(block, _)| block.pad_to_align().size())
    }
    impl<T: Owned> Owned for std::rc::Rc<T> {
        fn owned(&self) -> Option<usize> {
            (std::rc::Rc::strong_count(self) == 1).then(|| Some(counted_block::<T>() + (**self).owned()?))?
        }
    }
    impl<T: Owned> Owned for std::sync::Arc<T> {
        fn owned(&self) -> Option<usize> {
            (std::sync::Arc::strong_count(self) == 1).then(|| Some(counted_block::<T>() + (**self).owned()?))?
        }
    }
    impl<A: Owned, B: Owned> Owned for (A, B) { fn owned(&self) -> Option<usize> { Some(self.0.owned()? + self.1.owned()?) } }
    impl<A: Owned, B: Owned, C: Owned> Owned for (A, B, C) {
        fn owned(&self) -> Option<usize> { Some(self.0.owned()? + self.1.owned()? + self.2.owned()?) }
    }
    impl<T: Owned, const N: usize> Owned for [T; N] { fn owned(&self) -> Option<usize> { sum(self.iter()) } }
    /// A hash table's clone allocates a table of the same bucket count, and clones of its keys
    /// and values: the allocator's count during a clone is what the original owns (for keys
    /// and values whose buffers have no spare capacity).
    fn cloned_bytes<T: Clone>(value: &T) -> Option<usize> {
        let before = live();
        let copy = value.clone();
        let grown = live() - before;
        drop(copy);
        Some(grown as usize)
    }
    impl<K: Clone, V: Clone> Owned for std::collections::HashMap<K, V> { fn owned(&self) -> Option<usize> { cloned_bytes(self) } }
    impl<T: Clone> Owned for std::collections::HashSet<T> { fn owned(&self) -> Option<usize> { cloned_bytes(self) } }
    impl<K: Clone, V: Clone> Owned for std::collections::BTreeMap<K, V> { fn owned(&self) -> Option<usize> { cloned_bytes(self) } }
    impl<T: Clone> Owned for std::collections::BTreeSet<T> { fn owned(&self) -> Option<usize> { cloned_bytes(self) } }
    macro_rules! owns_nothing { ($($t:ty),*) => { $(impl Owned for $t { fn owned(&self) -> Option<usize> { Some(0) } })* } }
    owns_nothing!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, bool, char, ());
    /// Autoref specialization: `(&Probe(&x)).owned_bytes()` is the owned bytes when the type
    /// implements `Owned` and the figure is one, else -1 (not measured).
    pub struct Probe<'a, T>(pub &'a T);
    pub trait OwnedSpecific { fn owned_bytes(&self) -> isize; }
    impl<T: Owned> OwnedSpecific for Probe<'_, T> { fn owned_bytes(&self) -> isize { self.0.owned().map_or(-1, |bytes| bytes as isize) } }
    pub trait OwnedFallback { fn owned_bytes(&self) -> isize; }
    impl<T> OwnedFallback for &Probe<'_, T> { fn owned_bytes(&self) -> isize { -1 } }
    pub fn report_owned(line: u32, column: u32, bytes: isize) {
        if bytes >= 0 {
            eprintln!("owned {line}:{column} {bytes}");
        }
    }
    /// What a binding owns right after its `let`, when its type says how to count it.
    pub fn report_owned_at_let(line: u32, column: u32, bytes: isize) {
        if bytes >= 0 {
            eprintln!("owned_let {line}:{column} {bytes}");
        }
    }
    /// Results go to stderr, which is unbuffered and allocates nothing.
    pub fn report(line: u32, column: u32, bytes: isize) {
        eprintln!("heap {line}:{column} {bytes}");
    }
}
#[allow(unused_imports)]
use __memlens_probe::{OwnedFallback as _, OwnedSpecific as _};
/// memlens prints std types by their short names (`JoinHandle`, `io::Error`); the type
/// assertions need them in scope. A glob import yields to the program's own names.
#[allow(unused_imports)]
mod __memlens_names {
    pub use std::num::{ParseFloatError, ParseIntError};
    pub use std::sync::{MutexGuard, RwLockReadGuard, RwLockWriteGuard};
    pub use std::thread::JoinHandle;
    pub use std::{cell, collections, fmt, io, ops, path, rc, slice, str, string, sync, vec};
}
#[allow(unused_imports)]
use __memlens_names::*;
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
                    // What the statement allocated is what the binding owns only when nothing
                    // already owned moves into it (or is freed by it): its initializer names
                    // no local.
                    let fresh = !mentions_any(&statement, &self.visible);
                    statements.push(
                        syn::parse_quote! { let __memlens_before = __memlens_probe::live(); },
                    );
                    statements.push(statement);
                    if fresh {
                        statements.push(syn::parse_quote! {
                            __memlens_probe::report(#line, #column, __memlens_probe::live() - __memlens_before);
                        });
                    }
                    if self.countable_at(&(line, column)) {
                        statements.push(syn::parse_quote! {
                            __memlens_probe::report_owned_at_let(#line, #column, (&__memlens_probe::Probe(&#ident)).owned_bytes());
                        });
                    }
                    if let Some(claimed) = self.claimed_types.get(&(line, column)) {
                        statements.push(syn::parse_quote! { let _: &#claimed = &#ident; });
                    }
                    self.visible.push((ident.to_string(), (line, column)));
                }
                None => statements.push(statement),
            }
            for name in mutated {
                let Some(&(_, (line, column))) =
                    self.visible.iter().rev().find(|(n, _)| *n == name)
                else {
                    continue;
                };
                if !self.countable_at(&(line, column)) {
                    continue;
                }
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

/// Whether a statement names any of the visible locals (as a path of one segment, or inside a
/// macro call's tokens).
fn mentions_any(statement: &syn::Stmt, visible: &[(String, (u32, u32))]) -> bool {
    struct Finder<'v>(&'v [(String, (u32, u32))], bool);
    impl Finder<'_> {
        fn note(&mut self, ident: &proc_macro2::Ident) {
            let name = ident.to_string();
            self.1 |= self.0.iter().any(|(visible, _)| *visible == name);
        }
        fn note_tokens(&mut self, tokens: proc_macro2::TokenStream) {
            for token in tokens {
                match token {
                    proc_macro2::TokenTree::Ident(ident) => self.note(&ident),
                    proc_macro2::TokenTree::Group(group) => self.note_tokens(group.stream()),
                    _ => {}
                }
            }
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.note(ident);
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            self.note_tokens(mac.tokens.clone());
        }
    }
    let mut finder = Finder(visible, false);
    syn::visit::Visit::visit_stmt(&mut finder, statement);
    finder.1
}

impl Instrument {
    /// Whether the probe may count what the binding at `position` owns from its type. The
    /// `Owned` impls are generic (`Option<T: Owned>`), and autoref specialization cannot fall
    /// back past a nested bound that fails (`Option<UserType>` does not compile), so a claimed
    /// type must be made of counted types only. A binding memlens gives no type is counted
    /// anyway, so that its unknown figure is not left out of the totals.
    fn countable_at(&self, position: &(u32, u32)) -> bool {
        self.claimed_types.get(position).is_none_or(countable)
    }
}

/// Types the probe's `Owned` impls cover, with every part covered too.
fn countable(ty: &syn::Type) -> bool {
    const COUNTED: [&str; 26] = [
        "String", "Vec", "Option", "Box", "Rc", "Arc", "HashMap", "HashSet", "BTreeMap",
        "BTreeSet", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128",
        "isize", "f32", "f64", "bool", "char",
    ];
    match ty {
        syn::Type::Reference(_) => true,
        syn::Type::Paren(inner) => countable(&inner.elem),
        syn::Type::Array(array) => countable(&array.elem),
        syn::Type::Tuple(tuple) => {
            matches!(tuple.elems.len(), 0 | 2 | 3) && tuple.elems.iter().all(countable)
        }
        syn::Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            if !COUNTED.contains(&last.ident.to_string().as_str()) {
                return false;
            }
            match &last.arguments {
                syn::PathArguments::None => true,
                syn::PathArguments::AngleBracketed(args) => args.args.iter().all(|arg| match arg {
                    syn::GenericArgument::Type(inner) => countable(inner),
                    _ => false,
                }),
                syn::PathArguments::Parenthesized(_) => false,
            }
        }
        _ => false,
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

/// What the probe measured for one binding: what it owns right after its `let`, and after the
/// last statement that changed it in place (for bindings that are changed).
#[derive(Clone, Copy, Debug, Default)]
pub struct Measured {
    /// Counted from the value's type (capacities, boxes) where the probe knows how, else what
    /// the `let` statement allocated, for initializers that name no local; else unmeasured.
    pub after_let: Option<i64>,
    pub after_changes: Option<i64>,
}

/// Runs an instrumented copy of `source` and returns the heap bytes measured per (line, column).
/// The program's stdout is initialised first, so its buffer is not charged to a binding.
/// `claimed_types` are the types memlens gives bindings, by (line, column): the probe asserts
/// each one, so it does not compile if memlens names a wrong type. Panics when the probe does
/// not build or run.
pub fn measure_heap(
    name: &str,
    source: &str,
    claimed_types: &HashMap<(u32, u32), String>,
) -> HashMap<(u32, u32), Measured> {
    try_measure_heap(name, source, claimed_types, Duration::from_secs(60))
        .unwrap_or_else(|failure| panic!("probe {name} {failure}"))
}

/// Like [`measure_heap`], with the reason when the probe does not parse, build, finish within
/// `deadline` or succeed.
pub fn try_measure_heap(
    name: &str,
    source: &str,
    claimed_types: &HashMap<(u32, u32), String>,
    deadline: Duration,
) -> Result<HashMap<(u32, u32), Measured>, String> {
    let mut file = syn::parse_file(source).map_err(|e| format!("does not parse: {e}"))?;
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
    let binary = try_compile(&dir.path, name, &instrumented, &[])
        .map_err(|errors| format!("does not compile:\n{errors}\n--- source ---\n{instrumented}"))?;
    let stderr = run_within(&binary, deadline)?;
    Ok(parse_reports(&stderr))
}

/// Runs a probe with no input and returns its stderr, if it succeeds within `deadline`.
fn run_within(binary: &std::path::Path, deadline: Duration) -> Result<String, String> {
    let mut child = std::process::Command::new(binary)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("does not start: {e}"))?;
    let mut stderr = child.stderr.take().ok_or("has no stderr")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {deadline:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let text = reader.join().unwrap_or_default();
    if status.success() {
        Ok(text)
    } else {
        Err(format!("failed ({status})"))
    }
}

/// The probe's `heap L:C BYTES` and `owned L:C BYTES` lines, by position.
fn parse_reports(stderr: &str) -> HashMap<(u32, u32), Measured> {
    let mut measured: HashMap<(u32, u32), Measured> = HashMap::new();
    for line in stderr.lines() {
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
            // A count from the type wins over the allocation count; both come once per let.
            "heap" => entry.after_let = entry.after_let.or(Some(bytes)),
            "owned_let" => entry.after_let = Some(bytes),
            "owned" => entry.after_changes = Some(bytes),
            _ => {}
        }
    }
    measured
}
