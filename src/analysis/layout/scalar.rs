//! Primitive scalars on each target: integer widths and alignments, floats, `bool`, `char`, and thin or
//! wide pointers with their null niches.

use super::{Laid, Layout, Niche, Shape};
use crate::analysis::target::{Arch, Target};
use crate::analysis::ty::{FloatTy, IntTy};

/// An integer width, as rustc's `Integer`; enum tags are chosen among these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Integer {
    I8,
    I16,
    I32,
    I64,
    I128,
}

impl Integer {
    const ALL: [Integer; 5] = [
        Integer::I8,
        Integer::I16,
        Integer::I32,
        Integer::I64,
        Integer::I128,
    ];

    pub(super) fn size(self) -> u64 {
        match self {
            Integer::I8 => 1,
            Integer::I16 => 2,
            Integer::I32 => 4,
            Integer::I64 => 8,
            Integer::I128 => 16,
        }
    }

    /// The ABI alignment, which for 64- and 128-bit integers depends on the target.
    pub(super) fn align(self, target: &Target) -> u64 {
        match self {
            Integer::I64 => target.i64_align,
            Integer::I128 => target.i128_align,
            other => other.size(),
        }
    }

    pub(super) fn of_bytes(bytes: u64) -> Option<Integer> {
        Integer::ALL.into_iter().find(|int| int.size() == bytes)
    }

    pub(super) fn pointer_sized(target: &Target) -> Integer {
        Integer::of_bytes(target.pointer_bytes).unwrap_or(Integer::I64)
    }

    /// The smallest and largest value of an integer this wide; `u128`'s top half is past
    /// `i128` and left out.
    pub(super) fn range(self, signed: bool) -> (i128, i128) {
        let bits = self.size() * 8;
        match (signed, bits) {
            (true, 128) => (i128::MIN, i128::MAX),
            (false, 128) => (0, i128::MAX),
            (true, _) => (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1),
            (false, _) => (0, (1i128 << bits) - 1),
        }
    }

    pub(super) fn of_int_ty(int: IntTy, target: &Target) -> Integer {
        match int {
            IntTy::I8 | IntTy::U8 => Integer::I8,
            IntTy::I16 | IntTy::U16 => Integer::I16,
            IntTy::I32 | IntTy::U32 => Integer::I32,
            IntTy::I64 | IntTy::U64 => Integer::I64,
            IntTy::I128 | IntTy::U128 => Integer::I128,
            IntTy::Isize | IntTy::Usize => Integer::pointer_sized(target),
        }
    }

    /// The integer whose size equals the given alignment and whose own alignment is that too, if any;
    /// rustc widens enum tags to it so that the first field of every variant stays in place.
    pub(super) fn for_align(target: &Target, align: u64) -> Option<Integer> {
        Integer::ALL
            .into_iter()
            .find(|int| int.size() == align && int.align(target) == align)
    }

    /// The smallest integer holding `value` as an unsigned number.
    pub(super) fn fit_unsigned(value: u128) -> Integer {
        Integer::ALL
            .into_iter()
            .find(|int| value <= int.max_unsigned())
            .unwrap_or(Integer::I128)
    }

    /// The smallest integer holding `value` as a signed number.
    pub(super) fn fit_signed(value: i128) -> Integer {
        Integer::ALL
            .into_iter()
            .find(|int| {
                let bits = int.size() * 8;
                let min = i128::MIN >> (128 - bits);
                let max = i128::MAX >> (128 - bits);
                (min..=max).contains(&value)
            })
            .unwrap_or(Integer::I128)
    }

    pub(super) fn max_unsigned(self) -> u128 {
        u128::MAX >> (128 - self.size() * 8)
    }
}

/// The largest object size the target allows, as rustc's `obj_size_bound`; sizes must stay below it.
pub(super) fn obj_size_bound(target: &Target) -> u64 {
    if target.pointer_bytes >= 8 {
        1 << 61
    } else {
        1 << (target.pointer_bytes * 8 - 1)
    }
}

/// A scalar of `int`'s width whose valid values are `valid_start..=valid_end` (wrapping).
pub(super) fn scalar(int: Integer, align: u64, valid_start: u128, valid_end: u128) -> Laid {
    let size = int.size();
    Laid::plain(Layout {
        size,
        align,
        niche: Niche::from_scalar(0, size, valid_start, valid_end),
        shape: Shape::Scalar,
    })
}

fn full_range(int: Integer, align: u64) -> Laid {
    scalar(int, align, 0, int.max_unsigned())
}

pub(super) fn int(int: IntTy, target: &Target) -> Laid {
    let width = Integer::of_int_ty(int, target);
    full_range(width, width.align(target))
}

pub(super) fn float(float: FloatTy, target: &Target) -> Laid {
    match float {
        FloatTy::F32 => full_range(Integer::I32, 4),
        FloatTy::F64 => full_range(Integer::I64, target.f64_align),
    }
}

pub(super) fn bool() -> Laid {
    scalar(Integer::I8, 1, 0, 1)
}

pub(super) fn char() -> Laid {
    scalar(Integer::I32, 4, 0, 0x10_FFFF)
}

/// What a pointer carries besides the address, decided by its pointee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Metadata {
    /// A sized pointee: the pointer is one address.
    Thin,
    /// A slice or `str` tail: a `usize` length follows the address.
    Length,
    /// A `dyn Trait` tail: a non-null vtable pointer follows the address.
    Vtable,
}

/// A thin or wide pointer; references and function pointers are non-null, raw pointers are not.
pub(super) fn pointer(target: &Target, non_null: bool, metadata: Metadata) -> Laid {
    let ptr = Integer::pointer_sized(target);
    let bytes = ptr.size();
    let max = ptr.max_unsigned();
    let address = Niche::from_scalar(0, bytes, u128::from(non_null), max);
    if metadata == Metadata::Thin {
        return scalar(ptr, bytes, u128::from(non_null), max);
    }
    let vtable = Niche::from_scalar(bytes, bytes, 1, max).filter(|_| metadata == Metadata::Vtable);
    // Of two equal niches rustc keeps the one at the lower offset, the address.
    let niche = match (address, vtable) {
        (Some(address), _) => Some(address),
        (None, vtable) => vtable,
    };
    Laid::plain(Layout {
        size: 2 * bytes,
        align: bytes,
        niche,
        shape: Shape::Scalar,
    })
}

/// The layout of `!` and of enums without inhabited variants: no bytes, no values.
pub(super) fn never() -> Laid {
    Laid {
        layout: Layout {
            size: 0,
            align: 1,
            niche: None,
            shape: Shape::Scalar,
        },
        uninhabited: true,
    }
}

/// A zero-sized value such as a function item.
pub(super) fn zero_sized() -> Laid {
    Laid::plain(Layout {
        size: 0,
        align: 1,
        niche: None,
        shape: Shape::Scalar,
    })
}

/// The alignment of a `size`-byte SIMD vector: what the target's data layout states for that
/// size, else the size rounded up to a power of two (LLVM's default, which rustc follows).
/// Only armv7's layout states one (`v128:64:128`: 16-byte vectors are 8-aligned).
pub(super) fn vector_align(target: &Target, size: u64) -> u64 {
    match (target.arch, size) {
        (Arch::Arm, 16) => 8,
        _ => size.max(1).next_power_of_two(),
    }
}
