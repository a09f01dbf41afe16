//! Type layouts as rustc computes them: size, alignment, field offsets, enum tags and niches, per target.

mod adt;
mod cx;
mod enums;
mod niche;
mod scalar;
mod shared;
mod std_prelude;
mod std_source;
mod univariant;

pub use std_source::SOURCE as STD_PRELUDE_SOURCE;

use std::sync::Arc;

use super::defs::TypeDefs;
use super::target::Target;
use super::ty::{MAX_TYPE_PARTS, Ty};

/// `module::Name` of the std items that lowering names with their module (`io::Error`).
pub fn std_module_items() -> &'static std::collections::HashSet<String> {
    std_prelude::module_item_names()
}

/// Builds std's definitions for `target` (and for x86_64 Linux, which names std's types) now,
/// so that the first analysis does not wait for them.
pub fn prewarm(target: &Target) {
    std_prelude::module_item_names();
    std_prelude::for_target(&Target::X86_64_LINUX);
    std_prelude::for_target(target);
}

/// Whether user code names a std type by this bare name (`Vec`, `Result`, `HashMap`).
pub fn is_std_type_name(name: &str) -> bool {
    std_prelude::for_target(&Target::X86_64_LINUX)
        .public
        .contains(name)
}

/// What a std module-level alias stands for (`io::Result<u32>` is `Result<u32, io::Error>`),
/// with std's types named as users name them; `None` for any other name. These aliases are the
/// same on every target, so the prelude of any one target answers.
pub fn std_module_alias(name: &str, args: &[Ty]) -> Option<Ty> {
    if !std_module_items().contains(name) {
        return None;
    }
    let std = std_prelude::for_target(&Target::X86_64_LINUX);
    let alias = std.defs.alias(&std_prelude::internal(name))?;
    Some(std_prelude::strip_prefix(&alias.instantiate(args)))
}

/// The invalid bit-patterns of one scalar inside a value, which an enclosing enum can use as its tag.
///
/// The scalar's valid values are the wrapping range `valid_start..=valid_end` over `bytes * 8` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Niche {
    pub offset: u64,
    pub bytes: u64,
    pub valid_start: u128,
    pub valid_end: u128,
}

impl Niche {
    /// How many values of the scalar are invalid, and so free for an enum to use.
    pub fn available(&self) -> u128 {
        let bits = self.bytes * 8;
        let max = if bits >= 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        };
        // The valid range wraps; what lies outside it is available.
        let valid = self.valid_end.wrapping_sub(self.valid_start) & max;
        max - valid
    }
}

/// One field of a laid-out struct, tuple, union, closure or enum variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldLayout {
    pub name: String,
    pub ty: Ty,
    pub offset: u64,
    pub size: u64,
    pub align: u64,
}

/// How an enum stores which variant it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TagEncoding {
    /// A separate tag field holds the discriminant.
    Direct,
    /// The tag is stored in the invalid values of a field of the untagged variant.
    Niche { untagged_variant: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagLayout {
    pub offset: u64,
    pub bytes: u64,
    pub encoding: TagEncoding,
}

/// One variant of a laid-out enum.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VariantLayout {
    pub name: String,
    /// The bytes this variant uses as `-Zprint-type-sizes` reports them: up to the end of its
    /// last field, without a separate (direct) tag, which [`TagLayout`] describes.
    pub size: u64,
    /// The bits the tag holds for this variant (its discriminant, or its value in the niche);
    /// `None` for the untagged variant of a niche-filled enum and for enums without a tag.
    pub tag_value: Option<u128>,
    pub fields: Vec<FieldLayout>,
}

/// What a layout is made of, for showing it field by field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// A primitive, pointer or other value with no fields worth listing.
    Scalar,
    Array {
        count: u64,
    },
    /// Structs, tuples and closures: fields in declaration order, each with its offset.
    Fields(Vec<FieldLayout>),
    /// Enums: the tag, and the variants in declaration order; a variant that cannot exist and
    /// takes no space is left out when it is not stored at all (as rustc leaves it out).
    Enum {
        tag: Option<TagLayout>,
        variants: Vec<VariantLayout>,
    },
    Union(Vec<FieldLayout>),
    /// A std type whose private fields memlens does not show.
    Opaque,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    pub size: u64,
    pub align: u64,
    /// The largest niche, if any.
    pub niche: Option<Niche>,
    pub shape: Shape,
}

/// Why a type has no layout memlens can state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("`{0}` is not a type memlens knows")]
    Unknown(String),
    #[error("`{0}` is unsized; only pointers to it have a size")]
    Unsized(String),
    #[error("the layout depends on the generic parameter `{0}`")]
    Generic(String),
    #[error("`{0}` contains itself without indirection")]
    Recursive(String),
    #[error("the size of `{0}` overflows the target's address space")]
    TooBig(String),
    #[error("a discriminant of `{0}` is a constant memlens cannot evaluate")]
    Discriminant(String),
    #[error("`{0}` does not compile: {1}")]
    Invalid(String, String),
    #[error("memlens failed to lay out `{0}` (an internal error: {1})")]
    Internal(String, String),
    #[error("`{0}` is rewritten by the attribute macro `#[{1}]`, which memlens does not run")]
    Rewritten(String, String),
    #[error(
        "the type has more than {MAX_TYPE_PARTS} parts; memlens does not lay out types that long"
    )]
    TooManyParts,
}

/// Lays out `ty` on `target`, looking named types up in `defs` first and then in std.
///
/// The result depends only on the arguments; layouts of types naming nothing from `defs` are
/// kept across calls, since those cannot change.
pub fn layout_of(ty: &Ty, target: &Target, defs: &TypeDefs) -> Result<Layout, LayoutError> {
    layout_in(ty, target, defs, None)
}

/// Like [`layout_of`], inside a generic item: a generic parameter is `Sized` unless it is in
/// `unsized_params` (declared `?Sized`, or `Self` in a trait), so a pointer to one is thin.
/// With `None`, nothing is known of the parameters.
pub fn layout_in(
    ty: &Ty,
    target: &Target,
    defs: &TypeDefs,
    unsized_params: Option<&[String]>,
) -> Result<Layout, LayoutError> {
    // A panic inside (a bug in memlens) is this type's error, not the file's.
    super::guard::isolated(|| {
        let std = std_prelude::for_target(target);
        cx::Cx::new(target, defs, std)
            .with_unsized_params(unsized_params)
            .layout(ty)
            .map(|laid| Arc::unwrap_or_clone(laid).layout)
    })
    .unwrap_or_else(|message| Err(LayoutError::Internal(ty.to_string(), message)))
}

/// A layout with what the algorithms need beyond the public [`Layout`].
#[derive(Clone, Debug)]
struct Laid {
    layout: Layout,
    /// No value of the type can exist (`!`, empty enums, structs holding those).
    uninhabited: bool,
}

impl Laid {
    fn plain(layout: Layout) -> Laid {
        Laid {
            layout,
            uninhabited: false,
        }
    }
}

#[cfg(test)]
mod tests;
