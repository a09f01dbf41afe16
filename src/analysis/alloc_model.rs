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
            Mutation::Unknown => self.lost = true,
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
