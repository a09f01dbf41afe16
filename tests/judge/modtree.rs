//! Which files a crate target compiles: its root and every file reached through `mod x;`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::collect::test_only;

/// Every file of the module tree rooted at `root` that exists, root first. Modules only compiled
/// for tests are left out, as `cargo check` of the lib and bins leaves them out. With
/// `includes`, files pulled in by an item-level `include!("file")` count too (a build script
/// that includes `src/cli.rs` compiles that file: a probe there would break the build script).
pub fn module_files(root: &Path, includes: bool) -> Vec<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    // A crate root's submodules live beside it, like a `mod.rs`'s.
    let mut pending = vec![(root.to_path_buf(), true)];
    while let Some((file, mod_rs)) = pending.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
        order.push(file.clone());
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(parsed) = syn::parse_file(&text) else {
            continue;
        };
        let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let base = if mod_rs {
            dir.clone()
        } else {
            dir.join(file.file_stem().unwrap_or_default())
        };
        if includes {
            pending.extend(included(&parsed.items).map(|path| (dir.join(path), true)));
        }
        let place = Place {
            file_dir: dir,
            base,
            inline: false,
        };
        children(&parsed.items, &place, &mut pending);
    }
    order
}

/// Where `mod x;` declarations at one spot of a file resolve: `base` for plain ones,
/// `file_dir` for `#[path]` ones outside inline modules.
struct Place {
    file_dir: PathBuf,
    base: PathBuf,
    inline: bool,
}

fn children(items: &[syn::Item], place: &Place, pending: &mut Vec<(PathBuf, bool)>) {
    for item in items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if test_only(&module.attrs) {
            continue;
        }
        let name = module.ident.to_string();
        let name = name.trim_start_matches("r#");
        if let Some((_, inner)) = &module.content {
            let nested = Place {
                file_dir: place.base.join(name),
                base: place.base.join(name),
                inline: true,
            };
            children(inner, &nested, pending);
            continue;
        }
        if let Some(path) = path_attribute(&module.attrs) {
            // A `#[path]` file owns its directory like a `mod.rs` does.
            let dir = if place.inline {
                &place.base
            } else {
                &place.file_dir
            };
            pending.push((dir.join(path), true));
            continue;
        }
        let flat = place.base.join(format!("{name}.rs"));
        if flat.exists() {
            pending.push((flat, false));
        } else {
            pending.push((place.base.join(name).join("mod.rs"), true));
        }
    }
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            return None;
        };
        if !nv.path.is_ident("path") {
            return None;
        }
        match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        }
    })
}

/// The files named by item-level `include!("...")`, relative to the including file.
fn included(items: &[syn::Item]) -> impl Iterator<Item = String> + '_ {
    items.iter().filter_map(|item| {
        let syn::Item::Macro(m) = item else {
            return None;
        };
        if !m.mac.path.is_ident("include") {
            return None;
        }
        syn::parse2::<syn::LitStr>(m.mac.tokens.clone())
            .ok()
            .map(|lit| lit.value())
    })
}
