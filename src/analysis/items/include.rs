//! `include!` in item position: which file a call names, and that file's items in the module.
//!
//! rustc pastes the named file's items where the call stands. The path is a string literal
//! (relative to the including file's directory) or a `concat!` of literals and `env!`s of
//! `CARGO_MANIFEST_DIR` or `OUT_DIR` (where a build script writes generated code, as tokei's
//! `LanguageType` is). The driver says where those are; the crate index reads the file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::item_tree::{FileItems, MacroCall};

/// What `env!` gives in a package's `include!` paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncludeEnv {
    /// `CARGO_MANIFEST_DIR`: the package's directory.
    pub manifest_dir: Option<PathBuf>,
    /// `OUT_DIR` of each build-script run found in the target directory. Which one this build
    /// used cannot be told, so a file is read only when every run wrote the same text.
    pub out_dirs: Vec<PathBuf>,
}

/// The items of one file an `include!` call names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncludedItems {
    /// The call's tokens, as the item tree records them: what identifies the call.
    pub tokens: String,
    pub items: Arc<FileItems>,
}

/// A fingerprint of what the included files declare.
pub fn included_fingerprint(included: &[IncludedItems]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for part in included {
        (&part.tokens, part.items.fingerprint).hash(&mut hasher);
    }
    hasher.finish()
}

/// The `include!` calls among a file's item-position macro calls, in any of its modules.
pub fn include_calls(items: &FileItems) -> impl Iterator<Item = &MacroCall> {
    items
        .modules
        .iter()
        .flat_map(|module| &module.macro_calls)
        .filter(|call| call.path.last_name() == "include")
}

/// The files an `include!` with `tokens`, written in the file at `including`, may name: one
/// path, or one per `OUT_DIR`; none when the path is not one memlens can spell out.
pub fn include_candidates(tokens: &str, including: &Path, env: &IncludeEnv) -> Vec<PathBuf> {
    let Ok(expr) = syn::parse_str::<syn::Expr>(tokens) else {
        return Vec::new();
    };
    let Some(parts) = path_parts(&expr) else {
        return Vec::new();
    };
    let bases: Vec<PathBuf> = match parts.first() {
        Some(Part::Env(name)) if name == "OUT_DIR" => env.out_dirs.clone(),
        Some(Part::Env(name)) if name == "CARGO_MANIFEST_DIR" => {
            env.manifest_dir.iter().cloned().collect()
        }
        Some(Part::Literal(_)) => vec![PathBuf::new()],
        _ => return Vec::new(),
    };
    let mut rest = String::new();
    for part in parts
        .iter()
        .skip(usize::from(matches!(parts[0], Part::Env(_))))
    {
        match part {
            Part::Literal(text) => rest.push_str(text),
            Part::Env(_) => return Vec::new(),
        }
    }
    bases
        .into_iter()
        .map(|base| match base.as_os_str().is_empty() {
            // A plain literal is relative to the including file's directory.
            true => including.parent().unwrap_or(Path::new("")).join(&rest),
            false => PathBuf::from(format!("{}{rest}", base.display())),
        })
        .collect()
}

/// One piece of an `include!` path.
enum Part {
    Literal(String),
    Env(String),
}

/// `"a.rs"`, or `concat!(env!("OUT_DIR"), "/a.rs")`, as its pieces.
fn path_parts(expr: &syn::Expr) -> Option<Vec<Part>> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(vec![Part::Literal(text.value())]),
        syn::Expr::Macro(call) if call.mac.path.is_ident("concat") => {
            let args = call
                .mac
                .parse_body_with(
                    syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
                )
                .ok()?;
            let mut parts = Vec::new();
            for arg in &args {
                parts.extend(path_parts(arg)?);
            }
            Some(parts)
        }
        syn::Expr::Macro(call) if call.mac.path.is_ident("env") => {
            let name: syn::LitStr = call.mac.parse_body().ok()?;
            Some(vec![Part::Env(name.value())])
        }
        _ => None,
    }
}

/// The one text every readable candidate has, if they agree.
pub fn agreed_text(
    candidates: &[PathBuf],
    read: &dyn Fn(&Path) -> Option<String>,
) -> Option<String> {
    let mut texts = candidates.iter().filter_map(|path| read(path));
    let first = texts.next()?;
    texts.all(|other| other == first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> IncludeEnv {
        IncludeEnv {
            manifest_dir: Some(PathBuf::from("/pkg")),
            out_dirs: vec![PathBuf::from("/t/a/out"), PathBuf::from("/t/b/out")],
        }
    }

    fn candidates(tokens: &str) -> Vec<String> {
        include_candidates(tokens, Path::new("/pkg/src/lib.rs"), &env())
            .iter()
            .map(|path| path.display().to_string())
            .collect()
    }

    #[test]
    fn paths_are_spelled_out_as_rustc_does() {
        assert_eq!(candidates(r#""gen.rs""#), ["/pkg/src/gen.rs"]);
        assert_eq!(
            candidates(r#"concat ! (env ! ("OUT_DIR") , "/x.rs")"#),
            ["/t/a/out/x.rs", "/t/b/out/x.rs"]
        );
        assert_eq!(
            candidates(r#"concat!(env!("CARGO_MANIFEST_DIR"), "/src/", "y.rs")"#),
            ["/pkg/src/y.rs"]
        );
        assert!(candidates(r#"concat!(env!("HOME"), "/x.rs")"#).is_empty());
        assert!(candidates(r#"concat!("a", env!("OUT_DIR"))"#).is_empty());
        assert!(candidates("some_path!()").is_empty());
    }

    #[test]
    fn runs_that_wrote_different_texts_give_none() {
        let paths = [PathBuf::from("a"), PathBuf::from("b"), PathBuf::from("c")];
        let same = |path: &Path| (path != Path::new("c")).then(|| "x".to_string());
        assert_eq!(agreed_text(&paths, &same).as_deref(), Some("x"));
        let differ = |path: &Path| Some(path.display().to_string());
        assert_eq!(agreed_text(&paths, &differ), None);
    }
}
