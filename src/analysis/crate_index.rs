//! The crate around a file: its module tree, and what the other files declare.
//!
//! memlens names types by the last segment of their path, so a file sees another file's
//! declaration of a name when it imports it with `use` (renames and globs included), or when the
//! name is declared only once in the crate. A name declared in several modules and not imported
//! stays unknown rather than guessed. Function bodies are never parsed here: declarations are
//! all that other files need.
//!
//! The index reads files through a function it is given, so the core never touches the disk.
//! Open documents give their declarations through [`CrateIndex::update`] as they are edited.

use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::defs::kept_entries;
use super::incremental::{declarations_of_item, fingerprint, parse_declarations_counted};
use super::items::def_map::CrateFile as ItemsFile;
use super::items::graph::{CrateSpec, Dependencies};
use super::items::include::{
    IncludeEnv, IncludedItems, agreed_text, include_calls, include_candidates, included_fingerprint,
};
use super::items::item_tree::FileItems;
use super::items::package::{CrateRoot, PackageInfo, TargetKind};
use super::layout::is_std_type_name;
use super::paths::use_entries;
use super::symbols::Symbols;

/// Reads a file's text, with the path the file is known by (its canonical path, so that a
/// file reached through symlinks or different spellings is indexed once), or `None` when it
/// cannot or may not be read.
pub trait ReadSource {
    fn read_source(&self, path: &Path) -> Option<(PathBuf, String)>;
}

/// A plain function from path to text knows every file by the path it was asked for (tests,
/// and readers of in-memory files).
impl<F: Fn(&Path) -> Option<String>> ReadSource for F {
    fn read_source(&self, path: &Path) -> Option<(PathBuf, String)> {
        Some((path.to_path_buf(), self(path)?))
    }
}

/// How the index is given its reader.
pub type ReadFile<'a> = &'a dyn ReadSource;

/// A module: which crate root it hangs from (a library or a binary) and its path from there.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleKey {
    pub root: usize,
    pub path: Vec<String>,
}

impl ModuleKey {
    /// The top module of crate root number `root`.
    fn crate_root(root: usize) -> ModuleKey {
        ModuleKey {
            root,
            path: Vec::new(),
        }
    }

    fn child(&self, name: &str) -> ModuleKey {
        let mut key = self.clone();
        key.path.push(name.to_string());
        key
    }

    /// The module at `inline` (inline module names) inside this one.
    fn inside(&self, inline: &[String]) -> ModuleKey {
        let mut key = self.clone();
        key.path.extend(inline.iter().cloned());
        key
    }
}

/// A `use` item, flattened: `use a::{b as c, d::*};` is two imports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Import {
    /// The inline module of the file the `use` is written in (empty for the file's own module).
    pub inline: Vec<String>,
    /// The path before the imported name.
    pub path: Vec<String>,
    /// What is imported; `None` for a glob (`*`).
    pub name: Option<String>,
    /// The name it is known by (`as`), if renamed.
    pub alias: Option<String>,
}

/// A `mod name;` declaration whose contents live in another file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ChildModule {
    inline: Vec<String>,
    name: String,
    /// The `#[path = "..."]` attribute's value.
    path_attr: Option<String>,
    /// Its `#[cfg(..)]`, which decides whether rustc reads its file at all.
    cfg: Option<super::items::item_tree::CfgExpr>,
}

/// What one module of a file declares.
#[derive(Clone, Debug)]
struct ModuleDeclarations {
    inline: Vec<String>,
    symbols: Symbols,
}

/// The declarations of one file, per module it holds (its own and its inline modules).
#[derive(Clone, Debug, Default)]
pub struct FileDeclarations {
    /// The file's items for name resolution by module.
    pub items: std::sync::Arc<super::items::item_tree::FileItems>,
    modules: Vec<ModuleDeclarations>,
    imports: Vec<Import>,
    children: Vec<ChildModule>,
    fingerprint: u64,
}

impl FileDeclarations {
    /// The declarations of a file's parsed items (with bodies or without).
    pub fn of_items<'a>(items: impl Iterator<Item = &'a syn::Item> + Clone) -> FileDeclarations {
        let mut declarations = FileDeclarations {
            fingerprint: fingerprint(items.clone().map(declarations_of_item)),
            items: std::sync::Arc::new(super::items::item_tree::FileItems::lower(
                items.clone().map(|item| (item, 0)),
            )),
            ..FileDeclarations::default()
        };
        for (inline, items) in modules_of(items.collect(), Vec::new()) {
            let mut symbols =
                Symbols::of_items(items.iter().map(|item| (*item, 0)), &HashMap::new());
            symbols.defs.forget_spans();
            declarations.imports.extend(imports_in(&inline, &items));
            declarations
                .children
                .extend(items.iter().filter_map(|item| child_module(&inline, item)));
            declarations
                .modules
                .push(ModuleDeclarations { inline, symbols });
        }
        declarations
    }

    /// Parses `text` with function bodies left out and collects its declarations.
    pub fn of_text(text: &str) -> FileDeclarations {
        let text = &super::chunk::blank_ignored_prefix(text);
        let parsed = parse_declarations_counted(text);
        let mut declarations = FileDeclarations::of_items(
            parsed
                .iter()
                .filter_map(|item| item.file.as_ref())
                .flat_map(|file| &file.items),
        );
        // Just built, so not shared: no copy is made.
        std::sync::Arc::make_mut(&mut declarations.items).no_std =
            super::items::item_tree::no_std_attribute(text);
        declarations
    }
}

/// The declarations of the file at `path`, read with `read`, with the files its `include!`s name.
fn declarations_read(
    path: &Path,
    read: ReadFile<'_>,
    env: &IncludeEnv,
) -> Option<(PathBuf, FileDeclarations)> {
    let (path, text) = read.read_source(path)?;
    let declarations = with_includes(FileDeclarations::of_text(&text), &path, read, env, &[]);
    Some((path, declarations))
}

/// The declarations with the items of the files their `include!` calls name (a call whose
/// file cannot be told or read stays unexpanded, and what it would define unknown). A call
/// found in `known` (the file's previous declarations) is not read again: an edit of the file
/// does not change what a build wrote.
fn with_includes(
    mut declarations: FileDeclarations,
    path: &Path,
    read: ReadFile<'_>,
    env: &IncludeEnv,
    known: &[IncludedItems],
) -> FileDeclarations {
    let mut included = Vec::new();
    for call in include_calls(&declarations.items) {
        if included.len() >= MAX_INCLUDES {
            break;
        }
        if let Some(part) = known.iter().find(|part| part.tokens == call.tokens) {
            included.push(part.clone());
            continue;
        }
        let candidates = include_candidates(&call.tokens, path, env);
        let text_of = |path: &Path| read.read_source(path).map(|(_, text)| text);
        let Some(text) = agreed_text(&candidates, &text_of) else {
            continue;
        };
        let mut items = FileDeclarations::of_text(&text).items;
        // Positions in the included file are not positions in this one.
        let lowered = std::sync::Arc::make_mut(&mut items);
        for module in &mut lowered.modules {
            module
                .items
                .iter_mut()
                .for_each(|item| item.name_range = None);
        }
        included.push(IncludedItems {
            tokens: call.tokens.clone(),
            items,
        });
    }
    if included.is_empty() {
        return declarations;
    }
    let items = std::mem::take(&mut declarations.items);
    declarations.fingerprint ^= included_fingerprint(&included);
    let items = std::sync::Arc::unwrap_or_clone(items).with_included(included);
    declarations.items = std::sync::Arc::new(items);
    declarations
}

/// An open document's items with the included files the index read for it.
fn with_included_of(own: &Arc<FileItems>, indexed: &FileItems) -> Arc<FileItems> {
    if indexed.included.is_empty() || !own.included.is_empty() {
        return Arc::clone(own);
    }
    Arc::new((**own).clone().with_included(indexed.included.clone()))
}

/// How many `include!` calls of one file are followed.
const MAX_INCLUDES: usize = 64;

/// The items of the file's own module and of each inline module in it, with the inline path.
fn modules_of(items: Vec<&syn::Item>, inline: Vec<String>) -> Vec<(Vec<String>, Vec<&syn::Item>)> {
    let mut modules = Vec::new();
    for item in &items {
        if let syn::Item::Mod(module) = item
            && let Some((_, inner)) = &module.content
        {
            let mut path = inline.clone();
            path.push(module.ident.to_string());
            modules.extend(modules_of(inner.iter().collect(), path));
        }
    }
    modules.insert(0, (inline, items));
    modules
}

/// The imports of one module's items.
fn imports_in<'a>(
    inline: &'a [String],
    items: &'a [&syn::Item],
) -> impl Iterator<Item = Import> + 'a {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Use(item_use) => Some(use_entries(&item_use.tree)),
            _ => None,
        })
        .flatten()
        .map(|entry| Import {
            inline: inline.to_vec(),
            path: entry.path,
            name: entry.name,
            alias: entry.alias,
        })
}

/// A `mod name;` item whose contents are in another file.
fn child_module(inline: &[String], item: &syn::Item) -> Option<ChildModule> {
    let syn::Item::Mod(module) = item else {
        return None;
    };
    module.content.is_none().then(|| ChildModule {
        inline: inline.to_vec(),
        name: module.ident.to_string(),
        path_attr: path_attribute(&module.attrs),
        cfg: super::items::item_tree::cfg_of(&module.attrs),
    })
}

/// The imports among a file's items (with their inline modules), without collecting the rest.
pub fn imports_of<'a>(items: impl Iterator<Item = &'a syn::Item>) -> Vec<Import> {
    modules_of(items.collect(), Vec::new())
        .iter()
        .flat_map(|(inline, items)| imports_in(inline, items).collect::<Vec<_>>())
        .collect()
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(pair) if pair.path.is_ident("path") => match &pair.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => Some(text.value()),
            _ => None,
        },
        _ => None,
    })
}

/// What giving the index a file's declarations changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    Unchanged,
    Declarations,
    /// The module tree was walked again, and files may have been read from disk.
    ModuleTree,
}

/// One file of the package: the module it is and what it declares.
#[derive(Clone, Debug)]
struct IndexedFile {
    /// The module it is in the first crate root that reaches it: the one its own analysis uses.
    module: ModuleKey,
    /// The modules it also is in later crate roots, at most one per root (zoxide's build script
    /// compiles `src/cmd/cmd.rs` as its module `cmd`, the binary as `cmd::cmd`).
    elsewhere: Vec<ModuleKey>,
    declarations: FileDeclarations,
}

impl IndexedFile {
    fn modules(&self) -> impl Iterator<Item = &ModuleKey> {
        std::iter::once(&self.module).chain(&self.elsewhere)
    }

    /// The module the file is in crate root number `root`, if that root reaches it.
    fn module_in(&self, root: usize) -> Option<&ModuleKey> {
        self.modules().find(|module| module.root == root)
    }

    /// Records that the file is `module` too; the first root's module stays first.
    fn add_module(&mut self, module: ModuleKey) {
        if module.root < self.module.root {
            let first = std::mem::replace(&mut self.module, module);
            self.elsewhere.push(first);
        } else {
            self.elsewhere.push(module);
        }
        self.elsewhere.sort();
    }
}

/// A file a module may be in.
#[derive(Clone, Debug)]
struct ModuleFile {
    path: PathBuf,
    /// Whether its `mod x;` items look for files beside it (crate roots, `mod.rs` files and files
    /// named by `#[path]`) rather than in a directory named after it.
    owns_directory: bool,
}

/// A module found but not read yet: the files it may be in, in the order rustc tries them.
#[derive(Clone, Debug)]
struct PendingModule {
    candidates: Vec<ModuleFile>,
    module: ModuleKey,
}

/// The files of one package reachable from its crate roots, and what each declares.
#[derive(Debug, Default)]
pub struct CrateIndex {
    /// The crate roots (the library first when there is one, then the other targets).
    roots: Vec<CrateRoot>,
    /// The library's name, as `use` paths from the binaries spell it (when the first root is
    /// a library: see [`CrateIndex::library`]).
    library_name: Option<String>,
    files: BTreeMap<PathBuf, IndexedFile>,
    pending: Vec<PendingModule>,
    /// Every file's entry fingerprint combined, once computed since the last change.
    combined: Cell<Option<u64>>,
    /// What the manifest says about the package's crates.
    package: PackageInfo,
    /// The dependencies memlens reads, once the caller has loaded them.
    dependencies: Option<Arc<Dependencies>>,
    /// When set, modules whose `cfg` this build leaves out are not read (for dependencies,
    /// which are read for one build; a package's own files are read for every target).
    module_cfg: Option<super::items::cfg::CfgOptions>,
    /// Where the package's `include!` paths lead.
    include_env: IncludeEnv,
}

/// What a file contributes to other files' context: where it is and what it declares.
fn entry_fingerprint(path: &Path, file: &IndexedFile) -> u64 {
    let mut hasher = DefaultHasher::new();
    (
        path,
        &file.module,
        &file.elsewhere,
        file.declarations.fingerprint,
    )
        .hash(&mut hasher);
    hasher.finish()
}

impl CrateIndex {
    /// An index of the crates rooted at `roots` (the library first if there is one; `library`
    /// is its crate name, as `use` paths in the binaries spell it), with nothing read yet: call
    /// [`CrateIndex::index_some`] until it returns 0.
    pub fn with_roots(roots: Vec<CrateRoot>, library: Option<String>) -> CrateIndex {
        let pending = roots
            .iter()
            .enumerate()
            .map(|(root, crate_root)| {
                let module = ModuleKey::crate_root(root);
                let file = ModuleFile {
                    path: normalized(&crate_root.path),
                    owns_directory: true,
                };
                PendingModule {
                    candidates: vec![file],
                    module,
                }
            })
            .collect();
        CrateIndex {
            library_name: library,
            roots,
            files: BTreeMap::new(),
            pending,
            combined: Cell::new(None),
            package: PackageInfo::standalone(),
            dependencies: None,
            module_cfg: None,
            include_env: IncludeEnv::default(),
        }
    }

    /// The library's crate name, when the package has a library (always the first root).
    fn library(&self) -> Option<&String> {
        let first = self.roots.first()?;
        (first.kind == TargetKind::Library)
            .then_some(self.library_name.as_ref())
            .flatten()
    }

    /// The kind of target crate root number `root` is (a root that is not there: a binary).
    fn kind_of_root(&self, root: usize) -> TargetKind {
        self.roots
            .get(root)
            .map_or(TargetKind::Binary, |crate_root| crate_root.kind)
    }

    /// [`CrateIndex::relink`] from the package's crate roots as they are now: after files were
    /// created or deleted, a target may have come or gone.
    pub fn relink_with_roots(&mut self, roots: Vec<CrateRoot>, read: ReadFile<'_>) {
        self.roots = roots;
        self.relink(read);
    }

    /// The index with what `env!` gives in the package's `include!` paths.
    pub fn with_include_env(mut self, include_env: IncludeEnv) -> CrateIndex {
        self.include_env = include_env;
        self
    }

    /// The index reading only the modules that the build `cfg` compiles.
    pub fn with_module_cfg(mut self, cfg: super::items::cfg::CfgOptions) -> CrateIndex {
        self.module_cfg = Some(cfg);
        self
    }

    /// Gives the package's crates the dependencies memlens reads (loaded by the caller).
    pub fn set_dependencies(&mut self, dependencies: Arc<Dependencies>) {
        self.dependencies = Some(dependencies);
        self.combined.set(None);
    }

    pub fn has_dependencies(&self) -> bool {
        self.dependencies.is_some()
    }

    /// The index with the package's manifest facts.
    pub fn with_package(mut self, package: PackageInfo) -> CrateIndex {
        self.package = package;
        self
    }

    pub fn package(&self) -> &PackageInfo {
        &self.package
    }

    /// The crates to build for analysing the file at `path`: its own crate (with `own` as the
    /// file's items, which may be newer than the index's), the package's library when the file
    /// is in another crate of the package, and the file's module path in its crate.
    pub fn crate_specs(
        &self,
        path: &Path,
        own: Option<std::sync::Arc<FileItems>>,
    ) -> Option<(CrateSpec, Option<CrateSpec>, Vec<String>)> {
        let module = self.files.get(path)?.module.clone();
        let files_of = |root: usize| -> Vec<ItemsFile> {
            self.files
                .iter()
                .filter_map(|(other, file)| {
                    let module = file.module_in(root)?;
                    let items = match (&own, other.as_path() == path) {
                        (Some(own), true) => with_included_of(own, &file.declarations.items),
                        _ => std::sync::Arc::clone(&file.declarations.items),
                    };
                    Some(ItemsFile {
                        module_path: module.path.clone(),
                        items,
                    })
                })
                .collect()
        };
        let kind = self.kind_of_root(module.root);
        let with_dependencies = |mut spec: CrateSpec| {
            spec.dependencies = self.dependencies.clone();
            if let Some(dependencies) = &self.dependencies {
                spec.build_cfgs = dependencies.root_cfgs.clone();
            }
            spec
        };
        let main = with_dependencies(CrateSpec::of_package(
            &self.package,
            files_of(module.root),
            kind,
        ));
        let library = (self.library().is_some() && kind.sees_library())
            .then(|| CrateSpec::of_package(&self.package, files_of(0), TargetKind::Library))
            .map(with_dependencies);
        Some((main, library, module.path))
    }

    /// Reads and indexes up to `limit` of the files found so far (finding more as their `mod`
    /// items are read). Returns how many are still waiting.
    pub fn index_some(&mut self, limit: usize, read: ReadFile<'_>) -> usize {
        let env = self.include_env.clone();
        for _ in 0..limit {
            if !self.take_pending(|path| declarations_read(path, read, &env)) {
                break;
            }
        }
        self.pending.len()
    }

    /// Indexes the next pending module, in the first of its files that `declarations_of`
    /// can tell (it gives the path the file is known by with its declarations); `false` when
    /// none is pending. A file already indexed under that path is not indexed again: with
    /// canonical paths, that is the visited set that makes `src/a -> .` one file, not a loop.
    fn take_pending(
        &mut self,
        mut declarations_of: impl FnMut(&Path) -> Option<(PathBuf, FileDeclarations)>,
    ) -> bool {
        let Some(pending) = self.pending.pop() else {
            return false;
        };
        let found = pending.candidates.into_iter().find_map(|file| {
            let (path, declarations) = declarations_of(&file.path)?;
            Some((declarations, ModuleFile { path, ..file }))
        });
        let Some((declarations, file)) = found else {
            return true;
        };
        match self.files.get(&file.path) {
            None => self.insert(file, pending.module, declarations),
            Some(known) if known.module_in(pending.module.root).is_none() => {
                self.add_to_root(file, pending.module);
            }
            Some(_) => {}
        }
        true
    }

    /// Records that an indexed file is `module` of another crate root too, and finds its
    /// child modules there.
    fn add_to_root(&mut self, file: ModuleFile, module: ModuleKey) {
        let Some(known) = self.files.get(&file.path) else {
            return;
        };
        let children = known.declarations.children.clone();
        self.push_children(&file, &module, &children);
        if let Some(known) = self.files.get_mut(&file.path) {
            known.add_module(module);
        }
        self.combined.set(None);
    }

    /// Files indexed so far and files known to be waiting.
    pub fn progress(&self) -> (usize, usize) {
        (self.files.len(), self.files.len() + self.pending.len())
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    /// The path crate root number `root` was indexed under, once it was read.
    pub fn root_path(&self, root: usize) -> Option<&Path> {
        let key = ModuleKey::crate_root(root);
        self.files
            .iter()
            .find(|(_, file)| file.modules().any(|module| *module == key))
            .map(|(path, _)| path.as_path())
    }

    /// Queues the child modules (`mod x;` items) of `file`, which is `module`.
    fn push_children(&mut self, file: &ModuleFile, module: &ModuleKey, children: &[ChildModule]) {
        for child in children {
            if let Some(cfg) = &self.module_cfg
                && !cfg.enabled(child.cfg.as_ref())
            {
                continue;
            }
            self.pending.push(PendingModule {
                candidates: child_files(file, child),
                module: module.inside(&child.inline).child(&child.name),
            });
        }
    }

    fn insert(&mut self, file: ModuleFile, module: ModuleKey, declarations: FileDeclarations) {
        self.push_children(&file, &module, &declarations.children);
        let indexed = IndexedFile {
            module,
            elsewhere: Vec::new(),
            declarations,
        };
        self.files.insert(file.path, indexed);
        self.combined.set(None);
    }

    /// Replaces a file's declarations (after an edit, or a change on disk). When its `mod`
    /// items changed, the module tree is walked again from the roots, reading files that came
    /// into it.
    pub fn update(
        &mut self,
        path: &Path,
        declarations: FileDeclarations,
        read: ReadFile<'_>,
    ) -> Update {
        let Some(file) = self.files.get_mut(path) else {
            return Update::Unchanged;
        };
        let known = &file.declarations.items.included;
        let declarations = with_includes(declarations, path, read, &self.include_env, known);
        let relink = file.declarations.children != declarations.children;
        if !relink && file.declarations.fingerprint == declarations.fingerprint {
            return Update::Unchanged;
        }
        file.declarations = declarations;
        self.combined.set(None);
        if relink {
            self.relink(read);
            return Update::ModuleTree;
        }
        Update::Declarations
    }

    /// Forgets a file (deleted from disk); [`CrateIndex::relink`] then reads it again if a
    /// module still names it and it can be read.
    pub fn forget(&mut self, path: &Path) {
        self.files.remove(path);
        self.combined.set(None);
    }

    /// Walks the module tree again, keeping what is already indexed and reading new files:
    /// after a file was created, deleted or renamed, or a `mod` item changed.
    pub fn relink(&mut self, read: ReadFile<'_>) {
        let mut known = std::mem::take(&mut self.files);
        let package = std::mem::take(&mut self.package);
        let dependencies = self.dependencies.take();
        let env = std::mem::take(&mut self.include_env);
        let module_cfg = self.module_cfg.take();
        *self = CrateIndex::with_roots(std::mem::take(&mut self.roots), self.library_name.take())
            .with_package(package)
            .with_include_env(env.clone());
        self.module_cfg = module_cfg;
        self.dependencies = dependencies;
        // A file known by another path (a symlink's target) is read to learn that path, and
        // its known declarations kept: they may be an open document's, newer than the disk.
        let mut reread = |path: &Path| match known.remove(path) {
            Some(file) => Some((path.to_path_buf(), file.declarations)),
            None => {
                let (path, text) = read.read_source(path)?;
                let declarations = match known.remove(&path) {
                    Some(file) => file.declarations,
                    None => with_includes(FileDeclarations::of_text(&text), &path, read, &env, &[]),
                };
                Some((path, declarations))
            }
        };
        while self.take_pending(&mut reread) {}
    }

    /// A fingerprint of everything but `path`'s own declarations: what a view for `path`
    /// depends on besides the file's imports. Every file's entry is combined by XOR, so that
    /// one file's is taken out again at once; the combination is kept until the index changes,
    /// as every analysis asks for it.
    fn fingerprint_without(&self, path: &Path) -> u64 {
        let all = self.combined.get().unwrap_or_else(|| {
            let all = self
                .files
                .iter()
                .fold(0, |all, (other, file)| all ^ entry_fingerprint(other, file));
            self.combined.set(Some(all));
            all
        });
        let own = self
            .files
            .get(path)
            .map_or(0, |file| entry_fingerprint(path, file));
        all ^ own
    }

    /// A fingerprint of what a view for `path` depends on besides the file's own text: the
    /// other files' declarations and where the file sits in the module tree.
    pub fn context_of(&self, path: &Path) -> u64 {
        let mut hasher = DefaultHasher::new();
        (
            self.fingerprint_without(path),
            self.files.get(path).map(|f| (&f.module, &f.elsewhere)),
            self.dependencies.as_ref().map(|d| d.crates.len()),
        )
            .hash(&mut hasher);
        hasher.finish()
    }

    /// What the rest of the crate declares that the file at `path` can name, given the file's
    /// own imports (taken from its current text, which may be newer than the index's copy).
    pub fn view(&self, path: &Path, imports: &[Import]) -> Symbols {
        let own = self
            .files
            .get(path)
            .map_or(ModuleKey::crate_root(0), |file| file.module.clone());
        // A crate sees its own modules and the package's library; other binaries are apart.
        let sees_library = self.library().is_some() && self.kind_of_root(own.root).sees_library();
        // Each other file as the modules it is in the crates the file sees.
        let others = || {
            self.files
                .iter()
                .filter(|(other, _)| other.as_path() != path)
                .flat_map(|(_, file)| {
                    file.modules()
                        .filter(|module| {
                            module.root == own.root || (sees_library && module.root == 0)
                        })
                        .map(move |module| (module, file))
                })
        };
        let modules: Vec<(ModuleKey, &Symbols)> = others()
            .flat_map(|(file_module, file)| {
                let declared = &file.declarations.modules;
                declared
                    .iter()
                    .map(|module| (file_module.inside(&module.inline), &module.symbols))
            })
            .collect();
        let resolved: Vec<ResolvedImport> = imports
            .iter()
            .filter_map(|import| self.resolve(&own, import))
            .collect();
        let table = ModuleTable {
            index: self,
            declared: declared_by_name(&modules),
            imports: others()
                .flat_map(|(file_module, file)| {
                    let imports = &file.declarations.imports;
                    imports.iter().map(move |import| {
                        (file_module.inside(&import.inline), (file_module, import))
                    })
                })
                .fold(HashMap::new(), |mut map, (key, import)| {
                    map.entry(key).or_insert_with(Vec::new).push(import);
                    map
                }),
        };
        let chosen = table.choose(&resolved);
        let mut symbols = Symbols::default();
        for (key, module) in &modules {
            symbols.fill_in(&chosen_part(module, |name| {
                chosen.get(name).is_some_and(|k| k == key)
            }));
        }
        add_renames(&mut symbols, &resolved);
        symbols
    }

    /// The module an import's path names, from the module it is written in.
    fn resolve(&self, own: &ModuleKey, import: &Import) -> Option<ResolvedImport> {
        let here = own.inside(&import.inline);
        let (mut module, rest) = match import.path.split_first() {
            Some((first, rest)) if first == "crate" => (ModuleKey::crate_root(here.root), rest),
            Some((first, rest)) if first == "self" => (here, rest),
            Some((first, rest)) if Some(first) == self.library() => {
                (ModuleKey::crate_root(0), rest)
            }
            // `super::`, and 2018 paths that start at a child module (or at a dependency).
            _ => (here, import.path.as_slice()),
        };
        for segment in rest {
            if segment == "super" {
                module.path.pop()?;
            } else {
                module = module.child(segment);
            }
        }
        Some(ResolvedImport {
            module,
            name: import.name.clone(),
            alias: import.alias.clone(),
        })
    }
}

/// An import whose module path is resolved to a module of the crate (it may not exist there,
/// for imports from dependencies).
struct ResolvedImport {
    module: ModuleKey,
    name: Option<String>,
    alias: Option<String>,
}

/// Which modules declare each name.
fn declared_by_name<'a>(
    modules: &'a [(ModuleKey, &Symbols)],
) -> HashMap<&'a str, Vec<&'a ModuleKey>> {
    let mut declared: HashMap<&str, Vec<&ModuleKey>> = HashMap::new();
    for (key, symbols) in modules {
        for name in declared_names(symbols) {
            declared.entry(name).or_default().push(key);
        }
    }
    declared
}

/// How deep `pub use` re-exports are followed.
const REEXPORT_DEPTH: usize = 8;

/// The crate's modules as a file sees them: what each declares, and what each imports (for
/// following re-exports such as `pub use circle::Circle;`).
struct ModuleTable<'a> {
    index: &'a CrateIndex,
    declared: HashMap<&'a str, Vec<&'a ModuleKey>>,
    /// Each module's imports, with the module of the file they are written in.
    imports: HashMap<ModuleKey, Vec<(&'a ModuleKey, &'a Import)>>,
}

impl ModuleTable<'_> {
    /// For each name declared in the crate, the module whose declaration the file sees. A name
    /// the file imports by name is the one its path leads to (through re-exports), or none if
    /// the path leads out of the crate: an explicit import shadows every other. Other names are
    /// the one reached through the file's glob imports, else the only one in the crate unless
    /// std has a type of that name.
    fn choose(&self, imports: &[ResolvedImport]) -> HashMap<String, ModuleKey> {
        let mut chosen = HashMap::new();
        let mut named = HashSet::new();
        for import in imports {
            let Some(name) = &import.name else {
                continue;
            };
            named.insert(name.as_str());
            if let Some(module) = self.locate(&import.module, name, REEXPORT_DEPTH) {
                chosen.insert(name.clone(), module);
            }
        }
        let globs: Vec<&ModuleKey> = imports
            .iter()
            .filter(|import| import.name.is_none())
            .map(|import| &import.module)
            .collect();
        for (name, keys) in &self.declared {
            if named.contains(name) {
                continue;
            }
            let globbed: HashSet<ModuleKey> = globs
                .iter()
                .filter_map(|glob| self.locate(glob, name, REEXPORT_DEPTH))
                .collect();
            // Without an import, a std name means std's type (`Result`, `Vec`), as the prelude
            // makes it, even where the crate declares one of that name elsewhere.
            let only = match (globbed.len(), keys.as_slice()) {
                (1, _) => globbed.into_iter().next(),
                (0, [only]) if !is_std_type_name(name) => Some((*only).clone()),
                _ => None,
            };
            if let Some(module) = only {
                chosen.insert(name.to_string(), module);
            }
        }
        chosen
    }

    /// The module that declares `name` as seen from `module`: itself, or where one of its
    /// imports of that name (or its globs) leads.
    fn locate(&self, module: &ModuleKey, name: &str, depth: usize) -> Option<ModuleKey> {
        if self
            .declared
            .get(name)
            .is_some_and(|keys| keys.contains(&module))
        {
            return Some(module.clone());
        }
        let imports = self.imports.get(module)?;
        let by_name = imports
            .iter()
            .filter(|(_, import)| import.alias.as_deref().or(import.name.as_deref()) == Some(name));
        let globs = imports.iter().filter(|(_, import)| import.name.is_none());
        by_name.chain(globs).find_map(|(file_module, import)| {
            let target = self.index.resolve(file_module, import)?;
            let original = import.name.as_deref().unwrap_or(name);
            self.locate(&target.module, original, depth.checked_sub(1)?)
        })
    }
}

/// The names a module declares: types, aliases, functions, statics and constants.
fn declared_names(symbols: &Symbols) -> HashSet<&str> {
    symbols
        .defs
        .adts()
        .map(|def| def.name.as_str())
        .chain(symbols.defs.alias_names())
        .chain(symbols.fns.keys().map(String::as_str))
        .chain(symbols.values.keys().map(String::as_str))
        .collect()
}

/// The part of a module's symbols whose names pass `keep`; methods go with their type, and
/// methods of types not declared in the crate (impls on std types) are kept too.
fn chosen_part(symbols: &Symbols, keep: impl Fn(&str) -> bool) -> Symbols {
    let mut part = Symbols {
        defs: symbols.defs.filtered(&keep),
        ..Symbols::default()
    };
    part.fns = kept_entries(&symbols.fns, &keep);
    part.values = kept_entries(&symbols.values, &keep);
    part.consts = kept_entries(&symbols.consts, &keep);
    for (type_name, methods) in &symbols.methods {
        if keep(type_name) || symbols.defs.adt(type_name).is_none() {
            part.methods.insert(type_name.clone(), methods.clone());
        }
    }
    part
}

/// `use a::make as build;`: `build` names what `make` names. (Types need no entry: lowering
/// names a type through the file's imports, so `P` after `use a::Point as P;` is `Point`.)
fn add_renames(symbols: &mut Symbols, imports: &[ResolvedImport]) {
    for import in imports {
        let (Some(name), Some(alias)) = (&import.name, &import.alias) else {
            continue;
        };
        if let Some(sig) = symbols.fns.get(name).cloned() {
            symbols.fns.insert(alias.clone(), sig);
        }
        if let Some(ty) = symbols.values.get(name).cloned() {
            symbols.values.insert(alias.clone(), ty);
        }
        if let Some(value) = symbols.consts.get(name).copied() {
            symbols.consts.insert(alias.clone(), value);
            symbols.defs.add_const(alias, value);
        }
    }
}

/// Where the file of `mod name;` may be, in the order rustc looks: a `#[path]` relative to the
/// declaring file's directory (with the inline modules around it as directories, outside the
/// declaring file's own directory only when it owns one); else `name.rs` or `name/mod.rs` in
/// that directory. A file owns the directory it is in when it is a crate root, a `mod.rs` or
/// named by `#[path]`; any other `x.rs` looks in `x/`.
fn child_files(parent: &ModuleFile, child: &ChildModule) -> Vec<ModuleFile> {
    let dir = parent.path.parent().unwrap_or(Path::new(""));
    let mut base = if parent.owns_directory {
        dir.to_path_buf()
    } else {
        dir.join(parent.path.file_stem().unwrap_or_default())
    };
    let candidate = |path: PathBuf, owns_directory| ModuleFile {
        path: normalized(&path),
        owns_directory,
    };
    match &child.path_attr {
        Some(path_attr) if child.inline.is_empty() => vec![candidate(dir.join(path_attr), true)],
        Some(path_attr) => {
            base.extend(&child.inline);
            vec![candidate(base.join(path_attr), true)]
        }
        None => {
            base.extend(&child.inline);
            vec![
                candidate(base.join(format!("{}.rs", child.name)), false),
                candidate(base.join(&child.name).join("mod.rs"), true),
            ]
        }
    }
}

/// The path with `.` and `..` components resolved lexically, so that a module tree that names
/// one file through different spellings (`src/../src/a.rs`) reaches it once, and cannot loop.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                let climbs = matches!(
                    out.components().next_back(),
                    None | Some(std::path::Component::ParentDir)
                );
                if climbs || !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
