//! The embedded std API table: every entry decodes on every target, loading is fast, the layout
//! engine's std mirror names what the table names, and the queries answer as documented.

use quote::ToTokens;
use std::time::Instant;

use super::table::{Kind, Table};
use super::*;
use crate::analysis::layout::STD_PRELUDE_SOURCE;
use crate::analysis::ty::{IntTy, Receiver};

fn linux() -> &'static StdApi {
    StdApi::for_target(&Target::X86_64_LINUX)
}

#[test]
fn every_entry_decodes_on_every_target() {
    for target in Target::ALL {
        let api = StdApi::for_target(&target);
        let failed: Vec<&str> = (0..api.table.entries.len())
            .filter(|&index| api.decoded_entry(index).is_none())
            .map(|index| api.table.entries[index].key)
            .collect();
        assert!(
            failed.is_empty(),
            "{target}: undecodable entries {failed:?}"
        );
    }
}

#[test]
fn entries_are_sorted_for_binary_search() {
    let table = Table::get();
    for pair in table.entries.windows(2) {
        let same_kind = pair[0].kind == pair[1].kind;
        assert!(
            !same_kind || pair[0].key <= pair[1].key,
            "{} before {}",
            pair[0].key,
            pair[1].key
        );
    }
}

#[test]
fn a_freshly_indexed_table_answers_its_first_query() {
    // A fresh index, not the process-wide one other tests may have built.
    let start = Instant::now();
    let table: &'static Table = Box::leak(Box::new(Table::index(TABLE_TEXT)));
    let indexed = start.elapsed();
    let api = StdApi::new(table, &Target::X86_64_LINUX);
    let built = start.elapsed();
    let found = api.resolve(&["std", "collections", "HashMap"]);
    let elapsed = start.elapsed();
    assert_eq!(found, Some(StdDef::Type("HashMap".into())));
    eprintln!(
        "std API table: {} bytes; indexed after {indexed:?}, target ready after {built:?}, \
         first answer after {elapsed:?}",
        TABLE_TEXT.len()
    );
    // Its time is part of the first hover scripts/bench.sh measures; not asserted on a noisy machine.
}

/// `(key, type parameter count)` of every `pub` type of the layout engine's std mirror.
fn mirror_types() -> Vec<(String, usize)> {
    let file = syn::parse_file(STD_PRELUDE_SOURCE).expect("the mirror parses");
    let mut types = Vec::new();
    collect_mirror_types(&file.items, "", &mut types);
    types
}

fn collect_mirror_types(items: &[syn::Item], prefix: &str, out: &mut Vec<(String, usize)>) {
    for item in items {
        let (vis, ident, generics) = match item {
            syn::Item::Struct(s) => (&s.vis, &s.ident, &s.generics),
            syn::Item::Enum(e) => (&e.vis, &e.ident, &e.generics),
            syn::Item::Union(u) => (&u.vis, &u.ident, &u.generics),
            syn::Item::Type(t) => (&t.vis, &t.ident, &t.generics),
            syn::Item::Mod(m) if matches!(m.vis, syn::Visibility::Public(_)) => {
                let inner = format!("{prefix}{}::", m.ident);
                let items = m.content.as_ref().map(|(_, items)| items.as_slice());
                collect_mirror_types(items.unwrap_or(&[]), &inner, out);
                continue;
            }
            _ => continue,
        };
        // core::arch's SIMD vectors are laid out from the mirror alone: the API table has no
        // `core::arch` (its intrinsics are no API memlens models).
        let simd = matches!(item, syn::Item::Struct(s) if s.attrs.iter().any(|a| {
            a.path().is_ident("repr") && a.meta.to_token_stream().to_string().contains("simd")
        }));
        if matches!(vis, syn::Visibility::Public(_)) && !simd {
            out.push((format!("{prefix}{ident}"), generics.type_params().count()));
        }
    }
}

/// Names the mirror gives a type that differ from its key: ambiguous names the mirror keeps
/// bare (`Weak` is `rc::Weak` beside `sync::Weak`, `Ordering` is `cmp::Ordering` beside
/// `atomic::Ordering`, `Once` is `sync::Once` beside `iter::Once`, `c_int` is `ffi::c_int`
/// beside `std::os::raw`'s alias `raw::c_int`), and `io::ErrorKind`, whose name is unique.
fn key_of_mirror_name(name: &str) -> String {
    match name {
        "Weak" => "rc::Weak".into(),
        "Ordering" => "cmp::Ordering".into(),
        "Once" => "sync::Once".into(),
        "io::ErrorKind" => "ErrorKind".into(),
        c if c.starts_with("c_") => format!("ffi::{c}"),
        other => other.into(),
    }
}

/// Types whose mirror leaves out std's unstable allocator parameter.
const MIRROR_WITHOUT_ALLOCATOR: [&str; 2] = ["HashMap", "HashSet"];

#[test]
fn every_type_of_the_layout_mirror_has_its_key_and_parameters() {
    let api = linux();
    let mut missing = Vec::new();
    for (name, params) in mirror_types() {
        let key = key_of_mirror_name(&name);
        let params = params + usize::from(MIRROR_WITHOUT_ALLOCATOR.contains(&name.as_str()));
        let found = api
            .adt(&key)
            .map(|adt| adt.generics.len())
            .or_else(|| api.alias(&key).map(|alias| alias.generics.len()));
        if found != Some(params) {
            missing.push(format!("{name} (as {key}): {found:?}, mirror has {params}"));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn paths_and_preludes_resolve() {
    let api = linux();
    assert_eq!(
        api.resolve(&["std", "collections", "HashMap"]),
        Some(StdDef::Type("HashMap".into()))
    );
    assert_eq!(
        api.resolve(&["alloc", "vec", "Vec"]),
        Some(StdDef::Type("Vec".into()))
    );
    assert_eq!(
        api.resolve(&["core", "mem", "swap"]),
        Some(StdDef::Fn("core::mem::swap".into()))
    );
    assert_eq!(
        api.resolve(&["std", "io", "stdin"]),
        Some(StdDef::Fn("std::io::stdin".into()))
    );
    assert_eq!(
        api.resolve(&["std", "f64", "consts", "PI"]),
        Some(StdDef::Const("core::f64::consts::PI".into()))
    );
    assert_eq!(
        api.resolve(&["std", "os", "unix", "ffi", "OsStrExt"]),
        Some(StdDef::Type("unix::ffi::OsStrExt".into()))
    );
    assert_eq!(
        api.resolve(&["std", "io", "Error"]),
        Some(StdDef::Type("io::Error".into()))
    );
    assert_eq!(
        api.resolve(&["std", "option", "Option", "Some"]),
        Some(StdDef::Variant {
            adt: "Option".into(),
            index: 1
        })
    );
    let wasm = StdApi::for_target(&Target::from_triple("wasm32-unknown-unknown").expect("known"));
    assert_eq!(wasm.resolve(&["std", "os", "unix"]), None);
    for (name, expected) in [
        ("Option", StdDef::Type("Option".into())),
        (
            "Some",
            StdDef::Variant {
                adt: "Option".into(),
                index: 1,
            },
        ),
        ("ToString", StdDef::Type("ToString".into())),
        ("vec", StdDef::Macro("vec".into())),
    ] {
        assert_eq!(api.prelude(Edition::E2021, name), Some(expected), "{name}");
    }
    assert_eq!(
        api.prelude_in(Edition::E2021, "Clone", Namespace::Macro),
        Some(StdDef::Macro("core::clone::Clone".into()))
    );
    assert_eq!(
        api.prelude_in(Edition::E2021, "drop", Namespace::Value),
        Some(StdDef::Fn("core::mem::drop".into()))
    );
    assert!(api.prelude(Edition::E2018, "TryFrom").is_none());
    assert!(api.prelude(Edition::E2021, "TryFrom").is_some());
    assert!(api.prelude(Edition::E2021, "Future").is_none());
    assert!(api.prelude(Edition::E2024, "Future").is_some());
    let names = api.module_names(&["std", "collections"]);
    assert!(
        names.iter().any(|(name, _)| name == "BTreeMap"),
        "{names:?}"
    );
}

#[test]
fn types_traits_and_impls_answer() {
    let api = linux();
    let option = api.adt("Option").expect("Option");
    assert_eq!(option.variants[1].name, "Some");
    for key in [
        "Vec",
        "String",
        "HashMap",
        "Option",
        "Iterator",
        "fmt::Display",
        "Chars",
        "io::Error",
        "fmt::Error",
        "io::Result",
        "fmt::Result",
        "io::Write",
        "fmt::Write",
        "slice::Iter",
        "hash_map::Iter",
        "btree_map::Entry",
        "vec::IntoIter",
        "str::Split",
        "sync::Weak",
        "rc::Weak",
        "Result",
        "ops::Range",
    ] {
        assert!(api.type_kind(key).is_some(), "{key}");
    }
    let range = api.adt_data("ops::Range").expect("Range");
    assert_eq!(range.def.variants[0].fields[0].name, "start");
    assert_eq!(range.field_public[0], vec![true, true]);
    let iterator = api.trait_data("Iterator").expect("Iterator");
    let next = iterator.method("next").expect("next");
    assert_eq!(next.sig.receiver, Some(Receiver::RefMut));
    assert_eq!(next.sig.ret.to_string(), "Option<<Self as Iterator>::Item>");
    let u32_impls = api.inherent_impls(&TyHead::Int(IntTy::U32));
    let rem_euclid = u32_impls.iter().find_map(|imp| imp.method("rem_euclid"));
    assert_eq!(
        rem_euclid.map(|m| m.sig.ret.to_string()),
        Some("u32".into())
    );
    let max = u32_impls
        .iter()
        .flat_map(|imp| &imp.consts)
        .find(|c| c.name == "MAX");
    assert_eq!(max.map(|c| c.ty.clone()), Some(Ty::Int(IntTy::U32)));
    let to_string = api.trait_impls("ToString");
    assert!(
        to_string
            .iter()
            .any(|imp| matches!(imp.self_ty, Ty::Param(_)))
    );
    let for_vec = api.trait_impls_for(&TyHead::Adt("Vec".into()));
    assert!(
        for_vec
            .iter()
            .any(|imp| imp.trait_ref.as_ref().is_some_and(|t| t.key == "Deref"))
    );
    assert_eq!(
        api.value_ty("core::f64::consts::PI"),
        Some(&Ty::Float(crate::analysis::ty::FloatTy::F64))
    );
    assert!(api.fn_sig("core::mem::swap").is_some());
    assert!(
        api.macro_body("vec")
            .is_some_and(|body| body.contains("=>"))
    );
    assert!(api.is_builtin_macro("format_args"));
    assert!(!api.is_builtin_macro("vec"));
    assert!(api.counts().iter().all(|(_, count)| *count > 0));
    let _ = Kind::Adt;
}
