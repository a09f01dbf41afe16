//! std's allocation rules (1.95): how `Vec`/`String` buffers grow, what `format!` and
//! `to_string` reserve. Plain arithmetic over a buffer's length and capacity.

use std::fmt::Write;

use super::heap::{Heap, MAX_ALLOCATION, array_bytes};

/// How many mutations one replay applies one by one. Counted loops of pushes are summed in
/// closed form; other loop bodies repeat one by one until this runs out, and what they would
/// still add is then a lower bound. Nested `for _ in 0..2` loops forty deep are 2^40 repeats.
const REPLAY_BUDGET: u64 = 100_000;

/// What memlens knows of a `Vec` or `String` buffer: length and capacity in elements.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Buffer {
    pub len: u64,
    pub cap: u64,
    /// Bytes per element (1 for `String`).
    pub element_size: u64,
    /// Heap owned by the elements themselves (the strings inside a `Vec<String>`).
    pub element_heap: Heap,
    /// Capacities after each allocation or reallocation, in order.
    pub growth: Vec<u64>,
    /// Pushes and other mutations replayed since the buffer was made.
    pub pushes: u64,
    /// False once a mutation memlens could not follow has happened: the numbers are then a
    /// lower bound.
    pub exact: bool,
    /// True once something happened that can also shrink the buffer, so no bound is left.
    pub lost: bool,
    /// False while the element type is not known yet (`Vec::new()` before its first push).
    pub sized: bool,
    /// The most bytes the target lets one allocation have (`isize::MAX`).
    pub max_bytes: u64,
    /// True once a growth asked for more than that, or more elements than a `usize` counts:
    /// std panics with "capacity overflow" there, so nothing after it happens.
    pub overflowed: bool,
}

/// A change to a buffer that memlens can replay.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Mutation {
    /// `push(x)` / `push(ch)` / `insert(i, x)`: one more element (or `bytes` for a `char`).
    Push {
        count: u64,
        element_heap: Heap,
    },
    /// `push_str(s)` / `extend_from_slice(s)` / `extend(exact-size)`: `count` more elements at once.
    Extend {
        count: Option<u64>,
        element_heap: Heap,
    },
    Reserve(Option<u64>),
    ReserveExact(Option<u64>),
    ShrinkToFit,
    /// `truncate(n)`, `clear()` (n = 0), `pop()`: the length shrinks, the capacity stays.
    Truncate(Option<u64>),
    Pop,
    /// `insert(key, value)` into a `HashMap`/`HashSet`: what the key and value own together,
    /// and the value alone (a repeated key keeps the old key and replaces only the value).
    Insert {
        key: Key,
        entry_heap: Heap,
        value_heap: Heap,
    },
    /// Anything else that may change the buffer.
    Unknown,
}

/// Mutations in program order; loops repeat a body a known or unknown number of times.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    Mutate(Mutation),
    Repeat {
        times: Option<u64>,
        /// The trip count as source text (`n` for `0..n`), for fixes that write it in.
        count_text: Option<String>,
        body: Vec<Event>,
    },
}

impl Buffer {
    /// A buffer holding `len` elements with capacity `cap` (as `vec!`, `String::from` or
    /// `with_capacity` make it).
    pub fn new(len: u64, cap: u64, element_size: u64, element_heap: Heap) -> Buffer {
        Buffer {
            len,
            cap,
            element_size,
            element_heap,
            growth: if cap > 0 && element_size > 0 {
                vec![cap]
            } else {
                Vec::new()
            },
            pushes: 0,
            exact: true,
            lost: false,
            sized: true,
            max_bytes: MAX_ALLOCATION,
            overflowed: array_bytes(cap, element_size, MAX_ALLOCATION).is_none(),
        }
    }

    /// Lowers the largest allocation to the target's `isize::MAX`; returns whether the buffer
    /// overflows it now and did not before.
    pub fn limit_to(&mut self, max_bytes: u64) -> bool {
        if max_bytes >= self.max_bytes {
            return false;
        }
        self.max_bytes = max_bytes;
        let peak = self.growth.iter().copied().max().unwrap_or(0).max(self.cap);
        let was = self.overflowed;
        self.overflowed |= self.bytes_for(peak).is_none();
        self.overflowed && !was
    }

    /// The bytes of `cap` elements, if one allocation may have that many.
    fn bytes_for(&self, cap: u64) -> Option<u64> {
        array_bytes(cap, self.element_size, self.max_bytes)
    }

    /// A buffer whose element type a later push decides.
    pub fn unsized_elements(len: u64, cap: u64) -> Buffer {
        Buffer {
            sized: false,
            ..Buffer::new(len, cap, 0, Heap::NONE)
        }
    }

    /// Fixes the element size once the element type is known.
    pub fn set_element_size(&mut self, element_size: u64) {
        if !self.sized {
            *self = Buffer::new(self.len, self.cap, element_size, self.element_heap);
        }
    }

    /// RawVec's smallest non-zero capacity: 8 for 1-byte elements, 4 up to 1 KiB, else 1.
    fn min_non_zero_cap(&self) -> u64 {
        match self.element_size {
            1 => 8,
            0..=1024 => 4,
            _ => 1,
        }
    }

    /// Moves to a new capacity, or records the capacity-overflow panic std raises instead.
    fn set_cap(&mut self, cap: Option<u64>) {
        let Some(cap) = cap.filter(|cap| self.bytes_for(*cap).is_some()) else {
            self.overflowed = true;
            return;
        };
        if cap != self.cap && self.element_size > 0 {
            self.growth.push(cap);
        }
        self.cap = cap;
    }

    /// Room for `additional` more elements without growing.
    fn has_room(&self, additional: u64) -> bool {
        self.element_size == 0 || self.cap - self.len.min(self.cap) >= additional
    }

    /// `RawVec::grow_amortized`: at least double, at least what is required, at least the
    /// minimum non-zero capacity.
    fn reserve(&mut self, additional: u64) {
        if self.has_room(additional) {
            return;
        }
        let cap = self.len.checked_add(additional).map(|required| {
            (self.cap.saturating_mul(2))
                .max(required)
                .max(self.min_non_zero_cap())
        });
        self.set_cap(cap);
    }

    fn reserve_exact(&mut self, additional: u64) {
        if self.has_room(additional) {
            return;
        }
        self.set_cap(self.len.checked_add(additional));
    }

    /// `count` more elements in the buffer's length; more than a `usize` counts overflows.
    fn add_len(&mut self, count: u64) {
        match self.len.checked_add(count) {
            Some(len) => self.len = len,
            None => self.overflowed = true,
        }
    }

    /// `count` single pushes, computed in O(log count) steps.
    fn push_many(&mut self, mut count: u64) {
        self.pushes = self.pushes.saturating_add(count);
        while count > 0 && !self.overflowed {
            if self.len >= self.cap {
                self.reserve(1);
                if self.overflowed {
                    return;
                }
            }
            let room = if self.element_size == 0 {
                count
            } else {
                self.cap - self.len
            };
            let taken = room.min(count);
            self.add_len(taken);
            count -= taken;
        }
    }

    fn apply(&mut self, mutation: &Mutation) {
        if self.overflowed {
            // The program panicked at the growth before.
            return;
        }
        match mutation {
            Mutation::Push {
                count,
                element_heap,
            } => {
                self.push_many(*count);
                self.element_heap = self.element_heap.plus(*element_heap);
            }
            Mutation::Extend {
                count: Some(count),
                element_heap,
            } => {
                self.reserve(*count);
                if !self.overflowed {
                    self.add_len(*count);
                }
                self.pushes = self.pushes.saturating_add(1);
                self.element_heap = self.element_heap.plus(*element_heap);
            }
            Mutation::Extend { count: None, .. } => self.exact = false,
            Mutation::Reserve(Some(n)) => self.reserve(*n),
            Mutation::ReserveExact(Some(n)) => self.reserve_exact(*n),
            Mutation::Reserve(None) | Mutation::ReserveExact(None) => self.exact = false,
            Mutation::ShrinkToFit => {
                if self.cap > self.len {
                    self.set_cap(Some(self.len));
                }
            }
            Mutation::Truncate(Some(n)) => {
                self.len = self.len.min(*n);
                self.element_heap_lost_if(*n);
            }
            Mutation::Truncate(None) | Mutation::Pop => {
                self.len = self.len.saturating_sub(1);
                self.element_heap_lost_if(0);
            }
            Mutation::Unknown | Mutation::Insert { .. } => self.lost = true,
        }
    }

    /// Dropping elements frees what they owned; if they owned anything, memlens loses track.
    fn element_heap_lost_if(&mut self, _kept: u64) {
        if self.element_heap != Heap::NONE {
            self.lost = true;
        }
    }

    /// Replays events in order. A loop with a known count repeats its body; an unknown one (or
    /// a branch) leaves only a lower bound, or nothing if its body can shrink the buffer.
    pub fn replay(&mut self, events: &[Event]) {
        self.replay_within(events, &mut REPLAY_BUDGET.clone());
    }

    fn replay_within(&mut self, events: &[Event], budget: &mut u64) {
        for event in events {
            match event {
                Event::Mutate(mutation) => {
                    *budget = budget.saturating_sub(1);
                    self.apply(mutation);
                }
                Event::Repeat {
                    times: Some(times),
                    body,
                    ..
                } => self.repeat(*times, body, budget),
                Event::Repeat {
                    times: None, body, ..
                } => self.repeat_uncounted(body),
            }
        }
    }

    /// A loop body `times` times: pushes alone are summed at once; anything else repeats while
    /// the budget lasts.
    fn repeat(&mut self, times: u64, body: &[Event], budget: &mut u64) {
        if let Some((count, element_heap)) = pushes_per_iteration(body) {
            match count.checked_mul(times) {
                Some(count) => self.apply(&Mutation::Push {
                    count,
                    element_heap: element_heap.times(times),
                }),
                // More elements than a `usize` counts: std's length check panics first.
                None => self.overflowed = true,
            }
            return;
        }
        for _ in 0..times {
            if *budget == 0 {
                return self.repeat_uncounted(body);
            }
            if self.overflowed || self.lost {
                return;
            }
            *budget -= 1;
            self.replay_within(body, budget);
        }
    }

    /// A loop body repeated a number of times memlens does not know (or could not follow).
    fn repeat_uncounted(&mut self, body: &[Event]) {
        if body_only_grows(body) {
            self.exact = false;
        } else {
            self.lost = true;
        }
    }

    /// The heap this buffer and its elements own.
    pub fn heap(&self) -> Heap {
        if self.lost || !self.sized || self.overflowed {
            return Heap::Unknown;
        }
        let Some(bytes) = self.bytes_for(self.cap) else {
            return Heap::Unknown;
        };
        let own = Heap::Exact(bytes);
        let total = own.plus(self.element_heap);
        if self.exact { total } else { total.at_least() }
    }

    /// The rule behind the number, e.g. `capacity 16 after 10 pushes (4 → 8 → 16, 3 allocations)`.
    pub fn rule(&self) -> Option<String> {
        if self.overflowed && self.sized {
            return Some(format!(
                "capacity overflow: the buffer would need more than {} B (isize::MAX), so std \
                 panics before this point",
                self.max_bytes
            ));
        }
        if self.pushes == 0 || self.lost || !self.sized {
            return None;
        }
        let mut text = format!(
            "capacity {} after {} {}",
            self.cap,
            self.pushes,
            if self.pushes == 1 { "push" } else { "pushes" }
        );
        if !self.growth.is_empty() {
            let steps: Vec<String> = self.growth.iter().map(u64::to_string).collect();
            let allocations = self.growth.len();
            let _ = write!(
                text,
                " ({}, {} allocation{})",
                steps.join(" → "),
                allocations,
                if allocations == 1 { "" } else { "s" }
            );
        }
        if !self.exact {
            text.push_str(", at least: some pushes happen a number of times memlens cannot count");
        }
        Some(text)
    }
}

/// Elements one iteration of `body` pushes, and what they own, when pushes (in counted loops or
/// not) are all it does.
fn pushes_per_iteration(body: &[Event]) -> Option<(u64, Heap)> {
    let mut count = 0u64;
    let mut heap = Heap::NONE;
    for event in body {
        let (more, more_heap) = match event {
            Event::Mutate(Mutation::Push {
                count,
                element_heap,
            }) => (*count, *element_heap),
            Event::Repeat {
                times: Some(times),
                body,
                ..
            } => {
                let (inner, inner_heap) = pushes_per_iteration(body)?;
                (inner.checked_mul(*times)?, inner_heap.times(*times))
            }
            _ => return None,
        };
        count = count.checked_add(more)?;
        heap = heap.plus(more_heap);
    }
    Some((count, heap))
}

fn body_only_grows(body: &[Event]) -> bool {
    body.iter().all(|event| match event {
        Event::Mutate(mutation) => matches!(
            mutation,
            Mutation::Push { .. }
                | Mutation::Extend { .. }
                | Mutation::Reserve(_)
                | Mutation::ReserveExact(_)
        ),
        Event::Repeat { body, .. } => body_only_grows(body),
    })
}

/// The capacity `format!` starts its string with (`Arguments::estimated_capacity`): the literal
/// pieces' length, doubled when there are arguments, and nothing when the string starts with an
/// argument and the pieces are short.
pub fn format_capacity(pieces: &[usize], argument_count: usize) -> u64 {
    let length: usize = pieces.iter().sum();
    let capacity = if argument_count == 0 {
        length
    } else if pieces.first().is_some_and(|first| *first == 0) && length < 16 {
        0
    } else {
        length * 2
    };
    capacity as u64
}

/// What `to_string()` allocates for an integer: unsigned types allocate exactly their digits;
/// signed ones reserve room for the longest value (and its sign when negative).
pub fn integer_to_string_capacity(max_digits: u64, signed: bool, value: Option<i128>) -> Heap {
    if !signed {
        return value.map_or(Heap::AtLeast(1), |v| {
            Heap::Exact(v.unsigned_abs().to_string().len() as u64)
        });
    }
    match value {
        Some(v) if v < 0 => Heap::Exact(max_digits + 1),
        Some(_) => Heap::Exact(max_digits),
        None => Heap::AtLeast(max_digits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushes(element_size: u64, count: u64) -> Buffer {
        let mut buffer = Buffer::new(0, 0, element_size, Heap::NONE);
        buffer.replay(&[Event::Repeat {
            times: Some(count),
            count_text: None,
            body: vec![Event::Mutate(Mutation::Push {
                count: 1,
                element_heap: Heap::NONE,
            })],
        }]);
        buffer
    }

    fn push() -> Event {
        Event::Mutate(Mutation::Push {
            count: 1,
            element_heap: Heap::NONE,
        })
    }

    fn counted(times: u64, body: Vec<Event>) -> Event {
        Event::Repeat {
            times: Some(times),
            count_text: None,
            body,
        }
    }

    /// Nested counted loops of pushes, summed in closed form, grow the buffer exactly as the
    /// same pushes one after another.
    #[test]
    fn nested_loops_of_pushes_sum_to_the_pushes_one_by_one() {
        let nested = counted(
            3,
            vec![counted(5, vec![push(), push()]), counted(4, vec![push()])],
        );
        for element_size in [1, 2, 8, 2048] {
            let mut summed = Buffer::new(0, 0, element_size, Heap::NONE);
            summed.replay(std::slice::from_ref(&nested));
            let mut one_by_one = Buffer::new(0, 0, element_size, Heap::NONE);
            for _ in 0..42 {
                one_by_one.replay(&[push()]);
            }
            assert_eq!(summed, one_by_one, "{element_size}-byte elements");
        }
    }

    /// Forty nested loops of two are 2^40 pushes, summed at once; growing past `isize::MAX`
    /// bytes is std's capacity-overflow panic, not a number.
    #[test]
    fn huge_counts_are_summed_and_overflow_is_unknown() {
        let mut deep = push();
        for _ in 0..40 {
            deep = counted(2, vec![deep]);
        }
        let mut buffer = Buffer::new(0, 0, 1, Heap::NONE);
        buffer.replay(&[deep]);
        assert_eq!(buffer.heap(), Heap::Exact(1 << 40));
        let mut overflowing = Buffer::new(0, 0, 8, Heap::NONE);
        overflowing.replay(&[counted(u64::MAX, vec![push()])]);
        assert_eq!(overflowing.heap(), Heap::Unknown);
        assert!(
            overflowing
                .rule()
                .is_some_and(|rule| rule.contains("capacity overflow"))
        );
        let mut on_32_bits = pushes(4, 1 << 29);
        assert_eq!(on_32_bits.heap(), Heap::Exact(1 << 31));
        assert!(on_32_bits.limit_to(crate::analysis::Target::ALL[1].max_allocation()));
        assert_eq!(on_32_bits.heap(), Heap::Unknown);
    }

    /// A body that does more than push repeats one iteration at a time within the budget; past
    /// it, what the rest would add is a lower bound.
    #[test]
    fn other_bodies_repeat_within_the_budget() {
        let reserve = Event::Mutate(Mutation::Reserve(Some(2)));
        let mut buffer = Buffer::new(0, 0, 1, Heap::NONE);
        buffer.replay(&[counted(
            1 << 20,
            vec![counted(1 << 20, vec![push(), reserve])],
        )]);
        assert!(
            matches!(buffer.heap(), Heap::AtLeast(_)),
            "{:?}",
            buffer.heap()
        );
    }

    #[test]
    fn growth_follows_raw_vec() {
        let ten = pushes(4, 10);
        assert_eq!((ten.len, ten.cap), (10, 16));
        assert_eq!(
            ten.rule().as_deref(),
            Some("capacity 16 after 10 pushes (4 → 8 → 16, 3 allocations)")
        );
        assert_eq!(pushes(1, 1).cap, 8);
        assert_eq!(pushes(2048, 3).cap, 4);
        assert_eq!(pushes(4, 1000).cap, 1024);
    }

    #[test]
    fn format_reserves_like_std() {
        assert_eq!(format_capacity(&[0, 4], 2), 0);
        assert_eq!(format_capacity(&[6], 1), 12);
        assert_eq!(format_capacity(&[5], 0), 5);
    }
}

/// A `HashMap`/`HashSet` table (hashbrown, as std 1.95 uses it): its buckets hold the entries,
/// and a control byte per bucket plus one group of trailing control bytes follow them in the
/// same allocation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub items: u64,
    pub buckets: u64,
    /// Size and alignment of one entry (`(K, V)` for maps, `T` for sets).
    pub entry_size: u64,
    pub entry_align: u64,
    /// Control bytes compared at once: 16 with SSE2, 8 with NEON, else the word size.
    pub group_width: u64,
    /// Heap owned by the keys and values.
    pub entry_heap: Heap,
    /// Whether some value inserted so far may own heap (a repeated key then frees it).
    pub values_own_heap: bool,
    /// Bucket counts after each allocation, in order.
    pub growth: Vec<u64>,
    pub exact: bool,
    pub lost: bool,
    /// For `BTreeMap`/`BTreeSet`: node sizes instead of hash buckets.
    pub nodes: Option<TreeNodes>,
}

/// std's B-tree nodes: a leaf holds up to 11 entries; above that the tree splits into leaves
/// under internal nodes, in a shape that depends on the order of insertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TreeNodes {
    pub leaf_bytes: u64,
    pub internal_bytes: u64,
}

impl TreeNodes {
    pub const LEAF_CAPACITY: u64 = 11;

    /// `InternalNode` is `#[repr(C)]`: the leaf (laid out by rustc's rules, as `LeafNode` is
    /// not `repr(C)`) followed by 12 edge pointers.
    pub fn new(leaf: (u64, u64), pointer_bytes: u64) -> TreeNodes {
        let edges = ((Self::LEAF_CAPACITY + 1) * pointer_bytes, pointer_bytes);
        let (internal_bytes, _) = repr_c(&[leaf, edges]);
        TreeNodes {
            leaf_bytes: leaf.0,
            internal_bytes,
        }
    }
}

/// Size and alignment of a `#[repr(C)]` struct with these (size, align) fields, in order.
fn repr_c(fields: &[(u64, u64)]) -> (u64, u64) {
    let align = fields.iter().map(|f| f.1).max().unwrap_or(1).max(1);
    let end = fields.iter().fold(0u64, |offset, (size, field_align)| {
        let field_align = (*field_align).max(1);
        offset.div_ceil(field_align) * field_align + size
    });
    (end.div_ceil(align) * align, align)
}

/// How an inserted key relates to the keys already in the table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A literal, by its text: inserting it again replaces the old entry.
    Literal(String),
    /// A `for` loop's own variable over a range: a new key on every iteration.
    LoopCounter,
    /// memlens cannot tell whether it is new.
    Unknown,
}

impl Table {
    pub fn new(entry_size: u64, entry_align: u64, group_width: u64) -> Table {
        Table {
            items: 0,
            buckets: 0,
            entry_size,
            entry_align,
            group_width,
            entry_heap: Heap::NONE,
            values_own_heap: false,
            growth: Vec::new(),
            exact: true,
            lost: false,
            nodes: None,
        }
    }

    /// An empty `BTreeMap`/`BTreeSet`: no node until the first insert.
    pub fn btree(nodes: TreeNodes) -> Table {
        Table {
            nodes: Some(nodes),
            ..Table::new(0, 1, 0)
        }
    }

    /// `with_capacity(n)`: room for `n` entries without growing.
    pub fn with_capacity(mut self, capacity: u64) -> Table {
        if capacity > 0 {
            self.set_buckets(self.buckets_for(capacity));
        }
        self
    }

    /// hashbrown's `capacity_to_buckets`: small tables keep a free bucket (more for tiny
    /// entries, whose data would otherwise be dwarfed by the control bytes' alignment); larger
    /// ones stay at most 7/8 full; bucket counts are powers of two.
    fn buckets_for(&self, capacity: u64) -> u64 {
        if capacity < 15 {
            let minimum = match (self.group_width, self.entry_size) {
                (16, 0..=1) => 14,
                (16, 2..=3) => 7,
                (8, 0..=1) => 7,
                _ => 3,
            };
            return match capacity.max(minimum) {
                0..4 => 4,
                4..8 => 8,
                _ => 16,
            };
        }
        (capacity * 8 / 7).next_power_of_two()
    }

    /// How many entries the table holds before it must grow.
    fn full_capacity(&self) -> u64 {
        match self.buckets {
            0 => 0,
            b if b <= 8 => b - 1,
            b => b / 8 * 7,
        }
    }

    fn set_buckets(&mut self, buckets: u64) {
        self.buckets = buckets;
        self.growth.push(buckets);
    }

    /// One new key: if the table is full, it grows to fit at least one more than it holds.
    fn insert_new(&mut self) {
        if self.nodes.is_some() {
            self.items += 1;
            return;
        }
        if self.items >= self.full_capacity() {
            let wanted = (self.items + 1).max(self.full_capacity() + 1);
            self.set_buckets(self.buckets_for(wanted));
        }
        self.items += 1;
    }

    /// Replays inserts. `known` keeps the literal keys seen so far, so repeats are not counted.
    pub fn replay(&mut self, events: &[Event], known: &mut Vec<String>) {
        self.replay_within(events, known, false, &mut REPLAY_BUDGET.clone());
    }

    /// Replays `events`; in a counted loop's body (`in_counted_loop`) the loop counter is a
    /// fresh key each time.
    fn replay_within(
        &mut self,
        events: &[Event],
        known: &mut Vec<String>,
        in_counted_loop: bool,
        budget: &mut u64,
    ) {
        for event in events {
            *budget = budget.saturating_sub(1);
            match event {
                Event::Mutate(Mutation::Insert {
                    key,
                    entry_heap,
                    value_heap,
                }) => self.insert(key, (*entry_heap, *value_heap), known, in_counted_loop),
                Event::Mutate(Mutation::Reserve(Some(n))) => self.reserve(*n),
                Event::Mutate(Mutation::Pop | Mutation::Truncate(_) | Mutation::Unknown) => {
                    self.lost = true
                }
                Event::Mutate(_) => self.exact = false,
                Event::Repeat {
                    times: Some(times),
                    body,
                    ..
                } => {
                    for _ in 0..*times {
                        if *budget == 0 {
                            self.repeat_uncounted(body);
                            break;
                        }
                        if self.lost {
                            break;
                        }
                        *budget -= 1;
                        self.replay_within(body, known, true, budget);
                    }
                }
                Event::Repeat {
                    times: None, body, ..
                } => self.repeat_uncounted(body),
            }
        }
    }

    /// `reserve(n)`: room for `n` more entries; more than a table can count is hashbrown's
    /// capacity-overflow panic, after which nothing is known.
    fn reserve(&mut self, n: u64) {
        let Some(wanted) = self
            .items
            .checked_add(n)
            .filter(|wanted| *wanted <= 1 << 56)
        else {
            self.lost = true;
            return;
        };
        if wanted > self.full_capacity() {
            let wanted = wanted.max(self.full_capacity() + 1);
            self.set_buckets(self.buckets_for(wanted));
        }
    }

    /// A loop body repeated a number of times memlens does not know (or could not follow).
    fn repeat_uncounted(&mut self, body: &[Event]) {
        if body
            .iter()
            .all(|e| matches!(e, Event::Mutate(Mutation::Insert { .. })))
        {
            self.exact = false;
        } else {
            self.lost = true;
        }
    }

    /// One insert; `heaps` are what the key and value own together, and the value alone.
    fn insert(
        &mut self,
        key: &Key,
        (entry_heap, value_heap): (Heap, Heap),
        known: &mut Vec<String>,
        in_counted_loop: bool,
    ) {
        let is_new = match key {
            Key::Literal(text) if known.contains(text) => false,
            Key::Literal(text) => {
                known.push(text.clone());
                true
            }
            Key::LoopCounter if in_counted_loop => true,
            _ => {
                self.lost = true;
                return;
            }
        };
        if is_new {
            self.insert_new();
            self.entry_heap = self.entry_heap.plus(entry_heap);
            self.values_own_heap |= value_heap != Heap::NONE;
        } else if value_heap != Heap::NONE || self.values_own_heap {
            // The same key again keeps the old key, drops the new one, and replaces the value:
            // the old value's heap is freed and the new one's kept, which memlens does not
            // track per key. Values owning nothing change nothing.
            self.lost = true;
        }
    }

    /// The one allocation: entries rounded up to the control bytes' alignment, then the
    /// control bytes (one per bucket, plus a group's worth so probes can read past the end).
    /// `None` past what one allocation may have (hashbrown's capacity-overflow panic).
    pub fn allocation(&self) -> Option<u64> {
        if let Some(nodes) = self.nodes {
            // One leaf up to its capacity; after the first split, at least two leaves and a root.
            return match self.items {
                0 => Some(0),
                n if n <= TreeNodes::LEAF_CAPACITY => Some(nodes.leaf_bytes),
                _ => Some(2 * nodes.leaf_bytes + nodes.internal_bytes),
            };
        }
        if self.buckets == 0 {
            return Some(0);
        }
        let control_align = self.entry_align.max(self.group_width);
        self.buckets
            .checked_mul(self.entry_size)?
            .checked_next_multiple_of(control_align)?
            .checked_add(self.buckets)?
            .checked_add(self.group_width)
            .filter(|bytes| *bytes <= MAX_ALLOCATION)
    }

    pub fn heap(&self) -> Heap {
        if self.lost {
            return Heap::Unknown;
        }
        let Some(allocation) = self.allocation() else {
            return Heap::Unknown;
        };
        let total = Heap::Exact(allocation).plus(self.entry_heap);
        let split_tree = self.nodes.is_some() && self.items > TreeNodes::LEAF_CAPACITY;
        if self.exact && !split_tree {
            total
        } else {
            total.at_least()
        }
    }

    /// "16 buckets for 10 entries (4 → 8 → 16, 3 allocations)".
    pub fn rule(&self) -> Option<String> {
        if let Some(nodes) = self.nodes.filter(|_| !self.lost && self.items > 0) {
            return Some(if self.items <= TreeNodes::LEAF_CAPACITY {
                format!(
                    "{} entries fit one leaf node of 11 slots ({} B)",
                    self.items, nodes.leaf_bytes
                )
            } else {
                format!(
                    "{} entries split the tree: at least two {} B leaves and a {} B internal node, depending on the order of insertion",
                    self.items, nodes.leaf_bytes, nodes.internal_bytes
                )
            });
        }
        if self.lost || self.buckets == 0 {
            return None;
        }
        let steps: Vec<String> = self.growth.iter().map(u64::to_string).collect();
        Some(format!(
            "{} buckets for {} {} ({}; {} B of entries and control bytes in one allocation)",
            self.buckets,
            self.items,
            if self.items == 1 { "entry" } else { "entries" },
            steps.join(" → "),
            self.allocation()?
        ))
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    fn inserts(entry_size: u64, entry_align: u64, count: u64) -> Table {
        let mut table = Table::new(entry_size, entry_align, 16);
        let body = vec![Event::Mutate(Mutation::Insert {
            key: Key::LoopCounter,
            entry_heap: Heap::NONE,
            value_heap: Heap::NONE,
        })];
        table.replay(
            &[Event::Repeat {
                times: Some(count),
                count_text: None,
                body,
            }],
            &mut Vec::new(),
        );
        table
    }

    #[test]
    fn small_tables_follow_hashbrown() {
        // The examples: one HashSet<u8> insert, one (u64, u64) entry.
        assert_eq!(inserts(1, 1, 1).allocation(), Some(48));
        assert_eq!(inserts(16, 8, 1).allocation(), Some(84));
        assert_eq!(inserts(8, 8, 100).buckets, 128);
    }
}
