//! Lowering of syn's syntax (types, type definitions, constant expressions) into memlens's plain data.

use std::collections::HashMap;

use quote::ToTokens;

use super::defs::{AdtDef, AdtKind, AliasDef, DefSpan, Discriminant, FieldDef, Repr, VariantDef};
use super::paths::Imports;
use super::ty::consts::{ConstSyntax, Expect, IntValue, Node, evaluate};
use super::ty::{FloatTy, IntTy, Ty};

/// What lowering needs to know about the surroundings of a type: generic parameters in scope,
/// the type `Self` stands for, the values of integer constants, and the file's imports.
#[derive(Clone, Copy)]
pub struct LowerCtx<'a> {
    pub generics: &'a [String],
    pub self_ty: Option<&'a Ty>,
    pub consts: &'a HashMap<String, u64>,
    pub imports: &'a Imports,
}

impl<'a> LowerCtx<'a> {
    pub fn new(consts: &'a HashMap<String, u64>) -> Self {
        LowerCtx {
            generics: &[],
            self_ty: None,
            consts,
            imports: Imports::none(),
        }
    }

    pub fn with_imports(self, imports: &'a Imports) -> Self {
        LowerCtx { imports, ..self }
    }

    pub fn with_generics(self, generics: &'a [String]) -> Self {
        LowerCtx { generics, ..self }
    }

    pub fn with_self(self, self_ty: Option<&'a Ty>) -> Self {
        LowerCtx { self_ty, ..self }
    }

    /// Lowers a written type.
    pub fn ty(&self, ty: &syn::Type) -> Ty {
        match ty {
            syn::Type::Path(path) if path.qself.is_none() => self.path_ty(&path.path),
            syn::Type::Reference(reference) => Ty::Ref {
                mutable: reference.mutability.is_some(),
                pointee: Box::new(self.ty(&reference.elem)),
            },
            syn::Type::Ptr(ptr) => Ty::Ptr {
                mutable: ptr.mutability.is_some(),
                pointee: Box::new(self.ty(&ptr.elem)),
            },
            syn::Type::Array(array) => {
                Ty::Array(Box::new(self.ty(&array.elem)), self.const_u64(&array.len))
            }
            syn::Type::Slice(slice) => Ty::Slice(Box::new(self.ty(&slice.elem))),
            syn::Type::Tuple(tuple) => Ty::Tuple(tuple.elems.iter().map(|t| self.ty(t)).collect()),
            syn::Type::Paren(inner) => self.ty(&inner.elem),
            syn::Type::Group(inner) => self.ty(&inner.elem),
            syn::Type::Never(_) => Ty::Never,
            syn::Type::BareFn(bare) => Ty::FnPtr {
                params: bare.inputs.iter().map(|arg| self.ty(&arg.ty)).collect(),
                ret: Box::new(self.return_ty(&bare.output)),
            },
            syn::Type::TraitObject(object) => Ty::Dyn(super::ty::Bounds::written(&bounds_text(
                object.bounds.iter(),
            ))),
            syn::Type::ImplTrait(opaque) => Ty::Opaque(super::ty::Bounds::written(&bounds_text(
                opaque.bounds.iter(),
            ))),
            syn::Type::Infer(_) => Ty::Unknown(None),
            other => Ty::Unknown(Some(tidy_tokens(&other.to_token_stream().to_string()))),
        }
    }

    /// Lowers a function's return type; no return type is `()`.
    pub fn return_ty(&self, output: &syn::ReturnType) -> Ty {
        match output {
            syn::ReturnType::Default => Ty::unit(),
            syn::ReturnType::Type(_, ty) => self.ty(ty),
        }
    }

    fn path_ty(&self, path: &syn::Path) -> Ty {
        let Some(last) = path.segments.last() else {
            return Ty::Unknown(None);
        };
        let args = self.generic_args(&last.arguments);
        if path.segments.len() == 1
            && args.is_empty()
            && let Some(ty) = self.single_name_ty(&last.ident.to_string())
        {
            return ty;
        }
        // Bare trait objects written without `dyn` (edition 2015) are not worth a special case.
        Ty::Adt {
            name: self.imports.type_name(&segment_names(path)),
            args,
        }
    }

    fn single_name_ty(&self, name: &str) -> Option<Ty> {
        if name == "Self" {
            return Some(
                self.self_ty
                    .cloned()
                    .unwrap_or(Ty::Unknown(Some("Self".into()))),
            );
        }
        if self.generics.iter().any(|param| param == name) {
            return Some(Ty::Param(name.to_string()));
        }
        primitive(name)
    }

    fn generic_args(&self, arguments: &syn::PathArguments) -> Vec<Ty> {
        match arguments {
            syn::PathArguments::AngleBracketed(angle) => angle
                .args
                .iter()
                .filter_map(|arg| match arg {
                    syn::GenericArgument::Type(ty) => Some(self.ty(ty)),
                    _ => None,
                })
                .collect(),
            // `Fn(A) -> B` sugar only appears in trait bounds, which are kept as text.
            _ => Vec::new(),
        }
    }

    /// Evaluates an integer constant expression whose type is not known here: as the widest
    /// signed integer, and only when the value is the same on every pointer width.
    pub fn const_u64(&self, expr: &syn::Expr) -> Option<u64> {
        self.const_i128(expr)
            .and_then(|value| u64::try_from(value).ok())
    }

    pub fn const_i128(&self, expr: &syn::Expr) -> Option<i128> {
        let at = |bits| evaluate(self, expr, Expect::Coerce(IntTy::I128), bits)?.as_i128(bits);
        let narrow = at(32)?;
        (at(64) == Some(narrow)).then_some(narrow)
    }

    /// A variant's written discriminant, typed as rustc types it (the `repr` integer, else
    /// `isize`), on each pointer width.
    pub fn discriminant(&self, expr: &syn::Expr, repr_int: Option<IntTy>) -> Discriminant {
        let ty = repr_int.unwrap_or(IntTy::Isize);
        let at =
            |bits| discriminant_value(evaluate(self, expr, Expect::Coerce(ty), bits)?, ty, bits);
        Discriminant {
            bits32: at(32),
            bits64: at(64),
        }
    }
}

/// A discriminant's value for layout: its mathematical value, or a `u128`'s bits (layout reads
/// them in the discriminant type); `None` if the expression has another type than `ty`.
pub fn discriminant_value(value: IntValue, ty: IntTy, pointer_bits: u32) -> Option<i128> {
    if value.ty != ty {
        return None;
    }
    if ty.is_signed() {
        value.as_i128(pointer_bits)
    } else {
        Some(value.bits() as i128)
    }
}

impl ConstSyntax for LowerCtx<'_> {
    type Expr = syn::Expr;

    fn node<'e>(&self, expr: &'e syn::Expr) -> Node<'e, syn::Expr> {
        match expr {
            syn::Expr::Lit(lit) => literal_node(&lit.lit),
            syn::Expr::Path(path) if path.qself.is_none() => self.path_node(&path.path),
            syn::Expr::Paren(inner) => self.node(&inner.expr),
            syn::Expr::Group(inner) => self.node(&inner.expr),
            syn::Expr::Block(block) if block.block.stmts.len() == 1 => {
                match &block.block.stmts[0] {
                    syn::Stmt::Expr(inner, None) => self.node(inner),
                    _ => Node::Other,
                }
            }
            syn::Expr::Unary(unary) => match unary.op {
                syn::UnOp::Neg(_) => Node::Neg(&unary.expr),
                syn::UnOp::Not(_) => Node::Not(&unary.expr),
                _ => Node::Other,
            },
            syn::Expr::Cast(cast) => Node::Cast(&cast.expr, int_ty_written(&cast.ty)),
            syn::Expr::Binary(binary) => match super::items::item_tree::int_op(&binary.op) {
                Some(op) => Node::Binary(op, &binary.left, &binary.right),
                None => Node::Other,
            },
            _ => Node::Other,
        }
    }
}

impl LowerCtx<'_> {
    /// `i32::MIN`, `core::u8::MAX`, or one of the file's constants (known by value only).
    fn path_node<'e>(&self, path: &'e syn::Path) -> Node<'e, syn::Expr> {
        let names: Vec<&syn::Ident> = path.segments.iter().map(|s| &s.ident).collect();
        if let [.., owner, name] = names.as_slice()
            && let Some(int) = IntTy::from_name(&owner.to_string())
        {
            return Node::Assoc(int, assoc_name(name));
        }
        match names.as_slice() {
            [name] => self
                .consts
                .get(&name.to_string())
                .map_or(Node::Other, |value| Node::Untyped(u128::from(*value))),
            _ => Node::Other,
        }
    }
}

/// The associated constants of integer types the evaluator knows, as static names.
fn assoc_name(ident: &syn::Ident) -> &'static str {
    ["MIN", "MAX", "BITS"]
        .into_iter()
        .find(|known| ident == known)
        .unwrap_or("")
}

fn literal_node<'e>(lit: &syn::Lit) -> Node<'e, syn::Expr> {
    match lit {
        syn::Lit::Int(int) => match int.base10_parse::<u128>() {
            Ok(value) => Node::Int {
                value,
                suffix: IntTy::from_name(int.suffix()),
            },
            Err(_) => Node::Other,
        },
        // `b'a'` is a `u8`; chars and bools are integers only through `as`.
        syn::Lit::Byte(byte) => IntValue::exact(IntTy::U8, i128::from(byte.value()), 64)
            .map_or(Node::Other, Node::Typed),
        syn::Lit::Char(ch) => Node::Scalar(u128::from(u32::from(ch.value()))),
        syn::Lit::Bool(flag) => Node::Scalar(u128::from(flag.value)),
        _ => Node::Other,
    }
}

/// The integer type a cast names, if it names one.
fn int_ty_written(ty: &syn::Type) -> Option<IntTy> {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => {
            IntTy::from_name(&path.path.segments.last()?.ident.to_string())
        }
        syn::Type::Paren(inner) => int_ty_written(&inner.elem),
        syn::Type::Group(inner) => int_ty_written(&inner.elem),
        _ => None,
    }
}

/// The names of a path's segments (`["std", "vec", "Vec", "new"]`).
pub fn segment_names(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// The name a path ends with (`println` in `std::println!`, `None` in `Option::None`).
pub fn last_name(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The primitive type spelled by a single name, if any.
pub fn primitive(name: &str) -> Option<Ty> {
    if let Some(int) = IntTy::from_name(name) {
        return Some(Ty::Int(int));
    }
    Some(match name {
        "f32" => Ty::Float(FloatTy::F32),
        "f64" => Ty::Float(FloatTy::F64),
        "bool" => Ty::Bool,
        "char" => Ty::Char,
        "str" => Ty::Str,
        _ => return None,
    })
}

/// Token text with the spaces `to_string` puts around punctuation taken out: `Fn(i32) -> u8`.
pub fn tidy_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (index, &ch) in chars.iter().enumerate() {
        if ch == ' ' {
            let before = index.checked_sub(1).map(|i| chars[i]);
            let after = chars.get(index + 1).copied();
            let tight_before = matches!(before, Some('<' | '(' | '[' | '&' | ':' | '\''));
            let tight_after = matches!(after, Some('<' | '>' | '(' | ')' | '[' | ']' | ',' | ':'));
            let arrow = after == Some('-') || before == Some('>') && after != Some(',');
            if (tight_before || tight_after) && !arrow || before == Some(':') && after == Some(':')
            {
                continue;
            }
        }
        out.push(ch);
    }
    out.replace(" :: ", "::")
}

fn bounds_text<'b>(bounds: impl Iterator<Item = &'b syn::TypeParamBound>) -> String {
    let texts: Vec<String> = bounds
        .filter(|bound| !matches!(bound, syn::TypeParamBound::Lifetime(_)))
        .map(|bound| tidy_tokens(&bound.to_token_stream().to_string()))
        .collect();
    texts.join(" + ")
}

/// The names of a definition's generic type parameters.
pub fn generic_names(generics: &syn::Generics) -> Vec<String> {
    generics
        .type_params()
        .map(|param| param.ident.to_string())
        .collect()
}

/// Each generic type parameter's default, lowered in a context that has the parameters in scope.
fn generic_defaults(ctx: &LowerCtx<'_>, generics: &syn::Generics) -> Vec<Option<Ty>> {
    generics
        .type_params()
        .map(|param| param.default.as_ref().map(|ty| ctx.ty(ty)))
        .collect()
}

/// The generic type parameters declared `?Sized`, in their own bounds or in the `where` clause.
pub fn maybe_unsized_params(generics: &syn::Generics) -> Vec<String> {
    let in_where = generics.where_clause.iter().flat_map(|clause| {
        clause
            .predicates
            .iter()
            .filter_map(|predicate| match predicate {
                syn::WherePredicate::Type(bound) => Some((&bound.bounded_ty, &bound.bounds)),
                _ => None,
            })
    });
    let mut names: Vec<String> = generics
        .type_params()
        .filter(|param| param.bounds.iter().any(is_maybe_sized))
        .map(|param| param.ident.to_string())
        .collect();
    for (bounded, bounds) in in_where {
        if let syn::Type::Path(path) = bounded
            && let Some(ident) = path.path.get_ident()
            && bounds.iter().any(is_maybe_sized)
        {
            names.push(ident.to_string());
        }
    }
    names
}

fn is_maybe_sized(bound: &syn::TypeParamBound) -> bool {
    matches!(
        bound,
        syn::TypeParamBound::Trait(trait_bound)
            if matches!(trait_bound.modifier, syn::TraitBoundModifier::Maybe(_))
    )
}

/// Reads the `#[repr(..)]` attributes of a type definition.
pub fn repr_of(attrs: &[syn::Attribute]) -> Repr {
    let mut repr = Repr {
        rewritten_by: super::syntax::attribute_macros::rewriting_macro(attrs),
        ..Repr::default()
    };
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("repr")) {
        // A malformed repr is a compile error in rustc; memlens just reads what it can.
        let _ = attr.parse_nested_meta(|meta| {
            let word = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let argument = parenthesized_u64(&meta);
            match word.as_str() {
                "C" => repr.c = true,
                "transparent" => repr.transparent = true,
                "simd" => repr.simd = true,
                "packed" => {
                    let packed = argument.unwrap_or(1);
                    repr.invalid = repr
                        .invalid
                        .take()
                        .or_else(|| invalid_repr("packed", packed));
                    repr.packed = Some(packed);
                }
                "align" => {
                    repr.invalid = repr
                        .invalid
                        .take()
                        .or_else(|| argument.and_then(|align| invalid_repr("align", align)));
                    repr.align = argument;
                }
                other => repr.int = IntTy::from_name(other).or(repr.int),
            }
            Ok(())
        });
    }
    repr
}

/// rustc's E0589 for `repr(packed(n))` or `repr(align(n))`: `n` must be a power of two, at
/// most 2^29.
fn invalid_repr(attribute: &str, n: u64) -> Option<String> {
    let reason = if !n.is_power_of_two() {
        "not a power of two"
    } else if n > 1 << 29 {
        "larger than 2^29"
    } else {
        return None;
    };
    Some(format!(
        "invalid `repr({attribute})` attribute: {reason} (rustc: E0589)"
    ))
}

fn parenthesized_u64(meta: &syn::meta::ParseNestedMeta<'_>) -> Option<u64> {
    if !meta.input.peek(syn::token::Paren) {
        return None;
    }
    let parse = || -> syn::Result<u64> {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<syn::LitInt>()?.base10_parse()
    };
    parse().ok()
}

fn fields_of(ctx: &LowerCtx<'_>, fields: &syn::Fields) -> Vec<FieldDef> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| FieldDef {
            name: field
                .ident
                .as_ref()
                .map_or_else(|| index.to_string(), ToString::to_string),
            ty: ctx.ty(&field.ty),
        })
        .collect()
}

fn def_span(ident: &syn::Ident) -> DefSpan {
    let range = ident.span().byte_range();
    DefSpan {
        name_start: range.start,
        name_end: range.end,
    }
}

/// Lowers a struct, enum or union item into an [`AdtDef`], in the surroundings `outer` (the file's
/// constants and imports); other items give `None`.
pub fn adt_def(outer: LowerCtx<'_>, item: &syn::Item) -> Option<AdtDef> {
    let (ident, generics, attrs, kind) = match item {
        syn::Item::Struct(s) => (&s.ident, &s.generics, &s.attrs, AdtKind::Struct),
        syn::Item::Enum(e) => (&e.ident, &e.generics, &e.attrs, AdtKind::Enum),
        syn::Item::Union(u) => (&u.ident, &u.generics, &u.attrs, AdtKind::Union),
        _ => return None,
    };
    let generic_params = generic_names(generics);
    let self_ty = Ty::Adt {
        name: ident.to_string(),
        args: generic_params
            .iter()
            .map(|p| Ty::Param(p.clone()))
            .collect(),
    };
    let ctx = outer
        .with_generics(&generic_params)
        .with_self(Some(&self_ty));
    let repr = repr_of(attrs);
    let single = |fields: Vec<FieldDef>| {
        vec![VariantDef {
            name: ident.to_string(),
            fields,
            discriminant: None,
        }]
    };
    let variants = match item {
        syn::Item::Struct(s) => single(fields_of(&ctx, &s.fields)),
        syn::Item::Union(u) => single(fields_of(&ctx, &syn::Fields::Named(u.fields.clone()))),
        syn::Item::Enum(e) => e
            .variants
            .iter()
            .map(|variant| VariantDef {
                name: variant.ident.to_string(),
                fields: fields_of(&ctx, &variant.fields),
                discriminant: variant
                    .discriminant
                    .as_ref()
                    .map(|(_, expr)| ctx.discriminant(expr, repr.int)),
            })
            .collect(),
        _ => return None,
    };
    Some(AdtDef {
        name: ident.to_string(),
        generics: generic_params.clone(),
        defaults: generic_defaults(&ctx, generics),
        unsized_params: maybe_unsized_params(generics),
        kind,
        repr,
        variants,
        span: Some(def_span(ident)),
    })
}

/// Lowers a `type` alias item in the surroundings `outer`.
pub fn alias_def(outer: LowerCtx<'_>, item: &syn::ItemType) -> AliasDef {
    let generics = generic_names(&item.generics);
    let ctx = outer.with_generics(&generics);
    AliasDef {
        name: item.ident.to_string(),
        defaults: generic_defaults(&ctx, &item.generics),
        ty: ctx.ty(&item.ty),
        generics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(text: &str) -> String {
        let consts = HashMap::from([("N".to_string(), 4u64)]);
        let ty: syn::Type = syn::parse_str(text).expect("test type parses");
        LowerCtx::new(&consts).ty(&ty).to_string()
    }

    #[test]
    fn lowers_written_types() {
        assert_eq!(lower("std::vec::Vec<std::string::String>"), "Vec<String>");
        assert_eq!(lower("&'a mut [u8; N * 2]"), "&mut [u8; 8]");
        assert_eq!(
            lower("Option<Box<dyn std::fmt::Debug + Send>>"),
            "Option<Box<dyn std::fmt::Debug + Send>>"
        );
        assert_eq!(lower("fn(i32) -> u8"), "fn(i32) -> u8");
        assert_eq!(lower("*const ()"), "*const ()");
        assert_eq!(lower("Box<dyn Fn(i32) -> i32>"), "Box<dyn Fn(i32) -> i32>");
    }

    #[test]
    fn reads_repr() {
        let item: syn::ItemStruct =
            syn::parse_str("#[repr(C, packed(2), align(8))] struct A;").unwrap();
        let repr = repr_of(&item.attrs);
        assert!(repr.c);
        assert_eq!(repr.packed, Some(2));
        assert_eq!(repr.align, Some(8));
        let item: syn::ItemEnum = syn::parse_str("#[repr(u8)] enum E { A }").unwrap();
        assert_eq!(repr_of(&item.attrs).int, Some(IntTy::U8));
    }
}
