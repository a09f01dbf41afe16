//! The pending obligations of one body, each filed under the inference variables it waits on,
//! so that a round of selection tries only those a binding since the last round may settle.
//!
//! Retrying every pending obligation after every statement made a body of thousands of
//! `Vec::new()`s quadratic (each one leaves `?A: Allocator` waiting for good); rustc keeps the
//! same kind of index ("stalled on").

use rustc_hash::FxHashMap;

use super::Obligation;

/// One pending obligation; `stamp` tells a live filing from one left over by a retry or a
/// trial's truncation.
#[derive(Clone, Debug)]
struct Entry {
    obligation: Obligation,
    stamp: u64,
    queued: bool,
}

#[derive(Clone, Debug, Default)]
pub(super) struct PendingObligations {
    /// By id, in the order they were registered; `None` once settled or taken for a retry.
    entries: Vec<Option<Entry>>,
    live: usize,
    /// Ids to try in the next round.
    queued: Vec<usize>,
    /// Variable index → the ids (and stamps) waiting on it.
    waiting: FxHashMap<u32, Vec<(usize, u64)>>,
    next_stamp: u64,
}

/// A point to truncate back to after a trial.
#[derive(Clone, Copy, Debug)]
pub(super) struct Mark(usize);

impl PendingObligations {
    pub fn push(&mut self, obligation: Obligation) {
        let stamp = self.stamp();
        self.queued.push(self.entries.len());
        self.entries.push(Some(Entry {
            obligation,
            stamp,
            queued: true,
        }));
        self.live += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Every pending obligation, in registration order (those being retried are not among them).
    pub fn iter(&self) -> impl Iterator<Item = &Obligation> {
        self.entries.iter().flatten().map(|entry| &entry.obligation)
    }

    pub fn mark(&self) -> Mark {
        Mark(self.entries.len())
    }

    /// Drops the obligations registered since `mark` (a trial that was taken back).
    pub fn truncate(&mut self, mark: Mark) {
        let dropped = self.entries.drain(mark.0.min(self.entries.len())..);
        self.live -= dropped.flatten().count();
        self.queued.retain(|&id| id < mark.0);
    }

    /// Queues the obligations waiting on any of `vars` (variables bound or unbound since the
    /// last round).
    pub fn wake(&mut self, vars: &[u32]) {
        for var in vars {
            let Some(ids) = self.waiting.remove(var) else {
                continue;
            };
            for (id, stamp) in ids {
                self.queue_if_current(id, stamp);
            }
        }
    }

    /// Queues every pending obligation: before fallback, nothing may be left untried.
    pub fn wake_all(&mut self) {
        self.waiting.clear();
        for (id, entry) in self.entries.iter_mut().enumerate() {
            if let Some(entry) = entry
                && !entry.queued
            {
                entry.queued = true;
                self.queued.push(id);
            }
        }
    }

    /// The queued ids, in registration order, each taken out with its obligation.
    pub fn take_queued(&mut self) -> Vec<(usize, Obligation)> {
        let mut ids = std::mem::take(&mut self.queued);
        ids.sort_unstable();
        ids.dedup();
        let mut taken = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(entry) = self.entries.get_mut(id).and_then(Option::take) {
                self.live -= 1;
                taken.push((id, entry.obligation));
            }
        }
        taken
    }

    /// Puts back an obligation that is not settled yet, waiting on `vars`; with none it is
    /// queued again for the next round.
    pub fn put_back(&mut self, id: usize, obligation: Obligation, vars: &[u32]) {
        let stamp = self.stamp();
        let Some(slot) = self.entries.get_mut(id) else {
            return;
        };
        *slot = Some(Entry {
            obligation,
            stamp,
            queued: vars.is_empty(),
        });
        self.live += 1;
        if vars.is_empty() {
            self.queued.push(id);
        }
        for var in vars {
            self.waiting.entry(*var).or_default().push((id, stamp));
        }
    }

    fn queue_if_current(&mut self, id: usize, stamp: u64) {
        if let Some(Some(entry)) = self.entries.get_mut(id)
            && entry.stamp == stamp
            && !entry.queued
        {
            entry.queued = true;
            self.queued.push(id);
        }
    }

    fn stamp(&mut self) -> u64 {
        self.next_stamp += 1;
        self.next_stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ty::{InferVar, Predicate, TraitRef, Ty, VarKind};

    fn waiting_on(index: u32) -> Obligation {
        Obligation::Trait(Predicate {
            subject: Ty::Infer(InferVar {
                index,
                kind: VarKind::General,
            }),
            bound: TraitRef::new("Allocator", Vec::new()),
        })
    }

    /// Registers `count` obligations, one per variable, and files each under its variable.
    fn filed(count: u32) -> PendingObligations {
        let mut pending = PendingObligations::default();
        for index in 0..count {
            pending.push(waiting_on(index));
        }
        for (id, obligation) in pending.take_queued() {
            let var = id as u32;
            pending.put_back(id, obligation, &[var]);
        }
        pending
    }

    #[test]
    fn a_round_takes_only_what_a_changed_variable_wakes() {
        let mut pending = filed(1000);
        assert!(pending.take_queued().is_empty());
        pending.wake(&[7, 7, 500]);
        let ids: Vec<usize> = pending.take_queued().iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [7, 500]);
        assert_eq!(pending.iter().count(), 998);
    }

    #[test]
    fn an_obligation_waiting_on_nothing_is_tried_every_round() {
        let mut pending = PendingObligations::default();
        pending.push(waiting_on(0));
        for _ in 0..3 {
            let taken = pending.take_queued();
            assert_eq!(taken.len(), 1);
            for (id, obligation) in taken {
                pending.put_back(id, obligation, &[]);
            }
        }
    }

    #[test]
    fn a_truncated_trial_leaves_no_filing_behind() {
        let mut pending = filed(3);
        let mark = pending.mark();
        pending.push(waiting_on(1));
        pending.truncate(mark);
        pending.push(waiting_on(9));
        pending.wake(&[1]);
        let ids: Vec<usize> = pending.take_queued().iter().map(|(id, _)| *id).collect();
        // The new obligation (id 3) is queued because it is new, the old one on 1 because it
        // was woken; nothing of the truncated one remains.
        assert_eq!(ids, [1, 3]);
        // Those on 0 and 2 still wait; before fallback they are tried too.
        assert_eq!(pending.iter().count(), 2);
        pending.wake_all();
        assert_eq!(pending.take_queued().len(), 2);
    }
}
