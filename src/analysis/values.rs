//! Values of expressions as the heap model walks them: a type and the heap memory it owns.

use syn::parse::Parser;
use syn::punctuated::Punctuated;

use super::alloc_model::{self, Buffer, Event, Mutation, Table, TreeNodes};
use super::bindings::{BindingKind, StaticInit, Walker};
use super::heap::{Heap, may_own_heap};
use super::lower;
use super::methods;
use super::symbols::FnSig;
use super::ty::{FloatTy, IntTy, Ty};

/// How many expressions deep the walk of a body goes, as inference does (`infer::MAX_EXPR_DEPTH`):
/// each level costs a few KiB of stack.
pub(super) const MAX_WALK_DEPTH: usize = 256;

/// What an expression evaluates to, as far as memlens can tell.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub ty: Ty,
    pub heap: Heap,
    /// How the heap bytes come about, in words, for the hover.
    pub heap_rule: Option<String>,
    /// The type is an unsuffixed literal's fallback (`i32`, `f64`).
    pub literal_fallback: bool,
    /// Every buffer it owns has capacity equal to length, so a clone allocates the same bytes.
    pub tight: bool,
    /// For string literals: the length of the text in bytes.
    pub str_len: Option<u64>,
    /// For char literals: the bytes of the char in UTF-8.
    pub char_len: Option<u64>,
    /// For integer literals and constants: the value.
    pub int_value: Option<i128>,
    /// For ranges, arrays and collections: how many items iterating yields, when known.
    pub exact_len: Option<u64>,
    /// For `Vec` and `String` values: their buffer, to follow pushes and growth.
    pub buffer: Option<Buffer>,
    /// For `HashMap` and `HashSet` values: their table, to follow inserts.
    pub table: Option<Table>,
    /// A `for` loop's variable over a range: a different value on every iteration.
    pub range_counter: bool,
}

impl Value {
    pub fn unknown() -> Value {
        Value {
            ty: Ty::Unknown(None),
            heap: Heap::Unknown,
            heap_rule: None,
            literal_fallback: false,
            tight: false,
            str_len: None,
            char_len: None,
            int_value: None,
            exact_len: None,
            buffer: None,
            table: None,
            range_counter: false,
        }
    }

    pub fn unit() -> Value {
        Value::owning_nothing(Ty::unit())
    }

    /// A value of a type that owns no heap (or whose heap is settled when the binding is made).
    pub fn owning_nothing(ty: Ty) -> Value {
        Value {
            ty,
            heap: Heap::NONE,
            tight: true,
            ..Value::unknown()
        }
    }

    /// A value known only by its declared type: its heap is unknown unless the type owns none.
    pub fn declared(ty: Ty) -> Value {
        Value {
            ty,
            ..Value::unknown()
        }
    }

    pub fn of_param(ty: Ty) -> Value {
        Value::declared(ty)
    }

    fn owning(ty: Ty, heap: Heap, rule: String) -> Value {
        Value {
            ty,
            heap,
            heap_rule: Some(rule),
            tight: true,
            ..Value::unknown()
        }
    }

    /// A `Vec` or `String` value built with this buffer: its heap is the buffer's.
    fn with_buffer(mut self, buffer: Buffer) -> Value {
        self.heap = buffer.heap();
        if buffer.overflowed {
            self.heap_rule = buffer.rule();
        }
        self.exact_len = Some(buffer.len);
        self.buffer = Some(buffer);
        self
    }

    /// The bytes `{}` prints for this value, when memlens knows them: a string's length, a
    /// char's UTF-8 length, or an integer's digits (and sign).
    pub fn display_len(&self) -> Option<u64> {
        if let Some(len) = self.str_len.or(self.char_len) {
            return Some(len);
        }
        if let Some(value) = self.int_value {
            return Some(value.to_string().len() as u64);
        }
        match &self.buffer {
            Some(buffer) if self.ty == Ty::string() && buffer.exact && !buffer.lost => {
                Some(buffer.len)
            }
            _ => None,
        }
    }

    /// What the items of this collection own, for `extend`: nothing if they cannot own heap.
    pub fn element_heap_of_source(&self) -> Heap {
        match element_of(methods::deref_all(&self.ty)) {
            Some(element) if !matches!(element, Ty::Adt { .. } | Ty::Unknown(_) | Ty::Param(_)) => {
                Heap::NONE
            }
            _ => Heap::Unknown,
        }
    }

    /// Takes the type inference gave the expression. Heap figures the walk computed for a
    /// different type are dropped, unless the type cannot own heap at all.
    pub fn adopt_type(
        &mut self,
        ty: Ty,
        defs: &super::defs::TypeDefs,
        target: &super::target::Target,
    ) {
        if ty.to_string() != self.ty.to_string() {
            self.heap = match may_own_heap(&ty, defs, target) {
                Some(false) => Heap::NONE,
                _ => Heap::Unknown,
            };
            self.buffer = None;
            self.table = None;
            self.heap_rule = None;
            self.tight = false;
        }
        self.ty = ty;
    }

    pub fn with_type(mut self, ty: Ty) -> Value {
        if !ty.is_unknown() {
            if self.ty != ty {
                self.literal_fallback = false;
            }
            self.ty = ty;
        }
        self
    }
}

/// The element type `Vec<T>`, `[T; N]`, `[T]` or a reference to one of them holds.
pub fn element_of(ty: &Ty) -> Option<&Ty> {
    match ty {
        Ty::Array(element, _) | Ty::Slice(element) => Some(element),
        Ty::Adt { name, args } if matches!(name.as_str(), "Vec" | "VecDeque") => args.first(),
        Ty::Ref { pointee, .. } => element_of(pointee),
        _ => None,
    }
}

fn plural(count: u64, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

impl Walker<'_> {
    pub(super) fn size_of(&self, ty: &Ty) -> Option<u64> {
        super::layout::layout_of(ty, &self.target, self.defs())
            .ok()
            .map(|layout| layout.size)
    }

    pub(super) fn infer_expr(&mut self, expr: &syn::Expr) -> Value {
        self.infer(expr, None)
    }

    pub(super) fn infer_expected(&mut self, expr: &syn::Expr, expected: &Ty) -> Value {
        self.infer(expr, Some(expected)).with_type(expected.clone())
    }

    /// Infers `expr`, walking every sub-expression so that uses and nested bindings are found;
    /// inside a function the type is inference's.
    pub(super) fn infer(&mut self, expr: &syn::Expr, expected: Option<&Ty>) -> Value {
        if self.expr_depth >= MAX_WALK_DEPTH {
            return self.cut_walk(expr);
        }
        self.expr_depth += 1;
        let walked = self.walk_value(expr, expected);
        self.expr_depth -= 1;
        let mut value = walked;
        if let Some(inferred) = &self.inferred {
            let ty = inferred
                .exprs
                .get(&super::infer::expr_key(expr))
                .cloned()
                .unwrap_or(Ty::Unknown(None));
            self.adopt(&mut value, ty);
        }
        // On a 32-bit target one allocation holds at most 2^31 - 1 bytes.
        if let Some(buffer) = &mut value.buffer
            && buffer.limit_to(self.target.max_allocation())
        {
            value.heap = buffer.heap();
            value.heap_rule = buffer.rule();
        }
        // A value of a type that can never own heap owns none, however it was made (a call,
        // a field): `Box::new(origin())` is then exactly the box.
        if value.heap != Heap::NONE
            && may_own_heap(&value.ty, self.defs(), &self.target) == Some(false)
        {
            value.heap = Heap::NONE;
        }
        value
    }

    /// Leaves out an expression nested too deep to walk (a generated `.clone()` chain thousands
    /// long): its value is unknown, and since it may change any binding in scope, so is what
    /// each of them owns after it.
    fn cut_walk(&mut self, expr: &syn::Expr) -> Value {
        for binding in self.bindings_in_scope() {
            self.record_change(binding, Event::Mutate(Mutation::Unknown), expr);
        }
        Value::unknown()
    }

    /// Gives a value the type inference found. The walk's heap figures stay when its own type
    /// was the same or only less complete (`Vec<_>` for `Vec<u8>`), with a buffer's element
    /// size then fixed from the inferred type; otherwise they were computed for a type that
    /// is not the value's, and are dropped. A closure keeps the walk's captures.
    pub(super) fn adopt(&self, value: &mut Value, ty: Ty) {
        let unknown_closure = matches!(&ty, Ty::Unknown(Some(text)) if text == "{closure}");
        if unknown_closure && matches!(value.ty, Ty::Closure { .. }) {
            return;
        }
        if value.ty.to_string() != ty.to_string() && refines(&value.ty, &ty) {
            if let Some(buffer) = &mut value.buffer
                && !buffer.sized
                && let Some(size) = element_of(&ty).and_then(|element| self.size_of(element))
            {
                buffer.set_element_size(size);
            }
            value.ty = ty;
            return;
        }
        value.adopt_type(ty, self.defs(), &self.target);
    }

    fn walk_value(&mut self, expr: &syn::Expr, expected: Option<&Ty>) -> Value {
        match expr {
            syn::Expr::Lit(lit) => literal(&lit.lit, expected),
            syn::Expr::Path(path) => self.infer_path(&path.path, expected),
            syn::Expr::Reference(reference) => {
                let pointee_expected = match expected {
                    Some(Ty::Ref { pointee, .. }) => Some(&**pointee),
                    _ => None,
                };
                let inner = self.infer(&reference.expr, pointee_expected);
                if reference.mutability.is_some() {
                    // Whoever gets `&mut v` may grow or shrink it.
                    self.record_lost(&reference.expr);
                }
                Value {
                    exact_len: inner.exact_len,
                    str_len: inner.str_len,
                    ..Value::owning_nothing(Ty::Ref {
                        mutable: reference.mutability.is_some(),
                        pointee: Box::new(inner.ty),
                    })
                }
            }
            syn::Expr::Array(array) => {
                let items: Vec<&syn::Expr> = array.elems.iter().collect();
                self.infer_array(&items, expected)
            }
            syn::Expr::Repeat(repeat) => {
                let element_expected = expected.and_then(element_of).cloned();
                let element = self.infer(&repeat.expr, element_expected.as_ref());
                let count = self.lower_ctx().const_u64(&repeat.len);
                let heap = count.map_or(Heap::Unknown, |n| element.heap.times(n));
                Value {
                    ty: Ty::Array(Box::new(element.ty), count),
                    heap,
                    exact_len: count,
                    ..Value::unknown()
                }
            }
            syn::Expr::Tuple(tuple) => {
                let expected_parts = match expected {
                    Some(Ty::Tuple(parts)) if parts.len() == tuple.elems.len() => Some(parts),
                    _ => None,
                };
                let parts: Vec<Value> = tuple
                    .elems
                    .iter()
                    .enumerate()
                    .map(|(i, e)| self.infer(e, expected_parts.map(|p| &p[i])))
                    .collect();
                combine_parts(
                    Ty::Tuple(parts.iter().map(|p| p.ty.clone()).collect()),
                    &parts,
                )
            }
            syn::Expr::Struct(literal) => self.infer_struct_literal(literal),
            syn::Expr::Call(call) => self.infer_call(call, expected),
            syn::Expr::MethodCall(call) => self.infer_method_call(call, expected),
            syn::Expr::Macro(mac) => self.infer_macro_expected(&mac.mac, expected),
            syn::Expr::Paren(inner) => self.infer(&inner.expr, expected),
            syn::Expr::Group(inner) => self.infer(&inner.expr, expected),
            syn::Expr::Block(block) => self.walk_block(&block.block),
            syn::Expr::Unsafe(block) => self.walk_block(&block.block),
            syn::Expr::Const(block) => self.walk_block(&block.block),
            syn::Expr::If(if_expr) => self.infer_if(if_expr, expected),
            syn::Expr::Match(match_expr) => self.infer_match(match_expr, expected),
            syn::Expr::Closure(closure) => self.infer_closure(closure),
            syn::Expr::ForLoop(for_loop) => {
                let iterable = self.infer_expr(&for_loop.expr);
                let item = methods::iterated_item(&iterable.ty);
                let times = super::mutations::trip_count(&iterable, &for_loop.body);
                let count_text = super::mutations::count_text(
                    &for_loop.expr,
                    self.text,
                    self.base,
                    &for_loop.body,
                );
                let is_range =
                    matches!(&iterable.ty, Ty::Adt { name, .. } if super::ty::is_range_key(name));
                self.in_loop(times, count_text, |walker| {
                    walker.with_scope(|walker| {
                        let part = Value {
                            range_counter: is_range,
                            ..Value::part(item, walker)
                        };
                        walker.bind_pattern(&for_loop.pat, part, BindingKind::Local);
                        walker.walk_block(&for_loop.body);
                    })
                });
                Value::unit()
            }
            syn::Expr::While(while_loop) => {
                let start = self.counter_start(&while_loop.cond);
                let counted =
                    super::mutations::counter_loop(while_loop, start, self.text, self.base, |e| {
                        self.lower_ctx().const_i128(e)
                    });
                let (times, count_text) =
                    counted.map_or((None, None), |(times, text)| (times, Some(text)));
                self.in_loop(times, count_text, |walker| {
                    walker.with_scope(|walker| {
                        walker.infer_expr(&while_loop.cond);
                        walker.walk_block(&while_loop.body);
                    })
                });
                Value::unit()
            }
            syn::Expr::Loop(loop_expr) => {
                self.in_frame(None, |walker| walker.walk_block(&loop_expr.body));
                Value::unknown()
            }
            syn::Expr::Let(let_expr) => {
                let scrutinee = self.infer_expr(&let_expr.expr);
                self.bind_pattern(&let_expr.pat, scrutinee, BindingKind::Local);
                Value::owning_nothing(Ty::Bool)
            }
            syn::Expr::Binary(binary) => self.infer_binary(binary, expected),
            syn::Expr::Unary(unary) => {
                let inner = self.infer(&unary.expr, expected);
                match unary.op {
                    syn::UnOp::Deref(_) => Value::declared(methods::deref(&inner.ty)),
                    syn::UnOp::Neg(_) => Value {
                        heap: Heap::NONE,
                        int_value: inner.int_value.map(|v| -v),
                        ..inner
                    },
                    _ => Value {
                        heap: Heap::NONE,
                        int_value: None,
                        ..inner
                    },
                }
            }
            syn::Expr::Cast(cast) => {
                self.infer_expr(&cast.expr);
                Value::owning_nothing(self.written_ty(&cast.ty))
            }
            syn::Expr::Field(field) => {
                let base = self.infer_expr(&field.base);
                Value::declared(self.member_type(&base.ty, &field.member))
            }
            syn::Expr::Index(index) => {
                let base = self.infer_expr(&index.expr);
                let position = self.infer_expr(&index.index);
                let ty = match (&position.ty, element_of(&base.ty)) {
                    (Ty::Adt { name, .. }, Some(element)) if super::ty::is_range_key(name) => {
                        Ty::Slice(Box::new(element.clone()))
                    }
                    (_, Some(element)) => element.clone(),
                    _ => Ty::Unknown(None),
                };
                Value::declared(ty)
            }
            syn::Expr::Range(range) => {
                let bounds = (
                    range
                        .start
                        .as_ref()
                        .and_then(|e| self.lower_ctx().const_i128(e)),
                    range
                        .end
                        .as_ref()
                        .and_then(|e| self.lower_ctx().const_i128(e)),
                );
                let inclusive = i128::from(matches!(range.limits, syn::RangeLimits::Closed(_)));
                let exact_len = match bounds {
                    (Some(start), Some(end)) => {
                        u64::try_from((end + inclusive - start).max(0)).ok()
                    }
                    _ => None,
                };
                let start = range.start.as_ref().map(|e| self.infer_expr(e));
                let end = range.end.as_ref().map(|e| self.infer_expr(e));
                let bound = [start, end]
                    .into_iter()
                    .flatten()
                    .min_by_key(|v| v.literal_fallback)
                    .map_or(Ty::Unknown(None), |v| v.ty);
                let name = match range.limits {
                    syn::RangeLimits::HalfOpen(_) => "ops::Range",
                    syn::RangeLimits::Closed(_) => "ops::RangeInclusive",
                };
                Value {
                    exact_len,
                    ..Value::owning_nothing(Ty::adt(name, vec![bound]))
                }
            }
            syn::Expr::Try(try_expr) => {
                let inner = self.infer_expr(&try_expr.expr);
                Value::declared(methods::unwrapped(&inner.ty))
            }
            syn::Expr::Assign(assign) => {
                self.record_lost(&assign.left);
                self.link_assignment(assign);
                let target = self.infer_expr(&assign.left);
                self.infer(&assign.right, Some(&target.ty).filter(|t| !t.is_unknown()));
                Value::unit()
            }
            syn::Expr::Return(ret) => {
                if let Some(inner) = &ret.expr {
                    self.infer_expr(inner);
                }
                Value::owning_nothing(Ty::Never)
            }
            syn::Expr::Break(brk) => {
                if let Some(inner) = &brk.expr {
                    self.infer_expr(inner);
                }
                Value::owning_nothing(Ty::Never)
            }
            syn::Expr::Continue(_) => Value::owning_nothing(Ty::Never),
            syn::Expr::Await(inner) => {
                self.infer_expr(&inner.base);
                Value::unknown()
            }
            syn::Expr::Async(block) => {
                self.walk_block(&block.block);
                Value::unknown()
            }
            syn::Expr::TryBlock(block) => {
                self.walk_block(&block.block);
                Value::unknown()
            }
            _ => Value::unknown(),
        }
    }

    fn infer_path(&mut self, path: &syn::Path, expected: Option<&Ty>) -> Value {
        if let Some(ident) = path.get_ident()
            && let Some(index) = self.record_use(ident)
        {
            let binding = &self.out.bindings[index];
            let mut value = binding.value.clone();
            // Moving a value moves its heap with it, but after pushes or other changes the
            // value at its `let` no longer tells what it holds here.
            if self.has_mutations(index) {
                let now = self.buffer_now(index);
                value.heap = now.as_ref().map_or(Heap::Unknown, |b| b.heap());
                value.exact_len = now.as_ref().filter(|b| b.exact).map(|b| b.len);
                value.tight = false;
                value.buffer = now;
            }
            return value;
        }
        let name = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "None" {
            return Value::owning_nothing(
                expected
                    .cloned()
                    .unwrap_or_else(|| Ty::adt("Option", vec![Ty::Unknown(None)])),
            );
        }
        if let Some(ty) = self.symbols.values.get(&name) {
            return Value::declared(ty.clone());
        }
        if self.symbols.fns.contains_key(&name) {
            return Value::owning_nothing(Ty::FnItem(name));
        }
        if let Some(enum_ty) = self.enum_of_variant(path) {
            return Value::owning_nothing(enum_ty);
        }
        Value::unknown()
    }

    /// The enum type a path like `Shape::Circle` or a unit struct name denotes, if user-defined.
    /// The file's struct or enum a struct literal or variant path builds: `Point { .. }`,
    /// `shapes::Point { .. }`, `Shape::Circle(..)`, and `Self { .. }` or `Self::Circle(..)` in an
    /// impl, which are exactly the impl's type. Other arguments are left to be inferred.
    fn enum_of_variant(&self, path: &syn::Path) -> Option<Ty> {
        let segments = super::lower::segment_names(path);
        let (last, owner) = segments.split_last()?;
        // `Point(..)`, `Self(..)`: a tuple struct's own name.
        if let Some(ty) = self.constructed_adt(&segments) {
            return Some(ty);
        }
        // `Shape::Dot(..)`, `Self::Dot(..)`: a variant of the enum the path's owner names. Any
        // other `Type::function(..)` is a function memlens does not know, not a constructor.
        let ty = self.constructed_adt(owner)?;
        let Ty::Adt { name, .. } = &ty else {
            return None;
        };
        let def = self.defs().adt(name)?;
        let is_variant = def.kind == super::defs::AdtKind::Enum
            && def.variants.iter().any(|variant| variant.name == *last);
        is_variant.then_some(ty)
    }

    /// The struct or enum a constructor path (`Self`, or a type's name) names.
    fn constructed_adt(&self, candidate: &[String]) -> Option<Ty> {
        if candidate == ["Self"] {
            return self
                .self_ty
                .clone()
                .filter(|ty| matches!(ty, Ty::Adt { .. }));
        }
        if candidate.is_empty() {
            return None;
        }
        self.adt_named(&self.type_named_by(candidate))
    }

    /// The struct or enum of that name, directly or through a type alias (`type P = Point;`
    /// lets `P { .. }` build a `Point`), its arguments left to inference.
    fn adt_named(&self, name: &str) -> Option<Ty> {
        let with_unknown_args = |name: &str| {
            let def = self.defs().adt(name)?;
            Some(Ty::adt(
                &def.name,
                vec![Ty::Unknown(None); def.generics.len()],
            ))
        };
        if let Some(ty) = with_unknown_args(name) {
            return Some(ty);
        }
        let alias = self.defs().alias(name)?;
        match &alias.ty {
            Ty::Adt { .. } if alias.generics.is_empty() => Some(alias.ty.clone()),
            Ty::Adt { name, .. } => with_unknown_args(name),
            _ => None,
        }
    }

    /// The name of the type a path names: `Self` is the impl's type, other paths are named
    /// through the file's imports (`Map` after `use std::collections::HashMap as Map;`).
    fn type_named_by(&self, segments: &[String]) -> String {
        match (segments, &self.self_ty) {
            ([only], Some(Ty::Adt { name, .. })) if only == "Self" => name.clone(),
            _ => self.symbols.imports.type_name(segments),
        }
    }

    /// A call path as `[owner, function]` with the owner named as the type it means
    /// (`Self::new` in `impl Stack` is `Stack::new`, `std::vec::Vec::new` is `Vec::new`), or
    /// `[function]` for a free function.
    fn call_segments(&self, path: &syn::Path) -> Vec<String> {
        let segments = super::lower::segment_names(path);
        match segments.split_last() {
            Some((function, owner)) if !owner.is_empty() => {
                vec![self.type_named_by(owner), function.clone()]
            }
            _ => segments,
        }
    }

    fn infer_array(&mut self, items: &[&syn::Expr], expected: Option<&Ty>) -> Value {
        let element_expected = expected.and_then(element_of).cloned();
        let mark = self.mark();
        let mut values: Vec<Value> = items
            .iter()
            .map(|item| self.infer(item, element_expected.as_ref()))
            .collect();
        let element = element_expected
            .clone()
            .or_else(|| common_type(&values))
            .unwrap_or(Ty::Unknown(None));
        // rustc unifies the elements: `[vec![1u8], vec![2]]` holds two `Vec<u8>`. Elements
        // inferred apart are inferred again with the unified type, from a clean slate.
        if element_expected.is_none()
            && element.is_fully_known()
            && values.iter().any(|v| v.ty != element)
        {
            self.rollback(mark);
            values = items
                .iter()
                .map(|item| self.infer(item, Some(&element)))
                .collect();
        }
        let array = Ty::Array(Box::new(element), Some(items.len() as u64));
        combine_parts(array, &values)
    }

    fn infer_struct_literal(&mut self, literal: &syn::ExprStruct) -> Value {
        let ty = self.enum_of_variant(&literal.path).unwrap_or_else(|| {
            Ty::Unknown(Some(lower::tidy_tokens(
                &quote::ToTokens::to_token_stream(&literal.path).to_string(),
            )))
        });
        let mut parts = Vec::new();
        for field in &literal.fields {
            let name = match &field.member {
                syn::Member::Named(ident) => ident.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            let declared = self.field_type(&ty, &literal.path, &name);
            let value = match declared.filter(Ty::is_fully_known) {
                Some(field_ty) => self.infer_expected(&field.expr, &field_ty),
                None => self.infer_expr(&field.expr),
            };
            parts.push(value);
        }
        if let Some(rest) = &literal.rest {
            self.infer_expr(rest);
            parts.push(Value::unknown());
        }
        let mut value = combine_parts(ty.clone(), &parts);
        value.ty = self.instantiate_from_fields(ty, &literal.path, &literal.fields, &parts);
        value
    }

    /// Fills in a generic struct's arguments from fields declared with a bare parameter type.
    fn instantiate_from_fields(
        &self,
        ty: Ty,
        path: &syn::Path,
        fields: &Punctuated<syn::FieldValue, syn::Token![,]>,
        values: &[Value],
    ) -> Ty {
        let Ty::Adt { name, .. } = &ty else {
            return ty;
        };
        let Some(def) = self.defs().adt(name) else {
            return ty;
        };
        let variant_name = path.segments.last().map(|s| s.ident.to_string());
        let variant = def
            .variants
            .iter()
            .find(|v| Some(&v.name) == variant_name.as_ref())
            .or_else(|| def.variants.first());
        let args = def
            .generics
            .iter()
            .map(|param| {
                fields
                    .iter()
                    .zip(values)
                    .find_map(|(field, value)| {
                        let field_name =
                            quote::ToTokens::to_token_stream(&field.member).to_string();
                        let declared = variant?.fields.iter().find(|f| f.name == field_name)?;
                        (declared.ty == Ty::Param(param.clone())).then(|| value.ty.clone())
                    })
                    .unwrap_or(Ty::Unknown(None))
            })
            .collect();
        Ty::Adt {
            name: name.clone(),
            args,
        }
    }

    fn infer_args(
        &mut self,
        args: &Punctuated<syn::Expr, syn::Token![,]>,
        params: &[Ty],
    ) -> Vec<Value> {
        args.iter()
            .enumerate()
            .map(|(index, arg)| {
                let param = params.get(index).filter(|p| p.is_fully_known());
                let value = match param {
                    Some(param_ty) => self.infer_expected(arg, param_ty),
                    None => self.infer_expr(arg),
                };
                if let Some(param_ty) = param {
                    self.settle_literal_fallback(arg, param_ty);
                }
                value
            })
            .collect()
    }

    /// `let x = 42; takes_u8(x)`: rustc types `x` from its use, so memlens does too.
    fn settle_literal_fallback(&mut self, arg: &syn::Expr, param_ty: &Ty) {
        let syn::Expr::Path(path) = arg else { return };
        let Some(ident) = path.path.get_ident() else {
            return;
        };
        let Some(index) = self.resolve(&ident.to_string()) else {
            return;
        };
        let binding = &mut self.out.bindings[index];
        let same_family = matches!(
            (&binding.value.ty, param_ty),
            (Ty::Int(_), Ty::Int(_)) | (Ty::Float(_), Ty::Float(_))
        );
        if binding.literal_fallback && same_family {
            binding.value.ty = param_ty.clone();
            binding.literal_fallback = false;
        }
    }

    fn infer_call(&mut self, call: &syn::ExprCall, expected: Option<&Ty>) -> Value {
        let syn::Expr::Path(callee) = &*call.func else {
            let callee = self.infer_expr(&call.func);
            self.infer_args(&call.args, &[]);
            return match callee.ty {
                Ty::FnPtr { ret, .. } => Value::declared(*ret),
                _ => Value::unknown(),
            };
        };
        let segments = self.call_segments(&callee.path);
        if let Some(last) = segments.last() {
            self.record_call(last);
        }
        if segments.ends_with(&["Box".to_string(), "leak".to_string()]) {
            let leaked = self.infer_args(&call.args, &[]);
            let heap = leaked.first().map_or(Heap::Unknown, |value| value.heap);
            let range = self.range(syn::spanned::Spanned::span(call));
            self.out.leaks.push(super::bindings::Leak { range, heap });
            return Value::declared(Ty::Ref {
                mutable: true,
                pointee: Box::new(
                    leaked
                        .first()
                        .map_or(Ty::Unknown(None), |v| methods::deref(&v.ty)),
                ),
            });
        }
        let turbofish = self.turbofish(&callee.path);
        if let Some(value) = self.infer_std_constructor(&segments, &turbofish, &call.args, expected)
        {
            return value;
        }
        if let Some(index) = callee
            .path
            .get_ident()
            .and_then(|ident| self.record_use(ident))
        {
            let callee_ty = self.out.bindings[index].value.ty.clone();
            self.infer_args(&call.args, &[]);
            return match callee_ty {
                Ty::FnPtr { ret, .. } => Value::declared(*ret),
                _ => Value::unknown(),
            };
        }
        let sig = match segments.as_slice() {
            [.., owner, method] => self.symbols.method(owner, method).cloned(),
            [name] => self.symbols.fns.get(name).cloned(),
            [] => None,
        };
        if let Some(sig) = sig {
            let (names, explicit) = self.explicit_generics(&sig, &callee.path);
            let params: Vec<Ty> = sig
                .params
                .iter()
                .map(|param| param.substitute(&names, &explicit))
                .collect();
            let args = self.infer_args(&call.args, &params);
            let ret = sig.ret.substitute(&names, &explicit);
            return Value::declared(instantiate_return(&sig.generics, &params, &args, &ret));
        }
        // Tuple structs and enum tuple variants are constructors.
        let args = self.infer_args(&call.args, &[]);
        match self.enum_of_variant(&callee.path) {
            Some(ty) => combine_parts(ty, &args),
            None => Value::unknown(),
        }
    }

    /// The generic parameters a call path sets explicitly, with their types: the function's own
    /// by a turbofish on its name (`parse::<u8>()`), the impl's by the arguments written on its
    /// type (`Wrap::<u16>::new(5)` makes `T` `u16`, and so the literal `5` a `u16`).
    fn explicit_generics(&self, sig: &FnSig, path: &syn::Path) -> (Vec<String>, Vec<Ty>) {
        let written = |segment: &syn::PathSegment| -> Vec<Ty> {
            let syn::PathArguments::AngleBracketed(angle) = &segment.arguments else {
                return Vec::new();
            };
            angle
                .args
                .iter()
                .filter_map(|arg| match arg {
                    syn::GenericArgument::Type(ty) => Some(self.lower_ty(ty)),
                    _ => None,
                })
                .collect()
        };
        let mut segments = path.segments.iter().rev();
        let mut bound: Vec<(String, Ty)> = match segments.next() {
            Some(function) => sig
                .generics
                .iter()
                .cloned()
                .zip(written(function))
                .collect(),
            None => Vec::new(),
        };
        if let (Some(owner), Some(pattern @ Ty::Adt { name, .. })) =
            (segments.next(), &sig.impl_self)
        {
            let owner_ty = Ty::adt(name, written(owner));
            bound.extend(sig.generics.iter().filter_map(|generic| {
                Some((generic.clone(), bind_param(pattern, &owner_ty, generic)?))
            }));
        }
        bound.into_iter().unzip()
    }

    fn turbofish(&mut self, path: &syn::Path) -> Vec<Ty> {
        let mut types = Vec::new();
        for segment in &path.segments {
            if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                for arg in &args.args {
                    if let syn::GenericArgument::Type(ty) = arg {
                        types.push(self.written_ty(ty));
                    }
                }
            }
        }
        types
    }

    /// `String::from`, `Vec::with_capacity`, `Box::new`, `Some`, ... : std constructors whose
    /// heap memlens knows.
    fn infer_std_constructor(
        &mut self,
        segments: &[String],
        turbofish: &[Ty],
        args: &Punctuated<syn::Expr, syn::Token![,]>,
        expected: Option<&Ty>,
    ) -> Option<Value> {
        let (owner, function) = match segments {
            [.., owner, function] => (owner.as_str(), function.as_str()),
            [function] => ("", function.as_str()),
            [] => return None,
        };
        let expected_arg = |index: usize| expected.and_then(|t| t.adt_args().get(index)).cloned();
        let value = match (owner, function) {
            ("String", "new") => Value::owning(
                Ty::string(),
                Heap::NONE,
                "String::new does not allocate".into(),
            )
            .with_buffer(Buffer::new(0, 0, 1, Heap::NONE)),
            ("String", "from") | ("String", "from_str") => {
                let arg = self.infer_args(args, &[]);
                let Some(len) = args.first().and_then(str_literal_len) else {
                    let mut value = Value::declared(Ty::string());
                    value.heap = arg.first().map_or(Heap::Unknown, |a| copies_of_str(&a.ty));
                    return Some(value);
                };
                Value::owning(
                    Ty::string(),
                    Heap::Exact(len),
                    format!(
                        "String::from copies the {} of the literal",
                        plural(len, "byte")
                    ),
                )
                .with_buffer(Buffer::new(len, len, 1, Heap::NONE))
            }
            ("String" | "Vec", "with_capacity") => {
                let count = args.first().and_then(|a| self.lower_ctx().const_u64(a));
                self.infer_args(args, &[Ty::Int(IntTy::Usize)]);
                let ty = if owner == "String" {
                    Ty::string()
                } else {
                    Ty::vec_of(
                        turbofish
                            .first()
                            .cloned()
                            .or_else(|| expected_arg(0))
                            .unwrap_or(Ty::Unknown(None)),
                    )
                };
                let element_size = if owner == "String" {
                    Some(1)
                } else {
                    element_of(&ty).and_then(|e| self.size_of(e))
                };
                match (count, element_size) {
                    (Some(n), Some(size)) if n == 0 || size == 0 => Value::owning(
                        ty,
                        Heap::NONE,
                        "a zero-byte capacity does not allocate".into(),
                    )
                    .with_buffer(Buffer::new(0, n, size, Heap::NONE)),
                    (Some(n), Some(size)) => Value::owning(
                        ty,
                        Heap::array(n, size),
                        format!(
                            "with_capacity reserves {} of {size} B",
                            plural(n, "element")
                        ),
                    )
                    .with_buffer(Buffer::new(0, n, size, Heap::NONE)),
                    (Some(n), None) => Value {
                        buffer: Some(Buffer::unsized_elements(0, n)),
                        ..Value::declared(ty)
                    },
                    _ => Value::declared(ty),
                }
            }
            (
                "Vec" | "VecDeque" | "HashMap" | "HashSet" | "BTreeMap" | "BTreeSet" | "BinaryHeap",
                "new",
            ) => {
                let ty = expected
                    .filter(|t| t.is_adt(owner))
                    .cloned()
                    .unwrap_or_else(|| {
                        let arity = if owner.ends_with("Map") { 2 } else { 1 };
                        let args = (0..arity)
                            .map(|i| turbofish.get(i).cloned().unwrap_or(Ty::Unknown(None)))
                            .collect();
                        Ty::adt(owner, args)
                    });
                let value = Value::owning(
                    ty,
                    Heap::NONE,
                    format!("{owner}::new does not allocate until the first insertion"),
                );
                match owner {
                    "HashMap" | "HashSet" | "BTreeMap" | "BTreeSet" => Value {
                        table: self.empty_table(&value.ty),
                        ..value
                    },
                    "Vec" => {
                        let buffer = element_of(&value.ty)
                            .and_then(|e| self.size_of(e))
                            .map_or_else(
                                || Buffer::unsized_elements(0, 0),
                                |size| Buffer::new(0, 0, size, Heap::NONE),
                            );
                        Value {
                            buffer: Some(buffer),
                            exact_len: Some(0),
                            ..value
                        }
                    }
                    _ => value,
                }
            }
            // Interior mutability wraps a value in place: same heap, a wrapper type.
            ("RefCell" | "Cell" | "Mutex" | "RwLock" | "UnsafeCell", "new") => {
                let inner = self.infer_args(args, &[expected_arg(0).unwrap_or(Ty::Unknown(None))]);
                let inner = inner.into_iter().next().unwrap_or_else(Value::unknown);
                Value {
                    ty: Ty::adt(owner, vec![inner.ty.clone()]),
                    heap: inner.heap,
                    tight: inner.tight,
                    ..Value::unknown()
                }
            }
            // `Rc::from("text")`: one allocation holding both counts and the text, rounded up
            // to the counts' alignment.
            ("Rc" | "Arc", "from") if args.first().and_then(str_literal_len).is_some() => {
                self.infer_args(args, &[]);
                let len = args.first().and_then(str_literal_len).unwrap_or(0);
                let pointer = self.target.pointer_bytes;
                let bytes = round_up(2 * pointer + len, pointer);
                Value::owning(
                    Ty::adt(owner, vec![Ty::Str]),
                    Heap::Exact(bytes),
                    format!(
                        "{owner}::from allocates the two counts and the {} of text together ({bytes} B)",
                        plural(len, "byte")
                    ),
                )
            }
            // A clone of an `Rc` shares the allocation: it owns no heap of its own.
            ("Rc" | "Arc", "clone") => {
                let shared = self.infer_args(args, &[]);
                let ty = shared
                    .first()
                    .map_or(Ty::Unknown(None), |v| methods::deref_all(&v.ty).clone());
                Value {
                    heap_rule: Some(format!(
                        "{owner}::clone shares the allocation; it adds a count, not bytes"
                    )),
                    ..Value::owning_nothing(ty)
                }
            }
            ("HashMap" | "HashSet", "with_capacity") => {
                let count = args.first().and_then(|a| self.lower_ctx().const_u64(a));
                self.infer_args(args, &[Ty::Int(IntTy::Usize)]);
                let ty = expected
                    .filter(|t| t.is_adt(owner))
                    .cloned()
                    .unwrap_or_else(|| {
                        let arity = if owner == "HashMap" { 2 } else { 1 };
                        Ty::adt(
                            owner,
                            (0..arity)
                                .map(|i| turbofish.get(i).cloned().unwrap_or(Ty::Unknown(None)))
                                .collect(),
                        )
                    });
                let table = self
                    .empty_table(&ty)
                    .zip(count)
                    .map(|(table, n)| table.with_capacity(n));
                let heap = table.as_ref().map_or(Heap::Unknown, Table::heap);
                Value {
                    table,
                    heap,
                    ..Value::declared(ty)
                }
            }
            ("Box" | "Rc" | "Arc", "new") => {
                let inner_expected = expected_arg(0);
                let inner = match (args.first(), &inner_expected) {
                    (Some(arg), Some(ty)) if ty.is_fully_known() => self.infer_expected(arg, ty),
                    (Some(arg), _) => self.infer_expr(arg),
                    (None, _) => Value::unknown(),
                };
                self.boxed(owner, inner)
            }
            ("", "Some") | ("Option", "Some") => {
                let inner = self.infer_args(args, &[expected_arg(0).unwrap_or(Ty::Unknown(None))]);
                let inner = inner.into_iter().next().unwrap_or_else(Value::unknown);
                Value {
                    ty: Ty::adt("Option", vec![inner.ty.clone()]),
                    ..inner
                }
            }
            ("", "Ok" | "Err") | ("Result", "Ok" | "Err") => {
                let position = usize::from(function == "Err");
                let inner =
                    self.infer_args(args, &[expected_arg(position).unwrap_or(Ty::Unknown(None))]);
                let inner = inner.into_iter().next().unwrap_or_else(Value::unknown);
                let mut result_args = vec![
                    expected_arg(0).unwrap_or(Ty::Unknown(None)),
                    expected_arg(1).unwrap_or(Ty::Unknown(None)),
                ];
                result_args[position] = inner.ty.clone();
                Value {
                    ty: Ty::adt("Result", result_args),
                    ..inner
                }
            }
            (_, "default") if expected.is_some() => {
                let ty = expected.cloned().unwrap_or(Ty::Unknown(None));
                // std's collections start empty; a user type's own Default impl may allocate.
                let user_type =
                    matches!(&ty, Ty::Adt { name, .. } if self.defs().adt(name).is_some());
                if user_type {
                    Value::declared(ty)
                } else {
                    Value::owning(
                        ty,
                        Heap::NONE,
                        "Default::default() of std types does not allocate".into(),
                    )
                }
            }
            _ => return None,
        };
        Some(value)
    }

    /// `Box::new(v)`, `Rc::new(v)`, `Arc::new(v)`: one allocation holding `v` (plus the two
    /// reference counts for `Rc` and `Arc`).
    fn boxed(&self, owner: &str, inner: Value) -> Value {
        let ty = Ty::adt(owner, vec![inner.ty.clone()]);
        let counters = if owner == "Box" {
            0
        } else {
            2 * self.target.pointer_bytes
        };
        let allocation = match self.layout_of(&inner.ty) {
            Some((size, _)) if owner == "Box" => Some(size),
            Some((size, align)) => Some(round_up(
                counters + size,
                align.max(self.target.pointer_bytes),
            )),
            None => None,
        };
        match allocation {
            Some(0) => Value {
                ty,
                heap: inner.heap,
                heap_rule: Some(format!(
                    "{owner}::new of a zero-sized value does not allocate"
                )),
                tight: inner.tight,
                ..Value::unknown()
            },
            Some(bytes) => {
                let rule = if owner == "Box" {
                    format!("Box::new moves the {bytes}-byte value to the heap")
                } else {
                    format!(
                        "{owner}::new allocates the value with its strong and weak counts ({bytes} B)"
                    )
                };
                Value {
                    ty,
                    heap: Heap::Exact(bytes).plus(inner.heap),
                    heap_rule: Some(rule),
                    tight: inner.tight,
                    ..Value::unknown()
                }
            }
            None => Value::declared(ty),
        }
    }

    pub(super) fn layout_of(&self, ty: &Ty) -> Option<(u64, u64)> {
        super::layout::layout_of(ty, &self.target, self.defs())
            .ok()
            .map(|layout| (layout.size, layout.align))
    }

    fn infer_method_call(&mut self, call: &syn::ExprMethodCall, expected: Option<&Ty>) -> Value {
        let receiver = self.infer_expr(&call.receiver);
        let method = call.method.to_string();
        self.record_call(&method);
        let turbofish: Vec<Ty> = call
            .turbofish
            .iter()
            .flat_map(|t| &t.args)
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(self.lower_ty(ty)),
                _ => None,
            })
            .collect();
        let user_sig = match methods::deref_all(&receiver.ty) {
            Ty::Adt { name, .. } => self.symbols.method(name, &method).cloned(),
            _ => None,
        };
        if let Some(sig) = user_sig {
            let args = self.infer_args(&call.args, &sig.params);
            let self_args = methods::deref_all(&receiver.ty).adt_args().to_vec();
            let def_generics = match methods::deref_all(&receiver.ty) {
                Ty::Adt { name, .. } => self
                    .defs()
                    .adt(name)
                    .map(|d| d.generics.clone())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let ret = sig.ret.substitute(&def_generics, &self_args);
            return Value::declared(instantiate_return(&sig.generics, &sig.params, &args, &ret));
        }
        let closure_item = methods::iterated_item(&receiver.ty);
        let args: Vec<Value> = call
            .args
            .iter()
            .map(|arg| match arg {
                // A closure argument stands for what it returns: `map(|x| ..)` yields that.
                syn::Expr::Closure(closure) => {
                    let (_, returned) = self
                        .infer_closure_with_params(closure, std::slice::from_ref(&closure_item));
                    Value::declared(returned)
                }
                other => self.infer_expr(other),
            })
            .collect();
        let ty = methods::method_return(
            &receiver.ty,
            &method,
            &turbofish,
            &args.iter().map(|a| a.ty.clone()).collect::<Vec<_>>(),
            expected,
        );
        self.record_method_mutation(call, &args);
        self.method_heap(&receiver, &method, ty)
    }

    /// The heap of a std method's result, where the rule is known exactly.
    fn method_heap(&self, receiver: &Value, method: &str, ty: Ty) -> Value {
        let receiver_ty = methods::deref_all(&receiver.ty);
        let passes_length = matches!(
            method,
            "iter" | "iter_mut" | "into_iter" | "map" | "enumerate" | "rev" | "cloned" | "copied"
        );
        match method {
            "to_string" | "to_owned" | "into" if *receiver_ty == Ty::Str && ty == Ty::string() => {
                match receiver.str_len {
                    Some(len) => Value::owning(
                        ty,
                        Heap::Exact(len),
                        format!("{method}() copies the {} of the literal", plural(len, "byte")),
                    )
                    .with_buffer(Buffer::new(len, len, 1, Heap::NONE)),
                    None => Value::declared(ty),
                }
            }
            "to_string" => match receiver_ty {
                Ty::Int(int) => self.integer_to_string(*int, receiver.int_value),
                _ => Value::declared(ty),
            },
            "clone" if receiver_ty.is_adt("Rc") || receiver_ty.is_adt("Arc") => Value {
                heap_rule: Some("cloning an Rc/Arc shares the allocation; it adds a count, not bytes".into()),
                ..Value::owning_nothing(ty)
            },
            "clone" if receiver_ty == &ty => match &receiver.buffer {
                Some(buffer) if buffer.sized && buffer.exact && !buffer.lost => Value {
                    heap_rule: Some(
                        "clone() allocates what the original holds: its length, not its spare capacity".into(),
                    ),
                    tight: true,
                    ..Value::declared(ty)
                }
                .with_buffer(Buffer::new(buffer.len, buffer.len, buffer.element_size, buffer.element_heap)),
                _ if receiver.tight && receiver.heap.bytes().is_some() => Value {
                    heap: receiver.heap,
                    heap_rule: Some("clone() allocates what the original holds".into()),
                    tight: true,
                    ..Value::declared(ty)
                },
                _ => Value::declared(ty),
            },
            "collect" => self.collected(receiver, ty),
            "into_boxed_slice" | "into_boxed_str" => match &receiver.buffer {
                // Boxing shrinks the buffer to its length first.
                Some(buffer) if buffer.sized && buffer.exact && !buffer.lost => Value {
                    heap: Heap::array(buffer.len, buffer.element_size).plus(buffer.element_heap),
                    heap_rule: Some(format!("{method} shrinks the buffer to its {} first", plural(buffer.len, "element"))),
                    ..Value::declared(ty)
                },
                _ => Value::declared(ty),
            },
            _ if passes_length => Value {
                exact_len: receiver.exact_len,
                ..Value::declared(ty)
            },
            _ => Value::declared(ty),
        }
    }

    /// The literal a `while` loop's counter (`i` in `i < n`) was declared with, if any.
    fn counter_start(&self, condition: &syn::Expr) -> Option<i128> {
        let syn::Expr::Binary(binary) = condition else {
            return None;
        };
        let syn::Expr::Path(path) = &*binary.left else {
            return None;
        };
        let binding = self.resolve(&path.path.get_ident()?.to_string())?;
        let value = &self.out.bindings[binding].value;
        value
            .int_value
            .filter(|_| self.out.bindings[binding].mutable)
    }

    /// An empty `HashMap`/`HashSet` table, when its entry type is known.
    pub(super) fn empty_table(&self, ty: &Ty) -> Option<Table> {
        if let Ty::Adt { name, args } = ty
            && matches!(name.as_str(), "BTreeMap" | "BTreeSet")
        {
            // std's LeafNode<K, V>: parent pointer, index in the parent, length, then 11 keys
            // and 11 values (a set's values are zero-sized), reordered like any struct.
            let slots = |ty: Ty| {
                Ty::Array(
                    Box::new(Ty::adt("MaybeUninit", vec![ty])),
                    Some(TreeNodes::LEAF_CAPACITY),
                )
            };
            let value = if name == "BTreeMap" {
                args.get(1)?.clone()
            } else {
                Ty::unit()
            };
            let leaf = Ty::Tuple(vec![
                Ty::adt("Option", vec![Ty::shared_ref(Ty::unit())]),
                Ty::Int(IntTy::U16),
                Ty::Int(IntTy::U16),
                slots(args.first()?.clone()),
                slots(value),
            ]);
            return Some(Table::btree(TreeNodes::new(
                self.layout_of(&leaf)?,
                self.target.pointer_bytes,
            )));
        }
        // The hasher lives beside the table, not in it; std's own owns no heap.
        let std_hasher = |args: &[Ty]| args.iter().all(|arg| arg.is_adt("RandomState"));
        let entry = match ty {
            Ty::Adt { name, args } if name == "HashMap" && std_hasher(args.get(2..)?) => {
                Ty::Tuple(args.get(..2)?.to_vec())
            }
            Ty::Adt { name, args } if name == "HashSet" && std_hasher(args.get(1..)?) => {
                args.first()?.clone()
            }
            _ => return None,
        };
        let (size, align) = self.layout_of(&entry)?;
        let group_width = match self.target.arch {
            super::target::Arch::X86_64 | super::target::Arch::X86 => 16,
            super::target::Arch::Aarch64 => 8,
            _ => self.target.pointer_bytes,
        };
        Some(Table::new(size, align, group_width))
    }

    /// `collect()` into a `Vec` from an iterator of known exact length allocates exactly that.
    fn collected(&self, iterator: &Value, ty: Ty) -> Value {
        let element = element_of(&ty).filter(|_| ty.is_adt("Vec")).cloned();
        let (Some(count), Some(element)) = (iterator.exact_len, element) else {
            return Value::declared(ty);
        };
        let Some(size) = self.size_of(&element) else {
            return Value::declared(ty);
        };
        let element_heap = match may_own_heap(&element, self.defs(), &self.target) {
            Some(false) => Heap::NONE,
            _ => Heap::Unknown,
        };
        Value {
            heap_rule: Some(format!(
                "collect() from an iterator of exactly {} allocates exactly that",
                plural(count, "item")
            )),
            ..Value::declared(ty)
        }
        .with_buffer(Buffer::new(count, count, size, element_heap))
    }

    /// `to_string()` on an integer: unsigned types allocate their digits; signed types reserve
    /// room for the longest value of the type (plus the sign when negative).
    fn integer_to_string(&self, int: IntTy, value: Option<i128>) -> Value {
        let bits = self.size_of(&Ty::Int(int)).unwrap_or(8) * 8;
        let max_digits = if int.is_signed() {
            ((1u128 << (bits - 1)) - 1).to_string().len() as u64
        } else {
            u128::MAX
                .checked_shr((128 - bits) as u32)
                .unwrap_or(u128::MAX)
                .to_string()
                .len() as u64
        };
        let heap = alloc_model::integer_to_string_capacity(max_digits, int.is_signed(), value);
        let rule = if int.is_signed() {
            format!(
                "to_string() on {} reserves {max_digits} digits (plus 1 for a minus sign)",
                int.name()
            )
        } else {
            format!("to_string() on {} allocates exactly its digits", int.name())
        };
        Value {
            heap,
            heap_rule: Some(rule),
            ..Value::declared(Ty::string())
        }
    }

    fn infer_if(&mut self, if_expr: &syn::ExprIf, expected: Option<&Ty>) -> Value {
        // Each branch may or may not run: a frame with an unknown count.
        let then_value = self.with_scope(|walker| {
            walker.infer_expr(&if_expr.cond);
            walker.in_frame(None, |walker| walker.walk_block(&if_expr.then_branch))
        });
        let Some((_, else_branch)) = &if_expr.else_branch else {
            return Value::unit();
        };
        let else_value = self.in_frame(None, |walker| walker.infer(else_branch, expected));
        merge_branches(&[then_value, else_value])
    }

    fn infer_match(&mut self, match_expr: &syn::ExprMatch, expected: Option<&Ty>) -> Value {
        let scrutinee = self.infer_expr(&match_expr.expr);
        let arms: Vec<Value> = match_expr
            .arms
            .iter()
            .map(|arm| {
                self.with_scope(|walker| {
                    walker.bind_pattern(
                        &arm.pat,
                        Value::part(scrutinee.ty.clone(), walker),
                        BindingKind::Local,
                    );
                    if let Some((_, guard)) = &arm.guard {
                        walker.infer_expr(guard);
                    }
                    walker.in_frame(None, |walker| walker.infer(&arm.body, expected))
                })
            })
            .collect();
        merge_branches(&arms)
    }

    fn infer_binary(&mut self, binary: &syn::ExprBinary, expected: Option<&Ty>) -> Value {
        let left = self.infer(&binary.left, expected);
        let right_expected = Some(&left.ty)
            .filter(|t| !left.literal_fallback && matches!(t, Ty::Int(_) | Ty::Float(_)));
        let right = self.infer(&binary.right, right_expected);
        use syn::BinOp as Op;
        if matches!(binary.op, Op::AddAssign(_)) && left.ty == Ty::string() {
            self.record_push_str(&binary.left, &right);
        }
        match binary.op {
            Op::Eq(_)
            | Op::Ne(_)
            | Op::Lt(_)
            | Op::Le(_)
            | Op::Gt(_)
            | Op::Ge(_)
            | Op::And(_)
            | Op::Or(_) => Value::owning_nothing(Ty::Bool),
            op if super::mutations::is_compound_assignment(&op) => Value::unit(),
            Op::Add(_) if left.ty == Ty::string() => concatenated(left, &right),
            _ if left.ty == Ty::string() => Value::declared(Ty::string()),
            _ => {
                let decided =
                    if left.literal_fallback && !right.literal_fallback && !right.ty.is_unknown() {
                        right
                    } else {
                        left
                    };
                // Arithmetic on numbers owns nothing; on a type memlens does not know, it may.
                let heap = match may_own_heap(&decided.ty, self.defs(), &self.target) {
                    Some(false) => Heap::NONE,
                    _ => Heap::Unknown,
                };
                Value { heap, ..decided }
            }
        }
    }

    fn infer_closure(&mut self, closure: &syn::ExprClosure) -> Value {
        self.infer_closure_with_params(closure, &[]).0
    }

    /// A closure's type is the tuple of what it captures: references to the outer variables it
    /// uses, or the values themselves for a `move` closure. Also returns the type of the body.
    pub(super) fn infer_closure_with_params(
        &mut self,
        closure: &syn::ExprClosure,
        param_types: &[Ty],
    ) -> (Value, Ty) {
        let first_binding = self.out.bindings.len();
        let first_use = self.out.uses.len();
        // A closure body runs any number of times, or never.
        let body = self.in_frame(None, |walker| {
            walker.with_scope(|walker| {
                for (index, input) in closure.inputs.iter().enumerate() {
                    let ty = param_types.get(index).cloned().unwrap_or(Ty::Unknown(None));
                    let part = Value::part(ty, walker);
                    walker.bind_pattern(input, part, BindingKind::Local);
                }
                match &closure.output {
                    syn::ReturnType::Type(_, ty) => {
                        let ret = walker.written_ty(ty);
                        walker.infer_expected(&closure.body, &ret)
                    }
                    syn::ReturnType::Default => walker.infer_expr(&closure.body),
                }
            })
        });
        let mut captured: Vec<usize> = self.out.uses[first_use..]
            .iter()
            .map(|u| u.binding)
            .filter(|&b| {
                b < first_binding
                    && self.out.bindings[b].kind != BindingKind::Static
                    && self.out.bindings[b].kind != BindingKind::Const
            })
            .collect();
        captured.sort_unstable();
        captured.dedup();
        let captures = captured
            .iter()
            .map(|&b| self.capture_type(&self.out.bindings[b].value.ty, closure.capture.is_some()))
            .collect();
        // A `move` closure owns what it captured; a borrowing one owns nothing.
        let heap = if closure.capture.is_some() {
            captured.iter().fold(Heap::NONE, |total, &b| {
                total.plus(self.out.bindings[b].value.heap)
            })
        } else {
            Heap::NONE
        };
        (
            Value {
                heap,
                ..Value::owning_nothing(Ty::Closure { id: 0, captures })
            },
            body.ty,
        )
    }

    /// What a closure holds for one captured variable, when memlens can be sure: the value for
    /// `move`; otherwise a reference, or the variable itself when it is a reference. Tuples and
    /// the file's own structs may be captured field by field (edition 2021), and a non-`move`
    /// closure moves a value its body consumes, so only values that are surely `Copy` (never
    /// moved) are captured by reference here; anything else is unknown rather than guessed.
    fn capture_type(&self, ty: &Ty, by_move: bool) -> Ty {
        let by_fields = matches!(ty, Ty::Tuple(_))
            || matches!(ty, Ty::Adt { name, .. } if self.defs().adt(name).is_some());
        if by_fields {
            return Ty::Unknown(None);
        }
        if by_move {
            return match may_own_heap(ty, self.defs(), &self.target) {
                Some(_) => ty.clone(),
                None => Ty::Unknown(None),
            };
        }
        match ty {
            // A reference variable is captured as a copy of itself when the body reaches through
            // it (2021 truncates such captures at the deref), or borrowed when the body borrows
            // the variable itself: both are one pointer only when the reference is thin.
            Ty::Ref { .. } if self.is_thin_pointer(ty) => ty.clone(),
            Ty::Ref { .. } => Ty::Unknown(None),
            _ if is_surely_copy(ty) => Ty::shared_ref(ty.clone()),
            _ => Ty::Unknown(None),
        }
    }

    /// Whether a pointer type is one address wide on the target (its pointee is sized).
    fn is_thin_pointer(&self, ty: &Ty) -> bool {
        self.layout_of(ty)
            .is_some_and(|(size, _)| size == self.target.pointer_bytes)
    }

    pub(super) fn infer_macro(&mut self, mac: &syn::Macro) -> Value {
        self.infer_macro_expected(mac, None)
    }

    fn infer_macro_expected(&mut self, mac: &syn::Macro, expected: Option<&Ty>) -> Value {
        let name = super::lower::last_name(&mac.path);
        if name == "vec" {
            return self.infer_vec_macro(mac, expected);
        }
        let Ok(args) =
            Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated.parse2(mac.tokens.clone())
        else {
            return Value::unknown();
        };
        let mut values = Vec::new();
        for arg in &args {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(format),
                ..
            }) = arg
            {
                self.record_inline_format_uses(format);
            } else {
                values.push(self.infer_expr(arg));
            }
        }
        match name.as_str() {
            "format" => self.format_value(&args, &values),
            "panic" | "unreachable" | "todo" | "unimplemented" => Value::owning_nothing(Ty::Never),
            _ => Value::unit(),
        }
    }

    /// `{name}` inside a format string uses the binding `name`.
    fn record_inline_format_uses(&mut self, format: &syn::LitStr) {
        let span = format.span().byte_range();
        let Some(source) = self.text.get(self.base + span.start..self.base + span.end) else {
            return;
        };
        let source = source.to_string();
        let mut rest = source.as_str();
        let mut consumed = 0;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            if after.starts_with('{') {
                consumed += open + 2;
                rest = &rest[open + 2..];
                continue;
            }
            let name_len = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..name_len];
            if !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && let Some(binding) = self.resolve(name)
            {
                let start = self.base + span.start + consumed + open + 1;
                self.out.uses.push(super::bindings::Use {
                    range: start..start + name_len,
                    binding,
                });
            }
            consumed += open + 1 + name_len;
            rest = &after[name_len..];
        }
    }

    fn infer_vec_macro(&mut self, mac: &syn::Macro, expected: Option<&Ty>) -> Value {
        let element_expected = expected.and_then(element_of).cloned();
        let parsed = VecMacro::parse(mac.tokens.clone());
        let (element, count, heap_of_elements, tight) = match parsed {
            Some(VecMacro::List(items)) => {
                let refs: Vec<&syn::Expr> = items.iter().collect();
                let array = self.infer_array(
                    &refs,
                    element_expected
                        .map(|e| Ty::Array(Box::new(e), None))
                        .as_ref(),
                );
                let element = element_of(&array.ty).cloned().unwrap_or(Ty::Unknown(None));
                (element, Some(items.len() as u64), array.heap, array.tight)
            }
            Some(VecMacro::Repeat(item, len)) => {
                let value = self.infer(&item, element_expected.as_ref());
                let count = self.lower_ctx().const_u64(&len);
                self.infer_expr(&len);
                // vec![x; n] clones x n-1 times; a clone allocates x's length, so the total is
                // exact only when x's buffers are tight.
                let each = if value.tight {
                    value.heap
                } else {
                    value.heap.at_least()
                };
                let heap = count.map_or(Heap::Unknown, |n| each.times(n));
                (value.ty, count, heap, value.tight)
            }
            None => (
                element_expected.unwrap_or(Ty::Unknown(None)),
                None,
                Heap::Unknown,
                false,
            ),
        };
        let ty = Ty::vec_of(element.clone());
        let element_size = self.size_of(&element);
        match (count, element_size) {
            (Some(n), Some(size)) => {
                let rule = if n == 0 || size == 0 {
                    "an empty or zero-sized vec! does not allocate a buffer".to_string()
                } else {
                    format!("vec! allocates exactly {} × {size} B", plural(n, "element"))
                };
                Value {
                    ty,
                    heap_rule: Some(rule),
                    tight,
                    ..Value::unknown()
                }
                .with_buffer(Buffer::new(n, n, size, heap_of_elements))
            }
            (Some(0), None) => Value {
                heap: Heap::NONE,
                buffer: Some(Buffer::unsized_elements(0, 0)),
                exact_len: Some(0),
                ..Value::declared(ty)
            },
            _ => Value::declared(ty),
        }
    }

    /// The string `format!` builds: exact when every argument is a literal (rustc inlines them
    /// and the result is a copy of one static string) or of known display length (the writes
    /// are replayed over the capacity `estimated_capacity` reserved), else at least that capacity.
    fn format_value(
        &self,
        args: &Punctuated<syn::Expr, syn::Token![,]>,
        values: &[Value],
    ) -> Value {
        let mut parts = args.iter();
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(template),
            ..
        })) = parts.next()
        else {
            return Value::declared(Ty::string());
        };
        let arguments: Vec<&syn::Expr> = parts.collect();
        let Some(format) = FormatString::parse(&template.value(), &arguments) else {
            return Value::declared(Ty::string());
        };
        let literal_bytes: usize = format.pieces.iter().sum();
        if format.arguments.is_empty() {
            let len = literal_bytes as u64;
            return Value::owning(
                Ty::string(),
                Heap::Exact(len),
                format!(
                    "format! with only literals copies its {}",
                    plural(len, "byte")
                ),
            )
            .with_buffer(Buffer::new(len, len, 1, Heap::NONE));
        }
        let reserved = alloc_model::format_capacity(&format.pieces, format.arguments.len());
        let lengths: Option<Vec<(u64, bool)>> = format
            .arguments
            .iter()
            .map(|argument| {
                let value = match argument {
                    FormatArgument::Positional(index) => values.get(*index).cloned(),
                    FormatArgument::Named(name) => self
                        .resolve(name)
                        .map(|b| self.out.bindings[b].value.clone()),
                    FormatArgument::Formatted => None,
                }?;
                Some((value.display_len()?, value.int_value.is_some_and(|v| v < 0)))
            })
            .collect();
        let Some(lengths) = lengths else {
            let rule = if reserved == 0 {
                "format! reserves nothing when the string starts with an argument; the rest depends on the arguments".to_string()
            } else {
                format!(
                    "format! reserves twice its {literal_bytes} literal bytes, and grows if the arguments need more"
                )
            };
            return Value {
                heap: Heap::AtLeast(reserved).at_least(),
                heap_rule: Some(rule),
                ..Value::declared(Ty::string())
            };
        };
        // fmt::write: each non-empty piece, then each argument (a minus sign is its own write).
        let mut buffer = Buffer::new(0, reserved, 1, Heap::NONE);
        let mut writes = Vec::new();
        for (index, piece) in format.pieces.iter().enumerate() {
            if *piece > 0 {
                writes.push(*piece as u64);
            }
            if let Some((len, negative)) = lengths.get(index) {
                if *negative {
                    writes.push(1);
                }
                writes.push(len - u64::from(*negative));
            }
        }
        let events: Vec<alloc_model::Event> = writes
            .into_iter()
            .map(|count| {
                alloc_model::Event::Mutate(alloc_model::Mutation::Extend {
                    count: Some(count),
                    element_heap: Heap::NONE,
                })
            })
            .collect();
        buffer.replay(&events);
        let rule = format!(
            "format! reserves {reserved} B for {literal_bytes} literal bytes and {} argument{}; the {} bytes written leave capacity {}",
            format.arguments.len(),
            if format.arguments.len() == 1 { "" } else { "s" },
            buffer.len,
            buffer.cap
        );
        Value {
            heap_rule: Some(rule),
            ..Value::declared(Ty::string())
        }
        .with_buffer(Buffer {
            growth: Vec::new(),
            pushes: 0,
            ..buffer
        })
    }

    fn member_type(&self, base: &Ty, member: &syn::Member) -> Ty {
        let ty = methods::deref_all(base);
        match (ty, member) {
            (Ty::Tuple(items), syn::Member::Unnamed(index)) => items
                .get(index.index as usize)
                .cloned()
                .unwrap_or(Ty::Unknown(None)),
            (Ty::Adt { name, args }, member) => {
                let field = quote::ToTokens::to_token_stream(member).to_string();
                self.defs()
                    .adt(name)
                    .and_then(|def| {
                        let f = def
                            .variants
                            .first()?
                            .fields
                            .iter()
                            .find(|f| f.name == field)?;
                        Some(f.ty.substitute(&def.generics, args))
                    })
                    .unwrap_or(Ty::Unknown(None))
            }
            _ => Ty::Unknown(None),
        }
    }

    /// The bytes of `None`: zero when `Option` uses a separate tag (the payload is uninitialised,
    /// which rustc emits as zeros) or a null niche; non-zero for other niches (`Option<bool>`
    /// stores 2).
    fn none_bytes(&self, option: &Ty) -> StaticInit {
        let Some(payload) = option
            .is_adt("Option")
            .then(|| option.adt_args().first())
            .flatten()
        else {
            return StaticInit::Unknown;
        };
        let Ok(layout) = super::layout::layout_of(payload, &self.target, self.defs()) else {
            return StaticInit::Unknown;
        };
        match layout.niche.filter(|niche| niche.available() > 0) {
            None => StaticInit::Zero,
            Some(niche) => {
                let bits = niche.bytes * 8;
                let max = if bits >= 128 {
                    u128::MAX
                } else {
                    (1u128 << bits) - 1
                };
                if niche.valid_end == max {
                    StaticInit::Zero
                } else {
                    StaticInit::NonZero
                }
            }
        }
    }

    /// The initial bytes of a static: all zero (BSS-worthy) or not.
    pub(super) fn static_init(&self, expr: &syn::Expr, ty: &Ty) -> StaticInit {
        use StaticInit::{NonZero, Unknown, Zero};
        let unknown_ty = Ty::Unknown(None);
        let all = |exprs: &mut dyn Iterator<Item = &syn::Expr>| {
            exprs.fold(Zero, |acc, e| {
                match (acc, self.static_init(e, &unknown_ty)) {
                    (Zero, Zero) => Zero,
                    (NonZero, _) | (_, NonZero) => NonZero,
                    _ => Unknown,
                }
            })
        };
        match expr {
            syn::Expr::Lit(lit) => match &lit.lit {
                syn::Lit::Int(int) if int.base10_digits().chars().all(|c| c == '0') => Zero,
                syn::Lit::Float(float)
                    if float.base10_digits().parse::<f64>() == Ok(0.0)
                        && !float.base10_digits().starts_with('-') =>
                {
                    Zero
                }
                syn::Lit::Bool(b) if !b.value => Zero,
                syn::Lit::Char(c) if c.value() == '\0' => Zero,
                _ => NonZero,
            },
            syn::Expr::Array(array) => all(&mut array.elems.iter()),
            syn::Expr::Repeat(repeat) if self.lower_ctx().const_u64(&repeat.len) == Some(0) => Zero,
            syn::Expr::Repeat(repeat) => self.static_init(&repeat.expr, &unknown_ty),
            syn::Expr::Tuple(tuple) => all(&mut tuple.elems.iter()),
            syn::Expr::Struct(literal) if literal.rest.is_none() => {
                all(&mut literal.fields.iter().map(|f| &f.expr))
            }
            syn::Expr::Paren(inner) => self.static_init(&inner.expr, ty),
            syn::Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => {
                self.static_init(&unary.expr, ty)
            }
            syn::Expr::Reference(_) => NonZero,
            syn::Expr::Path(path) => {
                let name = super::lower::last_name(&path.path);
                if name == "None" {
                    return self.none_bytes(ty);
                }
                match self.symbols.consts.get(&name) {
                    Some(0) => Zero,
                    Some(_) => NonZero,
                    None => Unknown,
                }
            }
            syn::Expr::Call(call) => {
                let syn::Expr::Path(callee) = &*call.func else {
                    return Unknown;
                };
                let segments = super::lower::segment_names(&callee.path);
                let owner = segments
                    .iter()
                    .rev()
                    .nth(1)
                    .map(String::as_str)
                    .unwrap_or("");
                let function = segments.last().map(String::as_str).unwrap_or("");
                let wraps_argument = function == "new"
                    && (owner.starts_with("Atomic")
                        || matches!(
                            owner,
                            "Cell"
                                | "UnsafeCell"
                                | "RefCell"
                                | "Mutex"
                                | "RwLock"
                                | "Wrapping"
                                | "ManuallyDrop"
                        ));
                if wraps_argument {
                    all(&mut call.args.iter())
                } else if matches!(function, "null" | "null_mut") {
                    Zero
                } else {
                    Unknown
                }
            }
            syn::Expr::Macro(_) => Unknown,
            _ => Unknown,
        }
    }
}

/// `a + "text"`: `a`'s buffer grows by the text (push_str's rule) and moves into the result.
/// Whether `new` is `old` with some of what `old` left unknown filled in (types named by the
/// same name; the walk names the crate's types without their module path).
fn refines(old: &Ty, new: &Ty) -> bool {
    let list =
        |a: &[Ty], b: &[Ty]| a.len() <= b.len() && a.iter().zip(b).all(|(x, y)| refines(x, y));
    match (old, new) {
        (Ty::Unknown(_) | Ty::Infer(_), _) => true,
        (Ty::Adt { name: a, args: x }, Ty::Adt { name: b, args: y }) => {
            super::ty::display_name(a) == super::ty::display_name(b) && list(x, y)
        }
        (
            Ty::Ref {
                mutable: m,
                pointee: a,
            },
            Ty::Ref {
                mutable: n,
                pointee: b,
            },
        )
        | (
            Ty::Ptr {
                mutable: m,
                pointee: a,
            },
            Ty::Ptr {
                mutable: n,
                pointee: b,
            },
        ) => m == n && refines(a, b),
        (Ty::Array(a, n), Ty::Array(b, m)) => (n.is_none() || n == m) && refines(a, b),
        (Ty::Slice(a), Ty::Slice(b)) => refines(a, b),
        (Ty::Tuple(a), Ty::Tuple(b)) => a.len() == b.len() && list(a, b),
        _ => old.to_string() == new.to_string(),
    }
}

fn concatenated(left: Value, right: &Value) -> Value {
    let appended = right.display_len();
    let Some(mut buffer) = left.buffer.filter(|b| b.exact && !b.lost && b.sized) else {
        return Value::declared(Ty::string());
    };
    let Some(count) = appended else {
        return Value {
            heap: buffer.heap().at_least(),
            ..Value::declared(Ty::string())
        };
    };
    buffer.replay(&[alloc_model::Event::Mutate(alloc_model::Mutation::Extend {
        count: Some(count),
        element_heap: Heap::NONE,
    })]);
    Value {
        heap_rule: Some(format!(
            "`+` appends {} to the left string's buffer (capacity {})",
            plural(count, "byte"),
            buffer.cap
        )),
        ..Value::declared(Ty::string())
    }
    .with_buffer(Buffer {
        growth: Vec::new(),
        pushes: 0,
        ..buffer
    })
}

/// Heap of a `String` built from a value of this type: a `&str` of unknown length could be empty.
fn copies_of_str(_ty: &Ty) -> Heap {
    Heap::Unknown
}

fn round_up(size: u64, align: u64) -> u64 {
    if align == 0 {
        size
    } else {
        size.div_ceil(align) * align
    }
}

fn str_literal_len(expr: &syn::Expr) -> Option<u64> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.value().len() as u64),
        _ => None,
    }
}

/// A literal's type: its suffix, the expected type, or Rust's fallback (`i32`, `f64`).
fn literal(lit: &syn::Lit, expected: Option<&Ty>) -> Value {
    let fallback = |ty: Ty, default: Ty| {
        let matches_family = matches!(
            (&default, expected),
            (Ty::Int(_), Some(Ty::Int(_))) | (Ty::Float(_), Some(Ty::Float(_)))
        ) || matches!((&default, expected), (Ty::Int(_), Some(Ty::Float(_))));
        match ty {
            Ty::Unknown(_) if matches_family => {
                Value::owning_nothing(expected.cloned().unwrap_or(default))
            }
            Ty::Unknown(_) => Value {
                literal_fallback: true,
                ..Value::owning_nothing(default)
            },
            suffixed => Value::owning_nothing(suffixed),
        }
    };
    match lit {
        syn::Lit::Int(int) => {
            let suffixed = super::lower::primitive(int.suffix()).unwrap_or(Ty::Unknown(None));
            Value {
                int_value: int.base10_parse::<i128>().ok(),
                ..fallback(suffixed, Ty::Int(IntTy::I32))
            }
        }
        syn::Lit::Float(float) => {
            let suffixed = super::lower::primitive(float.suffix()).unwrap_or(Ty::Unknown(None));
            fallback(suffixed, Ty::Float(FloatTy::F64))
        }
        syn::Lit::Str(text) => Value {
            str_len: Some(text.value().len() as u64),
            ..Value::owning_nothing(Ty::shared_ref(Ty::Str))
        },
        syn::Lit::ByteStr(bytes) => Value::owning_nothing(Ty::shared_ref(Ty::Array(
            Box::new(Ty::Int(IntTy::U8)),
            Some(bytes.value().len() as u64),
        ))),
        syn::Lit::CStr(_) => Value::owning_nothing(Ty::shared_ref(Ty::adt("CStr", Vec::new()))),
        syn::Lit::Byte(_) => Value::owning_nothing(Ty::Int(IntTy::U8)),
        syn::Lit::Char(ch) => Value {
            char_len: Some(ch.value().len_utf8() as u64),
            ..Value::owning_nothing(Ty::Char)
        },
        syn::Lit::Bool(_) => Value::owning_nothing(Ty::Bool),
        _ => Value::unknown(),
    }
}

/// The type all values share, preferring ones not decided by literal fallback.
fn common_type(values: &[Value]) -> Option<Ty> {
    values
        .iter()
        .find(|v| !v.literal_fallback && !v.ty.is_unknown())
        .or_else(|| values.first())
        .map(|v| v.ty.clone())
}

/// A compound value (tuple, array, struct) owns what its parts own.
fn combine_parts(ty: Ty, parts: &[Value]) -> Value {
    let heap = parts
        .iter()
        .fold(Heap::NONE, |total, part| total.plus(part.heap));
    Value {
        ty,
        heap,
        tight: parts.iter().all(|p| p.tight),
        ..Value::unknown()
    }
}

/// Branches of an `if` or `match` agree on a type; the heap is exact only if they agree on it.
fn merge_branches(branches: &[Value]) -> Value {
    let live: Vec<&Value> = branches.iter().filter(|v| v.ty != Ty::Never).collect();
    let Some(first) = live.first() else {
        return Value::owning_nothing(Ty::Never);
    };
    let ty = live
        .iter()
        .find(|v| !v.literal_fallback && !v.ty.is_unknown())
        .map_or(first.ty.clone(), |v| v.ty.clone());
    let heap = if live.iter().all(|v| v.heap == first.heap) {
        first.heap
    } else {
        let least = live.iter().map(|v| v.heap.bytes()).min().flatten();
        least.map_or(Heap::Unknown, |n| Heap::AtLeast(n).at_least())
    };
    Value {
        ty,
        heap,
        literal_fallback: live.iter().all(|v| v.literal_fallback),
        tight: live.iter().all(|v| v.tight),
        ..Value::unknown()
    }
}

/// Instantiates a generic function's return type from the argument types at the call.
fn instantiate_return(generics: &[String], params: &[Ty], args: &[Value], ret: &Ty) -> Ty {
    if generics.is_empty() {
        return ret.clone();
    }
    let inferred: Vec<Ty> = generics
        .iter()
        .map(|generic| {
            params
                .iter()
                .zip(args)
                .find_map(|(param, arg)| bind_param(param, &arg.ty, generic))
                .unwrap_or(Ty::Param(generic.clone()))
        })
        .collect();
    ret.substitute(generics, &inferred)
}

/// What `generic` stands for when a parameter of type `param` receives an argument of type `arg`.
fn bind_param(param: &Ty, arg: &Ty, generic: &str) -> Option<Ty> {
    match (param, arg) {
        (Ty::Param(name), _) if name == generic && !arg.is_unknown() => Some(arg.clone()),
        (Ty::Ref { pointee: p, .. }, Ty::Ref { pointee: a, .. }) => bind_param(p, a, generic),
        (Ty::Slice(p), Ty::Slice(a)) | (Ty::Array(p, _), Ty::Array(a, _)) => {
            bind_param(p, a, generic)
        }
        (Ty::Adt { name: pn, args: pa }, Ty::Adt { name: an, args: aa }) if pn == an => pa
            .iter()
            .zip(aa)
            .find_map(|(p, a)| bind_param(p, a, generic)),
        (Ty::Tuple(ps), Ty::Tuple(as_)) => ps
            .iter()
            .zip(as_)
            .find_map(|(p, a)| bind_param(p, a, generic)),
        _ => None,
    }
}

/// A format string split as `fmt::Arguments` holds it: the literal pieces between arguments
/// (literal arguments inlined into them, as rustc does) and the number of real arguments.
struct FormatString {
    pieces: Vec<usize>,
    /// The arguments left after inlining, in the order they are written.
    arguments: Vec<FormatArgument>,
}

/// Which argument a placeholder prints: a positional one, or a captured variable (`{name}`).
enum FormatArgument {
    Positional(usize),
    Named(String),
    /// A placeholder with options (`{:?}`, `{:>8}`): memlens does not know what it prints.
    Formatted,
}

impl FormatString {
    fn parse(template: &str, arguments: &[&syn::Expr]) -> Option<FormatString> {
        let mut pieces = Vec::new();
        let mut current = String::new();
        let mut written = Vec::new();
        let mut next_positional = 0;
        let mut chars = template.chars().peekable();
        while let Some(ch) = chars.next() {
            match ch {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    current.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    current.push('}');
                }
                '{' => {
                    let spec: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    let (name, options) = spec.split_once(':').unwrap_or((spec.as_str(), ""));
                    let reference = match name.trim() {
                        "" => {
                            next_positional += 1;
                            FormatArgument::Positional(next_positional - 1)
                        }
                        index if index.chars().all(|c| c.is_ascii_digit()) => {
                            FormatArgument::Positional(index.parse::<usize>().ok()?)
                        }
                        named => FormatArgument::Named(named.to_string()),
                    };
                    let literal = match &reference {
                        FormatArgument::Positional(index) => {
                            arguments.get(*index).copied().and_then(literal_text)
                        }
                        FormatArgument::Named(_) | FormatArgument::Formatted => None,
                    };
                    // Only plain `{}` literals are inlined, and only plain placeholders print
                    // exactly the value's display text.
                    let (literal, reference) = if options.is_empty() {
                        (literal, reference)
                    } else {
                        (None, FormatArgument::Formatted)
                    };
                    match literal {
                        Some(text) => current.push_str(&text),
                        None => {
                            pieces.push(current.len());
                            current.clear();
                            written.push(reference);
                        }
                    }
                }
                other => current.push(other),
            }
        }
        if !current.is_empty() || pieces.is_empty() {
            pieces.push(current.len());
        }
        Some(FormatString {
            pieces,
            arguments: written,
        })
    }
}

/// How a literal argument displays, for the literals rustc inlines into format strings.
fn literal_text(expr: &syn::Expr) -> Option<String> {
    let syn::Expr::Lit(lit) = expr else {
        return None;
    };
    match &lit.lit {
        syn::Lit::Str(text) => Some(text.value()),
        syn::Lit::Char(ch) => Some(ch.value().to_string()),
        syn::Lit::Int(int) => int.base10_parse::<u128>().ok().map(|v| v.to_string()),
        _ => None,
    }
}

/// The two forms of `vec!`: a list of elements, or an element and a count.
enum VecMacro {
    List(Vec<syn::Expr>),
    Repeat(Box<syn::Expr>, Box<syn::Expr>),
}

impl VecMacro {
    fn parse(tokens: proc_macro2::TokenStream) -> Option<VecMacro> {
        let parser = |input: syn::parse::ParseStream<'_>| -> syn::Result<VecMacro> {
            if input.is_empty() {
                return Ok(VecMacro::List(Vec::new()));
            }
            let first: syn::Expr = input.parse()?;
            if input.peek(syn::Token![;]) {
                input.parse::<syn::Token![;]>()?;
                let count: syn::Expr = input.parse()?;
                return Ok(VecMacro::Repeat(Box::new(first), Box::new(count)));
            }
            let mut items = vec![first];
            while input.parse::<Option<syn::Token![,]>>()?.is_some() && !input.is_empty() {
                items.push(input.parse()?);
            }
            Ok(VecMacro::List(items))
        };
        parser.parse2(tokens).ok()
    }
}

/// Types that are `Copy` whatever the crate declares, so a closure body never moves them.
fn is_surely_copy(ty: &Ty) -> bool {
    match ty {
        Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Char | Ty::Never => true,
        Ty::Ptr { .. } | Ty::FnPtr { .. } | Ty::FnItem(_) => true,
        Ty::Ref { mutable, .. } => !mutable,
        Ty::Tuple(items) => items.iter().all(is_surely_copy),
        Ty::Array(element, _) => is_surely_copy(element),
        _ => false,
    }
}
