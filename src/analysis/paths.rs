//! What a written path names: the file's `use` imports, and std's paths whose last name alone
//! would be ambiguous (`io::Error` is not `fmt::Error`, `io::Result<T>` is not `Result<T, E>`).
//!
//! Types are named without module paths (`Vec`, not `std::vec::Vec`), except std's items that
//! live in a module of the std prelude (`pub mod io { .. }` in `layout/std_source.rs`): those are
//! named `module::Name`, whichever way the file spells them (`std::io::Error`, `io::Error`, or
//! `Error` after `use std::io::Error;`).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::layout::std_module_items;

/// The crates whose paths all lead into std: `core::cell::Cell` is `std::cell::Cell`.
const STD_CRATES: &[&str] = &["std", "core", "alloc"];

/// Path roots that stay inside the user's crate.
const CRATE_ROOTS: &[&str] = &["crate", "self", "super"];

/// One leaf of a `use` tree: `use a::{b as c, d::*};` has two, `a::b as c` and `a::d::*`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UseEntry {
    /// The path before the imported name.
    pub path: Vec<String>,
    /// What is imported (`self` for the path itself); `None` for a glob.
    pub name: Option<String>,
    /// The name it is known by (`as`), if renamed.
    pub alias: Option<String>,
}

/// The leaves of a `use` tree, in order.
pub fn use_entries(tree: &syn::UseTree) -> Vec<UseEntry> {
    fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<UseEntry>) {
        let entry = |name: Option<&syn::Ident>, alias: Option<&syn::Ident>| UseEntry {
            path: prefix.clone(),
            name: name.map(ToString::to_string),
            alias: alias.map(ToString::to_string),
        };
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                walk(&path.tree, prefix, out);
                prefix.pop();
            }
            syn::UseTree::Name(name) => out.push(entry(Some(&name.ident), None)),
            syn::UseTree::Rename(rename) => {
                out.push(entry(Some(&rename.ident), Some(&rename.rename)))
            }
            syn::UseTree::Glob(_) => out.push(entry(None, None)),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    walk(tree, prefix, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(tree, &mut Vec::new(), &mut out);
    out
}

/// The names the file's `use` items and modules bring into scope, each with its full path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imports {
    /// `use std::io;` maps `io` to `std::io`; `use std::fmt::Result as FmtResult;` maps
    /// `FmtResult` to `std::fmt::Result`; a module of the crate maps to `crate::name`.
    names: HashMap<String, Vec<String>>,
    /// Std's module-qualified items that a `*` import brings in (`Result` after
    /// `use std::io::*;`), by the name it makes them answer to. Explicit imports come first.
    glob_names: HashMap<String, Vec<String>>,
}

impl Imports {
    /// No imports, for code that has none in scope (std's own types, tests).
    pub fn none() -> &'static Imports {
        static NONE: LazyLock<Imports> = LazyLock::new(Imports::default);
        &NONE
    }

    /// The imports of these items: their `use` items, and their modules as the crate's own.
    pub fn of_items<'a>(items: impl Iterator<Item = &'a syn::Item>) -> Imports {
        let mut imports = Imports::default();
        for item in items {
            match item {
                syn::Item::Use(item_use) => {
                    for entry in use_entries(&item_use.tree) {
                        imports.add_entry(entry);
                    }
                }
                syn::Item::Mod(module) => {
                    let name = module.ident.to_string();
                    imports.add(name.clone(), vec!["crate".to_string(), name]);
                }
                _ => {}
            }
        }
        imports
    }

    /// What names mean inside the std prelude's module `module`: its own items, and `super` for
    /// the prelude's root, which is std.
    pub fn of_std_module<'a>(module: &str, items: impl Iterator<Item = &'a str>) -> Imports {
        let mut imports = Imports::default();
        for item in items {
            imports.add(item.to_string(), std_path(&[module, item]));
        }
        imports.add("super".to_string(), std_path(&[]));
        imports
    }

    fn add(&mut self, name: String, path: Vec<String>) {
        self.names.insert(name, path);
    }

    /// Records what one leaf of a `use` item makes its local name mean.
    fn add_entry(&mut self, entry: UseEntry) {
        let Some(name) = &entry.name else {
            self.add_glob(&entry.path);
            return;
        };
        // `use a::b::{self}` names `a::b` by `b`.
        let (local, path) = if name == "self" {
            (entry.path.last().cloned(), entry.path.clone())
        } else {
            let mut path = entry.path.clone();
            path.push(name.clone());
            (Some(name.clone()), path)
        };
        match entry.alias {
            Some(alias) if alias == "_" => {}
            Some(alias) => self.add(alias, path),
            None => {
                if let Some(local) = local {
                    self.add(local, path);
                }
            }
        }
    }

    /// Records the std items that `use module::*;` makes nameable by their bare name. Only std's
    /// module-qualified items need this: any other item is named by its last segment anyway.
    fn add_glob(&mut self, module: &[String]) {
        let Some(last) = module.last().filter(|_| leads_into_std(module)) else {
            return;
        };
        let prefix = format!("{last}::");
        for qualified in std_module_items() {
            if let Some(name) = qualified.strip_prefix(&prefix) {
                let path = module.iter().cloned().chain([name.to_string()]).collect();
                self.glob_names.entry(name.to_string()).or_insert(path);
            }
        }
    }

    /// The name memlens gives the type that `segments` (a written path) names: the last
    /// segment, or `module::Name` for std's items that only their module tells apart.
    pub fn type_name(&self, segments: &[String]) -> String {
        let full = self.expand(segments);
        match full.as_slice() {
            [.., module, name] if leads_into_std(&full) => {
                let qualified = format!("{module}::{name}");
                if std_module_items().contains(&qualified) {
                    qualified
                } else {
                    name.clone()
                }
            }
            [.., name] => name.clone(),
            [] => String::new(),
        }
    }

    /// The full path `segments` stands for, its first segment looked up in the imports.
    fn expand(&self, segments: &[String]) -> Vec<String> {
        let Some((first, rest)) = segments.split_first() else {
            return Vec::new();
        };
        if let Some(path) = self.names.get(first) {
            return path.iter().chain(rest).cloned().collect();
        }
        if rest.is_empty()
            && let Some(path) = self.glob_names.get(first)
        {
            return path.clone();
        }
        segments.to_vec()
    }
}

fn std_path(segments: &[&str]) -> Vec<String> {
    std::iter::once("std")
        .chain(segments.iter().copied())
        .map(str::to_string)
        .collect()
}

/// Whether a full path leads into std: it starts at a std crate, or it is a relative path whose
/// first segment the file does not define (`io::Error` written without `use std::io;`, as in
/// snippets), which memlens takes to be std's module of that name.
fn leads_into_std(full: &[String]) -> bool {
    match full.first().map(String::as_str) {
        Some(root) if STD_CRATES.contains(&root) => true,
        Some(root) if CRATE_ROOTS.contains(&root) => false,
        Some(_) => full.len() > 1,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_in(source: &str, path: &str) -> String {
        let file = syn::parse_file(source).expect("test source parses");
        let imports = Imports::of_items(file.items.iter());
        let path: syn::Path = syn::parse_str(path).expect("test path parses");
        imports.type_name(&crate::analysis::lower::segment_names(&path))
    }

    #[test]
    fn qualified_std_paths_keep_their_module() {
        assert_eq!(name_in("", "std::io::Error"), "io::Error");
        assert_eq!(name_in("", "core::fmt::Result"), "fmt::Result");
        assert_eq!(name_in("use std::io;", "io::Result"), "io::Result");
        assert_eq!(
            name_in("", "std::collections::hash_map::HashMap"),
            "HashMap"
        );
        assert_eq!(name_in("", "alloc::vec::Vec"), "Vec");
        assert_eq!(name_in("", "serde_json::Error"), "Error");
    }

    #[test]
    fn imports_give_short_names_their_meaning() {
        assert_eq!(name_in("use std::io::Result;", "Result"), "io::Result");
        assert_eq!(
            name_in("use std::fmt::Result as FmtResult;", "FmtResult"),
            "fmt::Result"
        );
        assert_eq!(
            name_in("use std::io::{self, Write};", "io::Error"),
            "io::Error"
        );
        assert_eq!(name_in("use std::io::*;", "ErrorKind"), "io::ErrorKind");
        assert_eq!(
            name_in("use std::collections::HashMap as Map;", "Map"),
            "HashMap"
        );
        assert_eq!(name_in("", "Result"), "Result");
    }

    #[test]
    fn the_crate_own_modules_are_not_std() {
        assert_eq!(
            name_in("mod io { pub struct Error; }", "io::Error"),
            "Error"
        );
        assert_eq!(name_in("use crate::io::Error;", "Error"), "Error");
        assert_eq!(name_in("", "super::io::Error"), "Error");
    }
}
