//! Reads `core`, `alloc` and `std` from `rust-src`: follows each crate's module tree from
//! `lib.rs` (`mod x;`, `#[path]`, inline modules), drops what `#[cfg]` removes, expands macro
//! invocations among items (through [`super::expand`]) and records modules, items, impls and
//! imports in a [`Model`].

use std::path::{Path, PathBuf};
use std::rc::Rc;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Item, UseTree};

use super::cfg::{self, Cfg, Pred};
use super::expand::{self, MacroDef};
use super::model::{
    Crate, ImplBlock, Import, Item as ModelItem, ItemKind, MacroItem, ModId, Model, Module, Vis,
};
use super::tokens::without_const_traits;

/// The crates read, in dependency order.
pub const CRATES: [&str; 3] = ["core", "alloc", "std"];

/// What std's `libc` paths name, on the one target it is written for.
const LIBC_SHIM: &str = include_str!("libc_shim.rs");

/// Deepest nesting of macro expansions followed: the expander's recommendation (std's deepest,
/// `array_impl_default!` counting down from 32, needs 33).
const MAX_EXPANSION_DEPTH: usize = 64;

/// Where a module's source lives: the file's directory and the directory of its children.
#[derive(Clone)]
struct FileCtx {
    file_dir: PathBuf,
    child_dir: PathBuf,
    inline_depth: usize,
}

struct Walker {
    model: Model,
    /// `macro_rules!` definitions in textual scope at the current point of the walk.
    visible: Vec<Rc<MacroDef>>,
    /// `#[macro_export]`ed definitions of every crate read so far.
    exported: Vec<Rc<MacroDef>>,
    krate: usize,
    library: PathBuf,
}

pub fn read_std(library: &Path) -> Result<Model, String> {
    let mut walker = Walker {
        model: Model {
            fingerprint: 0xcbf2_9ce4_8422_2325,
            ..Model::default()
        },
        visible: Vec::new(),
        exported: Vec::new(),
        krate: 0,
        library: library.to_path_buf(),
    };
    for (index, name) in CRATES.into_iter().enumerate() {
        walker.krate = index;
        walker.walk_crate(name)?;
    }
    Ok(walker.model)
}

/// Parses a file (or expanded tokens) after the const-trait rewrite.
fn parse_tokens(tokens: TokenStream) -> syn::Result<syn::File> {
    syn::parse2(without_const_traits(tokens))
}

fn stability(attrs: &[Attribute]) -> Option<bool> {
    attrs.iter().find_map(|attr| {
        if attr.path().is_ident("unstable") {
            Some(true)
        } else if attr.path().is_ident("stable") {
            Some(false)
        } else {
            None
        }
    })
}

fn is_hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("doc")
            && matches!(&attr.meta, syn::Meta::List(list)
                if list.tokens.to_string().contains("hidden"))
    })
}

fn has_attr(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|attr| attr.path().is_ident(name))
}

fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(pair) if pair.path.is_ident("path") => cfg::lit_str(&pair.value),
        _ => None,
    })
}

/// Items in a macro's output when it is used in an impl or trait.
struct ImplItems(Vec<syn::ImplItem>);

impl Parse for ImplItems {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(ImplItems(items))
    }
}

struct TraitItems(Vec<syn::TraitItem>);

impl Parse for TraitItems {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(TraitItems(items))
    }
}

impl Walker {
    fn read(&mut self, path: &Path) -> Result<syn::File, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let relative = path.strip_prefix(&self.library).unwrap_or(path);
        self.fingerprint(relative.to_string_lossy().bytes().chain(text.bytes()));
        self.model.files += 1;
        let tokens: TokenStream = text
            .parse()
            .map_err(|e| format!("{}: {e:?}", path.display()))?;
        parse_tokens(tokens).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn fingerprint(&mut self, bytes: impl Iterator<Item = u8>) {
        for byte in bytes {
            self.model.fingerprint ^= u64::from(byte);
            self.model.fingerprint = self.model.fingerprint.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// `libc`, which std's private types name (`libc::stat64`): the few types of
    /// [`LIBC_SHIM`], as a private module of std that std's paths reach as the crate `libc`.
    fn walk_libc_shim(&mut self, root: ModId, ctx: &FileCtx) -> Result<(), String> {
        self.fingerprint(LIBC_SHIM.bytes());
        let file = syn::parse_file(LIBC_SHIM).map_err(|e| format!("libc shim: {e}"))?;
        let cfg_attr: Attribute = syn::parse_quote!(
            #[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
        );
        let item = syn::ItemMod {
            attrs: vec![cfg_attr.clone()],
            vis: syn::Visibility::Inherited,
            unsafety: None,
            mod_token: Default::default(),
            ident: quote::format_ident!("libc"),
            content: Some((Default::default(), file.items)),
            semi: None,
        };
        let module = self.model.modules.len();
        let cfg = cfg::cfg_of(std::slice::from_ref(&cfg_attr));
        self.walk_mod(root, ctx, item, vec![cfg_attr], &cfg);
        self.model.crates[self.krate]
            .extern_modules
            .push(("libc".to_string(), module));
        Ok(())
    }

    fn walk_crate(&mut self, name: &'static str) -> Result<(), String> {
        let dir = self.library.join(name).join("src");
        let file = self.read(&dir.join("lib.rs"))?;
        let root = self.model.modules.len();
        self.model.modules.push(Module {
            name: name.to_string(),
            parent: None,
            krate: self.krate,
            cfg: Cfg::always(),
            vis: Vis::Public,
            unstable: false,
            hidden: false,
        });
        let extern_names = CRATES[..=self.krate]
            .iter()
            .map(|&c| (c.to_string(), c))
            .collect();
        self.model.crates.push(Crate {
            name,
            root,
            extern_names,
            extern_modules: Vec::new(),
        });
        self.visible.clear();
        let ctx = FileCtx {
            file_dir: dir.clone(),
            child_dir: dir,
            inline_depth: 0,
        };
        self.walk_items(root, &ctx, file.items, &Cfg::always(), 0);
        if name == "std" {
            self.walk_libc_shim(root, &ctx)?;
        }
        Ok(())
    }

    fn walk_items(
        &mut self,
        module: ModId,
        ctx: &FileCtx,
        items: Vec<Item>,
        cfg: &Cfg,
        depth: usize,
    ) {
        for item in items {
            self.walk_item(module, ctx, item, cfg, depth);
        }
    }

    fn vis(&self, module: ModId, vis: &syn::Visibility) -> Vis {
        let root = self.model.crate_root(module);
        match vis {
            syn::Visibility::Public(_) => Vis::Public,
            syn::Visibility::Inherited => Vis::Restricted(module),
            syn::Visibility::Restricted(r) if r.path.is_ident("super") => {
                Vis::Restricted(self.model.modules[module].parent.unwrap_or(root))
            }
            syn::Visibility::Restricted(r) if r.path.is_ident("self") => Vis::Restricted(module),
            syn::Visibility::Restricted(_) => Vis::Restricted(root),
        }
    }

    fn walk_item(&mut self, module: ModId, ctx: &FileCtx, item: Item, cfg: &Cfg, depth: usize) {
        let attrs = cfg::expand_cfg_attrs(item_attrs(&item));
        let item_cfg = cfg.and(&cfg::cfg_of(&attrs));
        if item_cfg.is_never() {
            return;
        }
        match item {
            Item::Mod(m) => self.walk_mod(module, ctx, m, attrs, &item_cfg),
            Item::Use(u) => {
                let vis = self.vis(module, &u.vis);
                let prelude = has_attr(&attrs, "prelude_import");
                let import = Import {
                    module,
                    path: Vec::new(),
                    global: u.leading_colon.is_some(),
                    name: None,
                    vis,
                    cfg: item_cfg,
                    prelude,
                };
                self.flatten_use(&u.tree, import);
            }
            Item::ExternCrate(e) => self.extern_crate(&e),
            Item::Macro(m) => self.walk_macro(module, ctx, m, attrs, &item_cfg, depth),
            Item::Verbatim(tokens) => self.macro_2_0(module, tokens, &item_cfg),
            Item::Impl(mut imp) => {
                imp.items = self.expand_impl_items(module, imp.items, depth);
                imp.attrs = attrs.clone();
                let unstable = stability(&attrs).unwrap_or(self.model.modules[module].unstable);
                self.model.impls.push(ImplBlock {
                    module,
                    item: imp,
                    cfg: item_cfg,
                    unstable,
                });
            }
            other => self.add_item(module, other, attrs, item_cfg, depth),
        }
    }

    fn add_item(
        &mut self,
        module: ModId,
        item: Item,
        attrs: Vec<Attribute>,
        cfg: Cfg,
        depth: usize,
    ) {
        let (name, vis, kind) = match item {
            Item::Struct(s) => (s.ident.to_string(), s.vis.clone(), ItemKind::Struct(s)),
            Item::Enum(e) => (e.ident.to_string(), e.vis.clone(), ItemKind::Enum(e)),
            Item::Union(u) => (u.ident.to_string(), u.vis.clone(), ItemKind::Union(u)),
            Item::Trait(mut t) => {
                t.items = self.expand_trait_items(module, t.items, depth);
                (t.ident.to_string(), t.vis.clone(), ItemKind::Trait(t))
            }
            Item::Type(t) => (t.ident.to_string(), t.vis.clone(), ItemKind::Alias(t)),
            Item::Fn(f) => (f.sig.ident.to_string(), f.vis, ItemKind::Fn(f.sig)),
            Item::Const(c) => (c.ident.to_string(), c.vis, ItemKind::Const(*c.ty)),
            Item::Static(s) => (s.ident.to_string(), s.vis, ItemKind::Static(*s.ty)),
            _ => return,
        };
        if name == "_" {
            return;
        }
        let vis = self.vis(module, &vis);
        if let Some(generics) = adt_generics(&kind) {
            self.derive_impls(module, &name, &generics, &attrs, &cfg);
        }
        self.push_item(module, name, kind, vis, attrs, cfg);
    }

    /// `#[derive(Clone, PartialEq..)]` (and core's `#[derive_const]`) as the impls the derive
    /// macros write: each type parameter bounded by the trait, no items (the trait's apply).
    fn derive_impls(
        &mut self,
        module: ModId,
        name: &str,
        generics: &syn::Generics,
        attrs: &[Attribute],
        cfg: &Cfg,
    ) {
        let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
        let unstable = stability(attrs).unwrap_or(self.model.modules[module].unstable);
        for trait_path in derived_traits(attrs) {
            let mut bounded = generics.clone();
            for param in bounded.type_params_mut() {
                param.bounds.push(syn::parse_quote!(#trait_path));
            }
            let (impl_generics, _, where_clause) = bounded.split_for_impl();
            let (_, type_generics, _) = generics.split_for_impl();
            let item: syn::ItemImpl = syn::parse_quote! {
                impl #impl_generics #trait_path for #ident #type_generics #where_clause {}
            };
            self.model.impls.push(ImplBlock {
                module,
                item,
                cfg: cfg.clone(),
                unstable,
            });
        }
    }

    fn push_item(
        &mut self,
        module: ModId,
        name: String,
        kind: ItemKind,
        vis: Vis,
        attrs: Vec<Attribute>,
        cfg: Cfg,
    ) {
        let unstable = stability(&attrs).unwrap_or(self.model.modules[module].unstable);
        let hidden = is_hidden(&attrs);
        // `r#try` is named `try`, as paths and `$name!` calls name it.
        let name = name.strip_prefix("r#").map(str::to_string).unwrap_or(name);
        self.model.items.push(ModelItem {
            name,
            module,
            kind,
            vis,
            cfg,
            unstable,
            hidden,
            attrs,
        });
    }

    fn walk_mod(
        &mut self,
        parent: ModId,
        ctx: &FileCtx,
        item: syn::ItemMod,
        attrs: Vec<Attribute>,
        cfg: &Cfg,
    ) {
        let name = item.ident.to_string();
        let (items, inner_attrs, child_ctx) = match item.content {
            Some((_, items)) => {
                let child_ctx = FileCtx {
                    file_dir: ctx.file_dir.clone(),
                    child_dir: ctx.child_dir.join(&name),
                    inline_depth: ctx.inline_depth + 1,
                };
                (items, Vec::new(), child_ctx)
            }
            None => match self.load_mod_file(ctx, &name, &attrs) {
                Some(loaded) => loaded,
                None => return,
            },
        };
        let inner_attrs = cfg::expand_cfg_attrs(&inner_attrs);
        let all_attrs: Vec<Attribute> = attrs.iter().chain(&inner_attrs).cloned().collect();
        let cfg = cfg.and(&cfg::cfg_of(&inner_attrs));
        if cfg.is_never() {
            return;
        }
        let module = self.model.modules.len();
        let parent_unstable = self.model.modules[parent].unstable;
        self.model.modules.push(Module {
            name,
            parent: Some(parent),
            krate: self.krate,
            cfg: cfg.clone(),
            vis: self.vis(parent, &item.vis),
            unstable: stability(&all_attrs).unwrap_or(parent_unstable),
            hidden: is_hidden(&all_attrs),
        });
        let mark = self.visible.len();
        self.walk_items(module, &child_ctx, items, &cfg, 0);
        if !has_attr(&attrs, "macro_use") {
            self.visible.truncate(mark);
        }
    }

    /// The file of `mod name;` with its items, inner attributes and children's directory.
    fn load_mod_file(
        &mut self,
        ctx: &FileCtx,
        name: &str,
        attrs: &[Attribute],
    ) -> Option<(Vec<Item>, Vec<Attribute>, FileCtx)> {
        let (path, child_dir) = match path_attr(attrs) {
            Some(relative) => {
                let base = if ctx.inline_depth == 0 {
                    &ctx.file_dir
                } else {
                    &ctx.child_dir
                };
                let path = base.join(relative);
                // A file named by `#[path]` is read like a `mod.rs`: children beside it.
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                (path, dir)
            }
            None => {
                let flat = ctx.child_dir.join(format!("{name}.rs"));
                let nested = ctx.child_dir.join(name).join("mod.rs");
                let path = if flat.exists() { flat } else { nested };
                (path, ctx.child_dir.join(name))
            }
        };
        // Modules outside the three crates' sources (stdarch, portable-simd, backtrace) are
        // left out: their API is target intrinsics and unstable SIMD.
        let path = normalized(&path);
        if !path.starts_with(self.library.join(CRATES[self.krate])) {
            return None;
        }
        let file = self.read(&path).ok()?;
        let file_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let ctx = FileCtx {
            file_dir,
            child_dir,
            inline_depth: 0,
        };
        Some((file.items, file.attrs, ctx))
    }

    fn flatten_use(&mut self, tree: &UseTree, import: Import) {
        match tree {
            UseTree::Path(p) => {
                let mut next = import;
                next.path.push(unraw(&p.ident));
                self.flatten_use(&p.tree, next);
            }
            UseTree::Name(n) => {
                let name = unraw(&n.ident);
                self.push_import(import, name.clone(), name);
            }
            UseTree::Rename(r) => {
                self.push_import(import, unraw(&r.ident), unraw(&r.rename));
            }
            UseTree::Glob(_) => self.model.imports.push(import),
            UseTree::Group(g) => {
                for tree in &g.items {
                    self.flatten_use(tree, import.clone());
                }
            }
        }
    }

    fn push_import(&mut self, mut import: Import, name: String, alias: String) {
        if alias == "_" {
            return;
        }
        // `use a::b::{self}` imports the module `a::b` itself.
        if name == "self" {
            let Some(last) = import.path.pop() else {
                return;
            };
            let binding = if alias == "self" { last.clone() } else { alias };
            import.name = Some((last, binding));
        } else {
            import.name = Some((name, alias));
        }
        self.model.imports.push(import);
    }

    fn extern_crate(&mut self, item: &syn::ItemExternCrate) {
        let name = item.ident.to_string();
        let binding = item
            .rename
            .as_ref()
            .map_or(name.clone(), |(_, rename)| rename.to_string());
        let target = if name == "self" {
            CRATES.get(self.krate).copied()
        } else {
            CRATES.iter().copied().find(|&c| c == name)
        };
        if let Some(target) = target {
            let krate = &mut self.model.crates[self.krate];
            krate.extern_names.push((binding, target));
        }
    }

    fn walk_macro(
        &mut self,
        module: ModId,
        ctx: &FileCtx,
        item: syn::ItemMacro,
        attrs: Vec<Attribute>,
        cfg: &Cfg,
        depth: usize,
    ) {
        let macro_name = item
            .mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if macro_name == "macro_rules" {
            self.define_macro(module, item, attrs, cfg);
            return;
        }
        if macro_name == "cfg_select" || macro_name == "cfg_if" {
            self.walk_cfg_select(module, ctx, item.mac.tokens, &macro_name, cfg, depth);
            return;
        }
        let Some(expanded) = self.expand_invocation(module, &macro_name, item.mac.tokens, depth)
        else {
            return;
        };
        match parse_tokens(expanded) {
            Ok(file) => self.walk_items(module, ctx, file.items, cfg, depth + 1),
            Err(e) => self.count_failure(&macro_name, format!("output: {e}")),
        }
    }

    fn define_macro(
        &mut self,
        module: ModId,
        item: syn::ItemMacro,
        attrs: Vec<Attribute>,
        cfg: &Cfg,
    ) {
        let Some(ident) = &item.ident else { return };
        let name = ident.to_string();
        let def = Rc::new(MacroDef::new(
            name.clone(),
            self.krate,
            item.mac.tokens.clone(),
        ));
        self.visible.push(def.clone());
        if !has_attr(&attrs, "macro_export") {
            return;
        }
        self.exported.push(def);
        let builtin = has_attr(&attrs, "rustc_builtin_macro");
        let kind = ItemKind::Macro(MacroItem {
            body: (!builtin).then(|| item.mac.tokens.to_string()),
            builtin,
        });
        let root = self.model.crate_root(module);
        self.push_item(root, name, kind, Vis::Public, attrs, cfg.clone());
    }

    /// `pub macro name(..) { .. }` and `pub macro name { (..) => { .. }, .. }`: the items syn
    /// leaves as tokens. Their bodies are given in `macro_rules!` shape.
    fn macro_2_0(&mut self, module: ModId, tokens: TokenStream, cfg: &Cfg) {
        let Ok(parsed) = syn::parse2::<Macro2>(tokens) else {
            return;
        };
        let attrs = cfg::expand_cfg_attrs(&parsed.attrs);
        let cfg = cfg.and(&cfg::cfg_of(&attrs));
        if cfg.is_never() {
            return;
        }
        let builtin = has_attr(&attrs, "rustc_builtin_macro");
        let rules = parsed.rules_tokens();
        let kind = ItemKind::Macro(MacroItem {
            body: (!builtin).then(|| rules.to_string()),
            builtin,
        });
        // Macros 2.0 are items, named by path; std calls them by bare name in their module.
        let def = Rc::new(MacroDef::new(parsed.name.to_string(), self.krate, rules));
        self.visible.push(def.clone());
        self.exported.push(def);
        let vis = self.vis(module, &parsed.vis);
        self.push_item(module, parsed.name.to_string(), kind, vis, attrs, cfg);
    }

    /// `cfg_select! { pred => { items } _ => { items } }` and `cfg_if! { if #[cfg(p)] { .. }
    /// else { .. } }`: each arm's items under its predicate and the negation of earlier ones.
    fn walk_cfg_select(
        &mut self,
        module: ModId,
        ctx: &FileCtx,
        tokens: TokenStream,
        macro_name: &str,
        cfg: &Cfg,
        depth: usize,
    ) {
        let arms = if macro_name == "cfg_if" {
            cfg_if_arms(tokens)
        } else {
            cfg_select_arms(tokens)
        };
        let mut earlier: Vec<String> = Vec::new();
        for (pred, body) in arms {
            let pred = match pred {
                None => Pred::Known(true),
                Some(meta) => cfg::eval_meta(&meta, 0),
            };
            let mut arm_cfg = cfg.clone();
            for previous in &earlier {
                arm_cfg = arm_cfg.and(&Cfg::When([format!("not({previous})")].into()));
            }
            match pred {
                Pred::Known(false) => continue,
                Pred::Known(true) => {}
                Pred::Target(ref text) => {
                    let atoms = cfg::split_op(text, "all").into_iter().collect();
                    arm_cfg = arm_cfg.and(&Cfg::When(atoms));
                }
            }
            if let Ok(file) = parse_tokens(body) {
                self.walk_items(module, ctx, file.items, &arm_cfg, depth + 1);
            }
            match pred {
                Pred::Target(text) => earlier.push(text),
                _ => return,
            }
        }
    }

    fn find_macro(&self, name: &str) -> Option<Rc<MacroDef>> {
        let textual = self.visible.iter().rev().find(|def| def.name == name);
        let exported = || {
            let mine = self.exported.iter().rev();
            let same_crate = mine
                .clone()
                .find(|d| d.name == name && d.krate == self.krate);
            same_crate.or_else(|| mine.clone().find(|d| d.name == name))
        };
        textual.or_else(exported).cloned()
    }

    fn count_failure(&mut self, name: &str, why: String) {
        let entry = self
            .model
            .macros
            .failed
            .entry(name.to_string())
            .or_default();
        entry.0 += 1;
        if entry.1.is_empty() {
            entry.1 = why;
        }
    }

    fn expand_invocation(
        &mut self,
        _module: ModId,
        name: &str,
        input: TokenStream,
        depth: usize,
    ) -> Option<TokenStream> {
        if depth >= MAX_EXPANSION_DEPTH {
            self.count_failure(name, "expansion too deep".into());
            return None;
        }
        let Some(def) = self.find_macro(name) else {
            self.count_failure(name, "no definition in scope".into());
            return None;
        };
        let crate_path = if def.krate == self.krate {
            quote!(crate)
        } else {
            let krate = syn::Ident::new(CRATES[def.krate], proc_macro2::Span::call_site());
            quote!(::#krate)
        };
        match expand::expand(&def, input, &crate_path) {
            Ok(tokens) => {
                *self
                    .model
                    .macros
                    .expanded
                    .entry(name.to_string())
                    .or_default() += 1;
                Some(tokens)
            }
            Err(why) => {
                self.count_failure(name, why);
                None
            }
        }
    }

    fn expand_impl_items(
        &mut self,
        module: ModId,
        items: Vec<syn::ImplItem>,
        depth: usize,
    ) -> Vec<syn::ImplItem> {
        let mut out = Vec::new();
        for item in items {
            let syn::ImplItem::Macro(m) = item else {
                out.push(item);
                continue;
            };
            let name = macro_name(&m.mac);
            let Some(tokens) = self.expand_invocation(module, &name, m.mac.tokens, depth) else {
                continue;
            };
            match syn::parse2::<ImplItems>(without_const_traits(tokens)) {
                Ok(parsed) => out.extend(self.expand_impl_items(module, parsed.0, depth + 1)),
                Err(e) => self.count_failure(&name, format!("output: {e}")),
            }
        }
        out
    }

    fn expand_trait_items(
        &mut self,
        module: ModId,
        items: Vec<syn::TraitItem>,
        depth: usize,
    ) -> Vec<syn::TraitItem> {
        let mut out = Vec::new();
        for item in items {
            let syn::TraitItem::Macro(m) = item else {
                out.push(item);
                continue;
            };
            let name = macro_name(&m.mac);
            let Some(tokens) = self.expand_invocation(module, &name, m.mac.tokens, depth) else {
                continue;
            };
            match syn::parse2::<TraitItems>(without_const_traits(tokens)) {
                Ok(parsed) => out.extend(self.expand_trait_items(module, parsed.0, depth + 1)),
                Err(e) => self.count_failure(&name, format!("output: {e}")),
            }
        }
        out
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn adt_generics(kind: &ItemKind) -> Option<syn::Generics> {
    match kind {
        ItemKind::Struct(s) => Some(s.generics.clone()),
        ItemKind::Enum(e) => Some(e.generics.clone()),
        ItemKind::Union(u) => Some(u.generics.clone()),
        _ => None,
    }
}

/// The traits of the standard derives an item's attributes name, as paths into core.
fn derived_traits(attrs: &[Attribute]) -> Vec<syn::Path> {
    const DERIVES: [(&str, &str); 9] = [
        ("Clone", "clone"),
        ("Copy", "marker"),
        ("Debug", "fmt"),
        ("Default", "default"),
        ("PartialEq", "cmp"),
        ("Eq", "cmp"),
        ("PartialOrd", "cmp"),
        ("Ord", "cmp"),
        ("Hash", "hash"),
    ];
    let mut traits = Vec::new();
    for attr in attrs {
        if !(attr.path().is_ident("derive") || attr.path().is_ident("derive_const")) {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        for path in paths {
            let Some(last) = path.segments.last().map(|s| s.ident.to_string()) else {
                continue;
            };
            if let Some((name, module)) = DERIVES.iter().find(|(n, _)| *n == last) {
                let name = syn::Ident::new(name, proc_macro2::Span::call_site());
                let module = syn::Ident::new(module, proc_macro2::Span::call_site());
                traits.push(syn::parse_quote!(::core::#module::#name));
            }
        }
    }
    traits
}

fn macro_name(mac: &syn::Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// A `macro` 2.0 item: attributes, visibility, name and body tokens.
struct Macro2 {
    attrs: Vec<Attribute>,
    vis: syn::Visibility,
    name: syn::Ident,
    body: Vec<TokenTree>,
}

impl Parse for Macro2 {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let keyword: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
        if keyword != "macro" {
            return Err(input.error("not a macro item"));
        }
        let name = input.parse()?;
        let rest: TokenStream = input.parse()?;
        Ok(Macro2 {
            attrs,
            vis,
            name,
            body: rest.into_iter().collect(),
        })
    }
}

impl Macro2 {
    /// The body as `macro_rules!` arms: `(args) => { body };` per arm (a multi-arm body's
    /// top-level commas become semicolons).
    fn rules_tokens(&self) -> TokenStream {
        match self.body.as_slice() {
            [TokenTree::Group(args), TokenTree::Group(body)] => {
                let args = proc_macro2::Group::new(Delimiter::Parenthesis, args.stream());
                let body = proc_macro2::Group::new(Delimiter::Brace, body.stream());
                quote!(#args => #body;)
            }
            [TokenTree::Group(arms)] if arms.delimiter() == Delimiter::Brace => arms
                .stream()
                .into_iter()
                .map(|tree| match tree {
                    TokenTree::Punct(p) if p.as_char() == ',' => {
                        TokenTree::Punct(proc_macro2::Punct::new(';', proc_macro2::Spacing::Alone))
                    }
                    other => other,
                })
                .collect(),
            _ => TokenStream::new(),
        }
    }
}

/// `pred => { .. }` arms, `_` for the fallback (`None`).
fn cfg_select_arms(tokens: TokenStream) -> Vec<(Option<syn::Meta>, TokenStream)> {
    let mut arms = Vec::new();
    let mut pred: Vec<TokenTree> = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        let is_arrow_start = matches!(&tree, TokenTree::Punct(p) if p.as_char() == '=')
            && matches!(trees.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '>');
        if !is_arrow_start {
            if !(pred.is_empty() && matches!(&tree, TokenTree::Punct(p) if p.as_char() == ',')) {
                pred.push(tree);
            }
            continue;
        }
        trees.next();
        let Some(TokenTree::Group(body)) = trees.next() else {
            break;
        };
        let pred_tokens: TokenStream = std::mem::take(&mut pred).into_iter().collect();
        let meta = if pred_tokens.to_string() == "_" {
            None
        } else {
            match syn::parse2::<syn::Meta>(pred_tokens) {
                Ok(meta) => Some(meta),
                Err(_) => continue,
            }
        };
        arms.push((meta, body.stream()));
    }
    arms
}

/// `if #[cfg(p)] { .. } else if #[cfg(q)] { .. } else { .. }`.
fn cfg_if_arms(tokens: TokenStream) -> Vec<(Option<syn::Meta>, TokenStream)> {
    let mut arms = Vec::new();
    let mut pending: Option<syn::Meta> = None;
    for tree in tokens {
        match tree {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {
                let attr = group.stream();
                let Ok(meta) = syn::parse2::<syn::Meta>(attr) else {
                    continue;
                };
                if let syn::Meta::List(list) = meta
                    && list.path.is_ident("cfg")
                {
                    pending = syn::parse2(list.tokens).ok();
                }
            }
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                arms.push((pending.take(), group.stream()));
            }
            _ => {}
        }
    }
    arms
}

/// An identifier as paths name it: `r#try` is `try`.
fn unraw(ident: &syn::Ident) -> String {
    syn::ext::IdentExt::unraw(ident).to_string()
}
