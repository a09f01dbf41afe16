//! Enum layout as rustc computes it: single-variant enums as structs, the tagged layout (tag first,
//! variants after it, tag widened to the first field's alignment) and the niche-filling layout (the
//! other variants' tags stored in invalid values of the largest variant), keeping the better one.

use std::ops::RangeInclusive;

use super::scalar::{Integer, obj_size_bound};
use super::univariant::{Placed, ReprOptions, StructKind, univariant};
use super::{Laid, Niche, TagEncoding, TagLayout};
use crate::analysis::defs::Repr;
use crate::analysis::target::Target;
use crate::analysis::ty::IntTy;

/// What enum layout needs to know about an enum definition instantiated at concrete types.
pub(super) struct EnumInput<'a> {
    /// The field layouts of each variant, in declaration order.
    pub variants: Vec<Vec<&'a Laid>>,
    /// The discriminant value of each variant, explicit or implied.
    pub discriminants: Vec<i128>,
    pub repr: &'a Repr,
    /// Whether any discriminant was written explicitly, which rules out niche filling.
    pub explicit_discriminants: bool,
}

/// A laid-out enum.
pub(super) struct EnumPlaced {
    pub size: u64,
    pub align: u64,
    pub niche: Option<Niche>,
    pub uninhabited: bool,
    pub tag: Option<TagLayout>,
    /// Each variant's field placement (offsets already include the tag or niche shift).
    pub variants: Vec<Placed>,
    /// The bits each variant's tag holds; `None` for the variant without one.
    pub tag_values: Vec<Option<u128>>,
    /// Whether each variant is part of the layout, as rustc lists variants: all of them in a
    /// layout with a tag, only the one stored when the others cannot exist and take no space.
    pub listed: Vec<bool>,
}

fn align_to(offset: u64, align: u64) -> u64 {
    offset.div_ceil(align) * align
}

/// A variant needs no space and no tag value when it cannot exist and holds only 1-aligned ZSTs.
fn is_absent(fields: &[&Laid]) -> bool {
    fields.iter().any(|field| field.uninhabited)
        && fields
            .iter()
            .all(|field| field.layout.size == 0 && field.layout.align == 1)
}

/// Lays out an enum; `None` when it is too big for the target.
pub(super) fn layout_enum(input: &EnumInput<'_>, target: &Target) -> Option<EnumPlaced> {
    let repr = input.repr;
    let mut present =
        (0..input.variants.len()).filter(|&index| repr.c || !is_absent(&input.variants[index]));
    let (first, second) = (present.next(), present.next());
    let Some(first) = first else {
        return Some(uninhabited_enum(input));
    };
    let inhibit_optimizations = repr.c || repr.int.is_some();
    if second.is_none() && !inhibit_optimizations {
        return single_variant(input, first, target);
    }
    let tagged = tagged_layout(input, target)?;
    let niche_filled = if inhibit_optimizations || input.explicit_discriminants {
        None
    } else {
        niche_filling_layout(input, target)
    };
    Some(match niche_filled {
        Some(filled) if better_than_tagged(&filled, &tagged) => filled,
        _ => tagged,
    })
}

/// rustc keeps the smaller layout, then the one with the larger niche, then the tagged one.
fn better_than_tagged(filled: &EnumPlaced, tagged: &EnumPlaced) -> bool {
    let available = |placed: &EnumPlaced| placed.niche.map_or(0, |niche| niche.available());
    filled.size < tagged.size || filled.size == tagged.size && available(tagged) < available(filled)
}

fn uninhabited_enum(input: &EnumInput<'_>) -> EnumPlaced {
    EnumPlaced {
        size: 0,
        align: 1,
        niche: None,
        uninhabited: true,
        tag: None,
        variants: input
            .variants
            .iter()
            .map(|fields| unplaced(fields.len()))
            .collect(),
        tag_values: vec![None; input.variants.len()],
        listed: vec![false; input.variants.len()],
    }
}

/// The placement rustc reports for a variant that is not stored at all: everything at zero.
fn unplaced(field_count: usize) -> Placed {
    Placed {
        offsets: vec![0; field_count],
        order: (0..field_count).collect(),
        size: 0,
        align: 1,
        niche: None,
        uninhabited: true,
    }
}

/// Only one variant can exist: the enum is that variant's struct, without a tag.
fn single_variant(input: &EnumInput<'_>, only: usize, target: &Target) -> Option<EnumPlaced> {
    let repr = ReprOptions::of(input.repr);
    let placed = univariant(&input.variants[only], repr, StructKind::AlwaysSized, target)?;
    let variants = input
        .variants
        .iter()
        .enumerate()
        .map(|(index, fields)| {
            if index == only {
                placed.clone()
            } else {
                unplaced(fields.len())
            }
        })
        .collect();
    Some(EnumPlaced {
        size: placed.size,
        align: placed.align,
        niche: placed.niche,
        uninhabited: placed.uninhabited,
        tag: None,
        variants,
        tag_values: vec![None; input.variants.len()],
        listed: (0..input.variants.len())
            .map(|index| index == only)
            .collect(),
    })
}

/// The integer type rustc gives discriminants before layout: `repr(int)` or `isize`.
fn discriminant_type(repr: &Repr) -> IntTy {
    repr.int.unwrap_or(IntTy::Isize)
}

/// A discriminant as rustc reads it in the discriminant type: wrapped to its width, and
/// sign-extended when it is signed.
fn in_discriminant_type(value: i128, repr: &Repr, target: &Target) -> i128 {
    let ty = discriminant_type(repr);
    let shift = 128 - Integer::of_int_ty(ty, target).size() * 8;
    let bits = ((value as u128) << shift) >> shift;
    if ty.is_signed() {
        ((bits << shift) as i128) >> shift
    } else {
        bits as i128
    }
}

/// The smallest and largest discriminant of the variants that can exist.
fn discriminant_range(input: &EnumInput<'_>, target: &Target) -> (i128, i128) {
    let values = input
        .discriminants
        .iter()
        .zip(&input.variants)
        .filter(|(_, fields)| input.repr.c || !fields.iter().any(|field| field.uninhabited))
        .map(|(&value, _)| in_discriminant_type(value, input.repr, target));
    values
        .fold(None, |range: Option<(i128, i128)>, value| {
            Some(range.map_or((value, value), |(min, max)| {
                (min.min(value), max.max(value))
            }))
        })
        .unwrap_or((0, 0))
}

/// The valid range of a direct tag as rustc 1.95 chooses it: the discriminants that can exist,
/// sorted, with the widest gap between neighbours left out. The gap from the largest round to
/// the smallest is measured against the discriminant type's maximum, and a span wider than
/// that maximum makes it win outright, so for `isize` enums and negative discriminants the
/// range is simply smallest..=largest, while `#[repr(u8)]` 0, 1, 254, 255 gets 254..=1.
fn tag_valid_range(input: &EnumInput<'_>, target: &Target) -> (i128, i128) {
    let ty = discriminant_type(input.repr);
    let mut values: Vec<i128> = input
        .discriminants
        .iter()
        .zip(&input.variants)
        .filter(|(_, fields)| input.repr.c || !fields.iter().any(|field| field.uninhabited))
        .map(|(&value, _)| in_discriminant_type(value, input.repr, target))
        .collect();
    values.sort_unstable();
    values.dedup();
    let bits = Integer::of_int_ty(ty, target).size() * 8;
    let type_max = if ty.is_signed() {
        u128::MAX >> (129 - bits)
    } else {
        u128::MAX >> (128 - bits)
    };
    let gap = |&(start, end): &(i128, i128)| {
        if start <= end {
            (end as u128).wrapping_sub(start as u128)
        } else {
            type_max.wrapping_sub((start as u128).wrapping_sub(end as u128))
        }
    };
    let neighbours = values
        .iter()
        .copied()
        .zip(values.iter().copied().cycle().skip(1));
    // `max_by_key` keeps the last of equal gaps, as rustc's does.
    match neighbours.max_by_key(gap) {
        Some((before_gap, after_gap)) => (after_gap, before_gap),
        None => (0, 0),
    }
}

/// rustc's `repr_discr`: the tag integer and its signedness for the discriminant range.
fn tag_integer(input: &EnumInput<'_>, min: i128, max: i128, target: &Target) -> (Integer, bool) {
    if let Some(int) = input.repr.int {
        return (Integer::of_int_ty(int, target), int.is_signed());
    }
    // repr(C) enums are at least a C `int`, which is 32 bits on every target memlens knows.
    let at_least = if input.repr.c {
        Integer::I32
    } else {
        Integer::I8
    };
    if min >= 0 {
        (Integer::fit_unsigned(max as u128).max(at_least), false)
    } else {
        let fit = Integer::fit_signed(min).max(Integer::fit_signed(max));
        (fit.max(at_least), true)
    }
}

fn tagged_layout(input: &EnumInput<'_>, target: &Target) -> Option<EnumPlaced> {
    let (min, max) = discriminant_range(input, target);
    let (min_int, _) = tag_integer(input, min, max, target);
    let repr = ReprOptions::of(input.repr);
    // repr(C) makes a (tag, union) pair, so the payload starts at the union's alignment.
    let mut prefix_align = min_int.align(target);
    if input.repr.c {
        let fields = input.variants.iter().flatten();
        prefix_align = fields.fold(prefix_align, |align, field| align.max(field.layout.align));
    }
    let prefix = StructKind::Prefixed {
        size: min_int.size(),
        align: prefix_align,
    };
    let mut variants = input
        .variants
        .iter()
        .map(|fields| univariant(fields, repr, prefix, target))
        .collect::<Option<Vec<Placed>>>()?;
    let align = variants.iter().map(|placed| placed.align).fold(1, u64::max);
    let largest = variants.iter().map(|placed| placed.size).max().unwrap_or(0);
    let size = align_to(largest, align);
    if size >= obj_size_bound(target) {
        return None;
    }
    let tag_int = widened_tag(input, &variants, min_int, target);
    if tag_int > min_int {
        for placed in &mut variants {
            move_after_tag(placed, min_int.size(), tag_int.size());
        }
    }
    let mask = tag_int.max_unsigned();
    let (valid_start, valid_end) = tag_valid_range(input, target);
    let niche = Niche::from_scalar(
        0,
        tag_int.size(),
        valid_start as u128 & mask,
        valid_end as u128 & mask,
    );
    // The tag holds the discriminant, truncated to the tag's width.
    let tag_values = input
        .discriminants
        .iter()
        .map(|&value| Some(in_discriminant_type(value, input.repr, target) as u128 & mask))
        .collect();
    Some(EnumPlaced {
        size,
        align,
        niche,
        uninhabited: variants.iter().all(|placed| placed.uninhabited),
        tag: Some(TagLayout {
            offset: 0,
            bytes: tag_int.size(),
            encoding: TagEncoding::Direct,
        }),
        variants,
        tag_values,
        listed: vec![true; input.variants.len()],
    })
}

/// rustc widens the tag up to the smallest alignment of the first field of any variant, which
/// costs no space and spares LLVM from copying padding.
fn widened_tag(
    input: &EnumInput<'_>,
    variants: &[Placed],
    min_int: Integer,
    target: &Target,
) -> Integer {
    if input.repr.c || input.repr.int.is_some() {
        return min_int;
    }
    let first_field_aligns = variants
        .iter()
        .zip(&input.variants)
        .filter_map(|(placed, fields)| {
            let first = placed
                .order
                .iter()
                .map(|&index| fields[index])
                .find(|field| field.layout.size != 0 || field.layout.align != 1)?;
            Some(first.layout.align)
        });
    first_field_aligns
        .min()
        .and_then(|align| Integer::for_align(target, align))
        .filter(|&int| int > min_int)
        .unwrap_or(min_int)
}

/// Moves the fields that sat right after the narrow tag to after the widened one.
fn move_after_tag(placed: &mut Placed, old_size: u64, new_size: u64) {
    for offset in &mut placed.offsets {
        if *offset <= old_size {
            *offset = new_size;
        }
    }
    if placed.size <= old_size {
        placed.size = new_size;
    }
}

fn niche_filling_layout(input: &EnumInput<'_>, target: &Target) -> Option<EnumPlaced> {
    if input.variants.len() < 2 {
        return None;
    }
    let repr = ReprOptions::of(input.repr);
    let mut variants = input
        .variants
        .iter()
        .map(|fields| univariant(fields, repr, StructKind::AlwaysSized, target))
        .collect::<Option<Vec<Placed>>>()?;
    let align = variants.iter().map(|placed| placed.align).fold(1, u64::max);
    // Of equally large variants, rustc (through `max_by_key`) takes the last.
    let (largest, _) = variants
        .iter()
        .enumerate()
        .max_by_key(|(_, placed)| placed.size)?;
    let needs_tag = |index: &usize| *index != largest && !is_absent(&input.variants[*index]);
    let first_tagged = (0..variants.len()).find(needs_tag)?;
    let last_tagged = (0..variants.len()).rev().find(needs_tag)?;
    let count = (last_tagged - first_tagged + 1) as u128;
    let niche = variants[largest].niche?;
    let (niche_start, reserved) = niche.reserve(count)?;
    let size = align_to(variants[largest].size, align);
    for (index, placed) in variants.iter_mut().enumerate() {
        if index != largest && !fit_around_niche(placed, &niche, size) {
            return None;
        }
    }
    Some(EnumPlaced {
        size,
        align,
        niche: Niche::from_scalar(
            reserved.offset,
            reserved.bytes,
            reserved.valid_start,
            reserved.valid_end,
        ),
        uninhabited: variants.iter().all(|placed| placed.uninhabited),
        tag: Some(TagLayout {
            offset: niche.offset,
            bytes: niche.bytes,
            encoding: TagEncoding::Niche {
                untagged_variant: largest,
            },
        }),
        variants,
        listed: vec![true; input.variants.len()],
        tag_values: niche_tag_values(
            input.variants.len(),
            largest,
            first_tagged..=last_tagged,
            niche_start,
            &niche,
        ),
    })
}

/// Puts a smaller variant before the niche if it ends there, else right after it; false if it
/// fits neither way.
fn fit_around_niche(placed: &mut Placed, niche: &Niche, size: u64) -> bool {
    placed.niche = None;
    if placed.size <= niche.offset {
        return true;
    }
    let start = align_to(niche.offset + niche.bytes, placed.align);
    if start + placed.size > size {
        return false;
    }
    for offset in &mut placed.offsets {
        *offset += start;
    }
    placed.size += start;
    true
}

/// The values the niche holds for the variants stored in it: consecutive from `niche_start`, one
/// per variant of the range (the untagged variant's value in the range goes unused).
fn niche_tag_values(
    variant_count: usize,
    untagged: usize,
    stored: RangeInclusive<usize>,
    niche_start: u128,
    niche: &Niche,
) -> Vec<Option<u128>> {
    let mask = u128::MAX >> (128 - niche.bytes * 8);
    (0..variant_count)
        .map(|index| {
            let offset = index.checked_sub(*stored.start())? as u128;
            (index != untagged && stored.contains(&index))
                .then(|| niche_start.wrapping_add(offset) & mask)
        })
        .collect()
}
