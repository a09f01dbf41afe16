//! Loads the std prelude for a target: evaluates its `cfg`s, lowers its items into `TypeDefs` under
//! internal `std::` names, and reads the layout facts that lowering does not keep.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use syn::punctuated::Punctuated;

use super::std_source::SOURCE;
use crate::analysis::defs::TypeDefs;
use crate::analysis::lower::{self, LowerCtx};
use crate::analysis::paths::Imports;
use crate::analysis::target::{Arch, Target};
use crate::analysis::ty::Ty;

/// Std's own references to its types carry this prefix, so that a user type named like a std type
/// never replaces it inside std (a user `struct Vec` must not change `String`).
pub(super) const STD_PREFIX: &str = "std::";

/// Stands for `<B as ToOwned>::Owned` in a std field; its one argument is `B`.
pub(super) const OWNED_PROJECTION: &str = "std::<ToOwned>::Owned";

/// Wraps a generic argument memlens does not fully know, given for a parameter that must be
/// `Sized` (`K` of `BTreeMap<K, V>`): laid out as what it wraps, but a pointer to it is thin, so
/// `Vec<_>` is 24 bytes whatever `_` is. Its one argument is the wrapped type.
pub(super) const SIZED_UNKNOWN: &str = "std::<Sized>";

/// `ty` without [`SIZED_UNKNOWN`] wrappers, as the user wrote it.
pub(super) fn without_sized_marks(ty: &Ty) -> Ty {
    match ty {
        Ty::Adt { name, args } if name == SIZED_UNKNOWN => match args.first() {
            Some(inner) => without_sized_marks(inner),
            None => Ty::Unknown(None),
        },
        other => other.map_children(&without_sized_marks),
    }
}

/// Layout facts about a std type beyond its fields.
#[derive(Clone, Debug, Default)]
pub(super) struct AdtMeta {
    /// `rustc_layout_scalar_valid_range_start/end`: the valid values of the leading scalar.
    pub valid_start: Option<u128>,
    pub valid_end: Option<u128>,
    /// `UnsafeCell` hides the niches of what it holds.
    pub hides_niches: bool,
    /// Whether users may see the fields (public enums and structs with only public fields).
    pub shows_fields: bool,
}

/// One `impl ToOwned for B { type Owned = O; }`.
#[derive(Clone, Debug)]
pub(super) struct ToOwnedImpl {
    pub generics: Vec<String>,
    pub borrowed: Ty,
    pub owned: Ty,
}

/// The std prelude lowered for one target.
#[derive(Debug, Default)]
pub(super) struct StdDefs {
    /// Definitions under their internal (`std::`-prefixed) names.
    pub defs: TypeDefs,
    pub metas: HashMap<String, AdtMeta>,
    /// The bare names of the `pub` items, which user code can name.
    pub public: HashSet<String>,
    pub to_owned: Vec<ToOwnedImpl>,
}

/// The mirror's name for a std key of the API table where the two differ: the mirror keeps some
/// ambiguous names bare (`Weak`, `Ordering`, `Once`, the C types) and qualifies `io::ErrorKind`.
pub(super) fn mirror_name_of_key(key: &str) -> &str {
    match key {
        "rc::Weak" => "Weak",
        "cmp::Ordering" => "Ordering",
        "sync::Once" => "Once",
        "ErrorKind" => "io::ErrorKind",
        other => other
            .strip_prefix("ffi::")
            .filter(|c| c.starts_with("c_"))
            .unwrap_or(other),
    }
}

/// The prelude for `target`, built once per target and kept for the life of the process.
pub(super) fn for_target(target: &Target) -> &'static StdDefs {
    static CACHE: OnceLock<Mutex<HashMap<Target, &'static StdDefs>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(*target)
        .or_insert_with(|| Box::leak(Box::new(build(target))))
}

fn build(target: &Target) -> StdDefs {
    // The source is part of memlens and tested to parse; an empty prelude is the safe fallback.
    let Ok(file) = syn::parse_file(SOURCE) else {
        return StdDefs::default();
    };
    let items: Vec<(Option<String>, syn::Item)> = in_modules(file.items)
        .into_iter()
        .filter_map(|(module, item)| Some((module, configure(item, target)?)))
        .collect();
    let local: HashSet<String> = items
        .iter()
        .filter_map(|(module, item)| Some(qualified(module, &type_item_name(item)?)))
        .collect();
    let module_imports = imports_of_modules(&items);
    let rename = |ty: &Ty| rename_local(ty, &local);
    let consts = HashMap::new();
    let mut std = StdDefs::default();
    for (module, item) in &items {
        let imports = module
            .as_ref()
            .and_then(|module| module_imports.get(module))
            .unwrap_or(Imports::none());
        let ctx = LowerCtx::new(&consts).with_imports(imports);
        match item {
            syn::Item::Type(alias) => {
                let mut def = lower::alias_def(ctx, alias);
                def.ty = rename(&def.ty);
                def.defaults = rename_defaults(&def.defaults, &rename);
                def.name = std.register(&qualified(module, &def.name), is_pub(&alias.vis));
                std.defs.add_alias(def);
            }
            syn::Item::Impl(imp) => std.to_owned.extend(to_owned_impl(imp, &rename)),
            _ => {
                let Some(mut def) = lower::adt_def(ctx, item) else {
                    continue;
                };
                resolve_projections(item, &mut def);
                for field in def.variants.iter_mut().flat_map(|v| v.fields.iter_mut()) {
                    field.ty = rename(&field.ty);
                }
                def.defaults = rename_defaults(&def.defaults, &rename);
                def.name = std.register(&qualified(module, &def.name), item_is_pub(item));
                def.span = None;
                std.metas.insert(def.name.clone(), adt_meta(item));
                std.defs.add_adt(def);
            }
        }
    }
    std
}

/// The prelude's items with the module each is declared in: `None` at the root, `Some("io")`
/// inside `pub mod io { .. }`. Modules hold the std items that share a name with another one.
fn in_modules(items: Vec<syn::Item>) -> Vec<(Option<String>, syn::Item)> {
    let mut all = Vec::new();
    for item in items {
        match item {
            syn::Item::Mod(module) => {
                let name = module.ident.to_string();
                let inner = module.content.map(|(_, inner)| inner).unwrap_or_default();
                all.extend(inner.into_iter().map(|item| (Some(name.clone()), item)));
            }
            other => all.push((None, other)),
        }
    }
    all
}

/// The name users give an item: `io::Error` inside `mod io`, the bare name at the root.
fn qualified(module: &Option<String>, name: &str) -> String {
    match module {
        Some(module) => format!("{module}::{name}"),
        None => name.to_string(),
    }
}

/// What names mean inside each module of the prelude.
fn imports_of_modules(items: &[(Option<String>, syn::Item)]) -> HashMap<String, Imports> {
    let mut names: HashMap<&str, Vec<String>> = HashMap::new();
    for (module, item) in items {
        if let (Some(module), Some(name)) = (module, type_item_name(item)) {
            names.entry(module).or_default().push(name);
        }
    }
    names
        .into_iter()
        .map(|(module, items)| {
            let imports = Imports::of_std_module(module, items.iter().map(String::as_str));
            (module.to_string(), imports)
        })
        .collect()
}

/// `module::Name` of every type declared in a module of the prelude, on any target: the std
/// items that lowering names with their module.
pub(crate) fn module_item_names() -> &'static HashSet<String> {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let items = syn::parse_file(SOURCE)
            .map(|file| in_modules(file.items))
            .unwrap_or_default();
        items
            .iter()
            .filter(|(module, _)| module.is_some())
            .filter_map(|(module, item)| Some(qualified(module, &type_item_name(item)?)))
            .collect()
    })
}

fn rename_defaults(defaults: &[Option<Ty>], rename: &dyn Fn(&Ty) -> Ty) -> Vec<Option<Ty>> {
    defaults.iter().map(|d| d.as_ref().map(rename)).collect()
}

impl StdDefs {
    /// Records that users can name `name` if it is public; returns its internal name.
    fn register(&mut self, name: &str, public: bool) -> String {
        if public {
            self.public.insert(name.to_string());
        }
        internal(name)
    }

    /// The internal name of the std item user code calls `name`, if std exports one.
    pub(super) fn public_name(&self, name: &str) -> Option<String> {
        let name = mirror_name_of_key(name);
        self.public.contains(name).then(|| internal(name))
    }

    /// `<borrowed as ToOwned>::Owned`. Sized types own themselves, through std's blanket
    /// `impl<T: Clone> ToOwned for T`, so that is the answer when no specific impl matches.
    pub(super) fn owned_of(&self, borrowed: &Ty) -> Ty {
        self.to_owned
            .iter()
            .find_map(|imp| {
                let mut bound = vec![None; imp.generics.len()];
                unify(&imp.borrowed, borrowed, &imp.generics, &mut bound).then(|| {
                    let args: Vec<Ty> = bound
                        .into_iter()
                        .zip(&imp.generics)
                        .map(|(ty, name)| ty.unwrap_or_else(|| Ty::Param(name.clone())))
                        .collect();
                    imp.owned.substitute(&imp.generics, &args)
                })
            })
            .unwrap_or_else(|| borrowed.clone())
    }
}

pub(super) fn internal(name: &str) -> String {
    format!("{STD_PREFIX}{name}")
}

/// Matches `ty` against an impl's self type, binding the impl's generic parameters.
fn unify(pattern: &Ty, ty: &Ty, params: &[String], bound: &mut [Option<Ty>]) -> bool {
    if let Ty::Param(name) = pattern
        && let Some(index) = params.iter().position(|param| param == name)
    {
        return match &bound[index] {
            Some(previous) => previous == ty,
            None => {
                bound[index] = Some(ty.clone());
                true
            }
        };
    }
    match (pattern, ty) {
        (Ty::Slice(p), Ty::Slice(t)) => unify(p, t, params, bound),
        (Ty::Adt { name: pn, args: pa }, Ty::Adt { name: tn, args: ta }) => {
            pn == tn
                && pa.len() == ta.len()
                && pa.iter().zip(ta).all(|(p, t)| unify(p, t, params, bound))
        }
        _ => pattern == ty,
    }
}

fn rename_local(ty: &Ty, local: &HashSet<String>) -> Ty {
    let renamed = ty.map_children(&|child| rename_local(child, local));
    match renamed {
        Ty::Adt { name, args } if local.contains(&name) => Ty::Adt {
            name: internal(&name),
            args,
        },
        other => other,
    }
}

/// Removes the internal prefix, for showing std types to users as they write them.
pub(super) fn strip_prefix(ty: &Ty) -> Ty {
    match ty.map_children(&strip_prefix) {
        Ty::Adt { name, args } => Ty::Adt {
            name: name.strip_prefix(STD_PREFIX).unwrap_or(&name).to_string(),
            args,
        },
        other => other,
    }
}

fn type_item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Union(u) => Some(u.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn item_is_pub(item: &syn::Item) -> bool {
    match item {
        syn::Item::Struct(s) => is_pub(&s.vis),
        syn::Item::Enum(e) => is_pub(&e.vis),
        syn::Item::Union(u) => is_pub(&u.vis),
        _ => false,
    }
}

fn item_attrs_mut(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    match item {
        syn::Item::Struct(s) => Some(&mut s.attrs),
        syn::Item::Enum(e) => Some(&mut e.attrs),
        syn::Item::Union(u) => Some(&mut u.attrs),
        syn::Item::Type(t) => Some(&mut t.attrs),
        syn::Item::Impl(i) => Some(&mut i.attrs),
        _ => None,
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Struct(s) => &s.attrs,
        syn::Item::Enum(e) => &e.attrs,
        syn::Item::Union(u) => &u.attrs,
        _ => &[],
    }
}

/// Drops the item if a `#[cfg]` rules it out on `target`, and expands its `#[cfg_attr]`s.
fn configure(mut item: syn::Item, target: &Target) -> Option<syn::Item> {
    let attrs = item_attrs_mut(&mut item)?;
    let mut kept = Vec::new();
    for attr in attrs.drain(..) {
        if attr.path().is_ident("cfg") {
            let predicate = attr.parse_args::<syn::Meta>().ok()?;
            if !cfg_holds(&predicate, target) {
                return None;
            }
        } else if attr.path().is_ident("cfg_attr") {
            kept.extend(expand_cfg_attr(&attr, target));
        } else {
            kept.push(attr);
        }
    }
    *attrs = kept;
    Some(item)
}

fn nested_metas(list: &syn::MetaList) -> Vec<syn::Meta> {
    list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .map(|metas| metas.into_iter().collect())
        .unwrap_or_default()
}

/// `#[cfg_attr(predicate, a, b)]` is `#[a] #[b]` when the predicate holds, nothing otherwise.
fn expand_cfg_attr(attr: &syn::Attribute, target: &Target) -> Vec<syn::Attribute> {
    let syn::Meta::List(list) = &attr.meta else {
        return Vec::new();
    };
    let mut metas = nested_metas(list).into_iter();
    match metas.next() {
        Some(predicate) if cfg_holds(&predicate, target) => metas
            .map(|meta| syn::Attribute {
                pound_token: attr.pound_token,
                style: syn::AttrStyle::Outer,
                bracket_token: attr.bracket_token,
                meta,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Evaluates a `cfg` predicate for the keys the prelude uses.
fn cfg_holds(meta: &syn::Meta, target: &Target) -> bool {
    match meta {
        syn::Meta::NameValue(pair) => {
            let key = pair.path.get_ident().map(ToString::to_string);
            let value = match &pair.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => text.value(),
                _ => return false,
            };
            key.is_some_and(|key| cfg_value(&key, target).as_deref() == Some(value.as_str()))
        }
        syn::Meta::List(list) => {
            let nested = nested_metas(list);
            let mut results = nested.iter().map(|inner| cfg_holds(inner, target));
            if list.path.is_ident("all") {
                results.all(|holds| holds)
            } else if list.path.is_ident("any") {
                results.any(|holds| holds)
            } else if list.path.is_ident("not") {
                nested.len() == 1 && !results.all(|holds| holds)
            } else {
                false
            }
        }
        syn::Meta::Path(path) => {
            let family = cfg_value("target_family", target);
            path.get_ident()
                .is_some_and(|name| family.as_deref() == Some(name.to_string().as_str()))
        }
    }
}

fn cfg_value(key: &str, target: &Target) -> Option<String> {
    let os = target.triple.split('-').nth(2).unwrap_or("none");
    Some(match key {
        "target_pointer_width" => (target.pointer_bytes * 8).to_string(),
        "target_arch" => match target.arch {
            Arch::X86_64 => "x86_64",
            Arch::X86 => "x86",
            Arch::Aarch64 => "aarch64",
            Arch::Arm => "arm",
            Arch::Wasm32 => "wasm32",
        }
        .to_string(),
        "target_os" => os.to_string(),
        "target_family" => match target.arch {
            Arch::Wasm32 => "wasm",
            _ => "unix",
        }
        .to_string(),
        _ => return None,
    })
}

/// Reads what lowering leaves out: valid ranges, `unsafe_cell`, and whether the fields are public.
fn adt_meta(item: &syn::Item) -> AdtMeta {
    let mut meta = AdtMeta {
        shows_fields: shows_fields(item),
        ..AdtMeta::default()
    };
    for attr in item_attrs(item) {
        let path = attr.path();
        if path.is_ident("rustc_layout_scalar_valid_range_start") {
            meta.valid_start = int_argument(attr);
        } else if path.is_ident("rustc_layout_scalar_valid_range_end") {
            meta.valid_end = int_argument(attr);
        } else if path.is_ident("lang") {
            meta.hides_niches |= lang_name(attr).as_deref() == Some("unsafe_cell");
        }
    }
    meta
}

fn shows_fields(item: &syn::Item) -> bool {
    match item {
        syn::Item::Enum(e) => is_pub(&e.vis),
        syn::Item::Struct(s) => is_pub(&s.vis) && s.fields.iter().all(|f| is_pub(&f.vis)),
        _ => false,
    }
}

fn int_argument(attr: &syn::Attribute) -> Option<u128> {
    attr.parse_args::<syn::LitInt>().ok()?.base10_parse().ok()
}

fn lang_name(attr: &syn::Attribute) -> Option<String> {
    match &attr.meta {
        syn::Meta::NameValue(syn::MetaNameValue {
            value:
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }),
            ..
        }) => Some(text.value()),
        _ => None,
    }
}

/// Field types of `item` in the order lowering visits them.
fn field_types(item: &syn::Item) -> Vec<Vec<&syn::Type>> {
    fn types(fields: &syn::Fields) -> Vec<&syn::Type> {
        fields.iter().map(|f| &f.ty).collect()
    }
    match item {
        syn::Item::Struct(s) => vec![types(&s.fields)],
        syn::Item::Union(u) => vec![u.fields.named.iter().map(|f| &f.ty).collect()],
        syn::Item::Enum(e) => e.variants.iter().map(|v| types(&v.fields)).collect(),
        _ => Vec::new(),
    }
}

/// Lowering cannot express `<B as ToOwned>::Owned`; it becomes [`OWNED_PROJECTION`] of `B`.
fn resolve_projections(item: &syn::Item, def: &mut crate::analysis::defs::AdtDef) {
    let consts = HashMap::new();
    let ctx = LowerCtx::new(&consts).with_generics(&def.generics);
    for (variant, types) in def.variants.iter_mut().zip(field_types(item)) {
        for (field, ty) in variant.fields.iter_mut().zip(types) {
            if let Some(borrowed) = to_owned_projection(ty) {
                field.ty = Ty::adt(OWNED_PROJECTION, vec![ctx.ty(borrowed)]);
            }
        }
    }
}

/// The `B` of a `<B as ToOwned>::Owned` type.
fn to_owned_projection(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let qself = path.qself.as_ref()?;
    let names: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    (names == ["ToOwned", "Owned"]).then_some(&*qself.ty)
}

fn to_owned_impl(imp: &syn::ItemImpl, rename: &dyn Fn(&Ty) -> Ty) -> Option<ToOwnedImpl> {
    let (_, trait_path, _) = imp.trait_.as_ref()?;
    if !trait_path.is_ident("ToOwned") {
        return None;
    }
    let consts = HashMap::new();
    let generics = lower::generic_names(&imp.generics);
    let ctx = LowerCtx::new(&consts).with_generics(&generics);
    let owned = imp.items.iter().find_map(|item| match item {
        syn::ImplItem::Type(assoc) if assoc.ident == "Owned" => Some(ctx.ty(&assoc.ty)),
        _ => None,
    })?;
    Some(ToOwnedImpl {
        borrowed: rename(&ctx.ty(&imp.self_ty)),
        owned: rename(&owned),
        generics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prelude_parses_and_lowers() {
        let std = build(&Target::X86_64_LINUX);
        assert!(std.defs.adt("std::Vec").is_some());
        assert!(std.public.contains("String"));
        assert!(!std.public.contains("RawVec"));
        assert!(std.defs.alias("std::NonZeroU32").is_some());
        assert!(std.public.contains("io::Error"));
        assert!(std.defs.alias("std::fmt::Result").is_some());
        assert!(module_item_names().contains("thread::Result"));
        assert!(!module_item_names().contains("Result"));
        assert!(std.metas["std::UnsafeCell"].hides_niches);
        let cell = std
            .defs
            .adt("std::UnsafeCell")
            .expect("UnsafeCell is in the prelude");
        assert_eq!(cell.unsized_params, ["T"]);
        assert_eq!(std.to_owned.len(), 5);
    }

    #[test]
    fn cfg_selects_per_target() {
        let wasm = Target::from_triple("wasm32-unknown-unknown").expect("known target");
        assert!(build(&wasm).defs.adt("std::Mutex").is_none());
        assert!(
            build(&Target::X86_64_LINUX)
                .defs
                .adt("std::Mutex")
                .is_some()
        );
        let no_high_bit = |target: &Target| build(target).metas["std::UsizeNoHighBit"].valid_end;
        assert_eq!(no_high_bit(&Target::X86_64_LINUX), Some(i64::MAX as u128));
        assert_eq!(no_high_bit(&wasm), Some(i32::MAX as u128));
    }

    #[test]
    fn owned_of_borrowed_types() {
        let std = build(&Target::X86_64_LINUX);
        assert_eq!(std.owned_of(&Ty::Str), Ty::adt("std::String", vec![]));
        let slice = Ty::Slice(Box::new(Ty::Bool));
        assert_eq!(std.owned_of(&slice), Ty::adt("std::Vec", vec![Ty::Bool]));
        assert_eq!(std.owned_of(&Ty::Char), Ty::Char);
    }
}
