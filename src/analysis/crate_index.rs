//! The crate around a file: its module tree, and what the other files declare.
//!
//! memlens names types by the last segment of their path, so a file sees another file's
//! declaration of a name when it imports it with `use` (renames and globs included), or when the
//! name is declared only once in the crate. A name declared in several modules and not imported
//! stays unknown rather than guessed. Function bodies are never parsed here: declarations are
//! all that other files need.
//!
//! The index reads files through a function it is given, so the core never touches the disk;
//! the server passes one that prefers the editor's open documents.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use super::defs::{AliasDef, kept_entries};
use super::incremental::{declarations_of_item, parse_counted};
use super::symbols::Symbols;
use super::ty::Ty;

/// Reads a file's text, or `None` when it cannot be read.
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// A module: which crate root it hangs from (a library or a binary) and its path from there.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleKey {
    pub root: usize,
    pub path: Vec<String>,
}

impl ModuleKey {
    fn child(&self, name: &str) -> ModuleKey {
        let mut path = self.path.clone();
        path.push(name.to_string());
        ModuleKey {
            root: self.root,
            path,
        }
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
            ..FileDeclarations::default()
        };
        let items: Vec<&syn::Item> = items.collect();
        declarations.add_module(Vec::new(), &items);
        declarations
    }

    /// Parses `text` with function bodies left out and collects its declarations.
    pub fn of_text(text: &str) -> FileDeclarations {
        let text = &super::chunk::blank_ignored_prefix(text);
        let blanked = super::chunk::blank_fn_bodies(text);
        let parsed = parse_counted(blanked.as_deref().unwrap_or(text));
        FileDeclarations::of_items(
            parsed
                .iter()
                .filter_map(|item| item.file.as_ref())
                .flat_map(|file| &file.items),
        )
    }

    fn add_module(&mut self, inline: Vec<String>, items: &[&syn::Item]) {
        let mut symbols = Symbols::of_items(items.iter().map(|item| (*item, 0)), &HashMap::new());
        symbols.defs.forget_spans();
        for item in items {
            match item {
                syn::Item::Use(item_use) => {
                    flatten_use(&item_use.tree, &inline, &mut Vec::new(), &mut self.imports)
                }
                syn::Item::Mod(module) => self.add_child(&inline, module),
                _ => {}
            }
        }
        self.modules.push(ModuleDeclarations { inline, symbols });
    }

    fn add_child(&mut self, inline: &[String], module: &syn::ItemMod) {
        let name = module.ident.to_string();
        match &module.content {
            Some((_, items)) => {
                let mut path = inline.to_vec();
                path.push(name);
                self.add_module(path, &items.iter().collect::<Vec<_>>());
            }
            None => self.children.push(ChildModule {
                inline: inline.to_vec(),
                name,
                path_attr: path_attribute(&module.attrs),
            }),
        }
    }

    /// The imports written in the file, each with the inline module it is written in.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }
}

/// The imports among a file's items (with their inline modules), without collecting the rest.
pub fn imports_of<'a>(items: impl Iterator<Item = &'a syn::Item>) -> Vec<Import> {
    let mut imports = Vec::new();
    collect_imports(items, &[], &mut imports);
    imports
}

fn collect_imports<'a>(
    items: impl Iterator<Item = &'a syn::Item>,
    inline: &[String],
    imports: &mut Vec<Import>,
) {
    for item in items {
        match item {
            syn::Item::Use(item_use) => {
                flatten_use(&item_use.tree, inline, &mut Vec::new(), imports)
            }
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &module.content {
                    let mut path = inline.to_vec();
                    path.push(module.ident.to_string());
                    collect_imports(inner.iter(), &path, imports);
                }
            }
            _ => {}
        }
    }
}

fn flatten_use(
    tree: &syn::UseTree,
    inline: &[String],
    prefix: &mut Vec<String>,
    out: &mut Vec<Import>,
) {
    let import = |name: Option<String>, alias: Option<String>| Import {
        inline: inline.to_vec(),
        path: prefix.clone(),
        name,
        alias,
    };
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten_use(&path.tree, inline, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => out.push(import(Some(name.ident.to_string()), None)),
        syn::UseTree::Rename(rename) => out.push(import(
            Some(rename.ident.to_string()),
            Some(rename.rename.to_string()),
        )),
        syn::UseTree::Glob(_) => out.push(import(None, None)),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                flatten_use(tree, inline, prefix, out);
            }
        }
    }
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

/// One file of the crate: the module it is and what it declares.
#[derive(Clone, Debug)]
struct IndexedFile {
    module: ModuleKey,
    declarations: FileDeclarations,
}

/// The files of one package reachable from its crate roots, and what each declares.
#[derive(Debug, Default)]
pub struct CrateIndex {
    /// The crate roots (`src/lib.rs` first when there is one, then binaries).
    roots: Vec<PathBuf>,
    /// The library's name, as `use` paths from the binaries spell it.
    library: Option<String>,
    files: BTreeMap<PathBuf, IndexedFile>,
    /// Modules found but not read yet: the files each may be in (in the order rustc tries
    /// them) and the module it is.
    pending: Vec<(Vec<PathBuf>, ModuleKey)>,
}

impl CrateIndex {
    /// An index of the crates rooted at `roots` (`src/lib.rs` first if there is one; `library`
    /// is its crate name, as `use` paths in the binaries spell it), with nothing read yet: call
    /// [`CrateIndex::index_some`] until it returns 0.
    pub fn with_roots(roots: Vec<PathBuf>, library: Option<String>) -> CrateIndex {
        let pending = roots
            .iter()
            .enumerate()
            .map(|(root, path)| {
                let key = ModuleKey {
                    root,
                    path: Vec::new(),
                };
                (vec![path.clone()], key)
            })
            .collect();
        CrateIndex {
            library: library.filter(|_| roots.first().is_some_and(|p| p.ends_with("lib.rs"))),
            roots,
            files: BTreeMap::new(),
            pending,
        }
    }

    /// Reads and indexes up to `limit` of the files found so far (finding more as their `mod`
    /// items are read). Returns how many are still waiting.
    pub fn index_some(&mut self, limit: usize, read: ReadFile<'_>) -> usize {
        for _ in 0..limit {
            let Some((candidates, module)) = self.pending.pop() else {
                break;
            };
            let found = candidates.into_iter().find_map(|path| {
                let text = read(&path)?;
                Some((path, text))
            });
            if let Some((path, text)) = found
                && !self.files.contains_key(&path)
            {
                self.insert(path, module, FileDeclarations::of_text(&text));
            }
        }
        self.pending.len()
    }

    /// Files indexed so far and files known to be waiting.
    pub fn progress(&self) -> (usize, usize) {
        (self.files.len(), self.files.len() + self.pending.len())
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    fn insert(&mut self, path: PathBuf, module: ModuleKey, declarations: FileDeclarations) {
        for child in &declarations.children {
            let mut key = module.clone();
            for name in &child.inline {
                key = key.child(name);
            }
            self.pending
                .push((child_files(&path, &module, child), key.child(&child.name)));
        }
        self.files.insert(
            path,
            IndexedFile {
                module,
                declarations,
            },
        );
    }

    /// Replaces a file's declarations (after an edit, or a change on disk). When its `mod`
    /// items changed, the module tree is walked again from the roots.
    pub fn update(&mut self, path: &Path, declarations: FileDeclarations, read: ReadFile<'_>) {
        let Some(file) = self.files.get_mut(path) else {
            return;
        };
        let relink = file.declarations.children != declarations.children;
        file.declarations = declarations;
        if relink {
            self.relink(read);
        }
    }

    /// Forgets a file (deleted from disk); [`CrateIndex::relink`] then reads it again if a
    /// module still names it and it can be read.
    pub fn forget(&mut self, path: &Path) {
        self.files.remove(path);
    }

    /// Walks the module tree again, keeping what is already indexed and reading new files:
    /// after a file was created, deleted or renamed, or a `mod` item changed.
    pub fn relink(&mut self, read: ReadFile<'_>) {
        let mut known = std::mem::take(&mut self.files);
        *self = CrateIndex::with_roots(std::mem::take(&mut self.roots), self.library.take());
        while let Some((candidates, module)) = self.pending.pop() {
            let found = candidates
                .into_iter()
                .find_map(|path| match known.remove(&path) {
                    Some(file) => Some((path, file.declarations)),
                    None => {
                        let text = read(&path)?;
                        Some((path, FileDeclarations::of_text(&text)))
                    }
                });
            if let Some((path, declarations)) = found
                && !self.files.contains_key(&path)
            {
                self.insert(path, module, declarations);
            }
        }
    }

    /// A fingerprint of everything but `path`'s own declarations: what a view for `path`
    /// depends on besides the file's imports.
    fn fingerprint_without(&self, path: &Path) -> u64 {
        fingerprint(
            self.files
                .iter()
                .filter(|(other, _)| other.as_path() != path)
                .map(|(other, file)| {
                    let mut hasher = DefaultHasher::new();
                    (other, &file.module, file.declarations.fingerprint).hash(&mut hasher);
                    hasher.finish()
                }),
        )
    }

    /// A fingerprint of what a view for `path` depends on besides the file's own text: the
    /// other files' declarations and where the file sits in the module tree.
    pub fn context_of(&self, path: &Path) -> u64 {
        let mut hasher = DefaultHasher::new();
        (
            self.fingerprint_without(path),
            self.files.get(path).map(|f| &f.module),
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
            .map(|file| file.module.clone())
            .unwrap_or(ModuleKey {
                root: 0,
                path: Vec::new(),
            });
        // A crate sees its own modules and the package's library; other binaries are apart.
        let visible = |file: &IndexedFile| {
            file.module.root == own.root || (self.library.is_some() && file.module.root == 0)
        };
        let modules: Vec<(ModuleKey, &Symbols)> = self
            .files
            .iter()
            .filter(|(other, file)| other.as_path() != path && visible(file))
            .flat_map(|(_, file)| {
                file.declarations.modules.iter().map(|module| {
                    let mut key = file.module.clone();
                    for name in &module.inline {
                        key = key.child(name);
                    }
                    (key, &module.symbols)
                })
            })
            .collect();
        let resolved: Vec<ResolvedImport> = imports
            .iter()
            .filter_map(|import| self.resolve(&own, import))
            .collect();
        let chosen = choose_modules(&modules, &resolved);
        let mut symbols = Symbols::default();
        for (key, module) in &modules {
            symbols.fill_in(&chosen_part(module, |name| {
                chosen.get(name).is_some_and(|k| *k == key)
            }));
        }
        add_renames(&mut symbols, &resolved);
        symbols
    }

    /// The module an import's path names, from the module it is written in.
    fn resolve(&self, own: &ModuleKey, import: &Import) -> Option<ResolvedImport> {
        let mut here = own.clone();
        for name in &import.inline {
            here = here.child(name);
        }
        let crate_root = |root| ModuleKey {
            root,
            path: Vec::new(),
        };
        let (mut module, rest) = match import.path.split_first() {
            Some((first, rest)) if first == "crate" => (crate_root(here.root), rest),
            Some((first, rest)) if first == "self" => (here, rest),
            Some((first, rest)) if Some(first) == self.library.as_ref() => (crate_root(0), rest),
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

/// For each name declared somewhere else in the crate, the module whose declaration the file
/// sees: the one it imports by name, else the only one among its glob imports, else the only
/// one in the crate.
fn choose_modules<'a>(
    modules: &'a [(ModuleKey, &Symbols)],
    imports: &[ResolvedImport],
) -> HashMap<String, &'a ModuleKey> {
    let mut declared: HashMap<&str, Vec<&ModuleKey>> = HashMap::new();
    for (key, symbols) in modules {
        for name in declared_names(symbols) {
            declared.entry(name).or_default().push(key);
        }
    }
    let globs: HashSet<&ModuleKey> = imports
        .iter()
        .filter(|import| import.name.is_none())
        .map(|import| &import.module)
        .collect();
    declared
        .into_iter()
        .filter_map(|(name, keys)| {
            let imported = imports.iter().find_map(|import| {
                (import.name.as_deref() == Some(name))
                    .then(|| keys.iter().find(|key| ***key == import.module))
                    .flatten()
            });
            let only = |keys: &[&'a ModuleKey]| (keys.len() == 1).then(|| keys[0]);
            let globbed: Vec<&ModuleKey> = keys
                .iter()
                .copied()
                .filter(|key| globs.contains(key))
                .collect();
            let key = imported
                .copied()
                .or_else(|| only(&globbed))
                .or_else(|| only(&keys))?;
            Some((name.to_string(), key))
        })
        .collect()
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

/// `use a::Point as P;`: `P` names what `Point` names.
fn add_renames(symbols: &mut Symbols, imports: &[ResolvedImport]) {
    for import in imports {
        let (Some(name), Some(alias)) = (&import.name, &import.alias) else {
            continue;
        };
        if let Some(def) = symbols.defs.adt(name) {
            let alias_def = AliasDef {
                name: alias.clone(),
                generics: def.generics.clone(),
                defaults: def.defaults.clone(),
                ty: Ty::Adt {
                    name: name.clone(),
                    args: def.generics.iter().cloned().map(Ty::Param).collect(),
                },
            };
            symbols.defs.add_alias(alias_def);
        }
        if let Some(def) = symbols.defs.alias(name) {
            let alias_def = AliasDef {
                name: alias.clone(),
                ..def.clone()
            };
            symbols.defs.add_alias(alias_def);
        }
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

/// Where the file of `mod name;` may be, in the order rustc looks: `#[path]` relative to the
/// declaring file's directory; else, from `main.rs`, `lib.rs` or `mod.rs`, `name.rs` or
/// `name/mod.rs` beside it; from any other `x.rs`, the same inside `x/`. Inline modules add
/// directories.
fn child_files(parent: &Path, parent_module: &ModuleKey, child: &ChildModule) -> Vec<PathBuf> {
    let dir = parent.parent().unwrap_or(Path::new(""));
    if let Some(path_attr) = child.path_attr.as_ref().filter(|_| child.inline.is_empty()) {
        return vec![dir.join(path_attr)];
    }
    let owns_directory =
        parent_module.path.is_empty() || parent.file_name().is_some_and(|name| name == "mod.rs");
    let mut base = if owns_directory {
        dir.to_path_buf()
    } else {
        dir.join(parent.file_stem().unwrap_or_default())
    };
    base.extend(&child.inline);
    vec![
        base.join(format!("{}.rs", child.name)),
        base.join(&child.name).join("mod.rs"),
    ]
}

fn fingerprint(parts: impl Iterator<Item = u64>) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.for_each(|part| part.hash(&mut hasher));
    hasher.finish()
}
