//! The file's item-level declarations: type definitions, constants, function and method signatures.

use std::collections::HashMap;

use super::defs::TypeDefs;
use super::lower::{self, LowerCtx};
use super::paths::Imports;
use super::ty::Ty;

/// A function's or method's signature, with generic parameters left as `Ty::Param`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnSig {
    pub generics: Vec<String>,
    /// Parameter types, `self` excluded.
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub has_self: bool,
    /// For methods and associated functions: the impl's self type, with the impl's generic
    /// parameters left as `Ty::Param`, which arguments written on the type bind (`Wrap::<u16>::new`).
    pub impl_self: Option<Ty>,
}

/// Everything declared at item level that analysis of a body may look up.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    pub defs: TypeDefs,
    pub consts: HashMap<String, u64>,
    pub fns: HashMap<String, FnSig>,
    /// Methods and associated functions, by type name and then method name.
    pub methods: HashMap<String, HashMap<String, FnSig>>,
    /// The declared types of `static` and `const` items.
    pub values: HashMap<String, Ty>,
    /// What the file's `use` items make names mean.
    pub imports: Imports,
}

impl Symbols {
    /// Collects the declarations of all parsed items, including those inside inline modules.
    /// Each file comes with the byte offset of its text in the whole source.
    pub fn collect<'a>(files: impl Iterator<Item = (&'a syn::File, usize)> + Clone) -> Symbols {
        Symbols::collect_with(files, &Symbols::default())
    }

    /// Like [`Symbols::collect`], seeing also what is declared `outside` the file (in the rest
    /// of the crate): the file's own declarations come first, outside ones fill in the names it
    /// does not declare, and outside constants may appear in the file's constant expressions.
    pub fn collect_with<'a>(
        files: impl Iterator<Item = (&'a syn::File, usize)> + Clone,
        outside: &Symbols,
    ) -> Symbols {
        let items = files.flat_map(|(file, base)| {
            flatten_items(&file.items)
                .into_iter()
                .map(move |item| (item, base))
        });
        let mut symbols = Symbols::of_items(items, &outside.consts);
        symbols.fill_in(outside);
        // After the outside declarations are in: a field may omit the defaults of their types.
        symbols.write_out_all();
        symbols
    }

    /// The declarations of the given items only (inline modules are not entered), each with the
    /// byte offset its spans are relative to.
    pub fn of_items<'a>(
        items: impl Iterator<Item = (&'a syn::Item, usize)> + Clone,
        outside_consts: &HashMap<String, u64>,
    ) -> Symbols {
        let mut symbols = Symbols {
            consts: const_values(items.clone().map(|(item, _)| item), outside_consts),
            imports: Imports::of_items(items.clone().map(|(item, _)| item)),
            ..Symbols::default()
        };
        for (item, base) in items {
            symbols.add_item(item, base);
        }
        for (name, value) in &symbols.consts {
            symbols.defs.add_const(name, *value);
        }
        symbols
    }

    /// Adds every declaration of `other` whose name this one does not declare; methods merge
    /// per type, this one's winning.
    pub fn fill_in(&mut self, other: &Symbols) {
        self.defs.fill_in(&other.defs);
        fill_missing(&mut self.consts, &other.consts);
        fill_missing(&mut self.fns, &other.fns);
        fill_missing(&mut self.values, &other.values);
        for (type_name, methods) in &other.methods {
            fill_missing(self.methods.entry(type_name.clone()).or_default(), methods);
        }
    }

    /// Writes out what every declared type leaves implicit (std's module aliases, omitted generic
    /// defaults; see `TypeDefs::written_out`), once all definitions are known.
    fn write_out_all(&mut self) {
        self.defs.write_out_all();
        let defs = &self.defs;
        let sigs = self
            .fns
            .values_mut()
            .chain(self.methods.values_mut().flat_map(HashMap::values_mut));
        for sig in sigs {
            for param in &mut sig.params {
                *param = defs.written_out(param);
            }
            sig.ret = defs.written_out(&sig.ret);
            sig.impl_self = sig.impl_self.as_ref().map(|ty| defs.written_out(ty));
        }
        for ty in self.values.values_mut() {
            *ty = defs.written_out(ty);
        }
    }

    /// How types are lowered at item level in this file: with its constants and imports.
    pub fn lower_ctx(&self) -> LowerCtx<'_> {
        LowerCtx::new(&self.consts).with_imports(&self.imports)
    }

    fn add_item(&mut self, item: &syn::Item, base: usize) {
        let ctx = LowerCtx::new(&self.consts).with_imports(&self.imports);
        if let Some(mut def) = lower::adt_def(ctx, item) {
            if let Some(span) = &mut def.span {
                span.name_start += base;
                span.name_end += base;
            }
            self.defs.add_adt(def);
            return;
        }
        match item {
            syn::Item::Type(alias) => self.defs.add_alias(lower::alias_def(ctx, alias)),
            syn::Item::Fn(function) => {
                let sig = fn_sig(ctx, &function.sig);
                self.fns.insert(function.sig.ident.to_string(), sig);
            }
            syn::Item::Static(item) => {
                self.values.insert(item.ident.to_string(), ctx.ty(&item.ty));
            }
            syn::Item::Const(item) => {
                self.values.insert(item.ident.to_string(), ctx.ty(&item.ty));
            }
            syn::Item::Impl(block) => self.add_impl(block),
            _ => {}
        }
    }

    fn add_impl(&mut self, block: &syn::ItemImpl) {
        let impl_generics = lower::generic_names(&block.generics);
        let ctx = LowerCtx::new(&self.consts)
            .with_imports(&self.imports)
            .with_generics(&impl_generics);
        let self_ty = ctx.ty(&block.self_ty);
        let Ty::Adt { name, .. } = &self_ty else {
            return;
        };
        let ctx = ctx.with_self(Some(&self_ty));
        let methods = self.methods.entry(name.clone()).or_default();
        for impl_item in &block.items {
            if let syn::ImplItem::Fn(method) = impl_item {
                let mut sig = fn_sig(ctx, &method.sig);
                sig.generics.extend(impl_generics.iter().cloned());
                sig.impl_self = Some(self_ty.clone());
                methods.insert(method.sig.ident.to_string(), sig);
            }
        }
    }

    /// The signature of a method or associated function of the named type.
    pub fn method(&self, type_name: &str, method: &str) -> Option<&FnSig> {
        self.methods.get(type_name)?.get(method)
    }
}

/// Lowers a signature in the context of its surroundings (an impl's `Self` and generics).
pub fn fn_sig(ctx: LowerCtx<'_>, sig: &syn::Signature) -> FnSig {
    let generics = lower::generic_names(&sig.generics);
    let mut all_generics: Vec<String> = ctx.generics.to_vec();
    all_generics.extend(generics.iter().cloned());
    let ctx = ctx.with_generics(&all_generics);
    let params = sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => Some(ctx.ty(&typed.ty)),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    FnSig {
        generics,
        params,
        ret: ctx.return_ty(&sig.output),
        has_self: sig.receiver().is_some(),
        impl_self: None,
    }
}

/// Items at file level and inside inline `mod` blocks; names are taken as unqualified.
pub fn flatten_items(items: &[syn::Item]) -> Vec<&syn::Item> {
    let mut all = Vec::new();
    for item in items {
        all.push(item);
        if let syn::Item::Mod(module) = item
            && let Some((_, inner)) = &module.content
        {
            all.extend(flatten_items(inner));
        }
    }
    all
}

fn fill_missing<T: Clone>(into: &mut HashMap<String, T>, from: &HashMap<String, T>) {
    for (name, value) in from {
        into.entry(name.clone()).or_insert_with(|| value.clone());
    }
}

/// Evaluates integer `const` items, letting constants refer to constants declared anywhere
/// among the items or outside them.
fn const_values<'a>(
    items: impl Iterator<Item = &'a syn::Item> + Clone,
    outside: &HashMap<String, u64>,
) -> HashMap<String, u64> {
    let mut values = outside.clone();
    let own: std::collections::HashSet<String> = items
        .clone()
        .filter_map(|item| match item {
            syn::Item::Const(constant) => Some(constant.ident.to_string()),
            _ => None,
        })
        .collect();
    // The file's own constants shadow outside ones of the same name.
    for name in &own {
        values.remove(name);
    }
    // Each pass resolves one more level of constants that refer to other constants.
    for _ in 0..4 {
        let mut changed = false;
        for item in items.clone() {
            let syn::Item::Const(constant) = item else {
                continue;
            };
            let name = constant.ident.to_string();
            if values.contains_key(&name) {
                continue;
            }
            if let Some(value) = LowerCtx::new(&values).const_u64(&constant.expr) {
                values.insert(name, value);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    values.retain(|name, _| own.contains(name));
    values
}
