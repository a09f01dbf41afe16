//! Which attribute on a type definition is an attribute macro that may rewrite it.
//!
//! An attribute macro replaces the item it is on with whatever it expands to: ouroboros's
//! `#[self_referencing]` turns a `Vec<u8>` field into an 8-byte box, so a layout of the
//! definition as written would be a wrong exact number. memlens does not run proc macros; it
//! tells such attributes from inert ones (rustc's built-in attributes, tool attributes, derive
//! helpers) and leaves the rewritten type without a layout.

/// rustc's built-in attributes that may stand on a type definition (or anywhere: they never
/// rewrite it).
const BUILT_IN: &[&str] = &[
    "allow",
    "automatically_derived",
    "cfg",
    "cfg_attr",
    "cold",
    "debugger_visualizer",
    "default",
    "deny",
    "deprecated",
    "derive",
    "doc",
    "expect",
    "export_name",
    "forbid",
    "ignore",
    "inline",
    "link_section",
    "macro_export",
    "macro_use",
    "must_use",
    "no_mangle",
    "non_exhaustive",
    "path",
    "repr",
    "should_panic",
    "test",
    "track_caller",
    "used",
    "warn",
    // Built in and gated: std's own sources put these on its types (`#[lang = "phantom_data"]`).
    "fundamental",
    "lang",
    "must_not_suspend",
    "stable",
    "unstable",
];

/// Tool attributes (`#[rustfmt::skip]`, `#[clippy::…]`, `#[diagnostic::…]`): inert.
const TOOLS: &[&str] = &["rustfmt", "clippy", "diagnostic", "rustdoc"];

/// Attribute macros known to emit the definition with its fields as written (and only add
/// items or field attributes beside it).
const KEEP_FIELDS: &[&str] = &[
    "pin_project",
    "pinned_drop",
    "serde_as",
    "skip_serializing_none",
    "derive_where",
];

/// The derives std provides; they declare no helper attributes (`Default`'s `#[default]` is
/// built in).
const STD_DERIVES: &[&str] = &[
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Eq",
    "Hash",
    "Ord",
    "PartialEq",
    "PartialOrd",
];

/// The first attribute of a definition that is an attribute macro, as written (`self_referencing`).
///
/// An attribute that is neither built in nor a tool's is a derive helper when it follows a
/// derive of a crate's macro (`#[derive(Serialize)] #[serde(…)]`: rustc takes helpers only
/// after the derive that declares them), and an attribute macro otherwise. Attributes inside
/// `cfg_attr` count as if their condition held.
pub fn rewriting_macro(attrs: &[syn::Attribute]) -> Option<String> {
    let mut helpers_possible = false;
    for meta in flattened(attrs) {
        let path = meta.path();
        let Some(last) = path.segments.last() else {
            continue;
        };
        let name = last.ident.to_string();
        let single = path.segments.len() == 1;
        if single && name == "derive" {
            helpers_possible |= derives_from_crates(&meta);
            continue;
        }
        let first = path.segments.first().map(|s| s.ident.to_string());
        let inert = (single && BUILT_IN.contains(&name.as_str()))
            || (!single && first.is_some_and(|tool| TOOLS.contains(&tool.as_str())))
            || KEEP_FIELDS.contains(&name.as_str())
            || (single && name.starts_with("rustc_"));
        if !inert && !helpers_possible {
            return Some(path_text(path));
        }
    }
    None
}

/// The attributes in order, with each `cfg_attr(condition, a, b)` replaced by `a, b`.
fn flattened(attrs: &[syn::Attribute]) -> Vec<syn::Meta> {
    let mut out = Vec::new();
    for attr in attrs {
        push_flattened(attr.meta.clone(), &mut out, 0);
    }
    out
}

fn push_flattened(meta: syn::Meta, out: &mut Vec<syn::Meta>, depth: usize) {
    let syn::Meta::List(list) = &meta else {
        out.push(meta);
        return;
    };
    if !list.path.is_ident("cfg_attr") || depth > 8 {
        out.push(meta);
        return;
    }
    let parser = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
    let Ok(parts) = list.parse_args_with(parser) else {
        return;
    };
    for inner in parts.into_iter().skip(1) {
        push_flattened(inner, out, depth + 1);
    }
}

/// Whether a `derive(...)` names a derive that is not std's (so helper attributes may follow).
fn derives_from_crates(meta: &syn::Meta) -> bool {
    let syn::Meta::List(list) = meta else {
        return false;
    };
    let parser = syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated;
    let Ok(paths) = list.parse_args_with(parser) else {
        return true;
    };
    paths.iter().any(|path| {
        path.segments
            .last()
            .is_none_or(|last| !STD_DERIVES.contains(&last.ident.to_string().as_str()))
    })
}

fn path_text(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

#[cfg(test)]
mod tests {
    use super::rewriting_macro;

    fn of(item: &str) -> Option<String> {
        let item: syn::ItemStruct = syn::parse_str(item).expect("a struct");
        rewriting_macro(&item.attrs)
    }

    #[test]
    fn attribute_macros_are_told_from_inert_attributes() {
        assert_eq!(
            of("#[self_referencing] struct S { a: u8 }").as_deref(),
            Some("self_referencing")
        );
        assert_eq!(
            of("#[derive(Debug)] #[bitfield] struct S(u8);").as_deref(),
            Some("bitfield")
        );
        assert_eq!(
            of("#[cfg_attr(test, ouroboros::self_referencing)] struct S(u8);").as_deref(),
            Some("ouroboros::self_referencing")
        );
        assert_eq!(
            of("#[serde(rename_all = \"x\")] #[derive(Serialize)] struct S(u8);").as_deref(),
            Some("serde"),
            "a helper before its derive is no helper"
        );
        for inert in [
            "#[derive(Clone, Debug)] #[repr(C)] #[allow(dead_code)] struct S(u8);",
            "#[derive(Serialize, Deserialize)] #[serde(rename_all = \"snake_case\")] struct S(u8);",
            "#[cfg_attr(feature = \"serde\", derive(serde::Serialize), serde(transparent))] struct S(u8);",
            "#[rustfmt::skip] #[doc = \"x\"] #[non_exhaustive] #[must_use] struct S(u8);",
            "#[pin_project::pin_project] struct S(u8);",
        ] {
            assert_eq!(of(inert), None, "{inert}");
        }
    }
}
