//! A file's items as syntax-free data: what each module declares, with types and paths as written.
//!
//! Name resolution needs every file of the crate at once, and most of those files are never
//! opened, so their syntax trees are not kept: each file is lowered once into this summary (no
//! function bodies, no spans but the names' byte ranges), which the module map resolves.

use std::hash::{Hash, Hasher};
use std::ops::Range;

use quote::ToTokens;

use super::include::IncludedItems;
use crate::analysis::defs::{AdtKind, Repr};
use crate::analysis::ty::consts::IntOp;

/// A path as written: `::std::vec::Vec<u8>`, `crate::a::B`, `Self::Item`, `<T as Tr>::Out`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PathRef {
    /// Starts with `::` (a crate name in 2018+, the crate root in 2015).
    pub global: bool,
    pub segments: Vec<Segment>,
    /// `<T as Trait>::Name`: `T`, and how many leading segments name the trait.
    pub qself: Option<Box<QSelf>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QSelf {
    pub ty: TypeRef,
    /// The number of `segments` that spell the trait (0 for `<T>::Name`).
    pub position: usize,
}

/// One segment, with its generic arguments (`Vec<u8>`, `Fn(u8) -> bool`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    pub name: String,
    pub args: Option<Box<GenericArgs>>,
}

/// Generic arguments written on a segment.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct GenericArgs {
    pub types: Vec<TypeRef>,
    /// Const arguments, in order among themselves (`[u8; N]`-style `Foo<3>`).
    pub consts: Vec<ConstExpr>,
    /// `Item = u8`.
    pub bindings: Vec<(String, TypeRef)>,
    /// `Fn(A, B) -> R` sugar: the parameters and the return type (`None`: `()`).
    pub fn_sugar: Option<(Vec<TypeRef>, Option<TypeRef>)>,
}

impl PathRef {
    /// A plain path of names without arguments.
    pub fn of_names(names: &[&str]) -> PathRef {
        PathRef {
            global: false,
            segments: names
                .iter()
                .map(|name| Segment {
                    name: (*name).to_string(),
                    args: None,
                })
                .collect(),
            qself: None,
        }
    }

    /// The single name of a one-segment path without arguments.
    pub fn as_name(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [only] if !self.global && self.qself.is_none() && only.args.is_none() => {
                Some(&only.name)
            }
            _ => None,
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().map(|segment| segment.name.as_str())
    }

    pub fn last_name(&self) -> &str {
        self.segments.last().map_or("", |s| s.name.as_str())
    }
}

/// A type as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeRef {
    Path(PathRef),
    Ref {
        mutable: bool,
        inner: Box<TypeRef>,
    },
    Ptr {
        mutable: bool,
        inner: Box<TypeRef>,
    },
    Array(Box<TypeRef>, Box<ConstExpr>),
    Slice(Box<TypeRef>),
    Tuple(Vec<TypeRef>),
    Never,
    FnPtr {
        params: Vec<TypeRef>,
        ret: Option<Box<TypeRef>>,
    },
    Dyn(Vec<BoundRef>),
    ImplTrait(Vec<BoundRef>),
    /// `_`.
    Infer,
    /// A type memlens does not model (a macro in type position), as text.
    Other(String),
}

/// A trait bound: `Iterator<Item = u8>`, `?Sized`, `for<'a> Fn(&'a u8)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BoundRef {
    pub path: PathRef,
    /// `?Sized`.
    pub maybe: bool,
}

/// A constant expression as written (array lengths, discriminants, const items' values).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConstExpr {
    Int(u128),
    Bool(bool),
    /// A char or byte literal, by its value.
    Char(u32),
    Path(PathRef),
    Neg(Box<ConstExpr>),
    Not(Box<ConstExpr>),
    Binary(IntOp, Box<ConstExpr>, Box<ConstExpr>),
    Cast(Box<ConstExpr>, Box<TypeRef>),
    /// `size_of::<T>()`, `f(3)`.
    Call(PathRef, Vec<ConstExpr>),
    /// Something else, as text.
    Other(String),
}

/// Where an item may be named from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// No `pub`: the module and its descendants.
    Private,
    Public,
    Crate,
    /// `pub(super)`.
    Super,
    /// `pub(in path)` or `pub(self)`.
    In(PathRef),
}

/// A `#[cfg(..)]` predicate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CfgExpr {
    /// `unix`, `test`, `debug_assertions`.
    Name(String),
    /// `feature = "x"`, `target_os = "linux"`.
    KeyValue(String, String),
    All(Vec<CfgExpr>),
    Any(Vec<CfgExpr>),
    Not(Box<CfgExpr>),
}

/// Generic parameters and `where` clauses as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct GenericsRef {
    pub params: Vec<GenericParamRef>,
    pub predicates: Vec<(TypeRef, Vec<BoundRef>)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GenericParamRef {
    pub name: String,
    pub kind: GenericParamKindRef,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GenericParamKindRef {
    Type {
        bounds: Vec<BoundRef>,
        default: Option<TypeRef>,
    },
    Const {
        ty: TypeRef,
    },
    Lifetime,
}

impl GenericsRef {
    /// Names of the type parameters, in order.
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(|param| matches!(param.kind, GenericParamKindRef::Type { .. }))
            .map(|param| param.name.as_str())
    }
}

/// A field of a struct, union or variant; tuple fields are named `0`, `1`, ...
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldRef {
    pub name: String,
    pub ty: TypeRef,
    pub vis: Visibility,
    /// `#[cfg(windows)] handle: Handle`: a field only some builds have.
    pub cfg: Option<CfgExpr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VariantShape {
    Unit,
    Tuple,
    Named,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VariantRef {
    pub name: String,
    pub shape: VariantShape,
    pub fields: Vec<FieldRef>,
    pub discriminant: Option<ConstExpr>,
    pub cfg: Option<CfgExpr>,
}

/// A struct, enum or union.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AdtItem {
    pub kind: AdtKind,
    pub generics: GenericsRef,
    /// Structs and unions have one variant, named like the type.
    pub variants: Vec<VariantRef>,
    pub repr: Repr,
}

/// How a method takes `self`, as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReceiverRef {
    Value,
    Ref,
    RefMut,
    Typed(TypeRef),
}

/// A function's signature as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FnItem {
    pub generics: GenericsRef,
    pub receiver: Option<ReceiverRef>,
    pub params: Vec<TypeRef>,
    /// `None`: no return type, `()`.
    pub ret: Option<TypeRef>,
    pub is_unsafe: bool,
    pub is_const: bool,
    pub is_async: bool,
    pub has_body: bool,
}

/// An item inside a trait or impl.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AssocItem {
    pub name: String,
    pub kind: AssocKind,
    pub cfg: Option<CfgExpr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AssocKind {
    Fn(FnItem),
    Const {
        ty: TypeRef,
        value: Option<ConstExpr>,
    },
    /// In a trait: its bounds and default; in an impl: its value (as `default`).
    Type {
        bounds: Vec<BoundRef>,
        default: Option<TypeRef>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TraitItem {
    pub generics: GenericsRef,
    pub supertraits: Vec<BoundRef>,
    pub items: Vec<AssocItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImplItem {
    pub generics: GenericsRef,
    pub trait_path: Option<PathRef>,
    pub negative: bool,
    pub self_ty: TypeRef,
    pub items: Vec<AssocItem>,
}

/// What kind of item, with its declaration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Adt(AdtItem),
    Alias {
        generics: GenericsRef,
        ty: TypeRef,
    },
    Fn(FnItem),
    Const {
        ty: TypeRef,
        value: Option<ConstExpr>,
    },
    Static {
        ty: TypeRef,
        mutable: bool,
    },
    Trait(TraitItem),
    /// `impl` blocks have no name; theirs is empty.
    Impl(ImplItem),
    /// `extern crate name as alias;`: the item's name is what it is known by.
    ExternCrate {
        krate: String,
    },
}

/// One named item of a module (impls are items with an empty name).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Item {
    pub name: String,
    pub vis: Visibility,
    pub kind: ItemKind,
    pub cfg: Option<CfgExpr>,
    /// Byte range of the name in the file, when it was written there.
    pub name_range: Option<Range<usize>>,
    /// The paths `#[derive(..)]` names (`Clone`, `clap::Parser`).
    pub derives: Vec<PathRef>,
}

/// One leaf of a `use` tree: `use a::{b as c, d::*};` has two.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UseItem {
    /// The path, including the imported name (`["a", "b"]` for `a::b as c`); for a glob, the
    /// path of what is glob-imported.
    pub path: Vec<String>,
    pub global: bool,
    /// `None`: a glob. `Some("_")`: imported for its traits only.
    pub alias: Option<String>,
    pub glob: bool,
    pub vis: Visibility,
    pub cfg: Option<CfgExpr>,
}

impl UseItem {
    /// The name the import defines (`None` for a glob).
    pub fn defined_name(&self) -> Option<&str> {
        if self.glob {
            return None;
        }
        match (&self.alias, self.path.last()) {
            (Some(alias), _) => Some(alias),
            // `use a::b::{self}` defines `b`; `path` ends with the module's name then.
            (None, Some(last)) => Some(last),
            (None, None) => None,
        }
    }
}

/// `mod name;` whose items live in another file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChildModule {
    pub name: String,
    pub path_attr: Option<String>,
    pub cfg: Option<CfgExpr>,
    pub vis: Visibility,
}

/// A `macro_rules!` definition: its body's tokens as text, re-tokenized when expanded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MacroDef {
    pub name: String,
    pub body: String,
    /// `#[macro_export]`: named by path from the crate root, and visible from other crates.
    pub exported: bool,
    /// Byte offset of the definition in the file: textual scope starts there.
    pub offset: usize,
}

/// A macro call in item position (`cfg_x! { .. }`, `impl_ops!(A);`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MacroCall {
    pub path: PathRef,
    pub tokens: String,
    pub offset: usize,
}

/// What one module of a file declares: the file's own module or one of its inline modules.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ModuleItems {
    /// The inline module path inside the file (empty for the file's own module).
    pub inline: Vec<String>,
    /// The inline module's visibility and `cfg` (for the file's own module: `Public`, none).
    pub vis: Option<Visibility>,
    pub cfg: Option<CfgExpr>,
    /// `#[macro_use]` on the inline module: its macros stay visible after it.
    pub macro_use: bool,
    pub items: Vec<Item>,
    pub uses: Vec<UseItem>,
    pub children: Vec<ChildModule>,
    pub macros: Vec<MacroDef>,
    pub macro_calls: Vec<MacroCall>,
}

/// A file's modules (its own first), and a fingerprint of all of it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileItems {
    pub modules: Vec<ModuleItems>,
    /// `#![no_std]` among the file's inner attributes: `Some(None)` unconditionally,
    /// `Some(Some(p))` under `#![cfg_attr(p, no_std)]`.
    pub no_std: Option<Option<CfgExpr>>,
    /// The files its `include!` calls name, read by the crate index.
    pub included: Vec<IncludedItems>,
    pub fingerprint: u64,
}

impl FileItems {
    /// Lowers a file's parsed items (bodies blanked or not), each with the byte offset its
    /// spans are relative to.
    pub fn lower<'a>(items: impl Iterator<Item = (&'a syn::Item, usize)>) -> FileItems {
        let mut modules = vec![ModuleItems {
            vis: Some(Visibility::Public),
            ..ModuleItems::default()
        }];
        for (item, base) in items {
            lower_into(&mut modules, 0, item, base);
        }
        FileItems {
            fingerprint: fingerprint_of(&modules),
            modules,
            no_std: None,
            included: Vec::new(),
        }
    }

    /// These items with what their `include!` calls name; the fingerprint covers it.
    pub fn with_included(mut self, included: Vec<IncludedItems>) -> FileItems {
        self.fingerprint ^= super::include::included_fingerprint(&included);
        self.included = included;
        self
    }

    /// These items with the `#![no_std]` the file's text declares.
    pub fn with_inner_attributes_of(mut self, text: &str) -> FileItems {
        self.no_std = no_std_attribute(text);
        self
    }

    /// The items of a block (a function body's local items), as the items of a file.
    pub fn lower_block(items: &[&syn::Item], base: usize) -> FileItems {
        FileItems::lower(items.iter().map(|item| (*item, base)))
    }

    pub fn own(&self) -> Option<&ModuleItems> {
        self.modules.first()
    }
}

/// How many inner attributes at the top of a file are read for `#![no_std]`.
const MAX_INNER_ATTRIBUTES: usize = 256;

/// `#![no_std]` or `#![cfg_attr(p, no_std)]` among the inner attributes at the top of `text`.
pub fn no_std_attribute(text: &str) -> Option<Option<CfgExpr>> {
    let mut rest = text.trim_start_matches('\u{feff}');
    if rest.starts_with("#!") && !rest.starts_with("#![") {
        rest = rest.find('\n').map_or("", |end| &rest[end..]);
    }
    for _ in 0..MAX_INNER_ATTRIBUTES {
        rest = skip_comments(rest);
        let attribute = rest.strip_prefix("#!")?.trim_start();
        let end = closing_bracket(attribute)?;
        let source = format!("#!{}", &attribute[..=end]);
        rest = &attribute[end + 1..];
        let parsed = syn::parse::Parser::parse_str(syn::Attribute::parse_inner, &source);
        for attr in parsed.ok().into_iter().flatten() {
            if let Some(found) = no_std_of(&attr) {
                return Some(found);
            }
        }
    }
    None
}

/// What one inner attribute says of `no_std`.
fn no_std_of(attr: &syn::Attribute) -> Option<Option<CfgExpr>> {
    if attr.path().is_ident("no_std") {
        return Some(None);
    }
    if !attr.path().is_ident("cfg_attr") {
        return None;
    }
    let syn::Meta::List(list) = &attr.meta else {
        return None;
    };
    let mut parts = Vec::new();
    let mut current = proc_macro2::TokenStream::new();
    for token in list.tokens.clone() {
        match &token {
            proc_macro2::TokenTree::Punct(p) if p.as_char() == ',' => {
                parts.push(std::mem::take(&mut current));
            }
            _ => current.extend([token]),
        }
    }
    parts.push(current);
    let (predicate, attrs) = parts.split_first()?;
    attrs
        .iter()
        .any(|a| a.to_string().trim() == "no_std")
        .then(|| cfg_predicate(predicate.clone()).map(Some))?
}

/// `text` after whitespace and comments (`//!` doc comments, which are inner attributes too,
/// included).
fn skip_comments(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if text.starts_with("//") {
            text = text.find('\n').map_or("", |end| &text[end..]);
        } else if let Some(after) = text.strip_prefix("/*") {
            text = after.find("*/").map_or("", |end| &after[end + 2..]);
        } else {
            return text;
        }
    }
}

/// The index of the `]` closing the `[` that starts `text`, outside string literals.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// A fingerprint of what the modules declare, leaving out where: moving an item down the file
/// changes no declaration.
fn fingerprint_of(modules: &[ModuleItems]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for module in modules {
        let mut placeless = module.clone();
        placeless
            .items
            .iter_mut()
            .for_each(|item| item.name_range = None);
        placeless.macros.iter_mut().for_each(|def| def.offset = 0);
        placeless
            .macro_calls
            .iter_mut()
            .for_each(|call| call.offset = 0);
        placeless.hash(&mut hasher);
    }
    hasher.finish()
}

/// Lowers `item` into module number `module` of `modules`, appending inline modules it holds.
fn lower_into(modules: &mut Vec<ModuleItems>, module: usize, item: &syn::Item, base: usize) {
    let cfg = cfg_of(attrs_of(item));
    match item {
        syn::Item::Use(item_use) => {
            let vis = visibility(&item_use.vis);
            let global = item_use.leading_colon.is_some();
            let mut uses = Vec::new();
            use_leaves(&item_use.tree, &mut Vec::new(), &mut uses);
            for (path, alias, glob) in uses {
                modules[module].uses.push(UseItem {
                    path,
                    global,
                    alias,
                    glob,
                    vis: vis.clone(),
                    cfg: cfg.clone(),
                });
            }
        }
        syn::Item::Mod(item_mod) => lower_mod(modules, module, item_mod, cfg, base),
        syn::Item::Macro(item_macro) => lower_macro(&mut modules[module], item_macro, base),
        other => {
            if let Some(lowered) = lower_item(other, base) {
                let derives = derives_of(attrs_of(other));
                modules[module].items.push(Item {
                    cfg,
                    derives,
                    ..lowered
                });
            }
        }
    }
}

fn lower_mod(
    modules: &mut Vec<ModuleItems>,
    module: usize,
    item_mod: &syn::ItemMod,
    cfg: Option<CfgExpr>,
    base: usize,
) {
    let name = unraw(&item_mod.ident);
    let vis = visibility(&item_mod.vis);
    let Some((_, items)) = &item_mod.content else {
        modules[module].children.push(ChildModule {
            name,
            path_attr: path_attr(&item_mod.attrs),
            cfg,
            vis,
        });
        return;
    };
    let mut inline = modules[module].inline.clone();
    inline.push(name);
    let index = modules.len();
    modules.push(ModuleItems {
        inline,
        vis: Some(vis),
        cfg,
        macro_use: item_mod
            .attrs
            .iter()
            .any(|attr| attr.path().is_ident("macro_use")),
        ..ModuleItems::default()
    });
    for inner in items {
        lower_into(modules, index, inner, base);
    }
}

fn lower_macro(module: &mut ModuleItems, item_macro: &syn::ItemMacro, base: usize) {
    let offset = base
        + item_macro
            .mac
            .path
            .segments
            .first()
            .map_or(0, |segment| segment.ident.span().byte_range().start);
    if item_macro.mac.path.is_ident("macro_rules")
        && let Some(ident) = &item_macro.ident
    {
        module.macros.push(MacroDef {
            name: unraw(ident),
            body: item_macro.mac.tokens.to_string(),
            exported: item_macro
                .attrs
                .iter()
                .any(|attr| attr.path().is_ident("macro_export")),
            offset,
        });
        return;
    }
    module.macro_calls.push(MacroCall {
        path: path_ref(&item_macro.mac.path),
        tokens: item_macro.mac.tokens.to_string(),
        offset,
    });
}

/// Lowers one item that is not a `use`, `mod` or macro.
fn lower_item(item: &syn::Item, base: usize) -> Option<Item> {
    let named = |ident: &syn::Ident, vis: &syn::Visibility, kind: ItemKind| {
        let range = ident.span().byte_range();
        Some(Item {
            name: unraw(ident),
            vis: visibility(vis),
            kind,
            cfg: None,
            name_range: Some(base + range.start..base + range.end),
            derives: Vec::new(),
        })
    };
    match item {
        syn::Item::Struct(s) => {
            let variant = variant_ref(&s.ident, &s.fields, None, &[]);
            let adt = adt_item(AdtKind::Struct, &s.generics, &s.attrs, vec![variant]);
            named(&s.ident, &s.vis, ItemKind::Adt(adt))
        }
        syn::Item::Union(u) => {
            let fields = syn::Fields::Named(u.fields.clone());
            let variant = variant_ref(&u.ident, &fields, None, &[]);
            let adt = adt_item(AdtKind::Union, &u.generics, &u.attrs, vec![variant]);
            named(&u.ident, &u.vis, ItemKind::Adt(adt))
        }
        syn::Item::Enum(e) => {
            let variants = e
                .variants
                .iter()
                .map(|v| {
                    let discriminant = v.discriminant.as_ref().map(|(_, expr)| const_expr(expr));
                    variant_ref(&v.ident, &v.fields, discriminant, &v.attrs)
                })
                .collect();
            let adt = adt_item(AdtKind::Enum, &e.generics, &e.attrs, variants);
            named(&e.ident, &e.vis, ItemKind::Adt(adt))
        }
        syn::Item::Type(alias) => named(
            &alias.ident,
            &alias.vis,
            ItemKind::Alias {
                generics: generics_ref(&alias.generics),
                ty: type_ref(&alias.ty),
            },
        ),
        syn::Item::Fn(function) => named(
            &function.sig.ident,
            &function.vis,
            ItemKind::Fn(fn_item(&function.sig, true)),
        ),
        syn::Item::Const(constant) => named(
            &constant.ident,
            &constant.vis,
            ItemKind::Const {
                ty: type_ref(&constant.ty),
                value: Some(const_expr(&constant.expr)),
            },
        ),
        syn::Item::Static(item) => named(
            &item.ident,
            &item.vis,
            ItemKind::Static {
                ty: type_ref(&item.ty),
                mutable: matches!(item.mutability, syn::StaticMutability::Mut(_)),
            },
        ),
        syn::Item::Trait(tr) => named(&tr.ident, &tr.vis, ItemKind::Trait(trait_item(tr))),
        syn::Item::Impl(block) => Some(Item {
            name: String::new(),
            vis: Visibility::Private,
            kind: ItemKind::Impl(impl_item(block)),
            cfg: None,
            name_range: None,
            derives: Vec::new(),
        }),
        syn::Item::ExternCrate(extern_crate) => {
            let krate = unraw(&extern_crate.ident);
            let ident = extern_crate
                .rename
                .as_ref()
                .map_or(&extern_crate.ident, |(_, rename)| rename);
            named(ident, &extern_crate.vis, ItemKind::ExternCrate { krate })
        }
        syn::Item::ForeignMod(_) => None,
        _ => None,
    }
}

fn adt_item(
    kind: AdtKind,
    generics: &syn::Generics,
    attrs: &[syn::Attribute],
    variants: Vec<VariantRef>,
) -> AdtItem {
    AdtItem {
        kind,
        generics: generics_ref(generics),
        variants,
        repr: crate::analysis::lower::repr_of(attrs),
    }
}

fn variant_ref(
    ident: &syn::Ident,
    fields: &syn::Fields,
    discriminant: Option<ConstExpr>,
    attrs: &[syn::Attribute],
) -> VariantRef {
    let shape = match fields {
        syn::Fields::Unit => VariantShape::Unit,
        syn::Fields::Unnamed(_) => VariantShape::Tuple,
        syn::Fields::Named(_) => VariantShape::Named,
    };
    VariantRef {
        name: unraw(ident),
        shape,
        fields: fields
            .iter()
            .enumerate()
            .map(|(index, field)| FieldRef {
                name: field
                    .ident
                    .as_ref()
                    .map_or_else(|| index.to_string(), unraw),
                ty: type_ref(&field.ty),
                vis: visibility(&field.vis),
                cfg: cfg_of(&field.attrs),
            })
            .collect(),
        discriminant,
        cfg: cfg_of(attrs),
    }
}

fn trait_item(tr: &syn::ItemTrait) -> TraitItem {
    let items = tr
        .items
        .iter()
        .filter_map(|item| {
            let (name, kind, attrs) = match item {
                syn::TraitItem::Fn(method) => (
                    unraw(&method.sig.ident),
                    AssocKind::Fn(fn_item(&method.sig, method.default.is_some())),
                    &method.attrs,
                ),
                syn::TraitItem::Const(constant) => (
                    unraw(&constant.ident),
                    AssocKind::Const {
                        ty: type_ref(&constant.ty),
                        value: constant.default.as_ref().map(|(_, e)| const_expr(e)),
                    },
                    &constant.attrs,
                ),
                syn::TraitItem::Type(ty) => (
                    unraw(&ty.ident),
                    AssocKind::Type {
                        bounds: bounds_ref(ty.bounds.iter()),
                        default: ty.default.as_ref().map(|(_, ty)| type_ref(ty)),
                    },
                    &ty.attrs,
                ),
                _ => return None,
            };
            Some(AssocItem {
                name,
                kind,
                cfg: cfg_of(attrs),
            })
        })
        .collect();
    TraitItem {
        generics: generics_ref(&tr.generics),
        supertraits: bounds_ref(tr.supertraits.iter()),
        items,
    }
}

fn impl_item(block: &syn::ItemImpl) -> ImplItem {
    let items = block
        .items
        .iter()
        .filter_map(|item| {
            let (name, kind, attrs) = match item {
                syn::ImplItem::Fn(method) => (
                    unraw(&method.sig.ident),
                    AssocKind::Fn(fn_item(&method.sig, true)),
                    &method.attrs,
                ),
                syn::ImplItem::Const(constant) => (
                    unraw(&constant.ident),
                    AssocKind::Const {
                        ty: type_ref(&constant.ty),
                        value: Some(const_expr(&constant.expr)),
                    },
                    &constant.attrs,
                ),
                syn::ImplItem::Type(ty) => (
                    unraw(&ty.ident),
                    AssocKind::Type {
                        bounds: Vec::new(),
                        default: Some(type_ref(&ty.ty)),
                    },
                    &ty.attrs,
                ),
                _ => return None,
            };
            Some(AssocItem {
                name,
                kind,
                cfg: cfg_of(attrs),
            })
        })
        .collect();
    let (trait_path, negative) = match &block.trait_ {
        Some((bang, path, _)) => (Some(path_ref(path)), bang.is_some()),
        None => (None, false),
    };
    ImplItem {
        generics: generics_ref(&block.generics),
        trait_path,
        negative,
        self_ty: type_ref(&block.self_ty),
        items,
    }
}

/// Lowers a function signature; `has_body` says whether a body follows (trait methods may lack one).
pub fn fn_item(sig: &syn::Signature, has_body: bool) -> FnItem {
    let receiver = sig.receiver().map(|receiver| {
        if receiver.colon_token.is_some() {
            ReceiverRef::Typed(type_ref(&receiver.ty))
        } else {
            match (&receiver.reference, receiver.mutability) {
                (Some(_), Some(_)) => ReceiverRef::RefMut,
                (Some(_), None) => ReceiverRef::Ref,
                (None, _) => ReceiverRef::Value,
            }
        }
    });
    let params = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => Some(type_ref(&typed.ty)),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    FnItem {
        generics: generics_ref(&sig.generics),
        receiver,
        params,
        ret: match &sig.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, ty) => Some(type_ref(ty)),
        },
        is_unsafe: sig.unsafety.is_some(),
        is_const: sig.constness.is_some(),
        is_async: sig.asyncness.is_some(),
        has_body,
    }
}

pub fn generics_ref(generics: &syn::Generics) -> GenericsRef {
    let params = generics
        .params
        .iter()
        .map(|param| match param {
            syn::GenericParam::Type(ty) => GenericParamRef {
                name: unraw(&ty.ident),
                kind: GenericParamKindRef::Type {
                    bounds: bounds_ref(ty.bounds.iter()),
                    default: ty.default.as_ref().map(type_ref),
                },
            },
            syn::GenericParam::Const(constant) => GenericParamRef {
                name: unraw(&constant.ident),
                kind: GenericParamKindRef::Const {
                    ty: type_ref(&constant.ty),
                },
            },
            syn::GenericParam::Lifetime(lifetime) => GenericParamRef {
                name: lifetime.lifetime.ident.to_string(),
                kind: GenericParamKindRef::Lifetime,
            },
        })
        .collect();
    let predicates = generics
        .where_clause
        .iter()
        .flat_map(|clause| clause.predicates.iter())
        .filter_map(|predicate| match predicate {
            syn::WherePredicate::Type(bound) => {
                Some((type_ref(&bound.bounded_ty), bounds_ref(bound.bounds.iter())))
            }
            _ => None,
        })
        .collect();
    GenericsRef { params, predicates }
}

pub fn bounds_ref<'a>(bounds: impl Iterator<Item = &'a syn::TypeParamBound>) -> Vec<BoundRef> {
    bounds
        .filter_map(|bound| match bound {
            syn::TypeParamBound::Trait(trait_bound) => Some(BoundRef {
                path: path_ref(&trait_bound.path),
                maybe: matches!(trait_bound.modifier, syn::TraitBoundModifier::Maybe(_)),
            }),
            _ => None,
        })
        .collect()
}

/// Lowers a written type.
pub fn type_ref(ty: &syn::Type) -> TypeRef {
    match ty {
        syn::Type::Path(path) => TypeRef::Path(qualified_path_ref(path.qself.as_ref(), &path.path)),
        syn::Type::Reference(reference) => TypeRef::Ref {
            mutable: reference.mutability.is_some(),
            inner: Box::new(type_ref(&reference.elem)),
        },
        syn::Type::Ptr(ptr) => TypeRef::Ptr {
            mutable: ptr.mutability.is_some(),
            inner: Box::new(type_ref(&ptr.elem)),
        },
        syn::Type::Array(array) => TypeRef::Array(
            Box::new(type_ref(&array.elem)),
            Box::new(const_expr(&array.len)),
        ),
        syn::Type::Slice(slice) => TypeRef::Slice(Box::new(type_ref(&slice.elem))),
        syn::Type::Tuple(tuple) => TypeRef::Tuple(tuple.elems.iter().map(type_ref).collect()),
        syn::Type::Paren(inner) => type_ref(&inner.elem),
        syn::Type::Group(inner) => type_ref(&inner.elem),
        syn::Type::Never(_) => TypeRef::Never,
        syn::Type::BareFn(bare) => TypeRef::FnPtr {
            params: bare.inputs.iter().map(|arg| type_ref(&arg.ty)).collect(),
            ret: match &bare.output {
                syn::ReturnType::Default => None,
                syn::ReturnType::Type(_, ty) => Some(Box::new(type_ref(ty))),
            },
        },
        syn::Type::TraitObject(object) => TypeRef::Dyn(bounds_ref(object.bounds.iter())),
        syn::Type::ImplTrait(opaque) => TypeRef::ImplTrait(bounds_ref(opaque.bounds.iter())),
        syn::Type::Infer(_) => TypeRef::Infer,
        other => TypeRef::Other(other.to_token_stream().to_string()),
    }
}

/// Lowers a path written in an expression or pattern (`Vec::<u8>::new`, `<T as Tr>::f`).
pub fn expr_path_ref(qself: Option<&syn::QSelf>, path: &syn::Path) -> PathRef {
    qualified_path_ref(qself, path)
}

fn qualified_path_ref(qself: Option<&syn::QSelf>, path: &syn::Path) -> PathRef {
    let mut lowered = path_ref(path);
    if let Some(qself) = qself {
        lowered.qself = Some(Box::new(QSelf {
            ty: type_ref(&qself.ty),
            position: qself.position,
        }));
    }
    lowered
}

pub fn path_ref(path: &syn::Path) -> PathRef {
    PathRef {
        global: path.leading_colon.is_some(),
        segments: path
            .segments
            .iter()
            .map(|segment| Segment {
                name: unraw(&segment.ident),
                args: generic_args(&segment.arguments).map(Box::new),
            })
            .collect(),
        qself: None,
    }
}

fn generic_args(arguments: &syn::PathArguments) -> Option<GenericArgs> {
    match arguments {
        syn::PathArguments::None => None,
        syn::PathArguments::AngleBracketed(angle) => {
            let mut args = GenericArgs::default();
            for arg in &angle.args {
                match arg {
                    syn::GenericArgument::Type(ty) => args.types.push(type_ref(ty)),
                    syn::GenericArgument::Const(expr) => args.consts.push(const_expr(expr)),
                    syn::GenericArgument::AssocType(assoc) => args
                        .bindings
                        .push((unraw(&assoc.ident), type_ref(&assoc.ty))),
                    _ => {}
                }
            }
            Some(args)
        }
        syn::PathArguments::Parenthesized(paren) => Some(GenericArgs {
            fn_sugar: Some((
                paren.inputs.iter().map(type_ref).collect(),
                match &paren.output {
                    syn::ReturnType::Default => None,
                    syn::ReturnType::Type(_, ty) => Some(type_ref(ty)),
                },
            )),
            ..GenericArgs::default()
        }),
    }
}

/// Lowers a constant expression.
pub fn const_expr(expr: &syn::Expr) -> ConstExpr {
    match expr {
        syn::Expr::Lit(lit) => match &lit.lit {
            syn::Lit::Int(int) => int
                .base10_parse::<u128>()
                .map_or_else(|_| other_expr(expr), ConstExpr::Int),
            syn::Lit::Bool(value) => ConstExpr::Bool(value.value),
            syn::Lit::Byte(byte) => ConstExpr::Char(u32::from(byte.value())),
            syn::Lit::Char(ch) => ConstExpr::Char(u32::from(ch.value())),
            _ => other_expr(expr),
        },
        syn::Expr::Path(path) => {
            ConstExpr::Path(qualified_path_ref(path.qself.as_ref(), &path.path))
        }
        syn::Expr::Paren(inner) => const_expr(&inner.expr),
        syn::Expr::Group(inner) => const_expr(&inner.expr),
        syn::Expr::Block(block) => match block.block.stmts.as_slice() {
            [syn::Stmt::Expr(inner, None)] => const_expr(inner),
            _ => other_expr(expr),
        },
        syn::Expr::Unary(unary) => match unary.op {
            syn::UnOp::Neg(_) => ConstExpr::Neg(Box::new(const_expr(&unary.expr))),
            syn::UnOp::Not(_) => ConstExpr::Not(Box::new(const_expr(&unary.expr))),
            _ => other_expr(expr),
        },
        syn::Expr::Cast(cast) => ConstExpr::Cast(
            Box::new(const_expr(&cast.expr)),
            Box::new(type_ref(&cast.ty)),
        ),
        syn::Expr::Binary(binary) => match int_op(&binary.op) {
            Some(op) => ConstExpr::Binary(
                op,
                Box::new(const_expr(&binary.left)),
                Box::new(const_expr(&binary.right)),
            ),
            None => other_expr(expr),
        },
        syn::Expr::Call(call) => match &*call.func {
            syn::Expr::Path(path) => ConstExpr::Call(
                qualified_path_ref(path.qself.as_ref(), &path.path),
                call.args.iter().map(const_expr).collect(),
            ),
            _ => other_expr(expr),
        },
        _ => other_expr(expr),
    }
}

fn other_expr(expr: &syn::Expr) -> ConstExpr {
    ConstExpr::Other(expr.to_token_stream().to_string())
}

/// The operator a binary expression is written with, if constants use it.
pub fn int_op(op: &syn::BinOp) -> Option<IntOp> {
    Some(match op {
        syn::BinOp::Add(_) => IntOp::Add,
        syn::BinOp::Sub(_) => IntOp::Sub,
        syn::BinOp::Mul(_) => IntOp::Mul,
        syn::BinOp::Div(_) => IntOp::Div,
        syn::BinOp::Rem(_) => IntOp::Rem,
        syn::BinOp::Shl(_) => IntOp::Shl,
        syn::BinOp::Shr(_) => IntOp::Shr,
        syn::BinOp::BitAnd(_) => IntOp::BitAnd,
        syn::BinOp::BitOr(_) => IntOp::BitOr,
        syn::BinOp::BitXor(_) => IntOp::BitXor,
        syn::BinOp::Lt(_) => IntOp::Lt,
        syn::BinOp::Le(_) => IntOp::Le,
        syn::BinOp::Gt(_) => IntOp::Gt,
        syn::BinOp::Ge(_) => IntOp::Ge,
        syn::BinOp::Eq(_) => IntOp::Eq,
        syn::BinOp::Ne(_) => IntOp::Ne,
        _ => return None,
    })
}

pub fn visibility(vis: &syn::Visibility) -> Visibility {
    match vis {
        syn::Visibility::Public(_) => Visibility::Public,
        syn::Visibility::Inherited => Visibility::Private,
        syn::Visibility::Restricted(restricted) => {
            let path = path_ref(&restricted.path);
            match path.as_name() {
                Some("crate") => Visibility::Crate,
                Some("super") => Visibility::Super,
                Some("self") => Visibility::Private,
                _ => Visibility::In(path),
            }
        }
    }
}

/// The leaves of a `use` tree: (path including the name, alias, glob).
fn use_leaves(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>, bool)>,
) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(unraw(&path.ident));
            use_leaves(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let mut path = prefix.clone();
            // `use a::b::{self};` imports `b` itself.
            if name.ident != "self" {
                path.push(unraw(&name.ident));
            }
            out.push((path, None, false));
        }
        syn::UseTree::Rename(rename) => {
            let mut path = prefix.clone();
            if rename.ident != "self" {
                path.push(unraw(&rename.ident));
            }
            out.push((path, Some(unraw(&rename.rename)), false));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), None, true)),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                use_leaves(tree, prefix, out);
            }
        }
    }
}

/// An identifier's name without `r#`.
pub fn unraw(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    match name.strip_prefix("r#") {
        Some(stripped) => stripped.to_string(),
        None => name,
    }
}

pub fn attrs_of(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The paths `#[derive(..)]` attributes name.
fn derives_of(attrs: &[syn::Attribute]) -> Vec<PathRef> {
    let mut derives = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("derive")) {
        let _ = attr.parse_nested_meta(|meta| {
            derives.push(path_ref(&meta.path));
            Ok(())
        });
    }
    derives
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(name_value) if name_value.path.is_ident("path") => {
            match &name_value.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value()),
                _ => None,
            }
        }
        _ => None,
    })
}

/// The `#[cfg(..)]` predicates of an item, all of which must hold.
pub fn cfg_of(attrs: &[syn::Attribute]) -> Option<CfgExpr> {
    let mut all: Vec<CfgExpr> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::List(list) => cfg_predicate(list.tokens.clone()),
            _ => None,
        })
        .collect();
    match all.len() {
        0 => None,
        1 => all.pop(),
        _ => Some(CfgExpr::All(all)),
    }
}

/// Parses a cfg predicate's tokens: `unix`, `feature = "x"`, `all(a, not(b))`.
pub fn cfg_predicate(tokens: proc_macro2::TokenStream) -> Option<CfgExpr> {
    let meta: syn::Meta = syn::parse2(tokens).ok()?;
    cfg_meta(&meta, 0)
}

fn cfg_meta(meta: &syn::Meta, depth: usize) -> Option<CfgExpr> {
    // Real predicates nest a few levels; the bound only protects against hostile input.
    if depth > 32 {
        return None;
    }
    let name = meta.path().get_ident()?.to_string();
    match meta {
        syn::Meta::Path(_) => Some(CfgExpr::Name(name)),
        syn::Meta::NameValue(name_value) => match &name_value.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => Some(CfgExpr::KeyValue(name, text.value())),
            _ => None,
        },
        syn::Meta::List(list) => {
            let nested = list
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                )
                .ok()?;
            let inner: Option<Vec<CfgExpr>> = nested
                .iter()
                .map(|meta| cfg_meta(meta, depth + 1))
                .collect();
            let inner = inner?;
            match name.as_str() {
                "all" => Some(CfgExpr::All(inner)),
                "any" => Some(CfgExpr::Any(inner)),
                "not" if inner.len() == 1 => {
                    inner.into_iter().next().map(|e| CfgExpr::Not(Box::new(e)))
                }
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_std_is_read_from_the_inner_attributes_at_the_top() {
        // lru 0.12.5 (edition 2015, `#![no_std]`): `use core::ptr::NonNull` resolved nowhere.
        let plain = "//! A crate.\n#![deny(missing_docs)]\n#![no_std]\nextern crate alloc;\n";
        assert_eq!(no_std_attribute(plain), Some(None));
        let conditional = "#![cfg_attr(not(feature = \"std\"), no_std)]\nfn f() {}\n";
        let expected = cfg_predicate("not(feature = \"std\")".parse().expect("tokens"));
        assert_eq!(no_std_attribute(conditional), Some(expected));
        assert_eq!(
            no_std_attribute("#![allow(x)]\nfn f() { #![no_std] }\n"),
            None
        );
        assert_eq!(
            no_std_attribute("#![doc = \"]\"]\n#![no_std]\n"),
            Some(None)
        );
    }

    fn lowered(text: &str) -> FileItems {
        let file = syn::parse_file(text).expect("test file parses");
        FileItems::lower(file.items.iter().map(|item| (item, 0)))
    }

    #[test]
    fn lowers_modules_uses_and_items() {
        let file = lowered(
            "use std::{io::{self, Read}, collections::*};\n\
             pub(crate) struct A<T: Clone = u8> { pub x: Vec<T> }\n\
             mod inner { pub use super::A as B; #[cfg(test)] fn t() {} }\n\
             mod outside;\n\
             macro_rules! m { () => {} }\n\
             m!();",
        );
        let own = &file.modules[0];
        let paths: Vec<String> = own
            .uses
            .iter()
            .map(|u| format!("{}{}", u.path.join("::"), if u.glob { "::*" } else { "" }))
            .collect();
        assert_eq!(paths, ["std::io", "std::io::Read", "std::collections::*"]);
        assert_eq!(own.items[0].name, "A");
        assert_eq!(own.items[0].vis, Visibility::Crate);
        assert_eq!(own.children[0].name, "outside");
        assert_eq!(own.macros[0].name, "m");
        assert_eq!(own.macro_calls[0].path.last_name(), "m");
        let inner = &file.modules[1];
        assert_eq!(inner.inline, ["inner"]);
        assert_eq!(inner.uses[0].defined_name(), Some("B"));
        assert_eq!(inner.items[0].cfg, Some(CfgExpr::Name("test".to_string())));
    }

    #[test]
    fn lowers_types_with_paths_and_sugar() {
        let ty: syn::Type = syn::parse_str("Box<dyn Fn(u8) -> bool + Send>").unwrap();
        let TypeRef::Path(path) = type_ref(&ty) else {
            panic!("a path type")
        };
        let args = path.segments[0].args.as_ref().unwrap();
        let TypeRef::Dyn(bounds) = &args.types[0] else {
            panic!("a trait object")
        };
        assert_eq!(bounds[0].path.last_name(), "Fn");
        assert!(
            bounds[0].path.segments[0]
                .args
                .as_ref()
                .unwrap()
                .fn_sugar
                .is_some()
        );
        let ty: syn::Type = syn::parse_str("<T as Iterator>::Item").unwrap();
        let TypeRef::Path(path) = type_ref(&ty) else {
            panic!("a path type")
        };
        assert_eq!(path.qself.as_ref().unwrap().position, 1);
    }

    #[test]
    fn fingerprint_follows_declarations() {
        let a = lowered("struct A { x: u8 }");
        let b = lowered("struct A { x: u16 }");
        let c = lowered("struct A { x: u8 }");
        assert_ne!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint, c.fingerprint);
    }
}
