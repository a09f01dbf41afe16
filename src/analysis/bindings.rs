//! Finding every binding (let, params, patterns, statics, consts), its scope, and every use of it.

use std::ops::Range;
use std::sync::Arc;

use proc_macro2::Span;

use super::alloc_model::{Buffer, Event};
use super::defs::TypeDefs;
use super::heap::Heap;
use super::infer::InferenceResult;
use super::lower::{self, LowerCtx};
use super::mutations::Frame;
use super::symbols::Symbols;
use super::target::Target;
use super::ty::Ty;
use super::typed_body::{Container, CrateContext, TypedBody};
use super::values::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BindingKind {
    /// `let`, pattern, `for`, `match`/`if let` and closure-parameter bindings.
    Local,
    /// Function parameters, `self` included.
    Param,
    Static,
    Const,
}

impl BindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::Local => "local",
            BindingKind::Param => "param",
            BindingKind::Static => "static",
            BindingKind::Const => "const",
        }
    }
}

/// What a `static`'s initial bytes are, which decides its section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StaticInit {
    /// Every byte is zero (and nothing needs relocation).
    Zero,
    /// Some byte is non-zero, or a pointer needs relocation.
    NonZero,
    /// memlens could not evaluate the initializer.
    Unknown,
}

/// A named value in the source, before layouts and placement are decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub name: String,
    /// Byte range of the name in the file.
    pub name_range: Range<usize>,
    /// Where an inlay hint goes: the end of the name.
    pub hint_offset: usize,
    pub kind: BindingKind,
    pub value: Value,
    pub mutable: bool,
    /// The enclosing function, for locals and params.
    pub function: Option<String>,
    /// For params: the index among the function's parameters (`self` is 0 when present).
    pub param_index: Option<usize>,
    /// For statics: whether the initial bytes are all zero.
    pub static_init: Option<StaticInit>,
    /// For `&str` statics and consts: the bytes of the string literal itself.
    pub literal_text_bytes: Option<u64>,
    /// An unsuffixed literal's type fell back to `i32`/`f64`; a later use may decide it.
    pub literal_fallback: bool,
    /// What happens to the binding's buffer after its `let`, in program order.
    pub mutations: Vec<Event>,
    /// Where the last of those changes ends (a byte offset), when there is one.
    pub last_change: Option<usize>,
    /// What the binding owns after its last change; `None` when nothing changes it after its
    /// `let`. `value.heap` is what it owns right after the `let` statement.
    pub after_changes: Option<HeapAfterChanges>,
    /// Inside a generic item: its type parameters that may be unsized (`?Sized`, a trait's
    /// `Self`); every other parameter is `Sized`. `None` outside functions.
    pub unsized_params: Option<Vec<String>>,
}

/// The heap a binding owns after its last change in its scope (pushes, inserts, reserves, the
/// loops around them), replayed over what it owned at its `let`.
#[derive(Clone, Debug, PartialEq)]
pub struct HeapAfterChanges {
    pub heap: Heap,
    /// How the bytes come about, in words, for the hover.
    pub rule: Option<String>,
    /// The buffer after the changes, when memlens follows it: its growth, for fixes.
    pub buffer: Option<Buffer>,
}

/// A use of a binding, by name, somewhere after its definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    pub range: Range<usize>,
    pub binding: usize,
}

/// A written type name and the type it denotes there.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeMention {
    pub range: Range<usize>,
    pub ty: Ty,
    /// For a field's or variant's name in a type definition: which one.
    pub member: Option<Member>,
}

/// A part of a type definition that can be hovered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Member {
    /// A field, with the enum variant it belongs to (if any).
    Field {
        variant: Option<String>,
        name: String,
    },
    Variant(String),
}

/// One parameter of a function as the ABI sees it: its type and the names its pattern binds.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSlot {
    pub ty: Ty,
    pub bindings: Vec<usize>,
}

/// A function with a body or signature in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionFacts {
    pub name: String,
    pub name_range: Range<usize>,
    pub params: Vec<ParamSlot>,
    /// The body's byte range (empty for a signature without body).
    pub body_range: Range<usize>,
    /// Names of the functions and methods it calls, for finding recursion.
    pub calls: Vec<String>,
}

/// `Box::leak(..)`: where, and the heap bytes that are never freed.
#[derive(Clone, Debug, PartialEq)]
pub struct Leak {
    pub range: Range<usize>,
    pub heap: Heap,
}

/// Everything the walk over the file's items finds.
#[derive(Clone, Debug, Default)]
pub struct Collected {
    pub bindings: Vec<Binding>,
    pub uses: Vec<Use>,
    pub mentions: Vec<TypeMention>,
    pub functions: Vec<FunctionFacts>,
    pub leaks: Vec<Leak>,
    pub rc_links: Vec<super::cycles::RcLink>,
    /// The bodies that define types of their own, with the definitions their bindings see.
    pub body_defs: Vec<BodyDefs>,
}

/// The bindings of a body that defines types (`struct`, `enum`, `type`) of its own, by index,
/// and the crate's definitions with the body's added: what their layouts are computed from.
#[derive(Clone, Debug)]
pub struct BodyDefs {
    pub bindings: Range<usize>,
    pub defs: Arc<TypeDefs>,
}

impl Collected {
    /// The definitions binding `index` sees: its innermost body's, if that defines types.
    pub fn defs_of_binding<'d>(&'d self, index: usize, crate_defs: &'d TypeDefs) -> &'d TypeDefs {
        self.body_defs
            .iter()
            .filter(|body| body.bindings.contains(&index))
            .min_by_key(|body| body.bindings.len())
            .map_or(crate_defs, |body| &body.defs)
    }
}

/// How much the walk had found at some point; see [`Walker::mark`].
#[derive(Clone, Copy, Debug)]
pub struct WalkMark {
    bindings: usize,
    uses: usize,
    mentions: usize,
    functions: usize,
}

/// What [`Walker::enter_body`] replaced.
struct SavedBody {
    inferred: Option<InferenceResult>,
    body_defs: Option<Arc<TypeDefs>>,
}

/// Walks items and function bodies, keeping the scopes in which names resolve.
pub struct Walker<'a> {
    pub(super) symbols: &'a Symbols,
    pub(super) text: &'a str,
    pub(super) target: Target,
    /// Byte offset of the current item in the file; syn's spans are relative to it.
    pub(super) base: usize,
    scopes: Vec<Vec<usize>>,
    function: Option<String>,
    pub(super) self_ty: Option<Ty>,
    generics: Vec<String>,
    pub(super) out: Collected,
    /// Loops and branches being walked, innermost last.
    pub(super) frames: Vec<Frame>,
    /// The function whose body is being walked, as an index into `out.functions`.
    current_function: Option<usize>,
    /// The crate the file is in: inference gives every binding and expression its type.
    pub(super) context: Option<&'a CrateContext>,
    /// The inline modules around the item being walked.
    inline: Vec<String>,
    /// What inference found in the function being walked.
    pub(super) inferred: Option<InferenceResult>,
    /// The crate's definitions and those written inside the function being walked, when it
    /// defines types of its own (else the crate's alone are [`Walker::defs`]).
    body_defs: Option<Arc<TypeDefs>>,
    /// In a function: the type parameters in scope that may be unsized.
    unsized_params: Option<Vec<String>>,
    /// How many expressions deep the walk is (see [`super::values::MAX_WALK_DEPTH`]).
    pub(super) expr_depth: usize,
}

impl<'a> Walker<'a> {
    pub fn new(symbols: &'a Symbols, text: &'a str, target: Target) -> Self {
        Walker {
            symbols,
            text,
            target,
            base: 0,
            scopes: Vec::new(),
            function: None,
            self_ty: None,
            generics: Vec::new(),
            out: Collected::default(),
            frames: Vec::new(),
            current_function: None,
            context: None,
            inline: Vec::new(),
            inferred: None,
            body_defs: None,
            unsized_params: None,
            expr_depth: 0,
        }
    }

    /// The walker with the crate the file is in, whose inference decides every type.
    pub fn with_context(self, context: &'a CrateContext) -> Self {
        Walker {
            context: Some(context),
            ..self
        }
    }

    pub fn finish(mut self) -> Collected {
        self.settle_mutations();
        self.out
    }

    /// Walks one parsed top-level chunk whose text starts at `base` in the file.
    pub fn walk_file(&mut self, file: &syn::File, base: usize) {
        self.base = base;
        for item in &file.items {
            self.walk_item(item);
        }
    }

    /// The type definitions the body being walked sees.
    pub(super) fn defs(&self) -> &TypeDefs {
        self.body_defs.as_deref().unwrap_or(&self.symbols.defs)
    }

    /// Makes `typed` the body being walked: its inference and its own type definitions.
    /// Returns what it replaces, for [`Walker::leave_body`].
    fn enter_body(&mut self, typed: Option<TypedBody>) -> SavedBody {
        let (inferred, local_defs) = match typed {
            Some(typed) => (Some(typed.inferred), typed.local_defs),
            None => (None, None),
        };
        let body_defs = local_defs.map(|local| {
            let mut defs = self.symbols.defs.clone();
            defs.fill_in(&local);
            Arc::new(defs)
        });
        SavedBody {
            inferred: std::mem::replace(&mut self.inferred, inferred),
            body_defs: std::mem::replace(&mut self.body_defs, body_defs),
        }
    }

    /// Notes, when the body being walked defines types, that the bindings it found since
    /// `first_binding` see them.
    fn note_body_defs(&mut self, first_binding: usize) {
        let end = self.out.bindings.len();
        if let Some(defs) = self.body_defs.as_ref().filter(|_| end > first_binding) {
            self.out.body_defs.push(BodyDefs {
                bindings: first_binding..end,
                defs: Arc::clone(defs),
            });
        }
    }

    fn leave_body(&mut self, saved: SavedBody) {
        self.inferred = saved.inferred;
        self.body_defs = saved.body_defs;
    }

    pub(super) fn range(&self, span: Span) -> Range<usize> {
        let range = span.byte_range();
        self.base + range.start..self.base + range.end
    }

    pub(super) fn lower_ctx(&self) -> LowerCtx<'_> {
        self.symbols
            .lower_ctx()
            .with_generics(&self.generics)
            .with_self(self.self_ty.as_ref())
    }

    /// Lowers a written type as rustc reads it here: std's module aliases spelled out and omitted
    /// generic defaults written out (see `TypeDefs::written_out`).
    pub(super) fn lower_ty(&self, ty: &syn::Type) -> Ty {
        self.defs().written_out(&self.lower_ctx().ty(ty))
    }

    /// Lowers a written type and records each type name in it for hover.
    pub(super) fn written_ty(&mut self, ty: &syn::Type) -> Ty {
        self.mention_types(ty);
        self.lower_ty(ty)
    }

    fn mention_types(&mut self, ty: &syn::Type) {
        match ty {
            syn::Type::Path(path) => {
                if let Some(last) = path.path.segments.last() {
                    let range = self.range(last.ident.span());
                    let lowered = self.lower_ty(ty);
                    self.out.mentions.push(TypeMention {
                        range,
                        ty: lowered,
                        member: None,
                    });
                    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                        for arg in &args.args {
                            if let syn::GenericArgument::Type(inner) = arg {
                                self.mention_types(inner);
                            }
                        }
                    }
                }
            }
            syn::Type::Reference(r) => self.mention_types(&r.elem),
            syn::Type::Ptr(p) => self.mention_types(&p.elem),
            syn::Type::Array(a) => self.mention_types(&a.elem),
            syn::Type::Slice(s) => self.mention_types(&s.elem),
            syn::Type::Paren(p) => self.mention_types(&p.elem),
            syn::Type::Tuple(t) => t.elems.iter().for_each(|e| self.mention_types(e)),
            _ => {}
        }
    }

    fn walk_item(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Fn(function) => self.walk_fn(&function.sig, Some(&function.block), None),
            syn::Item::Impl(block) => self.walk_impl(block),
            syn::Item::Trait(tr) => {
                let saved = self.enter_type_scope(Ty::Unknown(Some("Self".into())), &tr.generics);
                for trait_item in &tr.items {
                    if let syn::TraitItem::Fn(method) = trait_item {
                        let container = Some(Container::Trait(tr));
                        self.walk_fn(&method.sig, method.default.as_ref(), container);
                    }
                }
                self.leave_type_scope(saved);
            }
            syn::Item::Static(item) => self.walk_static(item),
            syn::Item::Const(item) => {
                let ty = self.item_level_ty(&item.ty);
                self.walk_constant(None, (&item.ident, &item.ty, &*item.expr), ty);
            }
            syn::Item::Mod(module) => {
                self.inline.push(module.ident.to_string());
                for inner in module.content.iter().flat_map(|(_, items)| items) {
                    self.walk_item(inner);
                }
                self.inline.pop();
            }
            syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Union(_) => {
                self.mention_definition(item);
            }
            _ => {}
        }
    }

    /// A type's name at its definition, and the field types in it, are hoverable.
    fn mention_definition(&mut self, item: &syn::Item) {
        let Some(def) = lower::adt_def(self.symbols.lower_ctx(), item) else {
            return;
        };
        // Fields with the variant they belong to (`None` for structs and unions).
        let (ident, fields): (&syn::Ident, Vec<(Option<&syn::Ident>, &syn::Field)>) = match item {
            syn::Item::Struct(s) => (&s.ident, s.fields.iter().map(|f| (None, f)).collect()),
            syn::Item::Enum(e) => (
                &e.ident,
                e.variants
                    .iter()
                    .flat_map(|v| v.fields.iter().map(move |f| (Some(&v.ident), f)))
                    .collect(),
            ),
            syn::Item::Union(u) => (&u.ident, u.fields.named.iter().map(|f| (None, f)).collect()),
            _ => return,
        };
        let ty = self.defs().written_out(&def.declared_ty());
        let saved_generics = std::mem::replace(&mut self.generics, def.generics.clone());
        for (variant, field) in &fields {
            self.mention_types(&field.ty);
            if let Some(name) = &field.ident {
                let member = Member::Field {
                    variant: variant.map(ToString::to_string),
                    name: name.to_string(),
                };
                let range = self.range(name.span());
                self.out.mentions.push(TypeMention {
                    range,
                    ty: ty.clone(),
                    member: Some(member),
                });
            }
        }
        self.generics = saved_generics;
        if let syn::Item::Enum(e) = item {
            for variant in &e.variants {
                let range = self.range(variant.ident.span());
                let member = Some(Member::Variant(variant.ident.to_string()));
                self.out.mentions.push(TypeMention {
                    range,
                    ty: ty.clone(),
                    member,
                });
            }
        }
        let range = self.range(ident.span());
        self.out.mentions.push(TypeMention {
            range,
            ty,
            member: None,
        });
    }

    fn enter_type_scope(
        &mut self,
        self_ty: Ty,
        generics: &syn::Generics,
    ) -> (Option<Ty>, Vec<String>) {
        let mut all = self.generics.clone();
        all.extend(lower::generic_names(generics));
        let saved_generics = std::mem::replace(&mut self.generics, all);
        (self.self_ty.replace(self_ty), saved_generics)
    }

    fn leave_type_scope(&mut self, saved: (Option<Ty>, Vec<String>)) {
        self.self_ty = saved.0;
        self.generics = saved.1;
    }

    fn walk_impl(&mut self, block: &syn::ItemImpl) {
        let generics = lower::generic_names(&block.generics);
        let self_ty = self.defs().written_out(
            &self
                .symbols
                .lower_ctx()
                .with_generics(&generics)
                .ty(&block.self_ty),
        );
        self.mention_types(&block.self_ty);
        let saved = self.enter_type_scope(self_ty, &block.generics);
        for impl_item in &block.items {
            match impl_item {
                syn::ImplItem::Fn(method) => self.walk_fn(
                    &method.sig,
                    Some(&method.block),
                    Some(Container::Impl(block)),
                ),
                syn::ImplItem::Const(constant) => {
                    let ty = self.written_ty(&constant.ty);
                    let parts = (&constant.ident, &constant.ty, &constant.expr);
                    self.walk_constant(Some(Container::Impl(block)), parts, ty);
                }
                _ => {}
            }
        }
        self.leave_type_scope(saved);
    }

    /// A type written at item level: as inference reads it when the crate is known.
    fn item_level_ty(&mut self, ty: &syn::Type) -> Ty {
        let written = self.written_ty(ty);
        match self.context {
            Some(context) => context.lower_item_ty(context.module_of(&self.inline), ty),
            None => written,
        }
    }

    fn walk_static(&mut self, item: &syn::ItemStatic) {
        let ty = self.item_level_ty(&item.ty);
        let mut value = self.infer_initializer(None, &item.ty, &item.expr);
        value.ty = ty;
        let static_init = Some(self.static_init(&item.expr, &value.ty));
        let mutable = matches!(item.mutability, syn::StaticMutability::Mut(_));
        let index = self.push_binding(&item.ident, BindingKind::Static, value, mutable);
        self.out.bindings[index].static_init = static_init;
        self.out.bindings[index].literal_text_bytes = str_literal_len(&item.expr);
    }

    /// Walks a const's or static's initializer with inference's types for it, inferred on its
    /// own against the written type.
    fn infer_initializer(
        &mut self,
        container: Option<Container<'_>>,
        ty: &syn::Type,
        expr: &syn::Expr,
    ) -> Value {
        let inferred = self.context.map(|context| {
            let module = context.module_of(&self.inline);
            context.infer_initializer(module, container, ty, expr)
        });
        let saved = self.enter_body(inferred);
        let first_binding = self.out.bindings.len();
        let value = self.infer_expr(expr);
        self.note_body_defs(first_binding);
        self.leave_body(saved);
        value
    }

    fn walk_constant(
        &mut self,
        container: Option<Container<'_>>,
        constant: (&syn::Ident, &syn::Type, &syn::Expr),
        ty: Ty,
    ) {
        let (ident, written, expr) = constant;
        let mut value = self.infer_initializer(container, written, expr);
        value.ty = ty;
        let index = self.push_binding(ident, BindingKind::Const, value, false);
        self.out.bindings[index].literal_text_bytes = str_literal_len(expr);
    }

    fn walk_fn(
        &mut self,
        sig: &syn::Signature,
        body: Option<&syn::Block>,
        container: Option<Container<'_>>,
    ) {
        let inferred = match (self.context, body) {
            (Some(context), Some(body)) => {
                let module = context.module_of(&self.inline);
                Some(context.infer_fn(module, container, sig, body))
            }
            _ => None,
        };
        let saved_body = self.enter_body(inferred);
        let first_binding = self.out.bindings.len();
        let mut unsized_params = lower::maybe_unsized_params(&sig.generics);
        match container {
            Some(Container::Impl(block)) => {
                unsized_params.extend(lower::maybe_unsized_params(&block.generics))
            }
            Some(Container::Trait(tr)) => {
                unsized_params.extend(lower::maybe_unsized_params(&tr.generics));
                unsized_params.push("Self".into());
            }
            None => {}
        }
        let saved_unsized = self.unsized_params.replace(unsized_params);
        self.walk_fn_body(sig, body);
        self.unsized_params = saved_unsized;
        self.note_body_defs(first_binding);
        self.leave_body(saved_body);
    }

    fn walk_fn_body(&mut self, sig: &syn::Signature, body: Option<&syn::Block>) {
        let saved_function = self.function.replace(sig.ident.to_string());
        let saved_generics = self.generics.clone();
        self.generics.extend(lower::generic_names(&sig.generics));
        self.scopes.push(Vec::new());
        let mut params = Vec::new();
        for (index, input) in sig.inputs.iter().enumerate() {
            let first_new = self.out.bindings.len();
            let ty = match input {
                syn::FnArg::Receiver(receiver) => self.bind_receiver(receiver),
                syn::FnArg::Typed(typed) => {
                    let written = self.written_ty(&typed.ty);
                    let ty = self.param_ty_from_inference(&typed.pat).unwrap_or(written);
                    self.bind_pattern(&typed.pat, Value::of_param(ty.clone()), BindingKind::Param);
                    ty
                }
            };
            for binding in &mut self.out.bindings[first_new..] {
                binding.param_index = Some(index);
            }
            let bindings = (first_new..self.out.bindings.len()).collect();
            params.push(ParamSlot { ty, bindings });
        }
        let name_range = self.range(sig.ident.span());
        let body_range = body.map_or(name_range.end..name_range.end, |block| {
            self.range(block.brace_token.span.join())
        });
        self.out.functions.push(FunctionFacts {
            name: sig.ident.to_string(),
            name_range,
            params,
            body_range,
            calls: Vec::new(),
        });
        let saved_current = self.current_function.replace(self.out.functions.len() - 1);
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            self.mention_types(ty);
        }
        if let Some(block) = body {
            self.walk_block(block);
        }
        self.current_function = saved_current;
        self.scopes.pop();
        self.generics = saved_generics;
        self.function = saved_function;
    }

    /// A parameter's type as inference has it, when its pattern is a plain name.
    fn param_ty_from_inference(&self, pat: &syn::Pat) -> Option<Ty> {
        let syn::Pat::Ident(ident) = pat else {
            return None;
        };
        let inferred = self.inferred.as_ref()?;
        let ty = inferred
            .bindings
            .get(&ident.ident.span().byte_range().start)?;
        Some(match ident.by_ref {
            Some(_) => match ty {
                Ty::Ref { pointee, .. } => (**pointee).clone(),
                other => other.clone(),
            },
            None => ty.clone(),
        })
    }

    fn bind_receiver(&mut self, receiver: &syn::Receiver) -> Ty {
        let self_ty = self
            .self_ty
            .clone()
            .unwrap_or(Ty::Unknown(Some("Self".into())));
        let ty = if receiver.colon_token.is_some() {
            self.written_ty(&receiver.ty)
        } else if let Some((_, _)) = &receiver.reference {
            Ty::Ref {
                mutable: receiver.mutability.is_some(),
                pointee: Box::new(self_ty),
            }
        } else {
            self_ty
        };
        let ident = syn::Ident::new("self", receiver.self_token.span);
        let inferred = self
            .inferred
            .as_ref()
            .and_then(|inferred| {
                inferred
                    .bindings
                    .get(&receiver.self_token.span.byte_range().start)
            })
            .cloned();
        let ty = inferred.unwrap_or(ty);
        let mutable = receiver.mutability.is_some() && receiver.reference.is_none();
        self.push_binding(
            &ident,
            BindingKind::Param,
            Value::of_param(ty.clone()),
            mutable,
        );
        ty
    }

    pub(super) fn push_binding(
        &mut self,
        ident: &syn::Ident,
        kind: BindingKind,
        value: Value,
        mutable: bool,
    ) -> usize {
        let name_range = self.range(ident.span());
        let name = ident.to_string();
        let name = name.strip_prefix("r#").map(str::to_string).unwrap_or(name);
        let literal_fallback = value.literal_fallback;
        let mut value = value;
        if let Some(inferred) = &self.inferred
            && matches!(kind, BindingKind::Local | BindingKind::Param)
        {
            let ty = inferred
                .bindings
                .get(&ident.span().byte_range().start)
                .cloned()
                .unwrap_or(Ty::Unknown(None));
            self.adopt(&mut value, ty);
        }
        // A type that can never own heap owns exactly none, whatever memlens knows of its value;
        // a value of a type memlens does not know may own any amount.
        match super::heap::may_own_heap(&value.ty, self.defs(), &self.target) {
            Some(false) => value.heap = Heap::NONE,
            _ if value.ty.is_unknown() => {
                value.heap = Heap::Unknown;
                value.heap_rule = None;
            }
            _ => {}
        }
        let binding = Binding {
            name,
            hint_offset: name_range.end,
            name_range,
            kind,
            value,
            mutable,
            function: self.function.clone(),
            param_index: None,
            static_init: None,
            literal_text_bytes: None,
            literal_fallback,
            mutations: Vec::new(),
            last_change: None,
            after_changes: None,
            unsized_params: self.unsized_params.clone(),
        };
        let index = self.out.bindings.len();
        self.out.bindings.push(binding);
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(index);
        }
        index
    }

    /// Notes that the function being walked calls `callee` (by name).
    pub(super) fn record_call(&mut self, callee: &str) {
        if let Some(function) = self
            .current_function
            .and_then(|index| self.out.functions.get_mut(index))
            && !function.calls.iter().any(|name| name == callee)
        {
            function.calls.push(callee.to_string());
        }
    }

    /// A point to return to with [`Walker::rollback`], to infer an expression again.
    pub(super) fn mark(&self) -> WalkMark {
        WalkMark {
            bindings: self.out.bindings.len(),
            uses: self.out.uses.len(),
            mentions: self.out.mentions.len(),
            functions: self.out.functions.len(),
        }
    }

    /// Forgets everything found since `mark`, so re-walking the same syntax records it once.
    pub(super) fn rollback(&mut self, mark: WalkMark) {
        self.out.bindings.truncate(mark.bindings);
        self.out.uses.truncate(mark.uses);
        self.out.mentions.truncate(mark.mentions);
        self.out.functions.truncate(mark.functions);
        self.out
            .body_defs
            .retain(|body| body.bindings.end <= mark.bindings);
        for scope in &mut self.scopes {
            scope.retain(|&index| index < mark.bindings);
        }
    }

    /// Every binding in scope, outermost first.
    pub(super) fn bindings_in_scope(&self) -> Vec<usize> {
        self.scopes.iter().flatten().copied().collect()
    }

    /// The innermost binding with this name in scope.
    pub(super) fn resolve(&self, name: &str) -> Option<usize> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .copied()
            .find(|&index| self.out.bindings[index].name == name)
    }

    pub(super) fn record_use(&mut self, ident: &syn::Ident) -> Option<usize> {
        let binding = self.resolve(&ident.to_string())?;
        let range = self.range(ident.span());
        self.out.uses.push(Use { range, binding });
        Some(binding)
    }

    pub(super) fn with_scope<T>(&mut self, body: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push(Vec::new());
        let result = body(self);
        self.scopes.pop();
        result
    }

    pub(super) fn walk_block(&mut self, block: &syn::Block) -> Value {
        self.with_scope(|walker| {
            let mut last = Value::unit();
            for stmt in &block.stmts {
                last = walker.walk_stmt(stmt);
            }
            last
        })
    }

    /// Walks a statement; the value is the block's tail expression, when this is it.
    fn walk_stmt(&mut self, stmt: &syn::Stmt) -> Value {
        match stmt {
            syn::Stmt::Local(local) => {
                self.walk_local(local);
                Value::unit()
            }
            syn::Stmt::Item(item) => {
                let saved = std::mem::take(&mut self.scopes);
                self.walk_item(item);
                self.scopes = saved;
                Value::unit()
            }
            syn::Stmt::Expr(expr, None) => self.infer_expr(expr),
            syn::Stmt::Expr(expr, Some(_)) => {
                self.infer_expr(expr);
                Value::unit()
            }
            syn::Stmt::Macro(mac) => {
                self.infer_macro(&mac.mac);
                Value::unit()
            }
        }
    }

    fn walk_local(&mut self, local: &syn::Local) {
        let (pat, annotation) = match &local.pat {
            syn::Pat::Type(typed) => (&*typed.pat, Some(self.written_ty(&typed.ty))),
            other => (other, None),
        };
        if let Some(init) = &local.init {
            if let Some((_, diverge)) = &init.diverge {
                self.infer_expr(diverge);
            }
            if let (syn::Pat::Tuple(tuple), syn::Expr::Tuple(parts)) = (pat, &*init.expr)
                && parts.elems.len() == tuple.elems.len()
            {
                self.bind_tuple_parts(tuple, parts, annotation.as_ref());
                return;
            }
        }
        let value = match (&local.init, annotation) {
            (Some(init), Some(ty)) => self.infer_expected(&init.expr, &ty),
            (Some(init), None) => self.infer_expr(&init.expr),
            (None, Some(ty)) => Value::declared(ty),
            (None, None) => Value::unknown(),
        };
        let first_new = self.out.bindings.len();
        self.bind_pattern(pat, value, BindingKind::Local);
        if let (Some(init), true) = (&local.init, self.out.bindings.len() == first_new + 1) {
            self.link_initializer(first_new, &init.expr);
        }
    }

    /// `let (a, b) = (x, y);` binds each name to its own expression, so each keeps its heap.
    /// All parts are inferred before any name is bound, as in rustc.
    fn bind_tuple_parts(
        &mut self,
        tuple: &syn::PatTuple,
        parts: &syn::ExprTuple,
        annotation: Option<&Ty>,
    ) {
        let expected: Vec<Option<Ty>> = match annotation {
            Some(Ty::Tuple(types)) if types.len() == parts.elems.len() => {
                types.iter().cloned().map(Some).collect()
            }
            _ => vec![None; parts.elems.len()],
        };
        let values: Vec<Value> = parts
            .elems
            .iter()
            .zip(&expected)
            .map(|(expr, ty)| match ty {
                Some(ty) => self.infer_expected(expr, ty),
                None => self.infer_expr(expr),
            })
            .collect();
        for (sub_pat, value) in tuple.elems.iter().zip(values) {
            self.bind_pattern(sub_pat, value, BindingKind::Local);
        }
    }

    /// Binds every name in `pat` to its part of `value`.
    pub(super) fn bind_pattern(&mut self, pat: &syn::Pat, value: Value, kind: BindingKind) {
        match pat {
            syn::Pat::Ident(ident) => {
                if let Some((_, sub)) = &ident.subpat {
                    self.bind_pattern(sub, value.clone(), kind);
                }
                let value = if ident.by_ref.is_some() {
                    Value::declared(Ty::Ref {
                        mutable: ident.mutability.is_some(),
                        pointee: Box::new(value.ty),
                    })
                } else {
                    value
                };
                let mutable = ident.mutability.is_some() && ident.by_ref.is_none();
                // A lone uppercase path like `None` parses as an ident pattern; it binds nothing.
                if kind == BindingKind::Local && self.is_unit_variant(&ident.ident) {
                    return;
                }
                self.push_binding(&ident.ident, kind, value, mutable);
            }
            syn::Pat::Type(typed) => {
                let ty = self.written_ty(&typed.ty);
                self.bind_pattern(&typed.pat, value.with_type(ty), kind);
            }
            syn::Pat::Reference(reference) => {
                let inner = match value.ty {
                    Ty::Ref { pointee, .. } => Value::part(*pointee, self),
                    _ => Value::unknown(),
                };
                self.bind_pattern(&reference.pat, inner, kind);
            }
            syn::Pat::Paren(paren) => self.bind_pattern(&paren.pat, value, kind),
            syn::Pat::Or(or) => {
                if let Some(first) = or.cases.first() {
                    self.bind_pattern(first, value, kind);
                }
            }
            syn::Pat::Tuple(tuple) => {
                let (ty, by_ref) = deref_for_match(&value.ty);
                let parts = match ty {
                    Ty::Tuple(items) if items.len() == tuple.elems.len() => items.clone(),
                    _ => vec![Ty::Unknown(None); tuple.elems.len()],
                };
                self.bind_parts(tuple.elems.iter(), parts, by_ref, kind);
            }
            syn::Pat::TupleStruct(tuple_struct) => {
                let parts = self.variant_field_types(
                    &value.ty,
                    &tuple_struct.path,
                    tuple_struct.elems.len(),
                );
                let by_ref = deref_for_match(&value.ty).1;
                self.bind_parts(tuple_struct.elems.iter(), parts, by_ref, kind);
            }
            syn::Pat::Struct(pat_struct) => self.bind_struct_pattern(pat_struct, &value, kind),
            syn::Pat::Slice(slice) => {
                let (ty, by_ref) = deref_for_match(&value.ty);
                let element = match ty {
                    Ty::Array(element, _) | Ty::Slice(element) => (**element).clone(),
                    _ => Ty::Unknown(None),
                };
                for sub in &slice.elems {
                    let part = Value::part(with_ref(element.clone(), by_ref), self);
                    self.bind_pattern(sub, part, kind);
                }
            }
            _ => {}
        }
    }

    fn bind_parts<'p>(
        &mut self,
        pats: impl Iterator<Item = &'p syn::Pat>,
        parts: Vec<Ty>,
        by_ref: Option<bool>,
        kind: BindingKind,
    ) {
        for (sub, ty) in pats.zip(parts) {
            let part = Value::part(with_ref(ty, by_ref), self);
            self.bind_pattern(sub, part, kind);
        }
    }

    fn bind_struct_pattern(&mut self, pat: &syn::PatStruct, value: &Value, kind: BindingKind) {
        let (ty, by_ref) = deref_for_match(&value.ty);
        for field in &pat.fields {
            let field_name = match &field.member {
                syn::Member::Named(name) => name.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            let field_ty = self
                .field_type(ty, &pat.path, &field_name)
                .unwrap_or(Ty::Unknown(None));
            let part = Value::part(with_ref(field_ty, by_ref), self);
            self.bind_pattern(&field.pat, part, kind);
        }
    }

    fn is_unit_variant(&self, ident: &syn::Ident) -> bool {
        let name = ident.to_string();
        name == "None"
            || self.defs().adts().any(|def| {
                def.kind == super::defs::AdtKind::Enum
                    && def
                        .variants
                        .iter()
                        .any(|v| v.name == name && v.fields.is_empty())
            })
    }

    /// The types of the fields of the variant (or tuple struct) named by `path`, given the type
    /// of the value matched.
    fn variant_field_types(&self, matched: &Ty, path: &syn::Path, count: usize) -> Vec<Ty> {
        let (ty, _) = deref_for_match(matched);
        let variant = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let args = ty.adt_args();
        let std_part = match (variant.as_str(), args) {
            ("Some" | "Ok", [first, ..]) => Some(first.clone()),
            ("Err", [_, second]) => Some(second.clone()),
            _ => None,
        };
        if let Some(part) = std_part {
            return vec![part];
        }
        (0..count)
            .map(|index| {
                self.field_type(ty, path, &index.to_string())
                    .unwrap_or(Ty::Unknown(None))
            })
            .collect()
    }

    /// The type of a field of a user struct or enum variant, with generics substituted.
    pub(super) fn field_type(&self, ty: &Ty, path: &syn::Path, field: &str) -> Option<Ty> {
        let variant_name = path.segments.last()?.ident.to_string();
        let (def, args) = match ty {
            Ty::Adt { name, args } => (self.defs().adt(name)?, args.clone()),
            _ => {
                let def = self.defs().adt(&variant_name)?;
                (def, Vec::new())
            }
        };
        let variant = def
            .variants
            .iter()
            .find(|v| v.name == variant_name)
            .or_else(|| def.variants.first())?;
        let field_def = variant.fields.iter().find(|f| f.name == field)?;
        Some(field_def.ty.substitute(&def.generics, &args))
    }
}

/// Match ergonomics: a reference matched by a non-reference pattern binds by reference.
fn deref_for_match(ty: &Ty) -> (&Ty, Option<bool>) {
    match ty {
        Ty::Ref { mutable, pointee } => (pointee, Some(*mutable)),
        other => (other, None),
    }
}

fn with_ref(ty: Ty, by_ref: Option<bool>) -> Ty {
    match by_ref {
        Some(mutable) => Ty::Ref {
            mutable,
            pointee: Box::new(ty),
        },
        None => ty,
    }
}

/// The byte length of a string literal initializer (`"Hello"` → 5).
fn str_literal_len(expr: &syn::Expr) -> Option<u64> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.value().len() as u64),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::ByteStr(bytes),
            ..
        }) => Some(bytes.value().len() as u64),
        _ => None,
    }
}

impl Value {
    /// A destructured part of a value: its heap is zero when its type cannot own heap.
    pub(super) fn part(ty: Ty, walker: &Walker<'_>) -> Value {
        let heap = match super::heap::may_own_heap(&ty, walker.defs(), &walker.target) {
            Some(false) => Heap::NONE,
            _ => Heap::Unknown,
        };
        Value {
            ty,
            heap,
            ..Value::unknown()
        }
    }
}
