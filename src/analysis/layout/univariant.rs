//! Placing the fields of one struct, tuple, closure, enum variant or union: rustc's field reordering
//! (alignment groups, niche bias towards the start or the end), padding, packing and `repr(align)`.

use std::cmp::Reverse;

use super::scalar::obj_size_bound;
use super::{Laid, Niche};
use crate::analysis::defs::Repr;
use crate::analysis::target::Target;

/// What the surroundings require of a field list, as rustc's `StructKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StructKind {
    /// A type that is always sized: every field may move.
    AlwaysSized,
    /// A type whose last field may be unsized in some instance: that field stays last.
    MaybeUnsized,
    /// An enum variant placed after a tag of this size and alignment.
    Prefixed { size: u64, align: u64 },
}

/// The parts of `#[repr(..)]` that affect field placement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct ReprOptions {
    pub pack: Option<u64>,
    pub align: Option<u64>,
    /// False for `repr(C)` and `repr(int)`, which keep declaration order.
    pub reorder: bool,
}

impl ReprOptions {
    pub(super) fn of(repr: &Repr) -> ReprOptions {
        ReprOptions {
            pack: repr.packed,
            align: repr.align,
            reorder: !repr.c && repr.int.is_none(),
        }
    }
}

/// Where the fields went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Placed {
    /// Offsets in declaration order.
    pub offsets: Vec<u64>,
    /// Field indices in the order they sit in memory.
    pub order: Vec<usize>,
    pub size: u64,
    pub align: u64,
    pub niche: Option<Niche>,
    pub uninhabited: bool,
}

/// Towards which end of the struct the largest niche is pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NicheBias {
    Start,
    End,
}

fn align_to(offset: u64, align: u64) -> u64 {
    offset.div_ceil(align) * align
}

fn niche_size(field: &Laid) -> u128 {
    field.layout.niche.map_or(0, |niche| niche.available())
}

/// Lays out `fields`; `None` when the size reaches the target's object size bound.
///
/// Like rustc, a second, end-biased placement is tried when the niche ends up neither at the start
/// nor at the end, and kept when it puts the niche nearer an edge, so that enclosing enums can fit
/// their smaller variants around it.
pub(super) fn univariant(
    fields: &[&Laid],
    repr: ReprOptions,
    kind: StructKind,
    target: &Target,
) -> Option<Placed> {
    let placed = place(fields, repr, kind, NicheBias::Start, target)?;
    if kind == StructKind::MaybeUnsized || fields.len() <= 1 {
        return Some(placed);
    }
    let Some(niche) = placed.niche else {
        return Some(placed);
    };
    let head = niche.offset;
    let tail = placed.size.saturating_sub(head + niche.bytes);
    if head == 0 || tail == 0 {
        return Some(placed);
    }
    let alt = place(fields, repr, kind, NicheBias::End, target)?;
    let alt_head = alt.niche.map_or(0, |niche| niche.offset);
    Some(if alt_head > head && alt_head > tail {
        alt
    } else {
        placed
    })
}

/// The order in which fields are put in memory (indices into `fields`).
fn memory_order(
    fields: &[&Laid],
    repr: ReprOptions,
    kind: StructKind,
    bias: NicheBias,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..fields.len()).collect();
    if !repr.reorder || fields.len() <= 1 {
        return order;
    }
    // The last field of a possibly-unsized struct stays last, so that unsizing moves nothing.
    let movable = if kind == StructKind::MaybeUnsized {
        fields.len() - 1
    } else {
        fields.len()
    };
    let movable_fields = &fields[..movable];
    let max_field_align = movable_fields
        .iter()
        .map(|field| field.layout.align)
        .max()
        .unwrap_or(1);
    let largest_niche = movable_fields
        .iter()
        .map(|field| niche_size(field))
        .max()
        .unwrap_or(0);
    let group = |field: &Laid| alignment_group(field, repr, bias, max_field_align, largest_niche);
    let slice = &mut order[..movable];
    match kind {
        StructKind::AlwaysSized | StructKind::MaybeUnsized => slice.sort_by_key(|&index| {
            let field = fields[index];
            (
                Reverse(group(field)),
                niche_order(field, bias),
                inner_niche_order(field, bias),
            )
        }),
        // Variants after a tag go in ascending alignment, so that the tag's padding is reused, with
        // the largest niche of each group last, where a jagged enum can use it.
        StructKind::Prefixed { .. } => {
            slice.sort_by_key(|&index| (group(fields[index]), niche_size(fields[index])));
        }
    }
    order
}

/// rustc's `alignment_group_key`: the (log2) alignment a field is grouped by, which may be a
/// size-derived pseudo-alignment so that `[u8; 4]` sorts with 4-aligned fields.
fn alignment_group(
    field: &Laid,
    repr: ReprOptions,
    bias: NicheBias,
    max_field_align: u64,
    largest_niche: u128,
) -> u64 {
    let align = field.layout.align;
    if let Some(pack) = repr.pack {
        // The packed alignment in bytes; every key of this struct is then in bytes, which is
        // consistent since all of them take this branch.
        return align.min(pack);
    }
    let size_as_align = u64::from(align.max(field.layout.size).trailing_zeros());
    if largest_niche == 0 {
        return size_as_align;
    }
    match bias {
        NicheBias::Start => u64::from(max_field_align.trailing_zeros()).min(size_as_align),
        NicheBias::End if niche_size(field) == largest_niche => u64::from(align.trailing_zeros()),
        NicheBias::End => size_as_align,
    }
}

/// Within an alignment group: large niches first (start bias) or last (end bias).
fn niche_order(field: &Laid, bias: NicheBias) -> u128 {
    match bias {
        NicheBias::Start => !niche_size(field),
        NicheBias::End => niche_size(field),
    }
}

/// Among equal niches: the one nearer the chosen edge of its own field first.
fn inner_niche_order(field: &Laid, bias: NicheBias) -> u64 {
    let Some(niche) = field.layout.niche else {
        return 0;
    };
    match bias {
        NicheBias::Start => niche.offset,
        NicheBias::End => !(field.layout.size - niche.bytes - niche.offset),
    }
}

fn place(
    fields: &[&Laid],
    repr: ReprOptions,
    kind: StructKind,
    bias: NicheBias,
    target: &Target,
) -> Option<Placed> {
    let bound = obj_size_bound(target);
    let pack_align = |align: u64| repr.pack.map_or(align, |pack| align.min(pack));
    let mut align = 1;
    let mut offset = 0;
    if let StructKind::Prefixed {
        size: prefix_size,
        align: prefix_align,
    } = kind
    {
        let prefix_align = pack_align(prefix_align);
        align = align.max(prefix_align);
        offset = align_to(prefix_size, prefix_align);
    }
    let mut offsets = vec![0; fields.len()];
    let mut niche: Option<Niche> = None;
    let mut niche_available = 0;
    let order = memory_order(fields, repr, kind, bias);
    for &index in &order {
        let field = &fields[index].layout;
        let field_align = pack_align(field.align);
        offset = align_to(offset, field_align);
        align = align.max(field_align);
        offsets[index] = offset;
        if let Some(field_niche) = field.niche {
            let available = field_niche.available();
            // With an end bias, the last of several equal niches wins.
            let better = match bias {
                NicheBias::Start => available > niche_available,
                NicheBias::End => available >= niche_available,
            };
            if better {
                niche_available = available;
                niche = Some(field_niche.shifted(offset));
            }
        }
        offset = offset.checked_add(field.size).filter(|end| *end < bound)?;
    }
    if let Some(repr_align) = repr.align {
        align = align.max(repr_align);
    }
    let size = align_to(offset, align);
    (size < bound).then(|| Placed {
        offsets,
        order,
        size,
        align,
        niche,
        uninhabited: fields.iter().any(|field| field.uninhabited),
    })
}

/// A union: every field at offset zero, no niche, and never uninhabited.
pub(super) fn union(fields: &[&Laid], repr: ReprOptions, target: &Target) -> Option<Placed> {
    let pack_align = |align: u64| repr.pack.map_or(align, |pack| align.min(pack));
    let size = fields
        .iter()
        .map(|field| field.layout.size)
        .max()
        .unwrap_or(0);
    let align = fields
        .iter()
        .map(|field| pack_align(field.layout.align))
        .max()
        .unwrap_or(1)
        .max(repr.align.unwrap_or(1));
    let size = align_to(size, align);
    (size < obj_size_bound(target)).then(|| Placed {
        offsets: vec![0; fields.len()],
        order: (0..fields.len()).collect(),
        size,
        align,
        niche: None,
        uninhabited: false,
    })
}
