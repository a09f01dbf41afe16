//! std's own macros: every `macro_rules!` in core, alloc and std parses, and std's item
//! macros — the integer methods (`uint_impl!`, `int_impl!`) above all — expand into items
//! that syn parses, as std's API generator needs.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use memlens::analysis::syntax::macro_rules::{
    Edition, ItemExpansionError, MacroError, MacroTable, expand_items_in, macro_rules_in_tokens,
};
use proc_macro2::TokenStream;

/// rust-src's `library` folder, or `None` (with the reason printed).
fn library() -> Option<PathBuf> {
    let output = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8(output.stdout).ok()?;
    let library = Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library");
    if library.join("core/src/lib.rs").exists() {
        return Some(library);
    }
    eprintln!(
        "SKIPPED: rust-src is not installed ({} is missing)",
        library.display()
    );
    None
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

fn std_crate_files(library: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for krate in ["core", "alloc", "std"] {
        rust_files(&library.join(krate).join("src"), &mut files);
    }
    files
}

fn lex(path: &Path) -> Option<TokenStream> {
    let text = std::fs::read_to_string(path).ok()?;
    TokenStream::from_str(&text).ok()
}

/// `::core`-style path for `$crate` in a library file.
fn crate_path_of(library: &Path, path: &Path) -> TokenStream {
    let krate = path
        .strip_prefix(library)
        .ok()
        .and_then(|rest| rest.components().next())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_else(|| "core".into());
    let krate = proc_macro2::Ident::new(&krate, proc_macro2::Span::call_site());
    quote::quote!(::#krate)
}

#[test]
fn every_std_macro_definition_parses() {
    let Some(library) = library() else { return };
    let (mut parsed, mut failed, mut unlexed) = (0, Vec::new(), Vec::new());
    for path in std_crate_files(&library) {
        let Some(tokens) = lex(&path) else {
            unlexed.push(path.display().to_string());
            continue;
        };
        for (name, result) in macro_rules_in_tokens(tokens, Edition::E2024) {
            match result {
                Ok(_) => parsed += 1,
                Err(error) => failed.push(format!("{}: {name}: {error}", path.display())),
            }
        }
    }
    eprintln!(
        "{parsed} std macro definitions parse, {} do not, {} files do not lex",
        failed.len(),
        unlexed.len()
    );
    assert!(
        unlexed.is_empty(),
        "files proc-macro2 cannot lex: {unlexed:#?}"
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(parsed > 250, "only {parsed} definitions found");
}

/// Every macro defined in core, by name (std's generator would resolve paths properly; core's
/// macro names that matter here are unique).
fn core_macros(library: &Path) -> MacroTable {
    let mut table = MacroTable::new(quote::quote!(crate));
    for path in std_crate_files(library)
        .into_iter()
        .filter(|p| p.starts_with(library.join("core")))
    {
        let Some(tokens) = lex(&path) else { continue };
        let builtin = builtin_macro_names(tokens.clone());
        for (name, result) in macro_rules_in_tokens(tokens, Edition::E2024) {
            if let (Ok(rules), false) = (result, builtin.contains(&name.to_string())) {
                table.insert(&name.to_string(), rules, quote::quote!(crate));
            }
        }
    }
    table
}

/// Macros declared `#[rustc_builtin_macro]`: their `macro_rules!` body is a placeholder for the
/// compiler's own expansion (`include!`, `concat!`, …), so they are no macros to expand.
fn builtin_macro_names(stream: TokenStream) -> Vec<String> {
    use proc_macro2::TokenTree::{Group, Ident};
    let trees: Vec<proc_macro2::TokenTree> = stream.into_iter().collect();
    let mut names = Vec::new();
    let mut builtin_attribute_seen = false;
    for (index, tree) in trees.iter().enumerate() {
        match tree {
            Group(group) if group.to_string().starts_with("[rustc_builtin_macro") => {
                builtin_attribute_seen = true;
            }
            Ident(ident) if ident == "macro_rules" && builtin_attribute_seen => {
                if let Some(Ident(name)) = trees.get(index + 2) {
                    names.push(name.to_string());
                }
                builtin_attribute_seen = false;
            }
            Group(group) => names.extend(builtin_macro_names(group.stream())),
            _ => {}
        }
    }
    names
}

/// Top-level `name ! { … }` calls anywhere in a token stream (std files need not parse with
/// syn), with their input.
fn calls_of(stream: TokenStream, name: &str, out: &mut Vec<TokenStream>) {
    let trees: Vec<proc_macro2::TokenTree> = stream.into_iter().collect();
    for (index, tree) in trees.iter().enumerate() {
        use proc_macro2::TokenTree::{Group, Ident, Punct};
        if let (Ident(ident), Some(Punct(bang)), Some(Group(body))) =
            (tree, trees.get(index + 1), trees.get(index + 2))
            && ident == name
            && bang.as_char() == '!'
        {
            out.push(body.stream());
        }
        if let Group(group) = tree {
            calls_of(group.stream(), name, out);
        }
    }
}

#[test]
fn integer_macros_expand_into_impl_items() {
    let Some(library) = library() else { return };
    let table = core_macros(&library);
    let num = lex(&library.join("core/src/num/mod.rs")).expect("core/src/num/mod.rs lexes");
    let mut methods = 0;
    for name in ["uint_impl", "int_impl"] {
        let rules = table
            .get(name)
            .unwrap_or_else(|| panic!("{name}! is defined in core"));
        let mut calls = Vec::new();
        calls_of(num.clone(), name, &mut calls);
        assert!(
            calls.len() >= 5,
            "{name}!: only {} calls found",
            calls.len()
        );
        for input in calls {
            let started = std::time::Instant::now();
            let expanded = rules
                .expand(input, &quote::quote!(crate))
                .unwrap_or_else(|error| panic!("{name}!: {error}"));
            let items = syn::parse::Parser::parse2(
                |input: syn::parse::ParseStream| {
                    let mut items = Vec::new();
                    while !input.is_empty() {
                        items.push(input.parse::<syn::ImplItem>()?);
                    }
                    Ok(items)
                },
                expanded,
            )
            .unwrap_or_else(|error| panic!("{name}! expands to impl items syn rejects: {error}"));
            methods += items
                .iter()
                .filter(|item| matches!(item, syn::ImplItem::Fn(_)))
                .count();
            eprintln!(
                "{name}!: {} impl items in {:?}",
                items.len(),
                started.elapsed()
            );
        }
    }
    assert!(methods > 500, "only {methods} integer methods");
}

/// Every file of core, alloc and std that syn parses whole, with its item-position calls of
/// core's, alloc's and std's own macros expanded recursively.
#[test]
fn std_item_macros_expand_into_items() {
    let Some(library) = library() else { return };
    let mut table = core_macros(&library);
    for path in std_crate_files(&library)
        .into_iter()
        .filter(|p| !p.starts_with(library.join("core")))
    {
        let Some(tokens) = lex(&path) else { continue };
        let crate_path = crate_path_of(&library, &path);
        let builtin = builtin_macro_names(tokens.clone());
        for (name, result) in macro_rules_in_tokens(tokens, Edition::E2024) {
            if let (Ok(rules), false) = (result, builtin.contains(&name.to_string())) {
                table.insert(&name.to_string(), rules, crate_path.clone());
            }
        }
    }
    let (mut files, mut unparsed, mut before, mut after, mut failures) = (0, 0, 0, 0, Vec::new());
    for path in std_crate_files(&library) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(file) = syn::parse_file(&text) else {
            unparsed += 1;
            continue;
        };
        files += 1;
        before += file.items.len();
        let mut scope = table.clone();
        let expanded = expand_items_in(&file, &mut scope, Edition::E2024, 128);
        after += expanded.file.items.len();
        for error in expanded.errors {
            if is_resolution_miss(&error) {
                eprintln!(
                    "  (same-name macro, not matched: {}: {error})",
                    path.display()
                );
            } else {
                failures.push(format!("{}: {error}", path.display()));
            }
        }
    }
    eprintln!(
        "{files} std files expanded ({unparsed} not parsed by syn): {before} items became {after}; {} calls failed",
        failures.len()
    );
    for failure in &failures {
        eprintln!("  {failure}");
    }
    assert!(failures.is_empty(), "{} calls failed", failures.len());
}

/// A call that failed only because name resolution by bare name picked another macro of the
/// same name (a "no rule matched" on a macro std defines twice) is the table's fault, not the
/// expander's; everything else counts.
fn is_resolution_miss(error: &ItemExpansionError) -> bool {
    matches!(
        error,
        ItemExpansionError::Macro {
            error: MacroError::NoMatch { .. },
            ..
        }
    )
}
