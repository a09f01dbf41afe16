//! Lowering of syn's syntax (types, type definitions, constant expressions) into memlens's plain data.

use std::collections::HashMap;

use quote::ToTokens;

use super::defs::{AdtDef, AdtKind, AliasDef, DefSpan, FieldDef, Repr, VariantDef};
use super::paths::Imports;
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

    /// Evaluates an integer constant expression: literals, named consts, `+ - * / << % ( )`.
    pub fn const_u64(&self, expr: &syn::Expr) -> Option<u64> {
        self.const_i128(expr)
            .and_then(|value| u64::try_from(value).ok())
    }

    pub fn const_i128(&self, expr: &syn::Expr) -> Option<i128> {
        match expr {
            syn::Expr::Lit(lit) => match &lit.lit {
                syn::Lit::Int(int) => int.base10_parse::<i128>().ok(),
                syn::Lit::Byte(byte) => Some(i128::from(byte.value())),
                _ => None,
            },
            syn::Expr::Path(path) => {
                let name = path.path.segments.last()?.ident.to_string();
                self.consts.get(&name).map(|value| i128::from(*value))
            }
            syn::Expr::Paren(inner) => self.const_i128(&inner.expr),
            syn::Expr::Group(inner) => self.const_i128(&inner.expr),
            syn::Expr::Block(block) if block.block.stmts.len() == 1 => {
                match &block.block.stmts[0] {
                    syn::Stmt::Expr(inner, None) => self.const_i128(inner),
                    _ => None,
                }
            }
            syn::Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => {
                self.const_i128(&unary.expr).map(|value| -value)
            }
            syn::Expr::Cast(cast) => self.const_i128(&cast.expr),
            syn::Expr::Binary(binary) => {
                let left = self.const_i128(&binary.left)?;
                let right = self.const_i128(&binary.right)?;
                match binary.op {
                    syn::BinOp::Add(_) => left.checked_add(right),
                    syn::BinOp::Sub(_) => left.checked_sub(right),
                    syn::BinOp::Mul(_) => left.checked_mul(right),
                    syn::BinOp::Div(_) => left.checked_div(right),
                    syn::BinOp::Rem(_) => left.checked_rem(right),
                    syn::BinOp::Shl(_) => {
                        u32::try_from(right).ok().and_then(|s| left.checked_shl(s))
                    }
                    syn::BinOp::Shr(_) => {
                        u32::try_from(right).ok().and_then(|s| left.checked_shr(s))
                    }
                    syn::BinOp::BitOr(_) => Some(left | right),
                    syn::BinOp::BitAnd(_) => Some(left & right),
                    _ => None,
                }
            }
            _ => None,
        }
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
    let mut repr = Repr::default();
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
                "packed" => repr.packed = Some(argument.unwrap_or(1)),
                "align" => repr.align = argument,
                other => repr.int = IntTy::from_name(other).or(repr.int),
            }
            Ok(())
        });
    }
    repr
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
                    .and_then(|(_, expr)| ctx.const_i128(expr)),
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
        repr: repr_of(attrs),
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
