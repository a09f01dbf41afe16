//! Paths in expressions and what they name: locals, functions, constructors, constants,
//! associated functions and constants (`Vec::new`, `u32::MAX`, `Default::default`); calls,
//! struct literals, field access and indexing.

use std::collections::HashMap;

use super::InferCtx;
use super::traits::substitute;
use crate::analysis::items::def_map::{DefKind, Namespace, Res, StdDef};
use crate::analysis::items::item_tree::{PathRef, expr_path_ref};
use crate::analysis::items::lower::primitive;
use crate::analysis::ty::{FnSig, IntTy, TraitRef, Ty};

/// What a value path names, with the types of its parts instantiated.
#[derive(Clone, Debug)]
pub(super) enum Callee {
    /// Something with a known signature: a function, method or constructor.
    Sig {
        params: Vec<Ty>,
        ret: Ty,
    },
    /// A value of this type (a local, const, static, unit struct or variant).
    Value(Ty),
    Unknown,
}

impl InferCtx<'_> {
    pub(super) fn check_path_expr(&mut self, path: &syn::ExprPath, expected: Option<&Ty>) -> Ty {
        match self.resolve_value(path.qself.as_ref(), &path.path, expected) {
            Callee::Value(ty) => ty,
            Callee::Sig { params, ret } => self.fn_item_ty(&path.path, params, ret),
            Callee::Unknown => Ty::Unknown(None),
        }
    }

    /// A function used as a value is a zero-sized fn item; its signature is kept for calls
    /// through it and for the `Fn` traits.
    fn fn_item_ty(&mut self, path: &syn::Path, params: Vec<Ty>, ret: Ty) -> Ty {
        let name = path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::");
        let id = self.fn_items.len();
        self.fn_items.push(super::ClosureSig { params, ret });
        Ty::FnItem(format!("{name}#{id}"))
    }

    pub(super) fn check_call(&mut self, call: &syn::ExprCall, expected: Option<&Ty>) -> Ty {
        let callee = match &*call.func {
            syn::Expr::Path(path) => {
                let callee = self.resolve_value(path.qself.as_ref(), &path.path, None);
                let key = super::expr_key(&call.func);
                if let Callee::Value(ty) = &callee {
                    self.record(key, ty);
                }
                callee
            }
            other => Callee::Value(self.check_expr(other, None)),
        };
        let callee = match callee {
            Callee::Value(ty) => match self.callable_sig(&ty) {
                Some((params, ret)) => Callee::Sig { params, ret },
                None => Callee::Unknown,
            },
            other => other,
        };
        match callee {
            Callee::Sig { params, ret } => {
                if let Some(expected) = expected {
                    let snapshot = self.table.snapshot();
                    if !self.table.unify(&ret, expected) {
                        self.table.rollback(snapshot);
                    }
                }
                self.check_args(&call.args, &params);
                ret
            }
            _ => {
                // An unknown function may take any type: what is passed to it is unknown too.
                for arg in &call.args {
                    let ty = self.check_expr(arg, Some(&Ty::Unknown(None)));
                    self.poison(&ty);
                }
                Ty::Unknown(None)
            }
        }
    }

    /// The parameters and return type of something callable: a closure, fn item or pointer.
    pub(super) fn callable_sig(&self, ty: &Ty) -> Option<(Vec<Ty>, Ty)> {
        match self.shallow(ty) {
            Ty::Closure { id, .. } => {
                let sig = self.closures.get(id as usize)?;
                Some((sig.params.clone(), sig.ret.clone()))
            }
            Ty::FnItem(name) => {
                let id: usize = name.rsplit('#').next()?.parse().ok()?;
                let sig = self.fn_items.get(id)?;
                Some((sig.params.clone(), sig.ret.clone()))
            }
            Ty::FnPtr { params, ret } => Some((params, *ret)),
            Ty::Ref { pointee, .. } => self.callable_sig(&pointee),
            Ty::Adt { name, args } if name == "Box" => self.callable_sig(args.first()?),
            Ty::Opaque(bounds) | Ty::Dyn(bounds) => {
                let fn_bound = bounds
                    .traits
                    .iter()
                    .find(|t| matches!(t.key.as_str(), "Fn" | "FnMut" | "FnOnce"))?;
                let params = match fn_bound.args.first()? {
                    Ty::Tuple(params) => params.clone(),
                    _ => return None,
                };
                let ret = fn_bound
                    .bindings
                    .iter()
                    .find(|(n, _)| n == "Output")
                    .map_or_else(Ty::unit, |(_, t)| t.clone());
                Some((params, ret))
            }
            Ty::Param(_) => {
                let fn_bound = self.predicates.iter().find(|p| {
                    p.subject == self.shallow(ty)
                        && matches!(p.bound.key.as_str(), "Fn" | "FnMut" | "FnOnce")
                })?;
                let params = match fn_bound.bound.args.first()? {
                    Ty::Tuple(params) => params.clone(),
                    _ => return None,
                };
                let ret = fn_bound
                    .bound
                    .bindings
                    .iter()
                    .find(|(n, _)| n == "Output")
                    .map_or_else(Ty::unit, |(_, t)| t.clone());
                Some((params, ret))
            }
            _ => None,
        }
    }

    /// Resolves a value path to what it names.
    pub(super) fn resolve_value(
        &mut self,
        qself: Option<&syn::QSelf>,
        path: &syn::Path,
        expected: Option<&Ty>,
    ) -> Callee {
        let path_ref = expr_path_ref(qself, path);
        if let Some(qself) = qself {
            return self.qualified_value(&path_ref, &qself.ty, qself.position, path);
        }
        if path.leading_colon.is_none()
            && path.segments.len() == 1
            && path.segments[0].arguments.is_none()
        {
            let name = crate::analysis::items::item_tree::unraw(&path.segments[0].ident);
            if let Some(ty) = self.local(&name) {
                return Callee::Value(ty);
            }
            if let Some(ty) = self.lowerer.const_param_ty(&name) {
                return Callee::Value(ty);
            }
        }
        let first = path
            .segments
            .first()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if path.leading_colon.is_none()
            && path.segments.len() >= 2
            && let Some(base) = self.type_param_or_self(&first, &path.segments[0])
        {
            return self.assoc_value(&base, &path.segments[1], None);
        }
        let resolution = self
            .lowerer
            .scope
            .resolve_path(&path_ref, Namespace::Values);
        let resolution = match resolution {
            Some(r) => r,
            None => {
                // `u32::MAX`, `str::from_utf8`: a primitive type's associated item.
                if path.segments.len() == 2
                    && let Some(ty) = primitive(&first)
                {
                    return self.assoc_value(&ty, &path.segments[1], None);
                }
                // `Vec::new` resolves its first segment in the type namespace.
                return self.type_then_assoc(path, &path_ref);
            }
        };
        if resolution.resolved == path.segments.len() {
            let args = path.segments.last().map(|s| &s.arguments);
            return self.value_of_res(&resolution.res, args, expected);
        }
        self.type_then_assoc(path, &path_ref)
    }

    /// `T` (a generic parameter) or `Self` as the first segment of a value path.
    fn type_param_or_self(&self, name: &str, segment: &syn::PathSegment) -> Option<Ty> {
        if !segment.arguments.is_none() {
            return None;
        }
        if name == "Self" {
            return self.lowerer.self_ty.clone();
        }
        self.lowerer
            .generics
            .iter()
            .any(|g| g == name)
            .then(|| Ty::Param(name.to_string()))
    }

    /// `Type::item` where the path's prefix names a type: a variant of an enum, or an associated
    /// function or constant.
    fn type_then_assoc(&mut self, path: &syn::Path, path_ref: &PathRef) -> Callee {
        let Some((last, prefix)) = path
            .segments
            .iter()
            .collect::<Vec<_>>()
            .split_last()
            .map(|(l, p)| (*l, p.to_vec()))
        else {
            return Callee::Unknown;
        };
        if prefix.is_empty() {
            return Callee::Unknown;
        }
        let prefix_ref = PathRef {
            global: path_ref.global,
            segments: path_ref.segments[..prefix.len()].to_vec(),
            qself: None,
        };
        let Some(resolution) = self
            .lowerer
            .scope
            .resolve_path(&prefix_ref, Namespace::Types)
        else {
            if prefix.len() == 1
                && let Some(ty) = primitive(&prefix[0].ident.to_string())
            {
                return self.assoc_value(&ty, last, None);
            }
            return Callee::Unknown;
        };
        if resolution.resolved != prefix.len() {
            return Callee::Unknown;
        }
        // A trait: `Default::default()`, `From::from(x)`, `Iterator::next(&mut it)`.
        if let Some(trait_key) = self.trait_key_of(&resolution.res) {
            let self_ty = self.new_var();
            return self.assoc_value(&self_ty, last, Some(&trait_key));
        }
        let written = crate::analysis::items::lower::TyLowerer::clone(&self.lowerer);
        let base = written.ty(&crate::analysis::items::item_tree::TypeRef::Path(
            prefix_ref,
        ));
        let base = self.fresh_for_omitted_args(&base, &prefix);
        if base.is_unknown() {
            return Callee::Unknown;
        }
        self.assoc_value(&base, last, None)
    }

    /// `Vec::new()` writes no arguments: they are inferred, not defaulted (except std's
    /// allocator-style defaults, which the lowerer already filled).
    fn fresh_for_omitted_args(&mut self, base: &Ty, prefix: &[&syn::PathSegment]) -> Ty {
        let written_args = prefix
            .last()
            .is_some_and(|s| matches!(s.arguments, syn::PathArguments::AngleBracketed(_)));
        let Ty::Adt { name, args } = base else {
            return base.clone();
        };
        if written_args {
            return self.fill_holes_in(base);
        }
        let Some(def) = self.world.adt(name) else {
            return base.clone();
        };
        // Parameters with defaults keep them when nothing else decides; the others are inferred.
        let fresh: Vec<Ty> = def
            .generics
            .iter()
            .enumerate()
            .map(|(index, _)| match def.defaults.get(index) {
                Some(Some(_)) if index > 0 => args.get(index).cloned().unwrap_or(Ty::Unknown(None)),
                _ => self.new_var(),
            })
            .collect();
        Ty::Adt {
            name: name.clone(),
            args: fresh,
        }
    }

    fn fill_holes_in(&mut self, ty: &Ty) -> Ty {
        match ty {
            Ty::Unknown(None) => self.new_var(),
            Ty::Adt { name, args } => Ty::Adt {
                name: name.clone(),
                args: args.iter().map(|a| self.fill_holes_in(a)).collect(),
            },
            other => other.clone(),
        }
    }

    fn trait_key_of(&self, res: &Res) -> Option<String> {
        match res {
            Res::Def(def) => {
                let data = self.world.graph.def(*def)?;
                (data.kind == DefKind::Trait).then(|| data.key.clone())
            }
            Res::Std(StdDef::Type(key)) => self.world.std.trait_data(key).map(|_| key.clone()),
            _ => None,
        }
    }

    /// `<T>::f`, `<T as Trait>::f`.
    fn qualified_value(
        &mut self,
        path_ref: &PathRef,
        qself: &syn::Type,
        position: usize,
        path: &syn::Path,
    ) -> Callee {
        let base = self.lower_annotation(qself);
        let Some(last) = path.segments.last() else {
            return Callee::Unknown;
        };
        let trait_key = if position > 0 {
            let trait_path = PathRef {
                global: path_ref.global,
                segments: path_ref.segments[..position].to_vec(),
                qself: None,
            };
            match self.lowerer.trait_ref(&trait_path) {
                Some(trait_ref) => Some(trait_ref.key),
                None => return Callee::Unknown,
            }
        } else {
            None
        };
        self.assoc_value(&base, last, trait_key.as_deref())
    }

    /// The associated function or constant `segment` of `base` (or of trait `trait_key` for
    /// `Self = base`); a variant when `base` is an enum.
    fn assoc_value(
        &mut self,
        base: &Ty,
        segment: &syn::PathSegment,
        trait_key: Option<&str>,
    ) -> Callee {
        let name = crate::analysis::items::item_tree::unraw(&segment.ident);
        let turbofish = match &segment.arguments {
            syn::PathArguments::AngleBracketed(args) => self.turbofish_args(Some(args)),
            _ => Vec::new(),
        };
        if trait_key.is_none()
            && let Some(callee) = self.variant_value(base, &name)
        {
            return callee;
        }
        if trait_key.is_none()
            && let Some(ty) = self.assoc_const(base, &name)
        {
            return Callee::Value(ty);
        }
        let pick = match trait_key {
            Some(key) => self.trait_method_pick(base, key, &name),
            None => self.assoc_fn_pick(base, &name),
        };
        let Some(pick) = pick else {
            return Callee::Unknown;
        };
        let mut given: Vec<(String, Ty)> = pick.subst.clone().into_iter().collect();
        let own: Vec<String> = pick.sig.own_type_params().map(|p| p.name.clone()).collect();
        for (param, arg) in own.iter().zip(turbofish) {
            given.push((param.clone(), arg));
        }
        let generics = pick.sig.generics.clone();
        let subst = self.fresh_substitution(&generics, &given);
        let (mut params, ret) = self.instantiate_sig(&pick.sig, &subst, pick.trait_key.as_deref());
        // Called by path, a method takes its receiver as the first argument.
        if let Some(receiver) = &pick.sig.receiver {
            let self_ty = substitute(&Ty::Param("Self".into()), &subst);
            let self_ty = if matches!(self_ty, Ty::Param(_)) {
                pick.self_ty.clone()
            } else {
                self_ty
            };
            params.insert(0, receiver_param(receiver, &self_ty, &subst));
        }
        Callee::Sig { params, ret }
    }

    /// An associated function of `base`: inherent impls first, then the traits `base` may
    /// implement (`String::from`, `Vec::from_iter`, `u8::try_from`).
    fn assoc_fn_pick(&mut self, base: &Ty, name: &str) -> Option<super::method::MethodPick> {
        if let Some(head) = base.head() {
            for imp in self.world.inherent_impls(&head) {
                let Some(method) = imp.method(name) else {
                    continue;
                };
                if !method.stable {
                    continue;
                }
                let snapshot = self.table.snapshot();
                let subst = self.fresh_substitution(&imp.generics, &[]);
                let impl_self = substitute(&imp.self_ty, &subst);
                if !self.table.unify(&impl_self, base) {
                    self.table.rollback(snapshot);
                    continue;
                }
                return Some(super::method::MethodPick {
                    sig: method.sig.clone(),
                    self_ty: base.clone(),
                    subst,
                    trait_key: None,
                });
            }
        }
        let traits = self.traits_with_fn(base, name);
        match traits.as_slice() {
            [only] => {
                let only = only.clone();
                self.trait_method_pick(base, &only, name)
            }
            _ => None,
        }
    }

    /// Traits with an associated function `name` that `base` may implement.
    fn traits_with_fn(&mut self, base: &Ty, name: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for key in self.trait_candidates_for(base) {
            let has = self
                .world
                .trait_data(&key)
                .is_some_and(|data| data.method(name).is_some_and(|m| m.stable));
            if !has {
                continue;
            }
            let args: Vec<Ty> = self
                .world
                .trait_data(&key)
                .map(|d| d.generics.iter().filter(|p| p.is_type()).count())
                .map(|n| (0..n).map(|_| self.new_var()).collect())
                .unwrap_or_default();
            if self.holds(base, &TraitRef::new(&key, args), 3) != super::traits::Holds::No
                && !keys.contains(&key)
            {
                keys.push(key);
            }
        }
        keys
    }

    /// Every trait a path's type may name a function of: for this purpose, the same traits as
    /// method calls see.
    fn trait_candidates_for(&self, base: &Ty) -> Vec<String> {
        self.candidate_traits_pub(base)
    }

    /// An associated constant: `u32::MAX`, `Self::DEAD`.
    fn assoc_const(&mut self, base: &Ty, name: &str) -> Option<Ty> {
        let head = base.head()?;
        for imp in self.world.inherent_impls(&head) {
            let Some(ty) = imp.assoc_const(name).map(|c| &c.ty) else {
                continue;
            };
            let snapshot = self.table.snapshot();
            let subst = self.fresh_substitution(&imp.generics, &[]);
            if !self.table.unify(&substitute(&imp.self_ty, &subst), base) {
                self.table.rollback(snapshot);
                continue;
            }
            let ty = substitute(ty, &subst);
            return Some(self.normalize(&ty));
        }
        None
    }

    /// `Enum::Variant` as a value or constructor.
    fn variant_value(&mut self, base: &Ty, name: &str) -> Option<Callee> {
        let Ty::Adt { name: key, .. } = base else {
            return None;
        };
        let def = self.world.adt(key)?;
        if def.kind != crate::analysis::defs::AdtKind::Enum {
            return None;
        }
        let index = def.variants.iter().position(|v| v.name == name)?;
        Some(self.ctor_callee(key, index, Some(base.clone())))
    }

    /// A struct's or variant's constructor: a function of its fields, or its value when it has
    /// none. `written` is the type as the path wrote it (with variables for what it omits).
    fn ctor_callee(&mut self, key: &str, variant: usize, written: Option<Ty>) -> Callee {
        let Some(def) = self.world.adt(key) else {
            return Callee::Unknown;
        };
        let def = def.clone();
        let adt_ty = match written {
            Some(ty) => ty,
            None => {
                let args = def.generics.iter().map(|_| self.new_var()).collect();
                Ty::adt(key, args)
            }
        };
        let subst: HashMap<String, Ty> = def
            .generics
            .iter()
            .cloned()
            .zip(adt_ty.adt_args().iter().cloned())
            .collect();
        let Some(variant_def) = def.variants.get(variant) else {
            return Callee::Unknown;
        };
        if variant_def.fields.is_empty() {
            return Callee::Value(adt_ty);
        }
        let params = variant_def
            .fields
            .iter()
            .map(|f| {
                let ty = substitute(&f.ty, &subst);
                self.normalize(&ty)
            })
            .collect();
        Callee::Sig {
            params,
            ret: adt_ty,
        }
    }

    /// What a fully resolved value path names.
    fn value_of_res(
        &mut self,
        res: &Res,
        args: Option<&syn::PathArguments>,
        expected: Option<&Ty>,
    ) -> Callee {
        let turbofish = match args {
            Some(syn::PathArguments::AngleBracketed(args)) => self.turbofish_args(Some(args)),
            _ => Vec::new(),
        };
        match res {
            Res::Def(def) => {
                let Some(data) = self.world.graph.def(*def) else {
                    return Callee::Unknown;
                };
                match data.kind {
                    DefKind::Fn => match self.world.fn_sig_of(res) {
                        Some(sig) => self.instantiate_free_fn(&sig.clone(), turbofish, None),
                        None => Callee::Unknown,
                    },
                    DefKind::Const | DefKind::Static => match self.world.value_ty(res) {
                        Some(ty) => Callee::Value(ty),
                        None => Callee::Unknown,
                    },
                    DefKind::Adt => {
                        let key = data.key.clone();
                        let written = (!turbofish.is_empty()).then(|| {
                            let def = self.world.adt(&key);
                            Ty::adt(
                                &key,
                                def.map_or(turbofish.clone(), |d| d.full_args(&turbofish)),
                            )
                        });
                        self.ctor_callee(&key, 0, written)
                    }
                    _ => Callee::Unknown,
                }
            }
            Res::Variant(def, index) => {
                let Some(data) = self.world.graph.def(*def) else {
                    return Callee::Unknown;
                };
                let key = data.key.clone();
                let written = expected.and_then(|e| match self.shallow(e) {
                    ty @ Ty::Adt { .. } if ty.is_adt(&key) => Some(ty),
                    _ => None,
                });
                self.ctor_callee(&key, *index, written)
            }
            Res::Std(StdDef::Fn(key)) => match self.world.std.fn_sig(key) {
                Some(sig) => self.instantiate_free_fn(&sig.clone(), turbofish, None),
                None => Callee::Unknown,
            },
            Res::Std(StdDef::Const(_) | StdDef::Static(_)) => match self.world.value_ty(res) {
                Some(ty) => Callee::Value(ty),
                None => Callee::Unknown,
            },
            Res::Std(StdDef::Variant { adt, index }) => {
                let adt = adt.clone();
                let written = expected.and_then(|e| match self.shallow(e) {
                    ty @ Ty::Adt { .. } if ty.is_adt(&adt) => Some(ty),
                    _ => None,
                });
                self.ctor_callee(&adt, *index, written)
            }
            Res::Std(StdDef::Type(key)) => {
                // A unit or tuple struct of std used as a value (`PhantomData`).
                if self.world.std.adt(key).is_some() {
                    let key = key.clone();
                    self.ctor_callee(&key, 0, None)
                } else {
                    Callee::Unknown
                }
            }
            _ => Callee::Unknown,
        }
    }

    fn instantiate_free_fn(
        &mut self,
        sig: &FnSig,
        turbofish: Vec<Ty>,
        trait_key: Option<&str>,
    ) -> Callee {
        let own: Vec<String> = sig.own_type_params().map(|p| p.name.clone()).collect();
        let given: Vec<(String, Ty)> = own.into_iter().zip(turbofish).collect();
        let subst = self.fresh_substitution(&sig.generics, &given);
        let (params, ret) = self.instantiate_sig(sig, &subst, trait_key);
        Callee::Sig { params, ret }
    }

    /// The fields of the struct or variant `path` names, instantiated against the matched type.
    pub(super) fn variant_fields(
        &mut self,
        path: &PathRef,
        matched: &Ty,
    ) -> Option<Vec<(String, Ty)>> {
        let (key, index) = self.resolve_struct_path(path)?;
        let def = self.world.adt(&key)?.clone();
        let args: Vec<Ty> = match self.shallow(matched) {
            Ty::Adt { name, args } if name == key => args,
            _ => {
                let args: Vec<Ty> = def.generics.iter().map(|_| self.new_var()).collect();
                self.unify(matched, &Ty::adt(&key, args.clone()));
                args
            }
        };
        let subst: HashMap<String, Ty> = def.generics.iter().cloned().zip(args).collect();
        let variant = def.variants.get(index)?;
        Some(
            variant
                .fields
                .iter()
                .map(|f| {
                    let ty = substitute(&f.ty, &subst);
                    (f.name.clone(), self.normalize(&ty))
                })
                .collect(),
        )
    }

    /// The ADT key and variant index a struct-like path names (`Point`, `Shape::Circle`,
    /// `Self`, `Some`).
    fn resolve_struct_path(&mut self, path: &PathRef) -> Option<(String, usize)> {
        if path.as_name() == Some("Self")
            && let Some(Ty::Adt { name, .. }) = &self.lowerer.self_ty
        {
            return Some((name.clone(), 0));
        }
        if path.segments.len() == 2
            && path.segments[0].name == "Self"
            && let Some(Ty::Adt { name, .. }) = &self.lowerer.self_ty
        {
            let def = self.world.adt(name)?;
            let index = def
                .variants
                .iter()
                .position(|v| v.name == path.segments[1].name)?;
            return Some((name.clone(), index));
        }
        let resolution = self
            .lowerer
            .scope
            .resolve_path(path, Namespace::Types)
            .filter(|r| r.resolved == path.segments.len())
            .or_else(|| self.lowerer.scope.resolve_path(path, Namespace::Values))?;
        match resolution.res {
            Res::Def(def) if resolution.resolved == path.segments.len() => {
                let data = self.world.graph.def(def)?;
                match data.kind {
                    DefKind::Adt => Some((data.key.clone(), 0)),
                    DefKind::Alias => {
                        match self
                            .lowerer
                            .ty(&crate::analysis::items::item_tree::TypeRef::Path(
                                path.clone(),
                            )) {
                            Ty::Adt { name, .. } => Some((name, 0)),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            Res::Variant(def, index) => Some((self.world.graph.def(def)?.key.clone(), index)),
            Res::Std(StdDef::Variant { adt, index }) => Some((adt, index)),
            Res::Std(StdDef::Type(key)) if resolution.resolved == path.segments.len() => {
                Some((key, 0))
            }
            ref res @ (Res::Def(_) | Res::Std(_))
                if resolution.resolved + 1 == path.segments.len() =>
            {
                // `Enum::Variant` through an alias or a std enum.
                let base = match res {
                    Res::Def(def) => self.world.graph.def(*def)?.key.clone(),
                    Res::Std(StdDef::Type(key)) => key.clone(),
                    _ => return None,
                };
                let adt = self.world.adt(&base)?;
                let index = adt
                    .variants
                    .iter()
                    .position(|v| v.name == path.last_name())?;
                Some((base, index))
            }
            _ => None,
        }
    }

    pub(super) fn check_struct_literal(
        &mut self,
        literal: &syn::ExprStruct,
        expected: Option<&Ty>,
    ) -> Ty {
        let path = expr_path_ref(literal.qself.as_ref(), &literal.path);
        let Some((key, _)) = self.resolve_struct_path(&path) else {
            for field in &literal.fields {
                self.check_expr(&field.expr, None);
            }
            if let Some(rest) = &literal.rest {
                self.check_expr(rest, None);
            }
            return Ty::Unknown(None);
        };
        let def_generics = self.world.adt(&key).map(|d| d.generics.len()).unwrap_or(0);
        let ty = match (
            &self.lowerer.self_ty,
            path.segments.first().map(|s| s.name.as_str()),
        ) {
            // `Self { .. }` is the impl's type, arguments included (`impl Wrap<u32>`).
            (Some(self_ty @ Ty::Adt { name, .. }), Some("Self")) if *name == key => self_ty.clone(),
            _ => {
                let args: Vec<Ty> = (0..def_generics).map(|_| self.new_var()).collect();
                Ty::adt(&key, args)
            }
        };
        if let Some(expected) = expected {
            let snapshot = self.table.snapshot();
            if !self.table.unify(&ty, expected) {
                self.table.rollback(snapshot);
            }
        }
        let fields = self.variant_fields(&path, &ty).unwrap_or_default();
        for field in &literal.fields {
            let name = match &field.member {
                syn::Member::Named(ident) => crate::analysis::items::item_tree::unraw(ident),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            match fields.iter().find(|(n, _)| *n == name) {
                Some((_, field_ty)) => {
                    let field_ty = field_ty.clone();
                    self.check_coerce(&field.expr, &field_ty);
                }
                None => {
                    self.check_expr(&field.expr, None);
                }
            }
        }
        if let Some(rest) = &literal.rest {
            self.check_coerce(rest, &ty);
        }
        ty
    }

    pub(super) fn check_field(&mut self, field: &syn::ExprField) -> Ty {
        let base = self.check_expr(&field.base, None);
        let name = match &field.member {
            syn::Member::Named(ident) => crate::analysis::items::item_tree::unraw(ident),
            syn::Member::Unnamed(index) => index.index.to_string(),
        };
        for step in self.autoderef_steps(&base) {
            if let Some(ty) = self.field_of(&step, &name) {
                return ty;
            }
        }
        Ty::Unknown(None)
    }

    /// The type of field `name` of a value of type `ty` (no dereferencing).
    fn field_of(&mut self, ty: &Ty, name: &str) -> Option<Ty> {
        match self.resolve(ty) {
            Ty::Tuple(items) => items.get(name.parse::<usize>().ok()?).cloned(),
            Ty::Adt { name: key, args } => {
                let def = self.world.adt(&key)?;
                if def.kind == crate::analysis::defs::AdtKind::Enum {
                    return None;
                }
                let field = def
                    .variants
                    .first()?
                    .fields
                    .iter()
                    .find(|f| f.name == name)?;
                let subst: HashMap<String, Ty> = def.generics.iter().cloned().zip(args).collect();
                let ty = substitute(&field.ty, &subst);
                Some(self.normalize(&ty))
            }
            _ => None,
        }
    }

    pub(super) fn check_index(&mut self, index: &syn::ExprIndex) -> Ty {
        let base = self.check_expr(&index.expr, None);
        let index_ty = self.check_expr(&index.index, None);
        for step in self.autoderef_steps(&base) {
            // Arrays and slices index by `usize` builtin (ranges go through `Index`).
            if let Ty::Array(element, _) | Ty::Slice(element) = &step
                && matches!(
                    self.shallow(&index_ty),
                    Ty::Int(IntTy::Usize)
                        | Ty::Infer(crate::analysis::ty::InferVar {
                            kind: crate::analysis::ty::VarKind::Int,
                            ..
                        })
                )
            {
                self.unify(&index_ty, &Ty::Int(IntTy::Usize));
                return (**element).clone();
            }
            let trait_ref = TraitRef::new("Index", vec![index_ty.clone()]);
            if self.holds(&step, &trait_ref, 3) != super::traits::Holds::No {
                let output = self.project(&step, trait_ref.clone(), "Output");
                self.add_predicate(step.clone(), trait_ref);
                self.select_obligations_quietly();
                return output;
            }
        }
        Ty::Unknown(None)
    }
}

/// The type of a method's receiver argument when it is called by path (`Vec::len(&v)`).
fn receiver_param(
    receiver: &crate::analysis::ty::Receiver,
    self_ty: &Ty,
    subst: &HashMap<String, Ty>,
) -> Ty {
    use crate::analysis::ty::Receiver;
    match receiver {
        Receiver::Value => self_ty.clone(),
        Receiver::Ref => Ty::shared_ref(self_ty.clone()),
        Receiver::RefMut => Ty::Ref {
            mutable: true,
            pointee: Box::new(self_ty.clone()),
        },
        Receiver::Typed(ty) => {
            let mut subst = subst.clone();
            subst.insert("Self".into(), self_ty.clone());
            substitute(ty, &subst)
        }
    }
}
