//! Niche arithmetic: building niches from scalar valid ranges and reserving invalid values for enum tags.

use super::Niche;

impl Niche {
    /// The niche of a scalar with the given valid range, or `None` when every bit-pattern is valid.
    pub(super) fn from_scalar(
        offset: u64,
        bytes: u64,
        valid_start: u128,
        valid_end: u128,
    ) -> Option<Niche> {
        let niche = Niche {
            offset,
            bytes,
            valid_start,
            valid_end,
        };
        (niche.available() > 0).then_some(niche)
    }

    /// The same niche seen from a value that holds this one `offset` bytes further in.
    pub(super) fn shifted(self, offset: u64) -> Niche {
        Niche {
            offset: self.offset + offset,
            ..self
        }
    }

    /// The largest unsigned value the scalar's bytes can hold.
    fn max_value(&self) -> u128 {
        if self.bytes >= 16 {
            u128::MAX
        } else {
            (1u128 << (self.bytes * 8)) - 1
        }
    }

    /// Takes `count` invalid values for an enum's variants, returning the first of them and the niche
    /// left over (the scalar with its valid range widened to cover them).
    ///
    /// Like rustc, it grows whichever end of the valid range reaches zero soonest without stepping over
    /// it, so that `Option`-like enums store `None` as zero where they can.
    pub(super) fn reserve(&self, count: u128) -> Option<(u128, Niche)> {
        if count == 0 || count > self.available() {
            return None;
        }
        let max = self.max_value();
        let (start, end) = (self.valid_start, self.valid_end);
        let move_start = || {
            let new_start = start.wrapping_sub(count) & max;
            (new_start, self.with_range(new_start, end))
        };
        let move_end = || {
            let first = end.wrapping_add(1) & max;
            (first, self.with_range(start, end.wrapping_add(count) & max))
        };
        let distance_end_zero = max - end;
        let reserved = if start > end {
            // The valid range wraps around, so zero is already valid: either end will do.
            move_end()
        } else if start <= distance_end_zero {
            if count <= start {
                move_start()
            } else {
                move_end()
            }
        } else {
            let new_end = end.wrapping_add(count) & max;
            let overshoots_zero = (1..=end).contains(&new_end);
            if overshoots_zero {
                move_start()
            } else {
                move_end()
            }
        };
        Some(reserved)
    }

    fn with_range(&self, valid_start: u128, valid_end: u128) -> Niche {
        Niche {
            valid_start,
            valid_end,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_gives_its_third_value_to_option() {
        let niche = Niche::from_scalar(0, 1, 0, 1).expect("bool has a niche");
        assert_eq!(niche.available(), 254);
        let (first, rest) = niche.reserve(1).expect("room for None");
        assert_eq!(first, 2);
        assert_eq!((rest.valid_start, rest.valid_end), (0, 2));
    }

    #[test]
    fn non_null_pointer_stores_none_as_zero() {
        let niche = Niche::from_scalar(0, 8, 1, u128::from(u64::MAX)).expect("null is free");
        let (first, rest) = niche.reserve(1).expect("room for None");
        assert_eq!(first, 0);
        assert_eq!(rest.available(), 0);
        assert!(niche.reserve(2).is_none());
    }

    #[test]
    fn full_range_has_no_niche() {
        assert!(Niche::from_scalar(0, 4, 0, u128::from(u32::MAX)).is_none());
    }
}
