//! Lowering written types and item signatures to the vocabulary of types, resolving every path.
//!
//! A type names a definition by its key (`demo::a::Config`, std's `Vec`), never by its last
//! segment; aliases are expanded; generic types get their omitted defaulted arguments; `Self`
//! is the impl's type (inside a trait it stays `Param("Self")`); `T::Item` and
//! `<T as Tr>::Out` become projections that inference normalizes.

use std::cell::Cell;
use std::sync::OnceLock;

use std::collections::HashMap;

use super::def_map::{CrateGraph, DefId, DefKind, DefMap, Namespace, Res, StdDef};
use super::item_tree::{
    AdtItem, AssocKind, BoundRef, FnItem, GenericArgs, GenericParamKindRef, GenericsRef, ImplItem,
    ItemKind, PathRef, ReceiverRef, TraitItem, TypeRef, VariantShape,
};
use super::resolve::Scope;
use super::std_items::StdItems;
use crate::analysis::defs::{AdtDef, AliasDef, DefSpan, FieldDef, VariantDef};
use crate::analysis::ty::{
    AssocConst, AssocTypeDecl, Bounds, FloatTy, FnSig, GenericKind, GenericParam, ImplData, IntTy,
    MethodDecl, Predicate, Projection, Receiver, TraitData, TraitRef, Ty, TyHead,
};

/// An item of the crate, lowered.
#[derive(Clone, Debug)]
pub enum Lowered {
    Adt(AdtDef),
    Alias(AliasDef),
    Fn(FnSig),
    Const {
        ty: Ty,
        value: Option<i128>,
    },
    Static {
        ty: Ty,
        mutable: bool,
    },
    Trait(TraitData),
    Impl(ImplData),
    /// Nothing memlens can lower (a cycle, or input too deep).
    Unknown,
}

/// Lowerings of one crate's definitions, computed when first asked for.
#[derive(Debug, Default)]
pub struct LoweredDefs {
    cells: Vec<OnceLock<Lowered>>,
}

impl LoweredDefs {
    pub fn with_len(len: usize) -> LoweredDefs {
        LoweredDefs {
            cells: (0..len).map(|_| OnceLock::new()).collect(),
        }
    }
}

/// The crate's impls, indexed the way method and trait lookups ask for them.
#[derive(Debug, Default)]
pub struct ImplIndex {
    pub by_head: HashMap<TyHead, Vec<DefId>>,
    pub by_trait: HashMap<String, Vec<DefId>>,
    /// Impls whose self type is a bare parameter (`impl<T: Tr> Other for T`).
    pub blanket: Vec<DefId>,
}

impl ImplIndex {
    fn of(map: &DefMap, graph: &CrateGraph, std: &dyn StdItems) -> ImplIndex {
        let mut index = ImplIndex::default();
        for (number, def) in map.defs.iter().enumerate() {
            if def.kind != DefKind::Impl {
                continue;
            }
            let id = DefId {
                krate: map.krate,
                index: number as u32,
            };
            let Lowered::Impl(data) = graph.lowered(id, std) else {
                continue;
            };
            if let Some(trait_ref) = &data.trait_ref {
                index
                    .by_trait
                    .entry(trait_ref.key.clone())
                    .or_default()
                    .push(id);
            }
            match data.self_ty.head() {
                Some(head) => index.by_head.entry(head).or_default().push(id),
                None => index.blanket.push(id),
            }
        }
        index
    }
}

/// The std traits whose derives memlens models; a derive of another trait (a proc macro of a
/// dependency) adds an impl memlens does not see.
const STD_DERIVES: &[&str] = &[
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
];

/// The impl `#[derive(Trait)]` writes for an ADT: every type parameter bound by the trait.
fn derived_impl(adt: &AdtDef, trait_key: &str) -> ImplData {
    let generics: Vec<GenericParam> = adt.generics.iter().map(|g| GenericParam::ty(g)).collect();
    let predicates = adt
        .generics
        .iter()
        .map(|g| Predicate {
            subject: Ty::Param(g.clone()),
            bound: TraitRef::new(trait_key, Vec::new()),
        })
        .collect();
    ImplData {
        unsized_params: Vec::new(),
        generics,
        predicates,
        trait_ref: Some(TraitRef::new(trait_key, Vec::new())),
        self_ty: Ty::adt(
            &adt.name,
            adt.generics.iter().map(|g| Ty::Param(g.clone())).collect(),
        ),
        assoc_types: Vec::new(),
        consts: Vec::new(),
        methods: Vec::new(),
        negative: false,
        stable: true,
    }
}

impl DefMap {
    /// The impls the crate's `#[derive(..)]` attributes write, by trait key.
    pub fn derived_impls(
        &self,
        graph: &CrateGraph,
        std: &dyn StdItems,
    ) -> &HashMap<String, Vec<ImplData>> {
        self.derived.get_or_init(|| {
            let mut impls: HashMap<String, Vec<ImplData>> = HashMap::new();
            for (index, def) in self.defs.iter().enumerate() {
                let Some(item) = self.item(def) else {
                    continue;
                };
                if item.derives.is_empty() {
                    continue;
                }
                let id = DefId {
                    krate: self.krate,
                    index: index as u32,
                };
                let Some(adt) = graph.adt_def(id, std) else {
                    continue;
                };
                let module = def.module;
                for trait_key in item
                    .derives
                    .iter()
                    .filter_map(|path| self.derived_trait(graph, module, path, std))
                {
                    impls
                        .entry(trait_key.clone())
                        .or_default()
                        .push(derived_impl(adt, &trait_key));
                }
            }
            impls
        })
    }

    /// The trait a `#[derive(path)]` in `module` implements: std's by name, else the trait the
    /// path names in the type namespace. A derive macro is named after the trait it implements
    /// and is exported beside it (`use clap::Parser` brings both), so `#[derive(Parser)]`
    /// implements the trait `Parser` resolves to; a name that is no trait there (thiserror's
    /// `Error` macro) adds nothing.
    fn derived_trait(
        &self,
        graph: &CrateGraph,
        module: super::def_map::ModuleId,
        path: &PathRef,
        std: &dyn StdItems,
    ) -> Option<String> {
        let last = path.segments.last()?;
        if STD_DERIVES.contains(&last.name.as_str()) {
            return Some(last.name.clone());
        }
        let scope = Scope::new(graph, self.krate, module, std);
        let resolution = scope.resolve_path(path, Namespace::Types)?;
        let Res::Def(id) = resolution.res else {
            return None;
        };
        let def = graph.def(id)?;
        (resolution.resolved == path.segments.len() && def.kind == DefKind::Trait)
            .then(|| def.key.clone())
    }

    /// The crate's impls by self-type head and by trait, built when first asked for.
    pub fn impl_index(&self, graph: &CrateGraph, std: &dyn StdItems) -> &ImplIndex {
        self.impls.get_or_init(|| ImplIndex::of(self, graph, std))
    }

    /// The definition with this key.
    pub fn def_by_key(&self, key: &str) -> Option<DefId> {
        let keys = self.keys.get_or_init(|| {
            self.defs
                .iter()
                .enumerate()
                .filter(|(_, def)| def.kind != DefKind::Impl)
                .map(|(index, def)| (def.key.clone(), index as u32))
                .collect()
        });
        keys.get(key).map(|&index| DefId {
            krate: self.krate,
            index,
        })
    }
}

/// How deeply lowerings may nest (an alias naming an alias naming ...): real code needs a few.
const MAX_NESTING: u32 = 48;

thread_local! {
    static NESTING: Cell<u32> = const { Cell::new(0) };
    /// Definitions being lowered on this thread: asking for one again is a cycle.
    static IN_PROGRESS: std::cell::RefCell<Vec<DefId>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl CrateGraph {
    /// The lowered form of a definition of the graph.
    pub fn lowered(&self, def: DefId, std: &dyn StdItems) -> &Lowered {
        static UNKNOWN: Lowered = Lowered::Unknown;
        let Some(map) = self.crate_map(def.krate) else {
            return &UNKNOWN;
        };
        let Some(cell) = map.lowered.cells.get(def.index as usize) else {
            return &UNKNOWN;
        };
        if let Some(done) = cell.get() {
            return done;
        }
        let cyclic = IN_PROGRESS.with(|stack| stack.borrow().contains(&def));
        let too_deep = NESTING.with(|n| n.get()) >= MAX_NESTING;
        if cyclic || too_deep {
            return &UNKNOWN;
        }
        IN_PROGRESS.with(|stack| stack.borrow_mut().push(def));
        NESTING.with(|n| n.set(n.get() + 1));
        let lowered = lower_def(self, def, std);
        NESTING.with(|n| n.set(n.get() - 1));
        IN_PROGRESS.with(|stack| stack.borrow_mut().retain(|d| *d != def));
        cell.get_or_init(|| lowered)
    }

    /// A crate ADT's definition, for layout and field access.
    pub fn adt_def(&self, def: DefId, std: &dyn StdItems) -> Option<&AdtDef> {
        match self.lowered(def, std) {
            Lowered::Adt(adt) => Some(adt),
            _ => None,
        }
    }
}

/// Lowers one definition in the scope of the module it is declared in.
fn lower_def(graph: &CrateGraph, def: DefId, std: &dyn StdItems) -> Lowered {
    let (Some(data), Some(item)) = (graph.def(def), graph.item(def)) else {
        return Lowered::Unknown;
    };
    let scope = Scope::new(graph, def.krate, data.module, std);
    let lowerer = TyLowerer::new(scope, std);
    match &item.kind {
        ItemKind::Adt(adt) => Lowered::Adt(lowerer.adt(&data.key, adt, item.name_range.clone())),
        ItemKind::Alias { generics, ty } => Lowered::Alias(lowerer.alias(&data.key, generics, ty)),
        ItemKind::Fn(function) => Lowered::Fn(lowerer.fn_sig(function, &[], 0)),
        ItemKind::Const { ty, value } => Lowered::Const {
            ty: lowerer.ty(ty),
            value: value.as_ref().and_then(|value| lowerer.eval(value)),
        },
        ItemKind::Static { ty, mutable } => Lowered::Static {
            ty: lowerer.ty(ty),
            mutable: *mutable,
        },
        ItemKind::Trait(tr) => Lowered::Trait(lowerer.trait_data(&data.key, tr)),
        ItemKind::Impl(imp) => Lowered::Impl(lowerer.impl_data(imp)),
        ItemKind::ExternCrate { .. } => Lowered::Unknown,
    }
}

/// Lowers written types in one place: a scope for paths, the generic parameters in scope, and
/// what `Self` is.
#[derive(Clone)]
pub struct TyLowerer<'a> {
    pub scope: Scope<'a>,
    pub std: &'a dyn StdItems,
    /// Type parameters in scope, outermost first.
    pub generics: Vec<String>,
    /// Const parameters in scope.
    /// Const parameters in scope, with their written types.
    pub const_generics: Vec<(String, TypeRef)>,
    /// What `Self` is: an impl's type, or `Param("Self")` in a trait.
    pub self_ty: Option<Ty>,
}

impl<'a> TyLowerer<'a> {
    pub fn new(scope: Scope<'a>, std: &'a dyn StdItems) -> Self {
        TyLowerer {
            scope,
            std,
            generics: Vec::new(),
            const_generics: Vec::new(),
            self_ty: None,
        }
    }

    /// The same lowerer with more generic parameters in scope.
    pub fn with_generics(&self, generics: &GenericsRef) -> TyLowerer<'a> {
        let mut inner = self.clone();
        for param in &generics.params {
            match &param.kind {
                GenericParamKindRef::Type { .. } => inner.generics.push(param.name.clone()),
                GenericParamKindRef::Const { ty } => {
                    inner.const_generics.push((param.name.clone(), ty.clone()))
                }
                GenericParamKindRef::Lifetime => {}
            }
        }
        inner
    }

    pub fn with_self(&self, self_ty: Ty) -> TyLowerer<'a> {
        TyLowerer {
            self_ty: Some(self_ty),
            ..self.clone()
        }
    }

    /// Lowers a written type.
    pub fn ty(&self, ty: &TypeRef) -> Ty {
        match ty {
            TypeRef::Path(path) => self.path_ty(path),
            TypeRef::Ref { mutable, inner } => Ty::Ref {
                mutable: *mutable,
                pointee: Box::new(self.ty(inner)),
            },
            TypeRef::Ptr { mutable, inner } => Ty::Ptr {
                mutable: *mutable,
                pointee: Box::new(self.ty(inner)),
            },
            TypeRef::Array(element, len) => {
                let len = self.eval(len).and_then(|value| u64::try_from(value).ok());
                Ty::Array(Box::new(self.ty(element)), len)
            }
            TypeRef::Slice(element) => Ty::Slice(Box::new(self.ty(element))),
            TypeRef::Tuple(items) => Ty::Tuple(items.iter().map(|t| self.ty(t)).collect()),
            TypeRef::Never => Ty::Never,
            TypeRef::FnPtr { params, ret } => Ty::FnPtr {
                params: params.iter().map(|p| self.ty(p)).collect(),
                ret: Box::new(ret.as_ref().map_or_else(Ty::unit, |r| self.ty(r))),
            },
            TypeRef::Dyn(bounds) => Ty::Dyn(self.bounds(bounds)),
            TypeRef::ImplTrait(bounds) => Ty::Opaque(self.bounds(bounds)),
            TypeRef::Infer => Ty::Unknown(None),
            TypeRef::Other(text) => Ty::Unknown(Some(text.clone())),
        }
    }

    /// Lowers an optional return type: none is `()`.
    pub fn ret(&self, ty: Option<&TypeRef>) -> Ty {
        ty.map_or_else(Ty::unit, |ty| self.ty(ty))
    }

    fn bounds(&self, bounds: &[BoundRef]) -> Bounds {
        let traits: Vec<TraitRef> = bounds
            .iter()
            .filter(|bound| !bound.maybe)
            .map(|bound| {
                self.trait_ref(&bound.path)
                    .unwrap_or_else(TraitRef::unresolved)
            })
            .collect();
        let text = bounds
            .iter()
            .map(bound_text)
            .collect::<Vec<_>>()
            .join(" + ");
        Bounds { traits, text }
    }

    fn path_ty(&self, path: &PathRef) -> Ty {
        if let Some(qself) = &path.qself {
            return self.qualified_projection(path, &qself.ty, qself.position);
        }
        let first = path.segments.first().map_or("", |s| s.name.as_str());
        if !path.global {
            if let Some(base) = self.param_or_self(first) {
                return self.projections(base, &path.segments[1..]);
            }
            if path.segments.len() == 1
                && let Some(primitive) = primitive(first)
                && self.scope.resolve_name(first, Namespace::Types).is_none()
            {
                return primitive;
            }
        }
        let Some(resolution) = self.scope.resolve_path(path, Namespace::Types) else {
            return self.unresolved(path);
        };
        let segment = &path.segments[resolution
            .resolved
            .saturating_sub(1)
            .min(path.segments.len() - 1)];
        let args = segment.args.as_deref();
        let base = self.res_ty(&resolution.res, args);
        match base {
            Some(base) => self.projections(base, &path.segments[resolution.resolved..]),
            None => self.unresolved(path),
        }
    }

    fn unresolved(&self, path: &PathRef) -> Ty {
        if path.segments.len() == 1
            && let Some(primitive) = primitive(&path.segments[0].name)
        {
            return primitive;
        }
        Ty::Unknown(Some(path_text(path)))
    }

    /// The type of a const parameter in scope (`N` of `const N: usize`).
    pub fn const_param_ty(&self, name: &str) -> Option<Ty> {
        let (_, ty) = self.const_generics.iter().rev().find(|(n, _)| n == name)?;
        Some(self.ty(ty))
    }

    /// `T`, `Self`, or none.
    fn param_or_self(&self, name: &str) -> Option<Ty> {
        if name == "Self" {
            return Some(
                self.self_ty
                    .clone()
                    .unwrap_or_else(|| Ty::Param("Self".into())),
            );
        }
        self.generics
            .iter()
            .any(|param| param == name)
            .then(|| Ty::Param(name.to_string()))
    }

    /// `base::A::B` as nested projections with no trait named.
    fn projections(&self, base: Ty, rest: &[super::item_tree::Segment]) -> Ty {
        rest.iter().fold(base, |base, segment| {
            Ty::Assoc(Box::new(Projection {
                base,
                trait_ref: None,
                name: segment.name.clone(),
            }))
        })
    }

    /// `<T as Trait>::Name` (position > 0) or `<T>::Name`.
    fn qualified_projection(&self, path: &PathRef, qself: &TypeRef, position: usize) -> Ty {
        let base = self.ty(qself);
        let trait_ref = (position > 0).then(|| {
            let trait_path = PathRef {
                global: path.global,
                segments: path.segments[..position].to_vec(),
                qself: None,
            };
            self.trait_ref(&trait_path)
        });
        let trait_ref = match trait_ref {
            Some(None) => return Ty::Unknown(Some(path_text(path))),
            Some(Some(trait_ref)) => Some(trait_ref),
            None => None,
        };
        let mut rest = path.segments[position.min(path.segments.len())..].iter();
        let Some(first) = rest.next() else {
            return base;
        };
        let projected = Ty::Assoc(Box::new(Projection {
            base,
            trait_ref,
            name: first.name.clone(),
        }));
        self.projections(projected, rest.as_slice())
    }

    /// The type a resolved path names, with the arguments written on its last segment.
    fn res_ty(&self, res: &Res, args: Option<&GenericArgs>) -> Option<Ty> {
        let written = self.type_args(args);
        match res {
            Res::Def(def) => {
                let data = self.scope.graph.def(*def)?;
                match data.kind {
                    DefKind::Adt => {
                        // A type naming itself (`struct Node { next: Option<Box<Node>> }`) is
                        // being lowered: its key is known without lowering it again.
                        let params = match self.scope.graph.item(*def).map(|item| &item.kind) {
                            Some(ItemKind::Adt(adt)) => adt.generics.type_names().count(),
                            _ => 0,
                        };
                        if written.len() >= params {
                            return Some(Ty::adt(&data.key, written));
                        }
                        let adt = self.scope.graph.adt_def(*def, self.std)?;
                        Some(Ty::adt(&adt.name, adt.full_args(&written)))
                    }
                    DefKind::Alias => match self.scope.graph.lowered(*def, self.std) {
                        Lowered::Alias(alias) => Some(alias.instantiate(&written)),
                        _ => Some(Ty::Unknown(Some(data.name.clone()))),
                    },
                    DefKind::Trait => {
                        // A bare trait in type position is a trait object (2015).
                        let trait_ref = TraitRef::new(&data.key, written);
                        Some(Ty::Dyn(Bounds {
                            text: trait_ref.to_string(),
                            traits: vec![trait_ref],
                        }))
                    }
                    _ => None,
                }
            }
            Res::Std(StdDef::Type(key)) => Some(self.std_ty(key, &written)),
            Res::Std(StdDef::Primitive(name)) => primitive(name),
            Res::Unknown | Res::Extern(_) => Some(Ty::Unknown(None)),
            _ => None,
        }
    }

    /// A std type by key: an ADT with its defaults, an alias expanded, a trait as an object.
    pub fn std_ty(&self, key: &str, written: &[Ty]) -> Ty {
        if let Some(adt) = self.std.adt(key) {
            return Ty::adt(&adt.name, adt.full_args(written));
        }
        if let Some(alias) = self.std.alias(key) {
            return alias.instantiate(written);
        }
        if self.std.trait_data(key).is_some() {
            let trait_ref = TraitRef::new(key, written.to_vec());
            return Ty::Dyn(Bounds {
                text: trait_ref.to_string(),
                traits: vec![trait_ref],
            });
        }
        Ty::Unknown(Some(key.to_string()))
    }

    fn type_args(&self, args: Option<&GenericArgs>) -> Vec<Ty> {
        args.map(|args| args.types.iter().map(|ty| self.ty(ty)).collect())
            .unwrap_or_default()
    }

    /// Lowers a trait path with its arguments (`Iterator<Item = u8>`, `Fn(u8) -> bool`).
    pub fn trait_ref(&self, path: &PathRef) -> Option<TraitRef> {
        let resolution = self.scope.resolve_path(path, Namespace::Types)?;
        if resolution.resolved != path.segments.len() {
            return None;
        }
        let key = match &resolution.res {
            Res::Def(def) => {
                let data = self.scope.graph.def(*def)?;
                (data.kind == DefKind::Trait).then(|| data.key.clone())?
            }
            Res::Std(StdDef::Type(key)) => key.clone(),
            _ => return None,
        };
        let args = path.segments.last().and_then(|s| s.args.as_deref());
        let mut trait_ref = TraitRef::new(&key, Vec::new());
        if let Some(args) = args {
            match &args.fn_sugar {
                Some((params, ret)) => {
                    let params = params.iter().map(|p| self.ty(p)).collect();
                    trait_ref.args.push(Ty::Tuple(params));
                    trait_ref
                        .bindings
                        .push(("Output".into(), self.ret(ret.as_ref())));
                }
                None => {
                    trait_ref.args = args.types.iter().map(|t| self.ty(t)).collect();
                    trait_ref.bindings = args
                        .bindings
                        .iter()
                        .map(|(name, ty)| (name.clone(), self.ty(ty)))
                        .collect();
                }
            }
        }
        Some(trait_ref)
    }

    /// Generic parameters (after `parent`'s) and every predicate they carry.
    pub fn generics(
        &self,
        generics: &GenericsRef,
        parent: &[GenericParam],
    ) -> (Vec<GenericParam>, Vec<Predicate>) {
        let mut params = parent.to_vec();
        let mut predicates = Vec::new();
        for param in &generics.params {
            let kind = match &param.kind {
                GenericParamKindRef::Type { bounds, default } => {
                    let subject = Ty::Param(param.name.clone());
                    predicates.extend(self.predicates_of(&subject, bounds));
                    GenericKind::Type {
                        default: default.as_ref().map(|d| self.ty(d)),
                    }
                }
                GenericParamKindRef::Const { ty } => GenericKind::Const { ty: self.ty(ty) },
                GenericParamKindRef::Lifetime => GenericKind::Lifetime,
            };
            params.push(GenericParam {
                name: param.name.clone(),
                kind,
            });
        }
        for (subject, bounds) in &generics.predicates {
            let subject = self.ty(subject);
            predicates.extend(self.predicates_of(&subject, bounds));
        }
        (params, predicates)
    }

    fn predicates_of(&self, subject: &Ty, bounds: &[BoundRef]) -> Vec<Predicate> {
        bounds
            .iter()
            .filter(|bound| !bound.maybe)
            .map(|bound| {
                self.trait_ref(&bound.path)
                    .unwrap_or_else(TraitRef::unresolved)
            })
            .map(|bound| Predicate {
                subject: subject.clone(),
                bound,
            })
            .collect()
    }

    /// A function's signature; `parent` are the enclosing impl's or trait's parameters.
    pub fn fn_sig(
        &self,
        function: &FnItem,
        parent: &[GenericParam],
        parent_predicates: usize,
    ) -> FnSig {
        let inner = self.with_generics(&function.generics);
        let (generics, predicates) = inner.generics(&function.generics, parent);
        let _ = parent_predicates;
        let receiver = function.receiver.as_ref().map(|receiver| match receiver {
            ReceiverRef::Value => Receiver::Value,
            ReceiverRef::Ref => Receiver::Ref,
            ReceiverRef::RefMut => Receiver::RefMut,
            ReceiverRef::Typed(ty) => Receiver::Typed(inner.ty(ty)),
        });
        let ret = inner.ret(function.ret.as_ref());
        let ret = if function.is_async {
            future_of(ret)
        } else {
            ret
        };
        FnSig {
            own_generics_from: parent.len(),
            generics,
            predicates,
            receiver,
            params: function.params.iter().map(|p| inner.ty(p)).collect(),
            ret,
            is_unsafe: function.is_unsafe,
            is_const: function.is_const,
        }
    }

    fn adt(&self, key: &str, adt: &AdtItem, name_range: Option<std::ops::Range<usize>>) -> AdtDef {
        let inner = self.with_generics(&adt.generics);
        let generics: Vec<String> = adt.generics.type_names().map(str::to_string).collect();
        let self_ty = Ty::adt(key, generics.iter().map(|g| Ty::Param(g.clone())).collect());
        let inner = inner.with_self(self_ty);
        let defaults = adt
            .generics
            .params
            .iter()
            .filter_map(|param| match &param.kind {
                GenericParamKindRef::Type { default, .. } => {
                    Some(default.as_ref().map(|d| inner.ty(d)))
                }
                _ => None,
            })
            .collect();
        let unsized_params = maybe_unsized(&adt.generics);
        let variants = adt
            .variants
            .iter()
            .filter(|variant| self.cfg_enabled(variant.cfg.as_ref()))
            .map(|variant| VariantDef {
                name: variant.name.clone(),
                fields: variant
                    .fields
                    .iter()
                    .filter(|field| self.cfg_enabled(field.cfg.as_ref()))
                    .map(|field| FieldDef {
                        name: field.name.clone(),
                        ty: inner.ty(&field.ty),
                    })
                    .collect(),
                discriminant: (variant.discriminant.as_ref())
                    .map(|d| inner.discriminant(d, adt.repr.int)),
            })
            .collect();
        let _ = VariantShape::Unit;
        AdtDef {
            name: key.to_string(),
            generics,
            defaults,
            unsized_params,
            kind: adt.kind,
            repr: adt.repr.clone(),
            variants,
            span: name_range.map(|range| DefSpan {
                name_start: range.start,
                name_end: range.end,
            }),
        }
    }

    /// Variants behind `cfg`s are not compiled; the map knows which build it describes.
    fn cfg_enabled(&self, cfg: Option<&super::item_tree::CfgExpr>) -> bool {
        match (cfg, self.scope.def_map()) {
            (Some(cfg), Some(map)) => map.cfg.enabled(Some(cfg)),
            _ => true,
        }
    }

    fn alias(&self, key: &str, generics: &GenericsRef, ty: &TypeRef) -> AliasDef {
        let inner = self.with_generics(generics);
        AliasDef {
            name: key.to_string(),
            generics: generics.type_names().map(str::to_string).collect(),
            defaults: generics
                .params
                .iter()
                .filter_map(|param| match &param.kind {
                    GenericParamKindRef::Type { default, .. } => {
                        Some(default.as_ref().map(|d| inner.ty(d)))
                    }
                    _ => None,
                })
                .collect(),
            ty: inner.ty(ty),
        }
    }

    fn trait_data(&self, key: &str, tr: &TraitItem) -> TraitData {
        let inner = self
            .with_generics(&tr.generics)
            .with_self(Ty::Param("Self".into()));
        let (generics, mut predicates) = inner.generics(&tr.generics, &[]);
        let supertraits: Vec<TraitRef> = tr
            .supertraits
            .iter()
            .filter(|bound| !bound.maybe)
            .filter_map(|bound| inner.trait_ref(&bound.path))
            .collect();
        predicates.extend(supertraits.iter().map(|bound| Predicate {
            subject: Ty::Param("Self".into()),
            bound: bound.clone(),
        }));
        let mut data = TraitData {
            key: key.to_string(),
            path: key.to_string(),
            unsized_params: Vec::new(),
            is_auto: false,
            is_unsafe: false,
            generics: generics.clone(),
            supertraits,
            predicates,
            assoc_types: Vec::new(),
            consts: Vec::new(),
            methods: Vec::new(),
            stable: true,
        };
        let mut all_generics = vec![GenericParam::ty("Self")];
        all_generics.extend(generics);
        for item in tr.items.iter().filter(|i| self.cfg_enabled(i.cfg.as_ref())) {
            match &item.kind {
                AssocKind::Fn(function) => data.methods.push(MethodDecl {
                    name: item.name.clone(),
                    sig: inner.fn_sig(function, &all_generics, 0),
                    unsized_params: Vec::new(),
                    has_default: function.has_body,
                    stable: true,
                }),
                AssocKind::Const { ty, value } => data.consts.push(AssocConst {
                    name: item.name.clone(),
                    ty: inner.ty(ty),
                    has_default: value.is_some(),
                    stable: true,
                }),
                AssocKind::Type { bounds, default } => data.assoc_types.push(AssocTypeDecl {
                    name: item.name.clone(),
                    generics: Vec::new(),
                    stable: true,
                    bounds: bounds
                        .iter()
                        .filter(|b| !b.maybe)
                        .filter_map(|b| inner.trait_ref(&b.path))
                        .collect(),
                    default: default.as_ref().map(|d| inner.ty(d)),
                    known_sized: !bounds.iter().any(|b| b.maybe),
                }),
            }
        }
        data
    }

    fn impl_data(&self, imp: &ImplItem) -> ImplData {
        let inner = self.with_generics(&imp.generics);
        let self_ty = inner.ty(&imp.self_ty);
        let inner = inner.with_self(self_ty.clone());
        let (generics, predicates) = inner.generics(&imp.generics, &[]);
        let trait_ref = imp.trait_path.as_ref().map(|path| {
            inner
                .trait_ref(path)
                .unwrap_or_else(|| TraitRef::new("?", Vec::new()))
        });
        let mut data = ImplData {
            unsized_params: maybe_unsized(&imp.generics),
            generics: generics.clone(),
            predicates,
            trait_ref,
            self_ty,
            assoc_types: Vec::new(),
            consts: Vec::new(),
            methods: Vec::new(),
            negative: imp.negative,
            stable: true,
        };
        for item in imp
            .items
            .iter()
            .filter(|i| self.cfg_enabled(i.cfg.as_ref()))
        {
            match &item.kind {
                AssocKind::Fn(function) => data.methods.push(MethodDecl {
                    name: item.name.clone(),
                    sig: inner.fn_sig(function, &generics, 0),
                    unsized_params: Vec::new(),
                    has_default: true,
                    stable: true,
                }),
                AssocKind::Const { ty, .. } => data.consts.push(AssocConst {
                    name: item.name.clone(),
                    ty: inner.ty(ty),
                    has_default: true,
                    stable: true,
                }),
                AssocKind::Type { default, .. } => {
                    let value = default.as_ref().map_or(Ty::Unknown(None), |d| inner.ty(d));
                    data.assoc_types.push((item.name.clone(), value));
                }
            }
        }
        data
    }

    /// `size_of::<T>()` and `align_of::<T>()` for the types whose layout needs no layout engine:
    /// primitives and thin pointers. Anything else is not evaluated.
    pub(super) fn size_or_align(&self, path: &PathRef) -> Option<i128> {
        let last = path.segments.last()?;
        let wants_size = match last.name.as_str() {
            "size_of" => true,
            "align_of" => false,
            _ => return None,
        };
        let resolution = self.scope.resolve_path(path, Namespace::Values)?;
        let is_std_fn = matches!(&resolution.res, Res::Std(StdDef::Fn(key)) if key.ends_with("mem::size_of") || key.ends_with("mem::align_of"));
        if !is_std_fn {
            return None;
        }
        let [ty] = last.args.as_deref()?.types.as_slice() else {
            return None;
        };
        let pointer = self.scope.def_map()?.cfg.pointer_bytes()?;
        let bytes = match self.ty(ty) {
            Ty::Int(int) => int_bytes(int, pointer),
            Ty::Bool => 1,
            Ty::Char => 4,
            Ty::Float(FloatTy::F32) => 4,
            Ty::Float(FloatTy::F64) => 8,
            Ty::Ref { pointee, .. } | Ty::Ptr { pointee, .. } if thin(&pointee) => pointer,
            _ => return None,
        };
        // Alignment equals size for these, except 128-bit integers and 64-bit values on some
        // 32-bit targets: those are left unevaluated.
        if !wants_size && bytes > pointer {
            return None;
        }
        Some(i128::from(bytes))
    }

    /// A crate constant's declared type and value.
    pub(super) fn const_value(&self, path: &PathRef) -> Option<(Ty, i128)> {
        let resolution = self.scope.resolve_path(path, Namespace::Values)?;
        if resolution.resolved != path.segments.len() {
            return None;
        }
        match resolution.res {
            Res::Def(def) => match self.scope.graph.lowered(def, self.std) {
                Lowered::Const { ty, value } => Some((ty.clone(), (*value)?)),
                _ => None,
            },
            _ => None,
        }
    }
}

fn int_bytes(int: IntTy, pointer: u64) -> u64 {
    let pointer_bits = u32::try_from(pointer * 8).unwrap_or(u32::MAX);
    u64::from(crate::analysis::ty::consts::int_bits(int, pointer_bits)) / 8
}

/// Pointers to these carry no metadata.
fn thin(pointee: &Ty) -> bool {
    matches!(pointee, Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Char)
}

/// `async fn f() -> T` returns `impl Future<Output = T>`.
fn future_of(ret: Ty) -> Ty {
    let text = format!("Future<Output = {ret}>");
    let mut future = TraitRef::new("Future", Vec::new());
    future.bindings.push(("Output".into(), ret));
    Ty::Opaque(Bounds {
        traits: vec![future],
        text,
    })
}

/// The type parameters declared `?Sized`.
fn maybe_unsized(generics: &GenericsRef) -> Vec<String> {
    let mut names: Vec<String> = generics
        .params
        .iter()
        .filter(|param| match &param.kind {
            GenericParamKindRef::Type { bounds, .. } => bounds.iter().any(|b| b.maybe),
            _ => false,
        })
        .map(|param| param.name.clone())
        .collect();
    for (subject, bounds) in &generics.predicates {
        if let TypeRef::Path(path) = subject
            && let Some(name) = path.as_name()
            && bounds.iter().any(|b| b.maybe)
        {
            names.push(name.to_string());
        }
    }
    names
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

pub fn path_text(path: &PathRef) -> String {
    let names: Vec<&str> = path.names().collect();
    let text = names.join("::");
    if path.global {
        format!("::{text}")
    } else {
        text
    }
}

/// A bound as people write it: `Fn(u8) -> bool`, `Iterator<Item = u8>`, `?Sized`.
fn bound_text(bound: &BoundRef) -> String {
    let mut text = String::new();
    if bound.maybe {
        text.push('?');
    }
    text.push_str(&path_text(&bound.path));
    if let Some(args) = bound.path.segments.last().and_then(|s| s.args.as_deref()) {
        text.push_str(&args_text(args));
    }
    text
}

fn args_text(args: &GenericArgs) -> String {
    if let Some((params, ret)) = &args.fn_sugar {
        let params: Vec<String> = params.iter().map(type_ref_text).collect();
        let ret = ret
            .as_ref()
            .map(|r| format!(" -> {}", type_ref_text(r)))
            .unwrap_or_default();
        return format!("({}){ret}", params.join(", "));
    }
    let mut parts: Vec<String> = args.types.iter().map(type_ref_text).collect();
    parts.extend(
        args.bindings
            .iter()
            .map(|(name, ty)| format!("{name} = {}", type_ref_text(ty))),
    );
    if parts.is_empty() {
        return String::new();
    }
    format!("<{}>", parts.join(", "))
}

/// A written type as text, for display only.
fn type_ref_text(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Path(path) => {
            let mut text = path_text(path);
            if let Some(args) = path.segments.last().and_then(|s| s.args.as_deref()) {
                text.push_str(&args_text(args));
            }
            text
        }
        TypeRef::Ref { mutable, inner } => {
            format!(
                "&{}{}",
                if *mutable { "mut " } else { "" },
                type_ref_text(inner)
            )
        }
        TypeRef::Ptr { mutable, inner } => {
            format!(
                "*{} {}",
                if *mutable { "mut" } else { "const" },
                type_ref_text(inner)
            )
        }
        TypeRef::Slice(inner) => format!("[{}]", type_ref_text(inner)),
        TypeRef::Array(inner, _) => format!("[{}; _]", type_ref_text(inner)),
        TypeRef::Tuple(items) => {
            let items: Vec<String> = items.iter().map(type_ref_text).collect();
            format!("({})", items.join(", "))
        }
        TypeRef::Never => "!".into(),
        TypeRef::Infer => "_".into(),
        TypeRef::Dyn(bounds) => format!("dyn {}", bounds_text(bounds)),
        TypeRef::ImplTrait(bounds) => format!("impl {}", bounds_text(bounds)),
        TypeRef::FnPtr { params, ret } => {
            let params: Vec<String> = params.iter().map(type_ref_text).collect();
            let ret = ret
                .as_ref()
                .map(|r| format!(" -> {}", type_ref_text(r)))
                .unwrap_or_default();
            format!("fn({}){ret}", params.join(", "))
        }
        TypeRef::Other(text) => text.clone(),
    }
}

fn bounds_text(bounds: &[BoundRef]) -> String {
    bounds
        .iter()
        .map(bound_text)
        .collect::<Vec<_>>()
        .join(" + ")
}
