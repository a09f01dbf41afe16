//! Unit tests of what the truth tests cannot ask rustc: errors, shapes and names shown to users.
//! (Sizes, alignments, offsets and tags are checked against rustc in `tests/layout_truth.rs`.)

use std::collections::HashMap;

use super::*;
use crate::analysis::lower::{self, LowerCtx};
use crate::analysis::ty::IntTy;

fn defs_of(source: &str) -> TypeDefs {
    let file = syn::parse_file(source).expect("test source parses");
    let consts = HashMap::new();
    let mut defs = TypeDefs::default();
    for item in &file.items {
        if let syn::Item::Type(alias) = item {
            defs.add_alias(lower::alias_def(LowerCtx::new(&consts), alias));
        } else if let Some(def) = lower::adt_def(LowerCtx::new(&consts), item) {
            defs.add_adt(def);
        }
    }
    defs
}

fn ty(text: &str) -> Ty {
    let written: syn::Type = syn::parse_str(text).expect("test type parses");
    LowerCtx::new(&HashMap::new()).ty(&written)
}

fn layout(text: &str, defs: &TypeDefs) -> Result<Layout, LayoutError> {
    layout_of(&ty(text), &Target::X86_64_LINUX, defs)
}

#[test]
fn errors_say_why() {
    let defs = defs_of(
        "struct Loop { next: Loop } struct A { b: B } struct B { a: A } \
         struct Tail { len: usize, data: [u8] }",
    );
    let error = |text: &str| layout(text, &defs).expect_err("no layout");
    assert_eq!(error("Mystery"), LayoutError::Unknown("Mystery".into()));
    assert_eq!(error("T"), LayoutError::Unknown("T".into()));
    assert_eq!(error("str"), LayoutError::Unsized("str".into()));
    assert_eq!(error("Tail"), LayoutError::Unsized("Tail".into()));
    assert_eq!(error("Loop"), LayoutError::Recursive("Loop".into()));
    assert_eq!(error("A"), LayoutError::Recursive("A".into()));
    assert_eq!(
        error("[u64; 4611686018427387904]"),
        LayoutError::TooBig("[u64; 4611686018427387904]".into())
    );
    assert_eq!(error("Box<_>"), LayoutError::Unknown("_".into()));
    let generic = Ty::vec_of(Ty::Param("T".into()));
    let error = layout_of(
        &Ty::boxed(Ty::Param("T".into())),
        &Target::X86_64_LINUX,
        &defs,
    );
    assert_eq!(error, Err(LayoutError::Generic("T".into())));
    assert!(
        layout_of(&generic, &Target::X86_64_LINUX, &defs).is_ok(),
        "Vec<T> is a pointer, a capacity and a length"
    );
}

#[test]
fn recursion_through_pointers_is_fine() {
    let defs = defs_of(
        "struct Node { value: u32, next: Option<Box<Node>> } enum Tree { Leaf, Fork(Box<Tree>, Box<Tree>) }",
    );
    assert!(layout("Node", &defs).is_ok());
    assert!(layout("Tree", &defs).is_ok());
    assert!(layout("&Node", &defs).is_ok());
}

#[test]
fn std_types_hide_private_fields_but_show_public_enums() {
    let defs = TypeDefs::default();
    assert_eq!(layout("Vec<u8>", &defs).map(|l| l.shape), Ok(Shape::Opaque));
    let Ok(Layout {
        shape: Shape::Enum { tag, variants },
        ..
    }) = layout("Option<&u8>", &defs)
    else {
        panic!("Option shows its variants");
    };
    assert!(matches!(
        tag,
        Some(TagLayout {
            encoding: TagEncoding::Niche {
                untagged_variant: 1
            },
            ..
        })
    ));
    assert_eq!(variants[0].name, "None");
    assert_eq!(variants[0].tag_value, Some(0));
    assert_eq!(variants[1].tag_value, None);
    assert_eq!(variants[1].fields[0].ty, ty("&u8"));
}

#[test]
fn std_field_types_read_as_written() {
    let defs = TypeDefs::default();
    let Ok(Layout {
        shape: Shape::Enum { variants, .. },
        ..
    }) = layout("Cow<'static, str>", &defs)
    else {
        panic!("Cow shows its variants");
    };
    assert_eq!(variants[1].fields[0].ty.to_string(), "String");
    let Ok(Layout {
        shape: Shape::Fields(fields),
        ..
    }) = layout("Wrapping<u16>", &defs)
    else {
        panic!("Wrapping's field is public");
    };
    assert_eq!(fields[0].ty, Ty::Int(IntTy::U16));
}

#[test]
fn user_types_shadow_std_names_but_not_inside_std() {
    let defs = defs_of("struct Vec { a: u8 }");
    assert_eq!(layout("Vec", &defs).map(|l| l.size), Ok(1));
    let string = layout("String", &defs).expect("std's String still uses std's Vec");
    assert_eq!(string.size, 3 * Target::X86_64_LINUX.pointer_bytes);
}

#[test]
fn per_target_std_items() {
    // The mirror's Mutex is Linux's (a futex); elsewhere std's own per-target definition, from
    // the table's private types, decides (on wasm32 a `Cell<bool>`, not a futex).
    let wasm = Target::from_triple("wasm32-unknown-unknown").expect("known target");
    let on_wasm = layout_of(&ty("Mutex<u8>"), &wasm, &TypeDefs::default());
    let on_linux = layout_of(
        &ty("Mutex<u8>"),
        &Target::X86_64_LINUX,
        &TypeDefs::default(),
    );
    assert!(on_linux.is_ok(), "{on_linux:?}");
    assert_ne!(
        on_wasm.map(|l| l.size),
        on_linux.map(|l| l.size),
        "wasm32 is not laid out with Linux's futex"
    );
}

#[test]
fn variant_sizes_leave_the_tag_out() {
    let defs = defs_of("enum E { A(u32), B }");
    let Ok(Layout {
        size,
        shape: Shape::Enum {
            tag: Some(tag),
            variants,
        },
        ..
    }) = layout("E", &defs)
    else {
        panic!("E is tagged");
    };
    assert_eq!(tag.encoding, TagEncoding::Direct);
    // A's u32 fills the enum after the tag (the truth test checks the numbers against rustc).
    assert_eq!(variants[0].size, size - tag.bytes);
    assert_eq!(variants[1].size, 0);
    assert_eq!(variants[1].tag_value, Some(1));
}

#[test]
fn aliases_named_like_std_mean_std_inside() {
    let defs =
        defs_of("struct Error { code: u32 } type Result<T> = std::result::Result<T, Error>;");
    let Ok(Layout {
        shape: Shape::Enum { variants, .. },
        ..
    }) = layout("Result<u8>", &defs)
    else {
        panic!("the alias is std's Result");
    };
    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Ok", "Err"]);
    assert_eq!(variants[1].fields[0].ty.to_string(), "Error");
}
