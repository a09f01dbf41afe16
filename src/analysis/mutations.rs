//! Following what happens to a `Vec` or `String` after its `let`: pushes, reserves and loops.
//!
//! Mutations of a binding are recorded as events in program order. Loops and branches open a
//! frame; when the frame closes, its events are wrapped in a repeat with the loop's trip count
//! (unknown for `while`, `loop`, branches and closures). At the end the binding's buffer is
//! replayed through them (see `alloc_model`).

use std::collections::HashMap;

use syn::spanned::Spanned;

use super::alloc_model::{Event, Key, Mutation};
use super::bindings::{BindingKind, HeapAfterChanges, Walker};
use super::heap::Heap;
use super::ty::Ty;
use super::values::Value;

/// A loop or branch being walked, collecting the events of bindings declared before it.
#[derive(Debug, Default)]
pub struct Frame {
    times: Option<u64>,
    count_text: Option<String>,
    /// Bindings with an index from here on were declared inside the frame.
    first_binding: usize,
    events: HashMap<usize, Vec<Event>>,
}

/// `&mut self` methods of `Vec` and `String` whose effect on the buffer memlens does not model;
/// other methods not in `record_method_mutation`'s list leave length and capacity alone.
const UNMODELLED_MUTATIONS: [&str; 17] = [
    "remove",
    "swap_remove",
    "retain",
    "retain_mut",
    "drain",
    "dedup",
    "dedup_by",
    "dedup_by_key",
    "append",
    "split_off",
    "resize",
    "resize_with",
    "set_len",
    "extend_from_within",
    "shrink_to",
    "replace_range",
    "truncate_front",
];

impl Walker<'_> {
    /// Walks `body` inside a frame that repeats `times` times (`None`: unknown, maybe zero).
    pub(super) fn in_frame<T>(
        &mut self,
        times: Option<u64>,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.in_loop(times, None, body)
    }

    /// Like [`Walker::in_frame`], for a `for` loop whose trip count reads `count_text`.
    pub(super) fn in_loop<T>(
        &mut self,
        times: Option<u64>,
        count_text: Option<String>,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.frames.push(Frame {
            times,
            count_text,
            first_binding: self.out.bindings.len(),
            events: HashMap::new(),
        });
        let result = body(self);
        if let Some(frame) = self.frames.pop() {
            for (binding, events) in frame.events {
                self.record(
                    binding,
                    Event::Repeat {
                        times: frame.times,
                        count_text: frame.count_text.clone(),
                        body: events,
                    },
                );
            }
        }
        result
    }

    /// The binding's buffer as it is now, after the changes walked so far; `None` when a change
    /// inside an enclosing loop or branch is still open, or the buffer is not followed.
    pub(super) fn buffer_now(&self, binding: usize) -> Option<super::alloc_model::Buffer> {
        if self
            .frames
            .iter()
            .any(|frame| frame.events.contains_key(&binding))
        {
            return None;
        }
        let target = &self.out.bindings[binding];
        let mut buffer = target.value.buffer.clone()?;
        buffer.replay(&target.mutations);
        (!buffer.lost && buffer.sized).then_some(buffer)
    }

    /// Whether the binding has changed since its `let`, as far as the walk has seen.
    pub(super) fn has_mutations(&self, binding: usize) -> bool {
        !self.out.bindings[binding].mutations.is_empty()
            || self
                .frames
                .iter()
                .any(|frame| frame.events.contains_key(&binding))
    }

    /// Files a change that `changed` makes to a binding, and notes where it ends.
    pub(super) fn record_change(&mut self, binding: usize, event: Event, changed: &impl Spanned) {
        let end = self.range(changed.span()).end;
        if let Some(target) = self.out.bindings.get_mut(binding) {
            target.last_change = Some(target.last_change.map_or(end, |at| at.max(end)));
        }
        self.record(binding, event);
    }

    /// Files an event for a binding: into the innermost frame it was declared outside of.
    fn record(&mut self, binding: usize, event: Event) {
        // The innermost open frame, if the binding is older than it; closing that frame files
        // the wrapped events one level further out.
        let frame = self.frames.last_mut().filter(|f| f.first_binding > binding);
        match frame {
            Some(frame) => frame.events.entry(binding).or_default().push(event),
            None => {
                if let Some(target) = self.out.bindings.get_mut(binding) {
                    target.mutations.push(event);
                }
            }
        }
    }

    /// The local binding a receiver expression names directly (`v` in `v.push(1)`).
    fn receiver_binding(&self, receiver: &syn::Expr) -> Option<usize> {
        let syn::Expr::Path(path) = receiver else {
            return None;
        };
        let index = self.resolve(&path.path.get_ident()?.to_string())?;
        (self.out.bindings[index].kind == BindingKind::Local).then_some(index)
    }

    /// Records what a method call does to its receiver's buffer, if the receiver is a local.
    pub(super) fn record_method_mutation(&mut self, call: &syn::ExprMethodCall, args: &[Value]) {
        let Some(binding) = self.receiver_binding(&call.receiver) else {
            return;
        };
        let method = call.method.to_string();
        let ty = &self.out.bindings[binding].value.ty;
        let keyed = ["HashMap", "HashSet", "BTreeMap", "BTreeSet"]
            .iter()
            .any(|name| ty.is_adt(name));
        if self.out.bindings[binding].value.table.is_some() || keyed {
            self.record_table_mutation(binding, call, &method, args);
            return;
        }
        let is_string = self.out.bindings[binding].value.ty == Ty::string();
        if method == "push" && !is_string {
            self.settle_element_type(binding, args.first().map(|a| &a.ty));
        }
        let first = args.first();
        let count_arg = || {
            call.args
                .first()
                .and_then(|a| self.lower_ctx().const_u64(a))
        };
        let mutation = match method.as_str() {
            "push" if is_string => Mutation::Extend {
                count: first.and_then(|a| a.char_len),
                element_heap: Heap::NONE,
            },
            "push" | "insert" if !is_string => Mutation::Push {
                count: 1,
                element_heap: args.last().map_or(Heap::Unknown, |a| a.heap),
            },
            "insert" => Mutation::Extend {
                count: args.last().and_then(|a| a.char_len),
                element_heap: Heap::NONE,
            },
            "push_str" | "insert_str" => Mutation::Extend {
                count: args.last().and_then(|a| a.str_len),
                element_heap: Heap::NONE,
            },
            "extend_from_slice" | "extend" => Mutation::Extend {
                count: first.and_then(|a| a.exact_len),
                element_heap: first.map_or(Heap::Unknown, |a| a.element_heap_of_source()),
            },
            "reserve" => Mutation::Reserve(count_arg()),
            "reserve_exact" => Mutation::ReserveExact(count_arg()),
            "shrink_to_fit" => Mutation::ShrinkToFit,
            "truncate" => Mutation::Truncate(count_arg()),
            "clear" => Mutation::Truncate(Some(0)),
            "pop" => Mutation::Pop,
            other if UNMODELLED_MUTATIONS.contains(&other) => Mutation::Unknown,
            _ => return,
        };
        self.record_change(binding, Event::Mutate(mutation), call);
    }

    /// `insert` into a `HashMap`/`HashSet`: the key decides whether the table grows.
    fn record_table_mutation(
        &mut self,
        binding: usize,
        call: &syn::ExprMethodCall,
        method: &str,
        args: &[Value],
    ) {
        let mutation = match method {
            "insert" => {
                self.settle_entry_type(binding, args);
                let key = match (call.args.first().and_then(literal_key), args.first()) {
                    (Some(value), _) => Key::Literal(value),
                    (_, Some(value)) if value.range_counter => Key::LoopCounter,
                    _ => Key::Unknown,
                };
                let entry_heap = args
                    .iter()
                    .fold(Heap::NONE, |total, arg| total.plus(arg.heap));
                // A set's one argument is its key; a map's value comes second.
                let value_heap = match args {
                    [_, value] => value.heap,
                    _ => Heap::NONE,
                };
                Mutation::Insert {
                    key,
                    entry_heap,
                    value_heap,
                }
            }
            "reserve" => Mutation::Reserve(
                call.args
                    .first()
                    .and_then(|a| self.lower_ctx().const_u64(a)),
            ),
            "len" | "is_empty" | "get" | "contains_key" | "contains" | "iter" | "keys"
            | "values" | "capacity" => return,
            _ => Mutation::Unknown,
        };
        self.record_change(binding, Event::Mutate(mutation), call);
    }

    /// `let mut m = HashMap::new(); m.insert(1u8, 'a');`: the first insert decides the types.
    fn settle_entry_type(&mut self, binding: usize, args: &[Value]) {
        let current = self.out.bindings[binding].value.ty.clone();
        if current.is_fully_known() {
            // Inference may have given the type already (from these inserts); a table that owns
            // no heap is empty, so the inserts start from an empty one.
            let value = &self.out.bindings[binding].value;
            if value.table.is_none() && value.heap == Heap::NONE {
                let table = self.empty_table(&current);
                self.out.bindings[binding].value.table = table;
            }
            return;
        }
        if !args.iter().all(|a| a.ty.is_fully_known()) {
            return;
        }
        let ty = match &current {
            Ty::Adt { name, .. } if name.ends_with("Map") && args.len() == 2 => {
                Ty::adt(name, vec![args[0].ty.clone(), args[1].ty.clone()])
            }
            Ty::Adt { name, .. } if name.ends_with("Set") && args.len() == 1 => {
                Ty::adt(name, vec![args[0].ty.clone()])
            }
            _ => return,
        };
        let table = self.empty_table(&ty);
        let value = &mut self.out.bindings[binding].value;
        value.ty = ty;
        value.table = table;
    }

    /// `let mut v = Vec::new(); v.push(1u8);`: the first push decides the element type, as in
    /// rustc, and with it the buffer's element size.
    fn settle_element_type(&mut self, binding: usize, pushed: Option<&Ty>) {
        let Some(pushed) = pushed.filter(|ty| ty.is_fully_known()) else {
            return;
        };
        let current = &self.out.bindings[binding].value.ty;
        let undecided = current.is_adt("Vec")
            && current
                .adt_args()
                .first()
                .is_none_or(|arg| !arg.is_fully_known());
        if !undecided {
            return;
        }
        let size = self.size_of(pushed);
        let value = &mut self.out.bindings[binding].value;
        value.ty = Ty::vec_of(pushed.clone());
        if let (Some(buffer), Some(size)) = (&mut value.buffer, size) {
            buffer.set_element_size(size);
        }
    }

    /// `s += "text"` on a local `String`: the same as `push_str`.
    pub(super) fn record_push_str(&mut self, target: &syn::Expr, appended: &Value) {
        if let Some(binding) = self.receiver_binding(target) {
            let mutation = Mutation::Extend {
                count: appended.display_len(),
                element_heap: Heap::NONE,
            };
            self.record_change(binding, Event::Mutate(mutation), target);
        }
    }

    /// `v = ...` or `&mut v` handed elsewhere: memlens stops following the buffer.
    pub(super) fn record_lost(&mut self, expr: &syn::Expr) {
        if let Some(binding) = self.receiver_binding(expr) {
            self.record_change(binding, Event::Mutate(Mutation::Unknown), expr);
        }
    }

    /// Replays every changed binding's recorded mutations over what it owned at its `let`.
    pub(super) fn settle_mutations(&mut self) {
        for binding in &mut self.out.bindings {
            if !binding.mutations.is_empty() {
                binding.after_changes = Some(after_changes(&binding.value, &binding.mutations));
            }
        }
    }
}

/// What a value owns once `mutations` have happened to it.
fn after_changes(value: &Value, mutations: &[Event]) -> HeapAfterChanges {
    if let Some(table) = &value.table {
        let mut table = table.clone();
        table.replay(mutations, &mut Vec::new());
        return HeapAfterChanges {
            heap: table.heap(),
            rule: table.rule(),
            buffer: None,
        };
    }
    match &value.buffer {
        Some(buffer) => {
            let mut buffer = buffer.clone();
            buffer.replay(mutations);
            HeapAfterChanges {
                heap: buffer.heap(),
                rule: buffer.rule().or_else(|| value.heap_rule.clone()),
                buffer: Some(buffer),
            }
        }
        None => HeapAfterChanges {
            heap: Heap::Unknown,
            rule: None,
            buffer: None,
        },
    }
}

/// A key written as a literal, by its value: `1`, `1u32` and `0x1` are one key, and so are
/// `"a"`, `String::from("a")`, `"a".to_string()` and `"a".to_owned()` (a `String` key hashes
/// and compares as its text). Not `"a".into()`: a key type of the crate's own may make two
/// texts one key.
fn literal_key(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(literal) => literal_value(&literal.lit),
        syn::Expr::Paren(inner) => literal_key(&inner.expr),
        syn::Expr::Call(call) if call.args.len() == 1 => {
            let syn::Expr::Path(function) = &*call.func else {
                return None;
            };
            let names = super::lower::segment_names(&function.path);
            let from_text =
                matches!(names.as_slice(), [owner, from] if owner == "String" && from == "from");
            let text = literal_key(&call.args[0])?;
            (from_text && text.starts_with("str:")).then_some(text)
        }
        syn::Expr::MethodCall(call) if call.args.is_empty() => {
            let owned = matches!(call.method.to_string().as_str(), "to_string" | "to_owned");
            let text = literal_key(&call.receiver)?;
            (owned && text.starts_with("str:")).then_some(text)
        }
        _ => None,
    }
}

fn literal_value(literal: &syn::Lit) -> Option<String> {
    match literal {
        syn::Lit::Str(text) => Some(format!("str:{}", text.value())),
        syn::Lit::Int(int) => Some(format!("int:{}", int.base10_parse::<u128>().ok()?)),
        syn::Lit::Char(ch) => Some(format!("char:{}", ch.value())),
        syn::Lit::Bool(flag) => Some(format!("bool:{}", flag.value)),
        syn::Lit::Byte(byte) => Some(format!("int:{}", byte.value())),
        _ => None,
    }
}

/// How many times a `for` loop runs, when memlens can tell: a range with constant bounds, or a
/// collection of known length, and a body that cannot leave early.
pub fn trip_count(iterable: &Value, body: &syn::Block) -> Option<u64> {
    let count = iterable.exact_len?;
    (!leaves_early(body)).then_some(count)
}

/// A `for` loop's trip count as source text, for fixes that write it in: `n` for `0..n`,
/// `n + 1` for `0..=n`, `b - a` for `a..b`, `v.len()` for `&v`, `v.iter()` and `v`.
pub fn count_text(
    iterable: &syn::Expr,
    text: &str,
    base: usize,
    body: &syn::Block,
) -> Option<String> {
    if leaves_early(body) {
        return None;
    }
    let source = |expr: &syn::Expr| {
        let range = syn::spanned::Spanned::span(expr).byte_range();
        text.get(base + range.start..base + range.end)
            .map(str::to_string)
    };
    match iterable {
        syn::Expr::Range(range) => {
            let end = source(range.end.as_deref()?)?;
            let start = range
                .start
                .as_deref()
                .map(source)
                .unwrap_or(Some("0".into()))?;
            let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
            Some(match (start.as_str(), inclusive) {
                ("0", false) => end,
                ("0", true) => format!("{end} + 1"),
                (_, false) => format!("{end} - {start}"),
                (_, true) => format!("{end} - {start} + 1"),
            })
        }
        syn::Expr::Reference(reference) => count_text_of_collection(&reference.expr, &source),
        syn::Expr::MethodCall(call)
            if matches!(
                call.method.to_string().as_str(),
                "iter" | "iter_mut" | "into_iter"
            ) =>
        {
            count_text_of_collection(&call.receiver, &source)
        }
        syn::Expr::Path(_) => count_text_of_collection(iterable, &source),
        syn::Expr::Paren(inner) => count_text(&inner.expr, text, base, body),
        _ => None,
    }
}

fn count_text_of_collection(
    collection: &syn::Expr,
    source: &dyn Fn(&syn::Expr) -> Option<String>,
) -> Option<String> {
    match collection {
        syn::Expr::Path(path) if path.path.get_ident().is_some() => {
            Some(format!("{}.len()", source(collection)?))
        }
        _ => None,
    }
}

/// `while i < n { ..; i += 1; }` with `let mut i = <literal>` before it: the trip count, when
/// `n` is a constant, and as source text (`n`, or `n - start`), when the counter is visible.
pub fn counter_loop(
    while_loop: &syn::ExprWhile,
    start: Option<i128>,
    text: &str,
    base: usize,
    constant: impl Fn(&syn::Expr) -> Option<i128>,
) -> Option<(Option<u64>, String)> {
    let syn::Expr::Binary(condition) = &*while_loop.cond else {
        return None;
    };
    let inclusive = match condition.op {
        syn::BinOp::Lt(_) => false,
        syn::BinOp::Le(_) => true,
        _ => return None,
    };
    let syn::Expr::Path(counter) = &*condition.left else {
        return None;
    };
    let counter = counter.path.get_ident()?.to_string();
    let start = start?;
    if leaves_early(&while_loop.body) || counter_steps(&while_loop.body, &counter) != Some(1) {
        return None;
    }
    let range = syn::spanned::Spanned::span(&*condition.right).byte_range();
    let limit_text = text.get(base + range.start..base + range.end)?.to_string();
    let extra = i128::from(inclusive);
    let count_text = match (start, inclusive) {
        (0, false) => limit_text,
        (0, true) => format!("{limit_text} + 1"),
        _ => format!("{limit_text} + {} - {start}", extra),
    };
    let times = constant(&condition.right)
        .and_then(|limit| u64::try_from((limit + extra - start).max(0)).ok());
    Some((times, count_text))
}

/// How many `counter += 1` statements the body has at its top level, if the counter is changed
/// in no other way anywhere in it.
fn counter_steps(body: &syn::Block, counter: &str) -> Option<usize> {
    struct Changes<'c> {
        counter: &'c str,
        increments: usize,
        other: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Changes<'_> {
        fn visit_expr(&mut self, expr: &'ast syn::Expr) {
            let names_counter =
                |e: &syn::Expr| matches!(e, syn::Expr::Path(p) if p.path.is_ident(self.counter));
            match expr {
                syn::Expr::Binary(b)
                    if matches!(b.op, syn::BinOp::AddAssign(_)) && names_counter(&b.left) =>
                {
                    let by_one = matches!(&*b.right, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) if i.base10_digits() == "1");
                    if by_one {
                        self.increments += 1
                    } else {
                        self.other = true
                    }
                }
                syn::Expr::Assign(a) if names_counter(&a.left) => self.other = true,
                syn::Expr::Binary(b) if is_compound_assignment(&b.op) && names_counter(&b.left) => {
                    self.other = true
                }
                syn::Expr::Reference(r) if r.mutability.is_some() && names_counter(&r.expr) => {
                    self.other = true
                }
                _ => syn::visit::visit_expr(self, expr),
            }
        }
    }
    let mut changes = Changes {
        counter,
        increments: 0,
        other: false,
    };
    syn::visit::Visit::visit_block(&mut changes, body);
    // The increment must run on every pass: a top-level statement of the body.
    let top_level = body.stmts.iter().filter(|stmt| {
        matches!(stmt, syn::Stmt::Expr(syn::Expr::Binary(b), _) if matches!(b.op, syn::BinOp::AddAssign(_)) && matches!(&*b.left, syn::Expr::Path(p) if p.path.is_ident(counter)))
    });
    (!changes.other && top_level.count() == changes.increments).then_some(changes.increments)
}

/// `+=`, `-=`, `*=` and the other operators that assign to their left side.
pub fn is_compound_assignment(op: &syn::BinOp) -> bool {
    use syn::BinOp as Op;
    matches!(
        op,
        Op::AddAssign(_)
            | Op::SubAssign(_)
            | Op::MulAssign(_)
            | Op::DivAssign(_)
            | Op::RemAssign(_)
            | Op::ShlAssign(_)
            | Op::ShrAssign(_)
            | Op::BitAndAssign(_)
            | Op::BitOrAssign(_)
            | Op::BitXorAssign(_)
    )
}

/// Whether a loop body contains `break`, `continue`, `return` or `?` (outside nested closures).
fn leaves_early(body: &syn::Block) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_expr(&mut self, expr: &'ast syn::Expr) {
            match expr {
                syn::Expr::Break(_)
                | syn::Expr::Continue(_)
                | syn::Expr::Return(_)
                | syn::Expr::Try(_) => self.0 = true,
                syn::Expr::Closure(_) => {}
                _ => syn::visit::visit_expr(self, expr),
            }
        }
        fn visit_macro(&mut self, _: &'ast syn::Macro) {}
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_block(&mut finder, body);
    finder.0
}
