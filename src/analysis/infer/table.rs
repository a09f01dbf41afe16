//! The unification table of one body: inference variables, what each is bound to, and an undo
//! log so that a trial unification (does this impl apply?) can be taken back.

use std::cell::Cell;

use crate::analysis::ty::{InferVar, MAX_TYPE_PARTS, Ty, VarKind};

/// Bounds on work per body, whatever the input.
const MAX_VARS: usize = 1 << 20;
const MAX_DEPTH: usize = 96;

#[derive(Clone, Debug)]
struct VarState {
    kind: VarKind,
    value: Option<Ty>,
}

/// What the occurs check found.
enum Occurs {
    No,
    Yes,
    /// The type is past [`MAX_TYPE_PARTS`]: the variable is bound to the too-large mark.
    TooLarge,
}

/// A point to roll back to.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    undo_len: usize,
    var_count: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    vars: Vec<VarState>,
    /// Variables bound since the start, in order, for rollback.
    undo: Vec<u32>,
    /// Variables bound or unbound (by a rollback) since [`Table::take_changed`] last ran: what
    /// may settle a waiting obligation.
    changed: Vec<u32>,
    /// Steps the current `unify` may still take: unifying two types whose variables share
    /// parts visits them once per path, which doubling generics make exponential.
    unify_steps_left: usize,
}

impl Table {
    pub fn new_var(&mut self, kind: VarKind) -> Ty {
        if self.vars.len() >= MAX_VARS {
            return Ty::Unknown(None);
        }
        let index = self.vars.len() as u32;
        self.vars.push(VarState { kind, value: None });
        Ty::Infer(InferVar { index, kind })
    }

    /// The variables bound or unbound since the last call.
    pub fn take_changed(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.changed)
    }

    /// The unbound variables in `ty` (through bound ones), each once.
    pub fn unbound_in(&self, ty: &Ty, vars: &mut Vec<u32>) {
        let mut found = Vec::new();
        let mut left = MAX_TYPE_PARTS;
        self.collect_unbound(ty, 0, &mut left, &mut found);
        for var in found {
            if !vars.contains(&var.index) {
                vars.push(var.index);
            }
        }
    }

    pub fn var_count(&self) -> usize {
        self.vars.len()
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            undo_len: self.undo.len(),
            var_count: self.vars.len(),
        }
    }

    pub fn rollback(&mut self, snapshot: Snapshot) {
        while self.undo.len() > snapshot.undo_len {
            if let Some(index) = self.undo.pop()
                && let Some(state) = self.vars.get_mut(index as usize)
            {
                state.value = None;
                self.changed.push(index);
            }
        }
        self.vars.truncate(snapshot.var_count);
    }

    fn bind(&mut self, index: u32, value: Ty) {
        if let Some(state) = self.vars.get_mut(index as usize) {
            state.value = Some(value);
            self.undo.push(index);
            self.changed.push(index);
        }
    }

    /// The kind a variable has now (an integer variable stays one once unified with another).
    fn kind(&self, index: u32) -> VarKind {
        self.vars
            .get(index as usize)
            .map_or(VarKind::General, |state| state.kind)
    }

    /// Whether `ty` is a general variable not bound yet (following bound ones), without
    /// building anything: the common state of an obligation still waiting.
    pub fn is_unbound_general(&self, ty: &Ty) -> bool {
        let mut current = ty;
        for _ in 0..MAX_DEPTH {
            let Ty::Infer(var) = current else {
                return false;
            };
            match self.vars.get(var.index as usize) {
                Some(VarState {
                    value: Some(value), ..
                }) => current = value,
                Some(state) => return state.kind == VarKind::General,
                None => return false,
            }
        }
        false
    }

    /// Follows bound variables at the top of `ty`.
    pub fn shallow(&self, ty: &Ty) -> Ty {
        let mut current = ty.clone();
        for _ in 0..MAX_DEPTH {
            let Ty::Infer(var) = &current else {
                return current;
            };
            match self
                .vars
                .get(var.index as usize)
                .and_then(|s| s.value.clone())
            {
                Some(value) => current = value,
                None => {
                    // Report the variable with its current kind.
                    return Ty::Infer(InferVar {
                        index: var.index,
                        kind: self.kind(var.index),
                    });
                }
            }
        }
        Ty::Unknown(None)
    }

    /// `ty` with every bound variable replaced by its value, everywhere inside; the too-large
    /// mark when that is past [`MAX_TYPE_PARTS`] (variables bound to pairs of variables bound to
    /// pairs… resolve to exponentially many parts).
    pub fn resolve(&self, ty: &Ty) -> Ty {
        let left = Cell::new(MAX_TYPE_PARTS);
        let resolved = self.resolve_within(ty, 0, &left);
        if left.get() == 0 {
            Ty::too_large()
        } else {
            resolved
        }
    }

    fn resolve_within(&self, ty: &Ty, depth: usize, left: &Cell<usize>) -> Ty {
        if depth > MAX_DEPTH {
            return Ty::Unknown(None);
        }
        if left.get() == 0 {
            return Ty::Unknown(None);
        }
        left.set(left.get() - 1);
        let top = self.shallow(ty);
        top.map_children(&|child| self.resolve_within(child, depth + 1, left))
    }

    /// Whether the variable `index` occurs in `ty` (binding it there would make an infinite
    /// type), walked through bound variables without building the resolved type.
    fn occurs(&self, index: u32, ty: &Ty) -> Occurs {
        let mut left = MAX_TYPE_PARTS;
        self.occurs_within(index, ty, 0, &mut left)
    }

    fn occurs_within(&self, index: u32, ty: &Ty, depth: usize, left: &mut usize) -> Occurs {
        if depth > MAX_DEPTH || *left == 0 {
            return Occurs::TooLarge;
        }
        *left -= 1;
        let top = self.shallow(ty);
        if matches!(&top, Ty::Infer(var) if var.index == index) {
            return Occurs::Yes;
        }
        for child in top.children() {
            match self.occurs_within(index, child, depth + 1, left) {
                Occurs::No => {}
                found => return found,
            }
        }
        Occurs::No
    }

    /// Makes `a` and `b` the same type; returns false when they cannot be (the bindings made on
    /// the way are kept: callers that only try take a snapshot first).
    pub fn unify(&mut self, a: &Ty, b: &Ty) -> bool {
        self.unify_steps_left = MAX_TYPE_PARTS;
        let unified = self.unify_within(a, b, 0);
        if self.unify_steps_left == 0 {
            // Types this large are past what memlens builds: what they leave open is unknown,
            // never an integer variable falling back to `i32`.
            self.poison_vars_in(a);
            self.poison_vars_in(b);
            return true;
        }
        unified
    }

    fn unify_within(&mut self, a: &Ty, b: &Ty, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if self.unify_steps_left == 0 {
            return true;
        }
        self.unify_steps_left -= 1;
        let a = self.shallow(a);
        let b = self.shallow(b);
        match (&a, &b) {
            (Ty::Infer(x), Ty::Infer(y)) => self.unify_vars(*x, *y),
            (Ty::Infer(var), other) | (other, Ty::Infer(var)) => self.bind_var(*var, other),
            // An unknown type is compatible with anything; what it meets is unknown too.
            (Ty::Unknown(_), other) | (other, Ty::Unknown(_)) => {
                self.poison_vars_in(other);
                true
            }
            _ => self.unify_structure(&a, &b, depth),
        }
    }

    fn unify_vars(&mut self, x: InferVar, y: InferVar) -> bool {
        if x.index == y.index {
            return true;
        }
        let (kx, ky) = (self.kind(x.index), self.kind(y.index));
        let kind = match (kx, ky) {
            (VarKind::General, other) | (other, VarKind::General) => other,
            (a, b) if a == b => a,
            _ => return false,
        };
        // Bind the general one to the specific one, so the integer kind survives.
        let (from, to) = if kx == VarKind::General {
            (x, y)
        } else {
            (y, x)
        };
        if let Some(state) = self.vars.get_mut(to.index as usize) {
            state.kind = kind;
        }
        self.bind(
            from.index,
            Ty::Infer(InferVar {
                index: to.index,
                kind,
            }),
        );
        true
    }

    fn bind_var(&mut self, var: InferVar, ty: &Ty) -> bool {
        let kind = self.kind(var.index);
        let fits = match kind {
            VarKind::General => true,
            VarKind::Int => matches!(ty, Ty::Int(_) | Ty::Unknown(_)),
            VarKind::Float => matches!(ty, Ty::Float(_) | Ty::Unknown(_)),
        };
        if !fits {
            return false;
        }
        match self.occurs(var.index, ty) {
            Occurs::No => self.bind(var.index, ty.clone()),
            Occurs::Yes => return false,
            Occurs::TooLarge => self.bind(var.index, Ty::too_large()),
        }
        true
    }

    fn unify_all(&mut self, a: &[Ty], b: &[Ty], depth: usize) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| self.unify_within(x, y, depth + 1))
    }

    fn unify_structure(&mut self, a: &Ty, b: &Ty, depth: usize) -> bool {
        match (a, b) {
            (Ty::Int(x), Ty::Int(y)) => x == y,
            (Ty::Float(x), Ty::Float(y)) => x == y,
            (Ty::Bool, Ty::Bool) | (Ty::Char, Ty::Char) | (Ty::Str, Ty::Str) => true,
            (Ty::Never, Ty::Never) => true,
            (Ty::Tuple(x), Ty::Tuple(y)) => self.unify_all(x, y, depth),
            (Ty::Array(x, n), Ty::Array(y, m)) => {
                // A length memlens could not evaluate (a const parameter) matches any length.
                (n.is_none() || m.is_none() || n == m) && self.unify_within(x, y, depth + 1)
            }
            (Ty::Slice(x), Ty::Slice(y)) => self.unify_within(x, y, depth + 1),
            (
                Ty::Ref {
                    mutable: mx,
                    pointee: x,
                },
                Ty::Ref {
                    mutable: my,
                    pointee: y,
                },
            )
            | (
                Ty::Ptr {
                    mutable: mx,
                    pointee: x,
                },
                Ty::Ptr {
                    mutable: my,
                    pointee: y,
                },
            ) => mx == my && self.unify_within(x, y, depth + 1),
            (Ty::Adt { name: x, args: xa }, Ty::Adt { name: y, args: ya }) => {
                x == y && self.unify_args(xa, ya, depth)
            }
            (
                Ty::FnPtr {
                    params: xp,
                    ret: xr,
                },
                Ty::FnPtr {
                    params: yp,
                    ret: yr,
                },
            ) => self.unify_all(xp, yp, depth) && self.unify_within(xr, yr, depth + 1),
            (Ty::FnItem(x), Ty::FnItem(y)) => x == y,
            (Ty::Closure { id: x, .. }, Ty::Closure { id: y, .. }) => x == y,
            (Ty::Param(x), Ty::Param(y)) => x == y,
            (Ty::Dyn(x), Ty::Dyn(y)) | (Ty::Opaque(x), Ty::Opaque(y)) => {
                let keys = |b: &crate::analysis::ty::Bounds| -> Vec<String> {
                    b.traits.iter().map(|t| t.key.clone()).collect()
                };
                keys(x) == keys(y)
                    && x.traits.iter().zip(&y.traits).all(|(p, q)| {
                        self.unify_all(&p.args, &q.args, depth)
                            && p.bindings.len() == q.bindings.len()
                            && p.bindings
                                .iter()
                                .zip(&q.bindings)
                                .all(|((_, s), (_, t))| self.unify_within(s, t, depth + 1))
                    })
            }
            (Ty::Assoc(x), Ty::Assoc(y)) => x == y,
            _ => false,
        }
    }

    /// ADT arguments; a list shorter by trailing defaults (`Vec<T>` against `Vec<T, Global>`)
    /// compares on the common part.
    fn unify_args(&mut self, a: &[Ty], b: &[Ty], depth: usize) -> bool {
        a.iter()
            .zip(b)
            .all(|(x, y)| self.unify_within(x, y, depth + 1))
    }

    /// Binds every unbound variable in `ty` to `Unknown`.
    pub(super) fn poison_vars_in(&mut self, ty: &Ty) {
        let mut vars = Vec::new();
        let mut left = MAX_TYPE_PARTS;
        self.collect_unbound(ty, 0, &mut left, &mut vars);
        for var in vars {
            self.set(var, Ty::Unknown(None));
        }
    }

    /// The unbound variables in `ty`, through bound ones, within `left` steps.
    fn collect_unbound(&self, ty: &Ty, depth: usize, left: &mut usize, vars: &mut Vec<InferVar>) {
        if depth > MAX_DEPTH || *left == 0 {
            return;
        }
        *left -= 1;
        match self.shallow(ty) {
            Ty::Infer(var) => vars.push(var),
            top => top
                .children()
                .into_iter()
                .for_each(|child| self.collect_unbound(child, depth + 1, left, vars)),
        }
    }

    /// Whether `ty` has no unbound variable left.
    pub fn is_resolved(&self, ty: &Ty) -> bool {
        !self
            .resolve(ty)
            .mentions(&|inner| matches!(inner, Ty::Infer(_)))
    }

    /// The unbound variables, with their kinds, for fallback.
    pub fn unbound(&self) -> Vec<InferVar> {
        self.vars
            .iter()
            .enumerate()
            .filter(|(_, state)| state.value.is_none())
            .map(|(index, state)| InferVar {
                index: index as u32,
                kind: state.kind,
            })
            .collect()
    }

    /// Binds an unbound variable outright (fallback, poisoning).
    pub fn set(&mut self, var: InferVar, ty: Ty) {
        let unbound = self
            .vars
            .get(var.index as usize)
            .is_some_and(|state| state.value.is_none());
        if unbound {
            self.bind(var.index, ty);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ty::IntTy;

    #[test]
    fn integer_variables_take_only_integers() {
        let mut table = Table::default();
        let x = table.new_var(VarKind::Int);
        assert!(!table.unify(&x, &Ty::Bool));
        assert!(table.unify(&x, &Ty::Int(IntTy::U8)));
        assert_eq!(table.resolve(&x), Ty::Int(IntTy::U8));
    }

    #[test]
    fn general_variables_keep_the_integer_kind() {
        let mut table = Table::default();
        let g = table.new_var(VarKind::General);
        let i = table.new_var(VarKind::Int);
        assert!(table.unify(&g, &i));
        assert!(!table.unify(&g, &Ty::string()));
        assert!(table.unify(&g, &Ty::Int(IntTy::Usize)));
        assert_eq!(table.resolve(&i), Ty::Int(IntTy::Usize));
    }

    #[test]
    fn rollback_forgets_trial_bindings() {
        let mut table = Table::default();
        let v = table.new_var(VarKind::General);
        let vec_v = Ty::vec_of(v.clone());
        let snapshot = table.snapshot();
        assert!(table.unify(&vec_v, &Ty::vec_of(Ty::Bool)));
        table.rollback(snapshot);
        assert!(matches!(table.resolve(&v), Ty::Infer(_)));
        assert!(!table.unify(&v, &Ty::vec_of(v.clone())), "occurs check");
    }
}
