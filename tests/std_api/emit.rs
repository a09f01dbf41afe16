//! Writes the table: every public module, type, alias, trait, function, const, static, macro and
//! every impl with a nameable self type, lowered and rendered in the format `std_api::format`
//! and `std_api::table` read back. Entries sort by kind then key, so regeneration is
//! byte-identical and a change in std shows as a small diff.

use std::collections::{BTreeMap, BTreeSet};

use memlens::analysis::std_api::format::{
    write_fn_sig, write_generics, write_predicate, write_trait_ref, write_ty,
};
use memlens::analysis::std_api::{BLANKET_HEAD, TyHead, escape_line};
use memlens::analysis::ty::{Predicate, Ty};

use super::cfg::{self, Cfg};
use super::keys::Keys;
use super::lower::{Cx, LoweredGenerics, Lowerer, SelfKind, compact_text};
use super::model::{ImplBlock, Item, ItemId, ItemKind};
use super::resolve::{Def, Resolver};

/// One body line: `␠tag[flags] rest`.
struct Line {
    tag: char,
    unstable: bool,
    cfg: Option<String>,
    rest: String,
}

/// One entry: its header and body lines.
struct Entry {
    order: usize,
    tag: char,
    key: String,
    rest: String,
    unstable: bool,
    cfg: Option<String>,
    lines: Vec<Line>,
}

/// What the generator reports besides the table.
#[derive(Default, Debug)]
pub struct EmitStats {
    pub skipped_impls: BTreeMap<&'static str, usize>,
    pub methods: usize,
}

/// Per-target alternatives of one type past which it is unknown (a bound on the splitting).
const MAX_ALTERNATIVES: usize = 32;

/// One target alternative of a type: under `cfg`, `ty`; a fallback is the unknown type of the
/// targets that have none of a path's definitions.
struct Alternative {
    cfg: Cfg,
    ty: Ty,
    fallback: bool,
}

const KIND_TAGS: [char; 9] = ['M', 'A', 'L', 'T', 'F', 'C', 'S', 'X', 'I'];

fn line(tag: char, rest: String) -> Line {
    Line {
        tag,
        unstable: false,
        cfg: None,
        rest,
    }
}

fn ty_text(ty: &Ty) -> String {
    let mut out = String::new();
    write_ty(ty, &mut out);
    out
}

fn generics_line(generics: &LoweredGenerics, lines: &mut Vec<Line>) {
    if !generics.params.is_empty() {
        let mut out = String::new();
        write_generics(&generics.params, &generics.unsized_params, &mut out);
        lines.push(line('g', out));
    }
    predicate_lines(&generics.predicates, lines);
}

fn predicate_lines(predicates: &[Predicate], lines: &mut Vec<Line>) {
    for predicate in predicates {
        let mut out = String::new();
        write_predicate(predicate, &mut out);
        lines.push(line('w', out));
    }
}

/// The cfg of a member (field, variant, method) as far as it adds to its parent's.
fn own_cfg(attrs: &[syn::Attribute], parent: &Cfg) -> Option<Cfg> {
    let own = cfg::cfg_of(&cfg::expand_cfg_attrs(attrs));
    if own.is_never() {
        return None;
    }
    Some(match (own, parent) {
        (Cfg::When(own), Cfg::When(parent)) => Cfg::When(own.difference(parent).cloned().collect()),
        (other, _) => other,
    })
}

fn stability(attrs: &[syn::Attribute], inherited: bool) -> bool {
    for attr in attrs {
        if attr.path().is_ident("unstable") {
            return true;
        }
        if attr.path().is_ident("stable") {
            return false;
        }
    }
    inherited
}

pub struct Emitter<'r> {
    resolver: &'r Resolver<'r>,
    keys: &'r Keys,
    lower: Lowerer<'r>,
    entries: Vec<Entry>,
    pub stats: EmitStats,
}

impl<'r> Emitter<'r> {
    pub fn new(resolver: &'r Resolver<'r>, keys: &'r Keys) -> Emitter<'r> {
        Emitter {
            resolver,
            keys,
            lower: Lowerer::new(resolver, keys),
            entries: Vec::new(),
            stats: EmitStats::default(),
        }
    }

    fn push(
        &mut self,
        tag: char,
        key: &str,
        rest: String,
        item_cfg: &Cfg,
        unstable: bool,
        lines: Vec<Line>,
    ) {
        self.entries.push(Entry {
            order: KIND_TAGS
                .iter()
                .position(|&t| t == tag)
                .unwrap_or(KIND_TAGS.len()),
            tag,
            key: key.to_string(),
            rest,
            unstable,
            cfg: item_cfg.text(),
            lines,
        });
    }

    pub fn emit_all(&mut self) {
        let model = self.resolver.model;
        for &module in &self.resolver.pub_modules.clone() {
            self.emit_module(module);
        }
        for (id, item) in model.items.iter().enumerate() {
            let Some(key) = self.keys.get(Def::Item(id)).map(str::to_string) else {
                continue;
            };
            if key.starts_with('?') || self.keys.is_private(Def::Item(id)) {
                continue;
            }
            self.emit_item(id, item, &key);
        }
        for block in &model.impls {
            self.emit_impl(block);
        }
        self.emit_private_types();
    }

    /// The private types public types' fields name, and those their fields name in turn: not
    /// nameable by users, written for the layouts of the types that hold them.
    fn emit_private_types(&mut self) {
        let model = self.resolver.model;
        let mut written = BTreeSet::new();
        loop {
            let pending: Vec<ItemId> = self.lower.referenced.borrow_mut().drain(..).collect();
            let fresh: Vec<ItemId> = pending
                .into_iter()
                .filter(|id| written.insert(*id))
                .collect();
            if fresh.is_empty() {
                break;
            }
            for id in fresh {
                let Some(key) = self.keys.get(Def::Item(id)).map(str::to_string) else {
                    continue;
                };
                let item = &model.items[id];
                let (rest, lines) = self.adt_lines(&Cx::new(item.module), item, &key);
                self.push('A', &key, rest, &item.cfg, true, lines);
            }
        }
    }

    fn member_target(&self, def: Def) -> Option<(char, String)> {
        let key = |d: Def| self.keys.get(d).map(str::to_string);
        Some(match def {
            Def::Module(_) => ('m', key(def)?),
            Def::Prim(name) => ('p', name.to_string()),
            Def::Variant(id, index) => ('v', format!("{}#{index}", key(Def::Item(id))?)),
            Def::Item(id) => {
                let tag = match &self.resolver.model.items[id].kind {
                    ItemKind::Fn(_) => 'f',
                    ItemKind::Const(_) => 'c',
                    ItemKind::Static(_) => 's',
                    ItemKind::Macro(_) => 'x',
                    _ => 't',
                };
                (tag, key(def)?)
            }
        })
    }

    fn emit_module(&mut self, module: usize) {
        let Some(key) = self.keys.get(Def::Module(module)).map(str::to_string) else {
            return;
        };
        let info = &self.resolver.model.modules[module];
        let mut lines = Vec::new();
        for (_, name, def, member_cfg) in self.resolver.public_members(module) {
            let Some((tag, target)) = self.member_target(def) else {
                continue;
            };
            let cfg = match (&member_cfg, &info.cfg) {
                (Cfg::When(own), Cfg::When(parent)) => {
                    Cfg::When(own.difference(parent).cloned().collect())
                }
                (other, _) => other.clone(),
            };
            let unstable = match def {
                Def::Item(id) | Def::Variant(id, _) => self.resolver.model.items[id].unstable,
                Def::Module(m) => self.resolver.model.modules[m].unstable,
                Def::Prim(_) => false,
            };
            lines.push(Line {
                tag,
                unstable,
                cfg: cfg.text(),
                rest: format!("{name} {target}"),
            });
        }
        lines.sort_by(|a, b| (&a.rest, a.tag, &a.cfg).cmp(&(&b.rest, b.tag, &b.cfg)));
        lines.dedup_by(|a, b| a.rest == b.rest && a.tag == b.tag && a.cfg == b.cfg);
        let (cfg, unstable) = (info.cfg.clone(), info.unstable);
        self.push('M', &key, String::new(), &cfg, unstable, lines);
    }

    fn path_of(&self, id: ItemId) -> String {
        self.resolver
            .canonical_path(Def::Item(id))
            .map(|p| p.segments.join("::"))
            .unwrap_or_default()
    }

    fn emit_item(&mut self, id: ItemId, item: &Item, key: &str) {
        let path = self.path_of(id);
        let cx = Cx::new(item.module);
        match &item.kind {
            ItemKind::Struct(_) | ItemKind::Enum(_) | ItemKind::Union(_) => {
                let (rest, lines) = self.adt_lines(&cx, item, &path);
                self.push('A', key, rest, &item.cfg, item.unstable, lines);
            }
            ItemKind::Alias(alias) => {
                let mut cx = cx;
                self.lower.enter_generics(&mut cx, &alias.generics);
                let mut lines = Vec::new();
                generics_line(&self.lower.generics(&cx, &alias.generics), &mut lines);
                // `c_int` names a private alias defined per target (`cfg_select!`): one value
                // per definition, each under its definition's cfg.
                for (cfg, ty) in self.per_target(&cx, &alias.ty, &Cfg::always()) {
                    lines.push(Line {
                        tag: '=',
                        unstable: false,
                        cfg: cfg.text(),
                        rest: ty_text(&ty),
                    });
                }
                self.push('L', key, path, &item.cfg, item.unstable, lines);
            }
            ItemKind::Trait(t) => {
                let (rest, lines) = self.trait_lines(id, t, &path, item.unstable, &item.cfg);
                self.push('T', key, rest, &item.cfg, item.unstable, lines);
            }
            ItemKind::Fn(sig) => {
                let (sig, unsized_params) = self.lower.sig(&cx, sig);
                let mut out = String::new();
                write_fn_sig(&sig, 0, &unsized_params, &mut out);
                self.push('F', key, out, &item.cfg, item.unstable, Vec::new());
            }
            ItemKind::Const(ty) | ItemKind::Static(ty) => {
                let tag = if matches!(item.kind, ItemKind::Const(_)) {
                    'C'
                } else {
                    'S'
                };
                let text = ty_text(&self.lower.ty(&cx, ty));
                self.push(tag, key, text, &item.cfg, item.unstable, Vec::new());
            }
            ItemKind::Macro(m) => {
                let (rest, lines) = match &m.body {
                    Some(body) if !m.builtin => {
                        ("rules".to_string(), vec![line('=', escape_line(body))])
                    }
                    _ => ("builtin".to_string(), Vec::new()),
                };
                self.push('X', key, rest, &item.cfg, item.unstable, lines);
            }
        }
    }

    fn adt_lines(&self, cx: &Cx, item: &Item, path: &str) -> (String, Vec<Line>) {
        let mut cx = cx.clone();
        let (generics, kind) = match &item.kind {
            ItemKind::Struct(s) => (&s.generics, "struct"),
            ItemKind::Enum(e) => (&e.generics, "enum"),
            ItemKind::Union(u) => (&u.generics, "union"),
            _ => return (String::new(), Vec::new()),
        };
        self.lower.enter_generics(&mut cx, generics);
        let mut lines = Vec::new();
        generics_line(&self.lower.generics(&cx, generics), &mut lines);
        if let Some(repr) = repr_text(&item.attrs) {
            lines.push(line('r', repr));
        }
        if layout_is_special(&item.attrs, &item.kind) {
            lines.push(line('l', "special".to_string()));
        }
        match &item.kind {
            ItemKind::Struct(s) => self.field_lines(&cx, &s.fields, false, &item.cfg, &mut lines),
            ItemKind::Union(u) => {
                let fields = syn::Fields::Named(u.fields.clone());
                self.field_lines(&cx, &fields, false, &item.cfg, &mut lines);
            }
            ItemKind::Enum(e) => {
                for variant in &e.variants {
                    let Some(cfg) = own_cfg(&variant.attrs, &item.cfg) else {
                        continue;
                    };
                    let mut rest = variant.ident.to_string();
                    if let Some((_, syn::Expr::Lit(lit))) = &variant.discriminant
                        && let syn::Lit::Int(int) = &lit.lit
                        && let Ok(value) = int.base10_parse::<i128>()
                    {
                        rest.push_str(&format!(" {value}"));
                    }
                    lines.push(Line {
                        tag: 'v',
                        unstable: stability(&variant.attrs, item.unstable),
                        cfg: cfg.text(),
                        rest,
                    });
                    self.field_lines(&cx, &variant.fields, true, &item.cfg, &mut lines);
                }
            }
            _ => {}
        }
        (format!("{kind} {path}"), lines)
    }

    fn field_lines(
        &self,
        cx: &Cx,
        fields: &syn::Fields,
        all_public: bool,
        parent: &Cfg,
        lines: &mut Vec<Line>,
    ) {
        let mut cx = cx.clone();
        cx.in_fields = true;
        for (index, field) in fields.iter().enumerate() {
            let Some(cfg) = own_cfg(&field.attrs, parent) else {
                continue;
            };
            let name = field
                .ident
                .as_ref()
                .map_or(index.to_string(), ToString::to_string);
            let public = all_public || matches!(field.vis, syn::Visibility::Public(_));
            let tag = if public { 'f' } else { 'p' };
            for (cfg, ty) in self.per_target(&cx, &field.ty, &cfg) {
                lines.push(Line {
                    tag,
                    unstable: false,
                    cfg: cfg.text(),
                    rest: format!("{name} {}", ty_text(&ty)),
                });
            }
        }
    }

    /// A type (of a field, or an alias's body) under `cfg`, once per target alternative where
    /// a path in it names a different definition per target (`fs_imp::File` is `unix::File`
    /// or `windows::File`, `imp::ChildPipe` an alias of a per-target `Pipe`): each alternative
    /// under its cfg, the paths inside it split in turn, and the type unknown where none
    /// applies. Alternatives that all give one type are that type; too many are unknown.
    fn per_target(&self, cx: &Cx, ty: &syn::Type, cfg: &Cfg) -> Vec<(Cfg, Ty)> {
        let mut cx = cx.clone();
        cx.split_alternatives = true;
        let mut out = Vec::new();
        self.split_alternatives(&cx, ty, cfg, &mut Vec::new(), &mut out);
        self.lower.choices.borrow_mut().clear();
        self.lower.alternatives.borrow_mut().clear();
        if out.len() > MAX_ALTERNATIVES {
            return vec![(cfg.clone(), Ty::Unknown(Some(compact_text(ty))))];
        }
        // Where std compiles, one of the definitions is there: when they all give one type,
        // the targets with none of them do not matter.
        let defined: BTreeSet<String> = out
            .iter()
            .filter(|alternative| !alternative.fallback)
            .map(|alternative| ty_text(&alternative.ty))
            .collect();
        if defined.len() == 1
            && let Some(first) = out.iter().find(|alternative| !alternative.fallback)
        {
            return vec![(cfg.clone(), first.ty.clone())];
        }
        out.into_iter()
            .map(|alternative| (alternative.cfg, alternative.ty))
            .collect()
    }

    /// Lowers `ty` with the `chosen` alternatives; the first path noted without a choice is
    /// split: once per definition (its cfg joined to `cfg`), and once, unknown, for the targets
    /// that have none of them.
    fn split_alternatives(
        &self,
        cx: &Cx,
        ty: &syn::Type,
        cfg: &Cfg,
        chosen: &mut Vec<(String, usize)>,
        out: &mut Vec<Alternative>,
    ) {
        if out.len() > MAX_ALTERNATIVES {
            return;
        }
        *self.lower.choices.borrow_mut() = chosen.clone();
        self.lower.alternatives.borrow_mut().clear();
        let lowered = self.lower.ty(cx, ty);
        let next = self.lower.alternatives.borrow_mut().drain(..).next();
        let Some((path, defs)) = next else {
            out.push(Alternative {
                cfg: cfg.clone(),
                ty: lowered,
                fallback: false,
            });
            return;
        };
        for (index, (_, alternative_cfg)) in defs.iter().enumerate() {
            let both = cfg.and(alternative_cfg);
            if both.is_never() {
                continue;
            }
            chosen.push((path.clone(), index));
            self.split_alternatives(cx, ty, &both, chosen, out);
            chosen.pop();
        }
        let covered: Vec<String> = defs.iter().filter_map(|(_, c)| c.text()).collect();
        if covered.len() == defs.len() {
            let mut rest = BTreeSet::new();
            rest.insert(format!("not(any({}))", covered.join(",")));
            out.push(Alternative {
                cfg: cfg.and(&Cfg::When(rest)),
                ty: Ty::Unknown(Some(compact_text(ty))),
                fallback: true,
            });
        }
    }

    fn trait_lines(
        &mut self,
        id: ItemId,
        t: &syn::ItemTrait,
        path: &str,
        unstable: bool,
        item_cfg: &Cfg,
    ) -> (String, Vec<Line>) {
        let mut cx = self.lower.trait_cx(id, t);
        self.lower.enter_generics(&mut cx, &t.generics);
        let generics = self.lower.generics(&cx, &t.generics);
        let mut lines = Vec::new();
        generics_line(&generics, &mut lines);
        let mut supers = LoweredGenerics::default();
        self.lower
            .bound_predicates(&cx, &Ty::Param("Self".into()), &t.supertraits, &mut supers);
        for predicate in &supers.predicates {
            if predicate.subject == Ty::Param("Self".into()) {
                let mut out = String::new();
                write_trait_ref(&predicate.bound, &mut out);
                lines.push(line('s', out));
            } else {
                predicate_lines(std::slice::from_ref(predicate), &mut lines);
            }
        }
        for trait_item in &t.items {
            self.trait_item_line(&cx, trait_item, unstable, item_cfg, &mut lines);
        }
        let mut rest = path.to_string();
        if t.auto_token.is_some() {
            rest.push_str(" auto");
        }
        if t.unsafety.is_some() {
            rest.push_str(" unsafe");
        }
        (rest, lines)
    }

    fn trait_item_line(
        &mut self,
        cx: &Cx,
        trait_item: &syn::TraitItem,
        unstable: bool,
        parent: &Cfg,
        lines: &mut Vec<Line>,
    ) {
        let (attrs, tag, rest) = match trait_item {
            syn::TraitItem::Fn(f) => {
                let (sig, unsized_params) = self.lower.sig(cx, &f.sig);
                let mut out = format!("{} ", f.sig.ident);
                write_fn_sig(&sig, 0, &unsized_params, &mut out);
                self.stats.methods += 1;
                (&f.attrs, if f.default.is_some() { 'd' } else { 'm' }, out)
            }
            syn::TraitItem::Type(ty) => (&ty.attrs, 'a', self.assoc_decl(cx, ty)),
            syn::TraitItem::Const(c) => {
                let tag = if c.default.is_some() { 'K' } else { 'k' };
                (
                    &c.attrs,
                    tag,
                    format!("{} {}", c.ident, ty_text(&self.lower.ty(cx, &c.ty))),
                )
            }
            _ => return,
        };
        let Some(cfg) = own_cfg(attrs, parent) else {
            return;
        };
        lines.push(Line {
            tag,
            unstable: stability(attrs, unstable),
            cfg: cfg.text(),
            rest,
        });
    }

    /// `Name<..>:Bound+Bound=Default`, with a leading `?` when it is declared `?Sized`.
    fn assoc_decl(&self, cx: &Cx, ty: &syn::TraitItemType) -> String {
        let mut out = ty.ident.to_string();
        let mut cx = cx.clone();
        self.lower.enter_generics(&mut cx, &ty.generics);
        let generics = self.lower.generics(&cx, &ty.generics);
        if !generics.params.is_empty() {
            out.push('<');
            write_generics(&generics.params, &[], &mut out);
            out.push('>');
        }
        let mut bounds = LoweredGenerics::default();
        let subject = Ty::Param("Self".into());
        self.lower
            .bound_predicates(&cx, &subject, &ty.bounds, &mut bounds);
        if bounds.unsized_params.iter().any(|p| p == "Self") {
            out.insert(0, '?');
        }
        for (index, predicate) in bounds
            .predicates
            .iter()
            .filter(|p| p.subject == subject)
            .enumerate()
        {
            out.push(if index == 0 { ':' } else { '+' });
            write_trait_ref(&predicate.bound, &mut out);
        }
        if let Some((_, default)) = &ty.default {
            out.push('=');
            out.push_str(&ty_text(&self.lower.ty(&cx, default)));
        }
        out
    }

    fn skip_impl(&mut self, why: &'static str) {
        *self.stats.skipped_impls.entry(why).or_default() += 1;
    }

    fn emit_impl(&mut self, block: &ImplBlock) {
        let imp = &block.item;
        let mut cx = Cx::new(block.module);
        self.lower.enter_generics(&mut cx, &imp.generics);
        let self_ty = self.lower.ty(&cx, &imp.self_ty);
        let head = match &self_ty {
            Ty::Param(_) => BLANKET_HEAD.to_string(),
            ty => match TyHead::of(ty) {
                Some(head) => head.text(),
                None => {
                    if std::env::var_os("MEMLENS_STD_API_DEBUG").is_some() {
                        eprintln!("skipped impl for {}", compact_text(&imp.self_ty));
                    }
                    return self.skip_impl("self type not nameable");
                }
            },
        };
        let (trait_ref, trait_item, negative) = match &imp.trait_ {
            Some((bang, path, _)) => match self.lower.trait_ref_for(&cx, path, &self_ty) {
                Some((r, item)) if !r.key.starts_with('?') => (Some(r), item, bang.is_some()),
                _ => return self.skip_impl("trait not public"),
            },
            None => (None, None, false),
        };
        cx.self_kind = SelfKind::Impl {
            ty: self_ty.clone(),
            trait_item,
            trait_ref: trait_ref.clone(),
            assoc: Vec::new(),
        };
        let mut lines = Vec::new();
        self.impl_assoc_types(&mut cx, imp, &block.cfg, &mut lines);
        let generics = self.lower.generics(&cx, &imp.generics);
        let mut head_lines = Vec::new();
        generics_line(&generics, &mut head_lines);
        if let Some(r) = &trait_ref {
            let mut out = String::new();
            write_trait_ref(r, &mut out);
            head_lines.push(line('t', out));
        }
        head_lines.push(line('s', ty_text(&self_ty)));
        head_lines.append(&mut lines);
        let inherent = trait_ref.is_none();
        self.impl_members(&cx, imp, inherent, block, &mut head_lines);
        let trait_key = trait_ref
            .as_ref()
            .map_or("-".to_string(), |r| r.key.clone());
        let rest = if negative {
            format!("{trait_key} negative")
        } else {
            trait_key
        };
        self.push('I', &head, rest, &block.cfg, block.unstable, head_lines);
    }

    fn impl_assoc_types(
        &self,
        cx: &mut Cx,
        imp: &syn::ItemImpl,
        parent: &Cfg,
        lines: &mut Vec<Line>,
    ) {
        for impl_item in &imp.items {
            let syn::ImplItem::Type(ty) = impl_item else {
                continue;
            };
            let Some(cfg) = own_cfg(&ty.attrs, parent) else {
                continue;
            };
            let value = self.lower.ty(cx, &ty.ty);
            let name = ty.ident.to_string();
            lines.push(Line {
                tag: 'a',
                unstable: false,
                cfg: cfg.text(),
                rest: format!("{name} {}", ty_text(&value)),
            });
            if let SelfKind::Impl { assoc, .. } = &mut cx.self_kind {
                assoc.push((name, value));
            }
        }
    }

    fn impl_members(
        &mut self,
        cx: &Cx,
        imp: &syn::ItemImpl,
        inherent: bool,
        block: &ImplBlock,
        lines: &mut Vec<Line>,
    ) {
        for impl_item in &imp.items {
            let (attrs, vis, tag, rest) = match impl_item {
                syn::ImplItem::Fn(f) => {
                    let (sig, unsized_params) = self.lower.sig(cx, &f.sig);
                    let mut out = format!("{} ", f.sig.ident);
                    write_fn_sig(&sig, 0, &unsized_params, &mut out);
                    (&f.attrs, &f.vis, 'm', out)
                }
                syn::ImplItem::Const(c) => {
                    let text = format!("{} {}", c.ident, ty_text(&self.lower.ty(cx, &c.ty)));
                    (&c.attrs, &c.vis, 'k', text)
                }
                _ => continue,
            };
            if inherent && !matches!(vis, syn::Visibility::Public(_)) {
                continue;
            }
            let Some(cfg) = own_cfg(attrs, &block.cfg) else {
                continue;
            };
            if tag == 'm' {
                self.stats.methods += 1;
            }
            lines.push(Line {
                tag,
                unstable: stability(attrs, block.unstable),
                cfg: cfg.text(),
                rest,
            });
        }
    }

    /// The table's text: the header, the cfg predicates, then the entries in order.
    pub fn render(mut self, rustc: &str, fingerprint: u64, edition: &str) -> (String, EmitStats) {
        let mut cfgs: BTreeSet<String> = BTreeSet::new();
        for entry in &self.entries {
            cfgs.extend(entry.cfg.iter().cloned());
            cfgs.extend(entry.lines.iter().filter_map(|l| l.cfg.clone()));
        }
        let index: BTreeMap<String, usize> = cfgs
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, c)| (c, i))
            .collect();
        let mut rendered: Vec<(usize, String, String, String)> = self
            .entries
            .drain(..)
            .map(|entry| {
                let (header, body) = render_entry(&entry, &index);
                (entry.order, entry.key.clone(), header, body)
            })
            .collect();
        rendered.sort();
        rendered.dedup();
        let mut out = format!(
            "memlens std api 1\nrustc {rustc}\nsource {fingerprint:016x}\nedition {edition}\n"
        );
        for cfg in &cfgs {
            out.push_str(&format!("cfg {cfg}\n"));
        }
        for (_, _, header, body) in rendered {
            out.push_str(&header);
            out.push_str(&body);
        }
        (out, self.stats)
    }
}

fn flags(unstable: bool, cfg: &Option<String>, index: &BTreeMap<String, usize>) -> String {
    let mut out = String::new();
    if unstable {
        out.push('!');
    }
    if let Some(i) = cfg.as_ref().and_then(|c| index.get(c)) {
        out.push_str(&format!("?{i}"));
    }
    out
}

fn render_entry(entry: &Entry, index: &BTreeMap<String, usize>) -> (String, String) {
    let mut body = String::new();
    for l in &entry.lines {
        let flags = flags(l.unstable, &l.cfg, index);
        body.push_str(&format!(" {}{flags} {}\n", l.tag, l.rest));
    }
    // The body's length lets the loader skip it without reading its lines.
    let length = if body.is_empty() {
        String::new()
    } else {
        format!("#{}", body.len())
    };
    let flags = flags(entry.unstable, &entry.cfg, index);
    let mut header = format!("{}{flags}{length} {}", entry.tag, entry.key);
    if !entry.rest.is_empty() {
        header.push(' ');
        header.push_str(&entry.rest);
    }
    header.push('\n');
    (header, body)
}

/// Attributes that give a type a layout its fields alone do not explain (valid ranges, lang
/// items the compiler treats specially, SIMD), or a layout the table cannot describe (an enum
/// discriminant that is not a plain literal). Layout from the table refuses such types.
const LAYOUT_ATTRIBUTES: [&str; 5] = [
    "lang",
    "rustc_layout_scalar_valid_range_start",
    "rustc_layout_scalar_valid_range_end",
    "rustc_nonnull_optimization_guaranteed",
    "rustc_layout",
];

fn layout_is_special(attrs: &[syn::Attribute], kind: &ItemKind) -> bool {
    let special_attr = attrs.iter().any(|attr| {
        let path = attr.path();
        let text = match &attr.meta {
            syn::Meta::List(list) => compact_text(&list.tokens),
            _ => String::new(),
        };
        LAYOUT_ATTRIBUTES.iter().any(|name| path.is_ident(name))
            || (path.is_ident("repr") && text.contains("simd"))
            || (path.is_ident("cfg_attr")
                && ["repr", "lang", "rustc_"].iter().any(|w| text.contains(w)))
    });
    let plain_discriminants = match kind {
        ItemKind::Enum(e) => e
            .variants
            .iter()
            .all(|variant| match &variant.discriminant {
                None => true,
                Some((_, syn::Expr::Lit(lit))) => matches!(&lit.lit, syn::Lit::Int(_)),
                Some(_) => false,
            }),
        _ => true,
    };
    special_attr || !plain_discriminants
}

/// `#[repr(..)]` as the table writes it: `C`, `transparent`, `packed=N`, `align=N`, int names.
fn repr_text(attrs: &[syn::Attribute]) -> Option<String> {
    let mut parts = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let Ok(list) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        for meta in list {
            let name = meta
                .path()
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let arg = match &meta {
                syn::Meta::List(l) => Some(compact_text(&l.tokens)),
                _ => None,
            };
            parts.push(match (name.as_str(), arg) {
                ("packed", None) => "packed=1".to_string(),
                (n @ ("packed" | "align"), Some(a)) => format!("{n}={a}"),
                (n, _) => n.to_string(),
            });
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}
