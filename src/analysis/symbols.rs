//! The file's item-level declarations: type definitions, constants, function and method signatures.

use std::collections::HashMap;

use super::defs::TypeDefs;
use super::lower::{self, LowerCtx};
use super::ty::Ty;

/// A function's or method's signature, with generic parameters left as `Ty::Param`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnSig {
    pub generics: Vec<String>,
    /// Parameter types, `self` excluded.
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub has_self: bool,
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
}

impl Symbols {
    /// Collects the declarations of all parsed items, including those inside inline modules.
    /// Each file comes with the byte offset of its text in the whole source.
    pub fn collect<'a>(files: impl Iterator<Item = (&'a syn::File, usize)> + Clone) -> Symbols {
        let mut symbols = Symbols::default();
        let items = || {
            files.clone().flat_map(|(file, base)| {
                flatten_items(&file.items)
                    .into_iter()
                    .map(move |item| (item, base))
            })
        };
        symbols.consts = const_values(items().map(|(item, _)| item));
        for (item, base) in items() {
            symbols.add_item(item, base);
        }
        for (name, value) in &symbols.consts {
            symbols.defs.add_const(name, *value);
        }
        symbols
    }

    fn add_item(&mut self, item: &syn::Item, base: usize) {
        let ctx = LowerCtx::new(&self.consts);
        if let Some(mut def) = lower::adt_def(&self.consts, item) {
            if let Some(span) = &mut def.span {
                span.name_start += base;
                span.name_end += base;
            }
            self.defs.add_adt(def);
            return;
        }
        match item {
            syn::Item::Type(alias) => self.defs.add_alias(lower::alias_def(&self.consts, alias)),
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
        let ctx = LowerCtx::new(&self.consts).with_generics(&impl_generics);
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

/// Evaluates integer `const` items, letting constants refer to constants declared anywhere.
fn const_values<'a>(items: impl Iterator<Item = &'a syn::Item> + Clone) -> HashMap<String, u64> {
    let mut values = HashMap::new();
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
    values
}
