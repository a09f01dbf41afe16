//! The crate a file is analysed in, and running inference on the bodies the walk visits: the
//! heap walk takes every binding's and expression's type from here.

use std::sync::Arc;

use super::defs::TypeDefs;
use super::infer::world::World;
use super::infer::{BodyInput, InferenceResult, infer_body, infer_initializer};
use super::items::def_map::{
    CrateFile, CrateGraph, CrateId, CrateInput, DefKind, DefMap, ItemScope, ModuleId, ModuleRef,
};
use super::items::item_tree::{FileItems, fn_item, generics_ref, type_ref};
use super::items::lower::{Lowered, TyLowerer};
use super::items::resolve::Scope;
use super::items::std_items::StdItems;
use super::ty::{GenericParam, Predicate, Ty};

/// The crate graph a file is analysed in, where the file sits in it, and the layouts of every
/// type the graph defines.
#[derive(Clone)]
pub struct CrateContext {
    pub graph: Arc<CrateGraph>,
    pub krate: CrateId,
    /// The file's own module path in its crate.
    pub module_path: Vec<String>,
    pub std: &'static dyn StdItems,
    /// Every ADT and alias of the graph, by key, for layout.
    pub defs: Arc<TypeDefs>,
}

impl std::fmt::Debug for CrateContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrateContext")
            .field("krate", &self.krate)
            .field("module_path", &self.module_path)
            .finish()
    }
}

/// What inference found in one body, and the type definitions written inside it (a body's own
/// `struct`s and `enum`s, keyed under the body's block), which only that body's layouts see.
pub struct TypedBody {
    pub inferred: InferenceResult,
    pub local_defs: Option<TypeDefs>,
}

/// The impl or trait a function is written in.
#[derive(Clone, Copy)]
pub enum Container<'s> {
    Impl(&'s syn::ItemImpl),
    Trait(&'s syn::ItemTrait),
}

impl CrateContext {
    pub fn new(
        graph: Arc<CrateGraph>,
        krate: CrateId,
        module_path: Vec<String>,
        std: &'static dyn StdItems,
    ) -> Self {
        let defs = Arc::new(defs_of(&graph, std));
        CrateContext {
            graph,
            krate,
            module_path,
            std,
            defs,
        }
    }

    /// The keys of the definitions written in the file itself.
    pub fn own_keys(&self) -> std::collections::HashSet<String> {
        let Some(map) = self.def_map() else {
            return Default::default();
        };
        let own_file = map
            .files
            .iter()
            .position(|file| file.module_path == self.module_path);
        map.defs
            .iter()
            .filter(|def| Some(def.source.0) == own_file)
            .map(|def| def.key.clone())
            .collect()
    }

    fn def_map(&self) -> Option<&DefMap> {
        self.graph.crate_map(self.krate)
    }

    /// The module of an inline module path inside the file.
    pub fn module_of(&self, inline: &[String]) -> ModuleId {
        let Some(map) = self.def_map() else {
            return DefMap::ROOT;
        };
        let mut path = self.module_path.clone();
        path.extend(inline.iter().cloned());
        map.module_at(&path)
            .or_else(|| map.module_at(&self.module_path))
            .unwrap_or(DefMap::ROOT)
    }

    /// Lowers a type written at item level in `module` (a static's or const's).
    pub fn lower_item_ty(&self, module: ModuleId, ty: &syn::Type) -> Ty {
        let scope = Scope::new(&self.graph, self.krate, module, self.std);
        TyLowerer::new(scope, self.std).ty(&type_ref(ty))
    }

    /// Infers a function body written in `module`, inside `container` if any.
    pub fn infer_fn(
        &self,
        module: ModuleId,
        container: Option<Container<'_>>,
        sig: &syn::Signature,
        body: &syn::Block,
    ) -> TypedBody {
        self.in_scope(module, Some(body), |world, base| {
            let (outer, parent_generics, mut predicates) = self.container_lowerer(base, container);
            let item = fn_item(sig, true);
            let lowerer = outer.with_generics(&item.generics);
            let lowered = outer.fn_sig(&item, &parent_generics, 0);
            predicates.extend(lowered.predicates.iter().cloned());
            infer_body(BodyInput {
                world,
                lowerer,
                syntax: sig,
                sig: &lowered,
                predicates,
                body,
            })
        })
    }

    /// Infers the initializer of a const or static written in `module` (inside `container` if
    /// an associated const), against its written type: the literals in
    /// `const T: [u16; 4] = { let mut t = [0; 4]; … t };` are `u16`, as rustc types them.
    pub fn infer_initializer(
        &self,
        module: ModuleId,
        container: Option<Container<'_>>,
        ty: &syn::Type,
        expr: &syn::Expr,
    ) -> TypedBody {
        let block = match expr {
            syn::Expr::Block(block) => Some(&block.block),
            _ => None,
        };
        self.in_scope(module, block, |world, base| {
            let (lowerer, _, _) = self.container_lowerer(base, container);
            let expected = lowerer.ty(&type_ref(ty));
            infer_initializer(world, lowerer, &expected, expr)
        })
    }

    /// Runs `infer` with the world and the type lowerer of `module`, the items declared in
    /// `block` (a body's own structs, fns and uses) in scope.
    fn in_scope(
        &self,
        module: ModuleId,
        block: Option<&syn::Block>,
        infer: impl FnOnce(&World<'_>, TyLowerer<'_>) -> InferenceResult,
    ) -> TypedBody {
        let local = block.and_then(|block| self.with_local_items(module, block));
        let graph = local.as_ref().map_or(&*self.graph, |(graph, _)| graph);
        let blocks = local
            .as_ref()
            .map(|(_, scope)| std::slice::from_ref(scope))
            .unwrap_or(&[]);
        let world = World::new(graph, self.std);
        let scope = Scope::new(graph, self.krate, module, self.std).with_blocks(blocks);
        let inferred = infer(&world, TyLowerer::new(scope, self.std));
        let local_defs = local.as_ref().map(|(graph, _)| {
            let mut defs = TypeDefs::default();
            if let Some(block_crate) = graph.crates.last() {
                add_defs_of(&mut defs, graph, block_crate, self.std);
            }
            defs
        });
        TypedBody {
            inferred,
            local_defs,
        }
    }

    /// A body's own items (`struct`, `fn`, `use` written in it) as a crate of their own added to
    /// the graph, and their names as the block scope the body sees first. Names the block does
    /// not define resolve in `module`, around the body, as rustc resolves them.
    fn with_local_items(
        &self,
        module: ModuleId,
        body: &syn::Block,
    ) -> Option<(CrateGraph, ItemScope)> {
        let items: Vec<&syn::Item> = body
            .stmts
            .iter()
            .filter_map(|stmt| match stmt {
                syn::Stmt::Item(item) => Some(item),
                _ => None,
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        let mut graph = (*self.graph).clone();
        let krate = CrateId(graph.crates.len() as u32);
        let parent = self.def_map()?;
        let input = CrateInput {
            name: format!(
                "{{block@{}}}",
                body.brace_token.span.open().byte_range().start
            ),
            edition: parent.edition,
            files: vec![CrateFile {
                module_path: Vec::new(),
                items: Arc::new(FileItems::lower_block(&items, 0)),
            }],
            cfg: &parent.cfg,
            deps: parent.deps.clone().into_iter().collect(),
            proc_macro_deps: parent.proc_macro_deps.iter().cloned().collect(),
            parent: Some(ModuleRef {
                krate: self.krate,
                module,
            }),
        };
        let map = DefMap::build(input, krate, &graph, self.std);
        let scope = map.module(DefMap::ROOT).scope.clone();
        graph.crates.push(Arc::new(map));
        Some((graph, scope))
    }

    /// The lowerer for an impl's or trait's items: its generics and `Self`, with the
    /// predicates it declares.
    fn container_lowerer<'a>(
        &self,
        base: TyLowerer<'a>,
        container: Option<Container<'_>>,
    ) -> (TyLowerer<'a>, Vec<GenericParam>, Vec<Predicate>) {
        match container {
            None => (base, Vec::new(), Vec::new()),
            Some(Container::Impl(block)) => {
                let generics = generics_ref(&block.generics);
                let inner = base.with_generics(&generics);
                let self_ty = inner.ty(&type_ref(&block.self_ty));
                let inner = inner.with_self(self_ty);
                let (params, predicates) = inner.generics(&generics, &[]);
                (inner, params, predicates)
            }
            Some(Container::Trait(tr)) => {
                let generics = generics_ref(&tr.generics);
                let inner = base
                    .with_generics(&generics)
                    .with_self(Ty::Param("Self".into()));
                let mut params = vec![GenericParam::ty("Self")];
                let (own, mut predicates) = inner.generics(&generics, &[]);
                params.extend(own);
                // Inside a trait, `Self` implements it.
                if let Some(trait_ref) = self.own_trait_ref(&inner, &tr.ident) {
                    predicates.push(Predicate {
                        subject: Ty::Param("Self".into()),
                        bound: trait_ref,
                    });
                }
                (inner, params, predicates)
            }
        }
    }

    fn own_trait_ref(
        &self,
        lowerer: &TyLowerer<'_>,
        ident: &syn::Ident,
    ) -> Option<super::ty::TraitRef> {
        let path = super::items::item_tree::path_ref(&syn::Path::from(ident.clone()));
        lowerer.trait_ref(&path)
    }
}

/// The layout engine's definitions: every ADT and alias of the graph, under its key.
fn defs_of(graph: &CrateGraph, std: &dyn StdItems) -> TypeDefs {
    let mut defs = TypeDefs::default();
    for map in &graph.crates {
        add_defs_of(&mut defs, graph, map, std);
    }
    defs
}

/// Adds the ADTs, aliases and sized associated types one crate of `graph` defines.
fn add_defs_of(defs: &mut TypeDefs, graph: &CrateGraph, map: &DefMap, std: &dyn StdItems) {
    for (index, def) in map.defs.iter().enumerate() {
        if !matches!(
            def.kind,
            DefKind::Adt | DefKind::Alias | DefKind::Const | DefKind::Trait
        ) {
            continue;
        }
        let id = super::items::def_map::DefId {
            krate: map.krate,
            index: index as u32,
        };
        match graph.lowered(id, std) {
            Lowered::Adt(adt) => defs.add_adt(adt.clone()),
            Lowered::Alias(alias) => defs.add_alias(alias.clone()),
            Lowered::Trait(data) => {
                for assoc in data.assoc_types.iter().filter(|a| a.known_sized) {
                    defs.add_sized_assoc(&data.key, &assoc.name);
                }
            }
            _ => {}
        }
    }
}
