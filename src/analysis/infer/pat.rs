//! Patterns: every binding they introduce gets its type from the matched value, with Rust's
//! default binding modes (matching a reference with a non-reference pattern binds by reference).

use super::InferCtx;
use crate::analysis::items::def_map::{Namespace, Res, StdDef};
use crate::analysis::items::item_tree::{expr_path_ref, path_ref};
use crate::analysis::ty::Ty;

/// How a binding in a pattern takes its part of the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingMode {
    Move,
    Ref {
        mutable: bool,
    },
    /// The matched value's type is unknown, so it may be a reference, and whether a binding
    /// takes its part by value or by reference is unknown too (`Some(Prefix(p))` against an
    /// unknown `Option<&Component>` binds `p: &PrefixComponent`, not `PrefixComponent`).
    Unknown,
}

impl InferCtx<'_> {
    /// Checks `pat` against a value of type `expected`, binding its names.
    pub(super) fn check_pat(&mut self, pat: &syn::Pat, expected: &Ty, mode: BindingMode) {
        if !self.enter() {
            return;
        }
        self.check_pat_kind(pat, expected, mode);
        self.leave();
    }

    fn check_pat_kind(&mut self, pat: &syn::Pat, expected: &Ty, mode: BindingMode) {
        use syn::Pat;
        match pat {
            Pat::Ident(ident) => self.check_ident_pat(ident, expected, mode),
            Pat::Type(typed) => {
                let ty = self.lower_annotation(&typed.ty);
                self.coerce_pattern(expected, &ty);
                self.check_pat(&typed.pat, &ty, mode);
            }
            Pat::Paren(inner) => self.check_pat(&inner.pat, expected, mode),
            Pat::Reference(reference) => {
                let pointee = match self.shallow(expected) {
                    Ty::Ref { pointee, .. } => *pointee,
                    Ty::Infer(_) => {
                        let pointee = self.new_var();
                        let made = Ty::Ref {
                            mutable: reference.mutability.is_some(),
                            pointee: Box::new(pointee.clone()),
                        };
                        self.unify(expected, &made);
                        pointee
                    }
                    _ => Ty::Unknown(None),
                };
                self.check_pat(&reference.pat, &pointee, BindingMode::Move);
            }
            Pat::Tuple(tuple) => {
                let (inner, mode) = self.peel_refs(expected, mode);
                let parts = self.tuple_parts(&inner, tuple.elems.len(), has_rest(&tuple.elems));
                self.check_sequence(&tuple.elems, &parts, mode);
            }
            Pat::Slice(slice) => {
                let (inner, mode) = self.peel_refs(expected, mode);
                let element = match self.resolve(&inner) {
                    Ty::Array(element, _) | Ty::Slice(element) => *element,
                    _ => Ty::Unknown(None),
                };
                for elem in &slice.elems {
                    if let Pat::Rest(_) = elem {
                        continue;
                    }
                    // `[first, rest @ ..]`: the rest is a slice (or array) of elements.
                    if let Pat::Ident(ident) = elem
                        && let Some((_, sub)) = &ident.subpat
                        && matches!(**sub, Pat::Rest(_))
                    {
                        let rest = Ty::Slice(Box::new(element.clone()));
                        self.bind_with_mode(&ident.ident, rest, mode, ident.by_ref.is_some());
                        continue;
                    }
                    self.check_pat(elem, &element, mode);
                }
            }
            Pat::TupleStruct(tuple_struct) => {
                let (inner, mode) = self.peel_refs(expected, mode);
                let path = expr_path_ref(tuple_struct.qself.as_ref(), &tuple_struct.path);
                let fields = self.variant_fields(&path, &inner);
                let parts: Vec<Ty> = match fields {
                    Some(fields) => fields.into_iter().map(|(_, ty)| ty).collect(),
                    None => vec![Ty::Unknown(None); tuple_struct.elems.len()],
                };
                self.check_sequence(&tuple_struct.elems, &parts, mode);
            }
            Pat::Struct(pat_struct) => {
                let (inner, mode) = self.peel_refs(expected, mode);
                let path = expr_path_ref(pat_struct.qself.as_ref(), &pat_struct.path);
                let fields = self.variant_fields(&path, &inner).unwrap_or_default();
                for field in &pat_struct.fields {
                    let name = match &field.member {
                        syn::Member::Named(ident) => {
                            crate::analysis::items::item_tree::unraw(ident)
                        }
                        syn::Member::Unnamed(index) => index.index.to_string(),
                    };
                    let ty = fields
                        .iter()
                        .find(|(field_name, _)| *field_name == name)
                        .map_or(Ty::Unknown(None), |(_, ty)| ty.clone());
                    self.check_pat(&field.pat, &ty, mode);
                }
            }
            Pat::Or(or) => {
                for case in &or.cases {
                    // Each alternative binds the same names; the last binding wins in scope.
                    self.check_pat(case, expected, mode);
                }
            }
            Pat::Lit(lit) => {
                let (inner, _) = self.peel_refs(expected, mode);
                let ty = self.check_expr(&syn::Expr::Lit(lit.clone()), Some(&inner));
                self.unify_pattern_value(&inner, &ty);
            }
            Pat::Range(range) => {
                let (inner, _) = self.peel_refs(expected, mode);
                for end in [&range.start, &range.end].into_iter().flatten() {
                    let ty = self.check_expr(end, Some(&inner));
                    self.unify_pattern_value(&inner, &ty);
                }
            }
            Pat::Path(path) => {
                let (inner, _) = self.peel_refs(expected, mode);
                let ty = self.check_expr(&syn::Expr::Path(path.clone()), Some(&inner));
                self.unify_pattern_value(&inner, &ty);
            }
            Pat::Const(block) => {
                self.check_block(&block.block, None);
            }
            Pat::Wild(_) | Pat::Rest(_) | Pat::Verbatim(_) | Pat::Macro(_) => {}
            _ => {}
        }
    }

    /// A literal or constant in a pattern has the matched value's type.
    fn unify_pattern_value(&mut self, matched: &Ty, value: &Ty) {
        let value = self.shallow(value);
        // `"text"` against `&str`/`String` patterns: a string literal pattern matches a `str`.
        if matches!(value, Ty::Ref { .. }) && !matches!(self.shallow(matched), Ty::Ref { .. }) {
            return;
        }
        self.unify(matched, &value);
    }

    /// A written pattern type against the matched value: a coercion is not allowed, the types
    /// are the same.
    fn coerce_pattern(&mut self, matched: &Ty, written: &Ty) {
        self.unify(matched, written);
    }

    fn check_ident_pat(&mut self, ident: &syn::PatIdent, expected: &Ty, mode: BindingMode) {
        if let Some((_, sub)) = &ident.subpat {
            self.check_pat(sub, expected, mode);
        }
        // `None`, `Less`, a unit struct or a const: a path, not a new binding.
        if ident.subpat.is_none() && ident.by_ref.is_none() && ident.mutability.is_none() {
            let path = path_ref(&syn::Path::from(ident.ident.clone()));
            let named = self
                .lowerer
                .scope
                .resolve_path(&path, Namespace::Values)
                .map(|r| r.res);
            if let Some(res) = named
                && self.is_constant_pattern(&res)
            {
                let (inner, _) = self.peel_refs(expected, mode);
                let expr = syn::Expr::Path(syn::ExprPath {
                    attrs: Vec::new(),
                    qself: None,
                    path: syn::Path::from(ident.ident.clone()),
                });
                let ty = self.check_expr(&expr, Some(&inner));
                self.unify_pattern_value(&inner, &ty);
                return;
            }
        }
        let ty = match (&ident.by_ref, &ident.mutability) {
            (Some(_), mutability) => Ty::Ref {
                mutable: mutability.is_some(),
                pointee: Box::new(expected.clone()),
            },
            // `mut x` binds by value even where the default mode is by reference (2021).
            (None, Some(_)) => expected.clone(),
            (None, None) => {
                return self.bind_with_mode(&ident.ident, expected.clone(), mode, false);
            }
        };
        self.bind_local(&ident.ident, ty);
    }

    /// Binds `ident` to a part of type `part`, by reference under a reference binding mode or
    /// when written `ref`.
    fn bind_with_mode(
        &mut self,
        ident: &syn::Ident,
        part: Ty,
        mode: BindingMode,
        written_ref: bool,
    ) {
        let ty = match (mode, written_ref) {
            (BindingMode::Unknown, _) => Ty::Unknown(None),
            (BindingMode::Ref { mutable }, _) => Ty::Ref {
                mutable,
                pointee: Box::new(part),
            },
            (BindingMode::Move, true) => Ty::shared_ref(part),
            (BindingMode::Move, false) => part,
        };
        self.bind_local(ident, ty);
    }

    /// Names that are unit structs, unit variants or constants match a value.
    fn is_constant_pattern(&self, res: &Res) -> bool {
        match res {
            Res::Def(def) => {
                let Some(data) = self.world.graph.def(*def) else {
                    return false;
                };
                use crate::analysis::items::def_map::DefKind;
                matches!(data.kind, DefKind::Const | DefKind::Static | DefKind::Adt)
            }
            Res::Variant(..) => true,
            Res::Std(StdDef::Variant { .. } | StdDef::Const(_) | StdDef::Type(_)) => true,
            _ => false,
        }
    }

    /// Match ergonomics: peels references off the matched type, switching to by-reference
    /// binding (`&mut` stays mutable only while every reference peeled is `&mut`).
    fn peel_refs(&mut self, expected: &Ty, mode: BindingMode) -> (Ty, BindingMode) {
        let mut current = self.shallow(expected);
        let mut mode = mode;
        for _ in 0..32 {
            let Ty::Ref { mutable, pointee } = current else {
                break;
            };
            mode = match mode {
                BindingMode::Move => BindingMode::Ref { mutable },
                BindingMode::Ref { mutable: outer } => BindingMode::Ref {
                    mutable: outer && mutable,
                },
                BindingMode::Unknown => BindingMode::Unknown,
            };
            current = self.shallow(&pointee);
        }
        if current.is_unknown() {
            mode = BindingMode::Unknown;
        }
        (current, mode)
    }

    fn tuple_parts(&mut self, ty: &Ty, count: usize, rest: bool) -> Vec<Ty> {
        match self.shallow(ty) {
            Ty::Tuple(parts) if rest || parts.len() == count => parts,
            Ty::Infer(_) if !rest => {
                let parts: Vec<Ty> = (0..count).map(|_| self.new_var()).collect();
                self.unify(ty, &Ty::Tuple(parts.clone()));
                parts
            }
            _ => vec![Ty::Unknown(None); count],
        }
    }

    /// Checks a sequence of sub-patterns, one of which may be `..`, against the parts.
    fn check_sequence(
        &mut self,
        pats: &syn::punctuated::Punctuated<syn::Pat, syn::Token![,]>,
        parts: &[Ty],
        mode: BindingMode,
    ) {
        let rest = pats.iter().position(|p| matches!(p, syn::Pat::Rest(_)));
        let after = rest.map_or(0, |at| pats.len() - at - 1);
        for (index, pat) in pats.iter().enumerate() {
            if matches!(pat, syn::Pat::Rest(_)) {
                continue;
            }
            let part_index = match rest {
                Some(at) if index > at => parts.len().saturating_sub(after) + (index - at - 1),
                _ => index,
            };
            let part = parts.get(part_index).cloned().unwrap_or(Ty::Unknown(None));
            self.check_pat(pat, &part, mode);
        }
    }
}

fn has_rest(pats: &syn::punctuated::Punctuated<syn::Pat, syn::Token![,]>) -> bool {
    pats.iter().any(|p| matches!(p, syn::Pat::Rest(_)))
}
