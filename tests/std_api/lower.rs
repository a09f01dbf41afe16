//! Lowering syn's types, bounds, generics and signatures into the vocabulary, with paths
//! resolved to keys: std's public types by key, private aliases expanded, private types by their
//! defining path inside a type's fields and unknown (with their text) elsewhere, `Self` as the impl's type or the trait's `Self`, `T::Item` projected on
//! the bound of `T` that declares `Item`.

use std::cell::RefCell;
use std::collections::HashMap;

use memlens::analysis::std_api::format::primitive;
use memlens::analysis::ty::{
    Bounds, FnSig, GenericKind, GenericParam, Predicate, Projection, Receiver, TraitRef, Ty,
};
use quote::ToTokens;

use super::cfg::Cfg;
use super::keys::Keys;
use super::model::{ItemId, ItemKind, ModId};
use super::resolve::{Def, Ns, Resolver};

/// Deepest type nesting and alias expansion followed.
const MAX_DEPTH: usize = 48;

/// What `Self` means where a type is written.
#[derive(Clone, Debug)]
pub enum SelfKind {
    None,
    Trait {
        item: ItemId,
        trait_ref: TraitRef,
    },
    Impl {
        ty: Ty,
        trait_item: Option<ItemId>,
        trait_ref: Option<TraitRef>,
        assoc: Vec<(String, Ty)>,
    },
}

/// A trait bound on a type parameter, for `T::Name`.
#[derive(Clone, Debug)]
pub struct ParamBound {
    pub param: String,
    pub item: ItemId,
    pub trait_ref: TraitRef,
}

/// Where a type is written: the module, generic parameters and `Self` in scope.
#[derive(Clone, Debug)]
pub struct Cx {
    pub module: ModId,
    pub params: Vec<String>,
    pub consts: Vec<String>,
    pub self_kind: SelfKind,
    pub bounds: Vec<ParamBound>,
    pub depth: usize,
    /// Lowering a struct's, enum's or union's fields, where private types are named (they
    /// decide the layout) and noted for the emitter.
    pub in_fields: bool,
    /// A path that names a different definition per target is noted as alternatives (for
    /// fields and alias bodies, which the emitter writes once per alternative).
    pub split_alternatives: bool,
}

impl Cx {
    pub fn new(module: ModId) -> Cx {
        Cx {
            module,
            params: Vec::new(),
            consts: Vec::new(),
            self_kind: SelfKind::None,
            bounds: Vec::new(),
            depth: 0,
            in_fields: false,
            split_alternatives: false,
        }
    }
}

/// Generics lowered: parameters, `?Sized` ones, predicates.
#[derive(Clone, Debug, Default)]
pub struct LoweredGenerics {
    pub params: Vec<GenericParam>,
    pub unsized_params: Vec<String>,
    pub predicates: Vec<Predicate>,
}

/// Traits whose bound only relaxes `Sized` (the sizedness hierarchy): like `?Sized`.
const SIZEDNESS_TRAITS: [&str; 2] = ["PointeeSized", "MetaSized"];

/// A path written in a field or alias body (its module and text) and the per-target
/// definitions it names, with cfgs.
pub type PathAlternatives = (String, Vec<(Def, Cfg)>);

pub struct Lowerer<'r> {
    pub resolver: &'r Resolver<'r>,
    pub keys: &'r Keys,
    /// Per trait: its associated types' names.
    assoc_names: HashMap<ItemId, Vec<String>>,
    /// Private types named in fields so far, for the emitter to write too.
    pub referenced: RefCell<Vec<ItemId>>,
    /// Paths that name a different definition per target and have no choice yet, with the
    /// definitions and their cfgs, since the emitter last cleared it.
    pub alternatives: RefCell<Vec<PathAlternatives>>,
    /// The alternatives to take: per path (as noted), the index among its definitions.
    pub choices: RefCell<Vec<(String, usize)>>,
}

/// Token text without the spaces a token stream puts between punctuation.
pub fn compact_text(tokens: &impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = index.checked_sub(1).map(|i| chars[i]);
            let after = chars.get(index + 1).copied();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if !(word(before) && word(after)) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

impl<'r> Lowerer<'r> {
    pub fn new(resolver: &'r Resolver<'r>, keys: &'r Keys) -> Lowerer<'r> {
        let mut assoc_names = HashMap::new();
        for (id, item) in resolver.model.items.iter().enumerate() {
            if let ItemKind::Trait(t) = &item.kind {
                let names = t
                    .items
                    .iter()
                    .filter_map(|i| match i {
                        syn::TraitItem::Type(ty) => Some(ty.ident.to_string()),
                        _ => None,
                    })
                    .collect();
                assoc_names.insert(id, names);
            }
        }
        Lowerer {
            resolver,
            keys,
            assoc_names,
            referenced: RefCell::new(Vec::new()),
            alternatives: RefCell::new(Vec::new()),
            choices: RefCell::new(Vec::new()),
        }
    }

    fn resolve_type_path(&self, cx: &Cx, path: &syn::Path) -> Option<Def> {
        let segments = path_segments(path);
        let global = path.leading_colon.is_some();
        let found = self
            .resolver
            .resolve(cx.module, &segments, global, Ns::Type);
        if cx.split_alternatives && distinct_defs(&found) > 1 {
            let noted = format!("{}:{}", cx.module, compact_text(path));
            return Some(self.choose_alternative(noted, &found));
        }
        // Alternatives for different targets share one key; the first stands for them.
        found.first().map(|(def, _)| *def)
    }

    /// One of the per-target definitions a path names (`fs_imp::File` is `unix::File` or
    /// `windows::File`): the one the emitter chose, else the first, noting the path so that
    /// the emitter lowers the type once per alternative.
    fn choose_alternative(&self, noted: String, found: &[(Def, Cfg)]) -> Def {
        let chosen = self
            .choices
            .borrow()
            .iter()
            .find(|(path, _)| *path == noted)
            .and_then(|(_, index)| found.get(*index));
        if let Some((def, _)) = chosen {
            return *def;
        }
        let mut alternatives = self.alternatives.borrow_mut();
        if !alternatives.iter().any(|(path, _)| *path == noted) {
            alternatives.push((noted, found.to_vec()));
        }
        found[0].0
    }

    pub fn ty(&self, cx: &Cx, ty: &syn::Type) -> Ty {
        if cx.depth > MAX_DEPTH {
            return Ty::Unknown(Some(compact_text(ty)));
        }
        let mut inner = cx.clone();
        inner.depth += 1;
        self.ty_inner(&inner, ty)
    }

    fn ty_inner(&self, cx: &Cx, ty: &syn::Type) -> Ty {
        match ty {
            syn::Type::Path(p) => self.path_ty(cx, p),
            syn::Type::Reference(r) => Ty::Ref {
                mutable: r.mutability.is_some(),
                pointee: Box::new(self.ty(cx, &r.elem)),
            },
            syn::Type::Ptr(p) => Ty::Ptr {
                mutable: p.mutability.is_some(),
                pointee: Box::new(self.ty(cx, &p.elem)),
            },
            syn::Type::Slice(s) => Ty::Slice(Box::new(self.ty(cx, &s.elem))),
            syn::Type::Array(a) => {
                Ty::Array(Box::new(self.ty(cx, &a.elem)), self.array_len(cx, &a.len))
            }
            syn::Type::Tuple(t) => Ty::Tuple(t.elems.iter().map(|e| self.ty(cx, e)).collect()),
            syn::Type::Never(_) => Ty::Never,
            syn::Type::Paren(p) => self.ty(cx, &p.elem),
            syn::Type::Group(g) => self.ty(cx, &g.elem),
            syn::Type::BareFn(f) => Ty::FnPtr {
                params: f.inputs.iter().map(|a| self.ty(cx, &a.ty)).collect(),
                ret: Box::new(self.ret(cx, &f.output)),
            },
            syn::Type::TraitObject(t) => Ty::Dyn(self.bounds(cx, &t.bounds)),
            syn::Type::ImplTrait(t) => Ty::Opaque(self.bounds(cx, &t.bounds)),
            other => Ty::Unknown(Some(compact_text(other))),
        }
    }

    pub fn ret(&self, cx: &Cx, ret: &syn::ReturnType) -> Ty {
        match ret {
            syn::ReturnType::Default => Ty::unit(),
            syn::ReturnType::Type(_, ty) => self.ty(cx, ty),
        }
    }

    fn bounds(
        &self,
        cx: &Cx,
        bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>,
    ) -> Bounds {
        let traits: Vec<TraitRef> = bounds
            .iter()
            .filter_map(|b| match b {
                syn::TypeParamBound::Trait(t)
                    if matches!(t.modifier, syn::TraitBoundModifier::None) =>
                {
                    self.trait_ref(cx, &t.path).map(|(r, _)| r)
                }
                _ => None,
            })
            .collect();
        let text = traits
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" + ");
        Bounds { traits, text }
    }

    fn path_ty(&self, cx: &Cx, p: &syn::TypePath) -> Ty {
        if let Some(qself) = &p.qself {
            return self.qualified(cx, &qself.ty, qself.position, &p.path);
        }
        let segments = path_segments(&p.path);
        let first = segments.first().map(String::as_str).unwrap_or("");
        if segments.len() == 1 && cx.params.iter().any(|param| param == first) {
            return Ty::Param(first.to_string());
        }
        if first == "Self" {
            return self.self_path(cx, &segments);
        }
        if segments.len() == 2 && cx.params.iter().any(|param| param == first) {
            return self.project_param(cx, Ty::Param(first.to_string()), first, &segments[1]);
        }
        let resolved = self.resolve_type_path(cx, &p.path);
        // A lone primitive name means the primitive even where a module of that name is in
        // scope (`use crate::str;`), as in rustc.
        if segments.len() == 1
            && matches!(resolved, None | Some(Def::Module(_)))
            && let Some(prim) = primitive(first)
        {
            return prim;
        }
        match resolved {
            Some(def) => self.def_ty(cx, def, &p.path),
            None => Ty::Unknown(Some(compact_text(p))),
        }
    }

    /// `Self`, `Self::Name`.
    fn self_path(&self, cx: &Cx, segments: &[String]) -> Ty {
        let base = match &cx.self_kind {
            SelfKind::Impl { ty, .. } => ty.clone(),
            _ => Ty::Param("Self".into()),
        };
        match segments {
            [_] => base,
            [_, name] => self.project_self(cx, name),
            _ => Ty::Unknown(Some(segments.join("::"))),
        }
    }

    fn project_self(&self, cx: &Cx, name: &str) -> Ty {
        match &cx.self_kind {
            SelfKind::Impl {
                ty,
                trait_item,
                trait_ref,
                assoc,
            } => {
                if let Some((_, value)) = assoc.iter().find(|(n, _)| n == name) {
                    return value.clone();
                }
                let via = match (trait_item, trait_ref) {
                    (Some(item), Some(r)) => self.trait_declaring(*item, r, name, 0),
                    _ => None,
                };
                projection(ty.clone(), via, name)
            }
            SelfKind::Trait { item, trait_ref } => {
                let via = self.trait_declaring(*item, trait_ref, name, 0);
                let via = via.or_else(|| self.bound_declaring(cx, "Self", name));
                projection(Ty::Param("Self".into()), via, name)
            }
            SelfKind::None => Ty::Unknown(Some(format!("Self::{name}"))),
        }
    }

    /// `T::Name`: projected on the bound of `T` whose trait (or supertrait) declares `Name`.
    fn project_param(&self, cx: &Cx, base: Ty, param: &str, name: &str) -> Ty {
        projection(base, self.bound_declaring(cx, param, name), name)
    }

    fn bound_declaring(&self, cx: &Cx, param: &str, name: &str) -> Option<TraitRef> {
        cx.bounds
            .iter()
            .filter(|b| b.param == param)
            .find_map(|b| self.trait_declaring(b.item, &b.trait_ref, name, 0))
    }

    /// The trait, `item` or one of its supertraits, that declares associated type `name`, with
    /// its arguments as `trait_ref` instantiates them.
    fn trait_declaring(
        &self,
        item: ItemId,
        trait_ref: &TraitRef,
        name: &str,
        depth: usize,
    ) -> Option<TraitRef> {
        if depth > 8 {
            return None;
        }
        if self.assoc_names.get(&item)?.iter().any(|n| n == name) {
            return Some(TraitRef::new(&trait_ref.key, trait_ref.args.clone()));
        }
        let ItemKind::Trait(t) = &self.resolver.model.items[item].kind else {
            return None;
        };
        let trait_cx = self.trait_cx(item, t);
        let params: Vec<String> = type_param_names(&t.generics);
        for bound in &t.supertraits {
            let syn::TypeParamBound::Trait(b) = bound else {
                continue;
            };
            let Some((super_ref, super_item)) = self.trait_ref(&trait_cx, &b.path) else {
                continue;
            };
            let Some(super_item) = super_item else {
                continue;
            };
            let instantiated = super_ref.map_types(&|ty| ty.substitute(&params, &trait_ref.args));
            if let Some(found) = self.trait_declaring(super_item, &instantiated, name, depth + 1) {
                return Some(found);
            }
        }
        None
    }

    /// The context inside a trait's definition.
    pub fn trait_cx(&self, item: ItemId, t: &syn::ItemTrait) -> Cx {
        let model_item = &self.resolver.model.items[item];
        let mut cx = Cx::new(model_item.module);
        cx.params = type_param_names(&t.generics);
        cx.consts = const_param_names(&t.generics);
        let key = self.keys.get(Def::Item(item)).unwrap_or("?").to_string();
        let args = cx.params.iter().map(|p| Ty::Param(p.clone())).collect();
        cx.self_kind = SelfKind::Trait {
            item,
            trait_ref: TraitRef::new(&key, args),
        };
        cx
    }

    /// `<T as Trait>::Name` and `<T>::Name`.
    fn qualified(&self, cx: &Cx, base: &syn::Type, position: usize, path: &syn::Path) -> Ty {
        let base_ty = self.ty(cx, base);
        let Some(name) = path.segments.last().map(|s| s.ident.to_string()) else {
            return Ty::Unknown(None);
        };
        if position == 0 {
            return match &base_ty {
                Ty::Param(p) => self.project_param(cx, base_ty.clone(), p, &name),
                _ => projection(base_ty, None, &name),
            };
        }
        let trait_path = syn::Path {
            leading_colon: path.leading_colon,
            segments: path.segments.iter().take(position).cloned().collect(),
        };
        let Some((trait_ref, _)) = self.trait_ref_for(cx, &trait_path, &base_ty) else {
            return Ty::Unknown(Some(compact_text(path)));
        };
        if let SelfKind::Impl {
            ty,
            trait_ref: Some(own),
            assoc,
            ..
        } = &cx.self_kind
            && *ty == base_ty
            && own.key == trait_ref.key
            && let Some((_, value)) = assoc.iter().find(|(n, _)| *n == name)
        {
            return value.clone();
        }
        projection(base_ty, Some(trait_ref), &name)
    }

    pub fn def_ty(&self, cx: &Cx, def: Def, path: &syn::Path) -> Ty {
        let args = path
            .segments
            .last()
            .map(|s| self.type_args(cx, &s.arguments))
            .unwrap_or_default();
        match def {
            Def::Prim(name) => primitive(name).unwrap_or_else(|| Ty::Unknown(Some(name.into()))),
            Def::Item(_) if self.keys.is_private(def) && !cx.in_fields => {
                Ty::Unknown(Some(compact_text(path)))
            }
            Def::Item(id) => match (&self.resolver.model.items[id].kind, self.keys.get(def)) {
                (kind, Some(key)) if kind.in_types() && !matches!(kind, ItemKind::Trait(_)) => {
                    if self.keys.is_private(def) {
                        self.referenced.borrow_mut().push(id);
                    }
                    Ty::Adt {
                        name: key.to_string(),
                        args,
                    }
                }
                (ItemKind::Alias(alias), None) => self.expand_private_alias(cx, id, alias, args),
                _ => Ty::Unknown(Some(compact_text(path))),
            },
            _ => Ty::Unknown(Some(compact_text(path))),
        }
    }

    /// A private alias in a public signature stands for what it aliases.
    fn expand_private_alias(
        &self,
        cx: &Cx,
        id: ItemId,
        alias: &syn::ItemType,
        args: Vec<Ty>,
    ) -> Ty {
        let mut alias_cx = Cx::new(self.resolver.model.items[id].module);
        alias_cx.params = type_param_names(&alias.generics);
        alias_cx.depth = cx.depth + 4;
        alias_cx.in_fields = cx.in_fields;
        alias_cx.split_alternatives = cx.split_alternatives;
        let body = self.ty(&alias_cx, &alias.ty);
        body.substitute(&alias_cx.params, &args)
    }

    /// Type arguments; lifetimes and const arguments are left out (see the module docs of
    /// `std_api`).
    pub fn type_args(&self, cx: &Cx, args: &syn::PathArguments) -> Vec<Ty> {
        let syn::PathArguments::AngleBracketed(args) = args else {
            return Vec::new();
        };
        args.args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) if !self.is_const_arg(cx, ty) => {
                    Some(self.ty(cx, ty))
                }
                _ => None,
            })
            .collect()
    }

    /// `N` in `Foo<N>` parses as a type; it is a const when it names a const parameter or item.
    fn is_const_arg(&self, cx: &Cx, ty: &syn::Type) -> bool {
        let syn::Type::Path(p) = ty else { return false };
        if p.qself.is_some() || p.path.segments.len() != 1 {
            return false;
        }
        let name = p.path.segments[0].ident.to_string();
        if cx.consts.contains(&name) {
            return true;
        }
        let as_value =
            self.resolver
                .resolve(cx.module, std::slice::from_ref(&name), false, Ns::Value);
        let as_type = self.resolver.resolve(cx.module, &[name], false, Ns::Type);
        as_type.is_empty()
            && as_value
                .iter()
                .any(|(d, _)| matches!(d, Def::Item(id) if matches!(self.resolver.model.items[*id].kind, ItemKind::Const(_))))
    }

    /// A trait path as a trait reference (Fn sugar included), with the trait's item when known.
    pub fn trait_ref(&self, cx: &Cx, path: &syn::Path) -> Option<(TraitRef, Option<ItemId>)> {
        let def = self.resolve_type_path(cx, path);
        let item = match def {
            Some(Def::Item(id))
                if matches!(self.resolver.model.items[id].kind, ItemKind::Trait(_)) =>
            {
                Some(id)
            }
            _ => None,
        };
        let key = match item {
            Some(id) => self.keys.get(Def::Item(id))?.to_string(),
            None => format!("?{}", path_segments(path).join("::")),
        };
        let last = path.segments.last()?;
        let mut trait_ref = TraitRef::new(&key, Vec::new());
        match &last.arguments {
            syn::PathArguments::Parenthesized(sugar) => {
                let inputs = sugar.inputs.iter().map(|t| self.ty(cx, t)).collect();
                trait_ref.args.push(Ty::Tuple(inputs));
                trait_ref
                    .bindings
                    .push(("Output".into(), self.ret(cx, &sugar.output)));
            }
            arguments => {
                trait_ref.args = self.type_args(cx, arguments);
                if let syn::PathArguments::AngleBracketed(args) = arguments {
                    for arg in &args.args {
                        if let syn::GenericArgument::AssocType(assoc) = arg {
                            trait_ref
                                .bindings
                                .push((assoc.ident.to_string(), self.ty(cx, &assoc.ty)));
                        }
                    }
                }
            }
        }
        Some((trait_ref, item))
    }

    /// Predicates `subject: bound` for each bound; `?Sized` and sizedness bounds are reported
    /// as relaxing `Sized`. Associated-type bounds (`Iterator<Item: Debug>`) become predicates
    /// on the projection.
    pub fn bound_predicates(
        &self,
        cx: &Cx,
        subject: &Ty,
        bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>,
        out: &mut LoweredGenerics,
    ) {
        for bound in bounds {
            let syn::TypeParamBound::Trait(t) = bound else {
                continue;
            };
            let name = t.path.segments.last().map(|s| s.ident.to_string());
            let relaxes = matches!(t.modifier, syn::TraitBoundModifier::Maybe(_))
                || name
                    .as_deref()
                    .is_some_and(|n| SIZEDNESS_TRAITS.contains(&n));
            if relaxes {
                if let Ty::Param(p) = subject {
                    out.unsized_params.push(p.clone());
                }
                continue;
            }
            let Some((trait_ref, _)) = self.trait_ref_for(cx, &t.path, subject) else {
                continue;
            };
            self.assoc_constraints(cx, subject, &trait_ref, &t.path, out);
            out.predicates.push(Predicate {
                subject: subject.clone(),
                bound: trait_ref,
            });
        }
    }

    fn assoc_constraints(
        &self,
        cx: &Cx,
        subject: &Ty,
        trait_ref: &TraitRef,
        path: &syn::Path,
        out: &mut LoweredGenerics,
    ) {
        let Some(syn::PathArguments::AngleBracketed(args)) =
            path.segments.last().map(|s| &s.arguments)
        else {
            return;
        };
        for arg in &args.args {
            let syn::GenericArgument::Constraint(constraint) = arg else {
                continue;
            };
            let base = TraitRef::new(&trait_ref.key, trait_ref.args.clone());
            let projected = projection(subject.clone(), Some(base), &constraint.ident.to_string());
            self.bound_predicates(cx, &projected, &constraint.bounds, out);
        }
    }

    /// Adds a generics list's parameters to `cx` (so that bounds and defaults can name them)
    /// and records the trait bounds on plain parameters, for `T::Name`.
    pub fn enter_generics(&self, cx: &mut Cx, generics: &syn::Generics) {
        for name in type_param_names(generics) {
            if !cx.params.contains(&name) {
                cx.params.push(name);
            }
        }
        cx.consts.extend(const_param_names(generics));
        let mut plain: Vec<(String, syn::Path)> = Vec::new();
        for param in generics.type_params() {
            for bound in &param.bounds {
                if let syn::TypeParamBound::Trait(t) = bound {
                    plain.push((param.ident.to_string(), t.path.clone()));
                }
            }
        }
        for predicate in generics.where_clause.iter().flat_map(|w| &w.predicates) {
            let syn::WherePredicate::Type(p) = predicate else {
                continue;
            };
            let syn::Type::Path(subject) = &p.bounded_ty else {
                continue;
            };
            let Some(name) = subject.path.get_ident().map(ToString::to_string) else {
                continue;
            };
            for bound in &p.bounds {
                if let syn::TypeParamBound::Trait(t) = bound {
                    plain.push((name.clone(), t.path.clone()));
                }
            }
        }
        let plain = plain
            .into_iter()
            .filter(|(param, _)| param == "Self" || cx.params.contains(param))
            .collect::<Vec<_>>();
        for (param, path) in plain {
            if let Some((trait_ref, Some(item))) = self.trait_ref(cx, &path) {
                cx.bounds.push(ParamBound {
                    param,
                    item,
                    trait_ref,
                });
            }
        }
    }

    /// Lowers a generics list in a context that has already entered it.
    pub fn generics(&self, cx: &Cx, generics: &syn::Generics) -> LoweredGenerics {
        let mut out = LoweredGenerics::default();
        for param in &generics.params {
            match param {
                syn::GenericParam::Lifetime(l) => out.params.push(GenericParam {
                    name: l.lifetime.ident.to_string(),
                    kind: GenericKind::Lifetime,
                }),
                syn::GenericParam::Type(t) => {
                    let name = t.ident.to_string();
                    let default = t.default.as_ref().map(|d| self.ty(cx, d));
                    out.params.push(GenericParam {
                        name: name.clone(),
                        kind: GenericKind::Type { default },
                    });
                    self.bound_predicates(cx, &Ty::Param(name), &t.bounds, &mut out);
                }
                syn::GenericParam::Const(c) => out.params.push(GenericParam {
                    name: c.ident.to_string(),
                    kind: GenericKind::Const {
                        ty: self.ty(cx, &c.ty),
                    },
                }),
            }
        }
        for predicate in generics.where_clause.iter().flat_map(|w| &w.predicates) {
            if let syn::WherePredicate::Type(p) = predicate {
                let subject = self.ty(cx, &p.bounded_ty);
                self.bound_predicates(cx, &subject, &p.bounds, &mut out);
            }
        }
        out
    }

    /// A function's signature in `cx` (an impl's or trait's context, or a module's). Returns
    /// the signature with only its own generics and predicates, and its own `?Sized` params.
    pub fn sig(&self, cx: &Cx, sig: &syn::Signature) -> (FnSig, Vec<String>) {
        let mut cx = cx.clone();
        self.enter_generics(&mut cx, &sig.generics);
        let generics = self.generics(&cx, &sig.generics);
        let mut receiver = None;
        let mut params = Vec::new();
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(r) => receiver = Some(self.receiver(&cx, r)),
                syn::FnArg::Typed(t) => params.push(self.ty(&cx, &t.ty)),
            }
        }
        let sig_out = FnSig {
            generics: generics.params,
            own_generics_from: 0,
            predicates: generics.predicates,
            receiver,
            params,
            ret: self.ret(&cx, &sig.output),
            is_unsafe: sig.unsafety.is_some(),
            is_const: sig.constness.is_some(),
        };
        (sig_out, generics.unsized_params)
    }

    /// An array length: a literal, or `size_of::<T>()` of a primitive of fixed size (the
    /// byte arrays of `to_le_bytes`); anything else is unknown.
    fn array_len(&self, cx: &Cx, expr: &syn::Expr) -> Option<u64> {
        match expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(int),
                ..
            }) => int.base10_parse().ok(),
            syn::Expr::Group(group) => self.array_len(cx, &group.expr),
            syn::Expr::Call(call) if call.args.is_empty() => {
                let syn::Expr::Path(path) = &*call.func else {
                    return None;
                };
                let last = path.path.segments.last()?;
                if last.ident != "size_of" {
                    return None;
                }
                let [arg] = &self.type_args(cx, &last.arguments)[..] else {
                    return None;
                };
                fixed_size(arg)
            }
            _ => None,
        }
    }

    /// Writes out the trait arguments a reference leaves to their defaults (`Add` is
    /// `Add<Self>`), with `Self` the bounded type, as rustc reads them.
    pub fn fill_defaults(&self, trait_ref: &mut TraitRef, item: Option<ItemId>, subject: &Ty) {
        let Some(item) = item else { return };
        let ItemKind::Trait(t) = &self.resolver.model.items[item].kind else {
            return;
        };
        let params = type_param_names(&t.generics);
        if trait_ref.args.len() >= params.len() {
            return;
        }
        let cx = self.trait_cx(item, t);
        let defaults: Vec<Option<&syn::Type>> = t
            .generics
            .type_params()
            .map(|p| p.default.as_ref())
            .collect();
        let mut names = vec!["Self".to_string()];
        names.extend(params.iter().cloned());
        while let Some(Some(default)) = defaults.get(trait_ref.args.len()) {
            let mut known = vec![subject.clone()];
            known.extend(trait_ref.args.iter().cloned());
            let value = self
                .ty(&cx, default)
                .substitute(&names[..known.len()], &known);
            trait_ref.args.push(value);
        }
    }

    /// A trait path bounding `subject`, its defaulted arguments written out.
    pub fn trait_ref_for(
        &self,
        cx: &Cx,
        path: &syn::Path,
        subject: &Ty,
    ) -> Option<(TraitRef, Option<ItemId>)> {
        let (mut trait_ref, item) = self.trait_ref(cx, path)?;
        self.fill_defaults(&mut trait_ref, item, subject);
        Some((trait_ref, item))
    }

    fn receiver(&self, cx: &Cx, r: &syn::Receiver) -> Receiver {
        if r.colon_token.is_some() {
            return Receiver::Typed(self.ty(cx, &r.ty));
        }
        match (&r.reference, r.mutability) {
            (Some(_), Some(_)) => Receiver::RefMut,
            (Some(_), None) => Receiver::Ref,
            (None, _) => Receiver::Value,
        }
    }
}

fn projection(base: Ty, trait_ref: Option<TraitRef>, name: &str) -> Ty {
    Ty::Assoc(Box::new(Projection {
        base,
        trait_ref,
        name: name.to_string(),
    }))
}

/// The size of a primitive whose size is the same on every target.
fn fixed_size(ty: &Ty) -> Option<u64> {
    use memlens::analysis::ty::{FloatTy, IntTy};
    Some(match ty {
        Ty::Bool => 1,
        Ty::Char => 4,
        Ty::Float(FloatTy::F32) => 4,
        Ty::Float(FloatTy::F64) => 8,
        Ty::Int(IntTy::Isize | IntTy::Usize) => return None,
        Ty::Int(int) => match int.name().trim_start_matches(['i', 'u']) {
            "8" => 1,
            "16" => 2,
            "32" => 4,
            "64" => 8,
            _ => 16,
        },
        _ => return None,
    })
}

pub fn type_param_names(generics: &syn::Generics) -> Vec<String> {
    generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect()
}

pub fn const_param_names(generics: &syn::Generics) -> Vec<String> {
    generics
        .const_params()
        .map(|p| p.ident.to_string())
        .collect()
}

/// How many different definitions a resolution found (one may be reached under several cfgs).
fn distinct_defs(found: &[(Def, Cfg)]) -> usize {
    let defs: std::collections::BTreeSet<Def> = found.iter().map(|(def, _)| *def).collect();
    defs.len()
}
