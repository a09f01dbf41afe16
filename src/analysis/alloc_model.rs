//! std's allocation rules (1.95): how `Vec`/`String` buffers grow, what `format!` and
//! `to_string` reserve. Plain arithmetic over a buffer's length and capacity.

use std::fmt::Write;

use super::heap::Heap;

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
        }
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

    fn set_cap(&mut self, cap: u64) {
        if cap != self.cap && self.element_size > 0 {
            self.growth.push(cap);
        }
        self.cap = cap;
    }

    /// `RawVec::grow_amortized`: at least double, at least what is required, at least the
    /// minimum non-zero capacity.
    fn reserve(&mut self, additional: u64) {
        if self.element_size == 0 || self.cap - self.len.min(self.cap) >= additional {
            return;
        }
        let required = self.len + additional;
        let cap = (self.cap * 2).max(required).max(self.min_non_zero_cap());
        self.set_cap(cap);
    }

    fn reserve_exact(&mut self, additional: u64) {
        if self.element_size == 0 || self.cap - self.len.min(self.cap) >= additional {
            return;
        }
        self.set_cap(self.len + additional);
    }

    /// `count` single pushes, computed in O(log count) steps.
    fn push_many(&mut self, mut count: u64) {
        self.pushes += count;
        while count > 0 {
            if self.len >= self.cap {
                self.reserve(1);
            }
            let room = if self.element_size == 0 {
                count
            } else {
                self.cap - self.len
            };
            let taken = room.min(count);
            self.len += taken;
            count -= taken;
        }
    }

    fn apply(&mut self, mutation: &Mutation) {
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
                self.len += count;
                self.pushes += 1;
                self.element_heap = self.element_heap.plus(*element_heap);
            }
            Mutation::Extend { count: None, .. } => self.exact = false,
            Mutation::Reserve(Some(n)) => self.reserve(*n),
            Mutation::ReserveExact(Some(n)) => self.reserve_exact(*n),
            Mutation::Reserve(None) | Mutation::ReserveExact(None) => self.exact = false,
            Mutation::ShrinkToFit => {
                if self.cap > self.len {
                    self.set_cap(self.len);
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
        for event in events {
            match event {
                Event::Mutate(mutation) => self.apply(mutation),
                Event::Repeat {
                    times: Some(times),
                    body,
                    ..
                } => {
                    // Bodies repeat exactly; a large count of simple pushes is summed at once.
                    if let [
                        Event::Mutate(Mutation::Push {
                            count,
                            element_heap,
                        }),
                    ] = body.as_slice()
                    {
                        self.apply(&Mutation::Push {
                            count: count * times,
                            element_heap: element_heap.times(*times),
                        });
                    } else {
                        for _ in 0..(*times).min(100_000) {
                            self.replay(body);
                        }
                        if *times > 100_000 {
                            self.exact = false;
                        }
                    }
                }
                Event::Repeat {
                    times: None, body, ..
                } => {
                    if body_only_grows(body) {
                        self.exact = false;
                    } else {
                        self.lost = true;
                    }
                }
            }
        }
    }

    /// The heap this buffer and its elements own.
    pub fn heap(&self) -> Heap {
        if self.lost || !self.sized {
            return Heap::Unknown;
        }
        let own = Heap::Exact(self.cap * self.element_size);
        let total = own.plus(self.element_heap);
        if self.exact { total } else { total.at_least() }
    }

    /// The rule behind the number, e.g. `capacity 16 after 10 pushes (4 → 8 → 16, 3 allocations)`.
    pub fn rule(&self) -> Option<String> {
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
        for event in events {
            match event {
                Event::Mutate(Mutation::Insert {
                    key,
                    entry_heap,
                    value_heap,
                }) => self.insert(key, (*entry_heap, *value_heap), known, false),
                Event::Mutate(Mutation::Reserve(Some(n))) => {
                    if self.items + n > self.full_capacity() {
                        let wanted = (self.items + n).max(self.full_capacity() + 1);
                        self.set_buckets(self.buckets_for(wanted));
                    }
                }
                Event::Mutate(Mutation::Pop | Mutation::Truncate(_) | Mutation::Unknown) => {
                    self.lost = true
                }
                Event::Mutate(_) => self.exact = false,
                Event::Repeat {
                    times: Some(times),
                    body,
                    ..
                } => {
                    for _ in 0..(*times).min(100_000) {
                        self.replay_counted(body, known);
                    }
                    if *times > 100_000 {
                        self.exact = false;
                    }
                }
                Event::Repeat {
                    times: None, body, ..
                } if body
                    .iter()
                    .all(|e| matches!(e, Event::Mutate(Mutation::Insert { .. }))) =>
                {
                    self.exact = false;
                }
                Event::Repeat { times: None, .. } => self.lost = true,
            }
        }
    }

    /// One iteration of a counted loop: its counter is a fresh key each time.
    fn replay_counted(&mut self, body: &[Event], known: &mut Vec<String>) {
        for event in body {
            match event {
                Event::Mutate(Mutation::Insert {
                    key,
                    entry_heap,
                    value_heap,
                }) => self.insert(key, (*entry_heap, *value_heap), known, true),
                other => self.replay(std::slice::from_ref(other), known),
            }
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
    pub fn allocation(&self) -> u64 {
        if let Some(nodes) = self.nodes {
            // One leaf up to its capacity; after the first split, at least two leaves and a root.
            return match self.items {
                0 => 0,
                n if n <= TreeNodes::LEAF_CAPACITY => nodes.leaf_bytes,
                _ => 2 * nodes.leaf_bytes + nodes.internal_bytes,
            };
        }
        if self.buckets == 0 {
            return 0;
        }
        let control_align = self.entry_align.max(self.group_width);
        (self.buckets * self.entry_size).div_ceil(control_align) * control_align
            + self.buckets
            + self.group_width
    }

    pub fn heap(&self) -> Heap {
        if self.lost {
            return Heap::Unknown;
        }
        let total = Heap::Exact(self.allocation()).plus(self.entry_heap);
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
            self.allocation()
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
        assert_eq!(inserts(1, 1, 1).allocation(), 48);
        assert_eq!(inserts(16, 8, 1).allocation(), 84);
        assert_eq!(inserts(8, 8, 100).buckets, 128);
    }
}
