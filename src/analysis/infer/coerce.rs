//! Coercions at coercion sites (`let` with a type, arguments, fields, returns): `!` to anything,
//! `&mut T` to `&T`, deref coercion (`&String` to `&str`, `&Vec<T>` to `&[T]`), unsizing
//! (`&[T; N]` to `&[T]`, `Box<T>` to `Box<dyn Trait>`), fn items and non-capturing closures to
//! fn pointers.

use super::InferCtx;
use crate::analysis::ty::Ty;

impl InferCtx<'_> {
    /// Coerces a value of type `actual` to `target`; unifies when no coercion applies.
    pub(super) fn coerce(&mut self, actual: &Ty, target: &Ty) -> bool {
        let from = self.shallow(actual);
        let to = self.shallow(target);
        if matches!(from, Ty::Never) {
            return true;
        }
        match (&from, &to) {
            (
                Ty::Ref {
                    mutable: from_mut,
                    pointee: from_pointee,
                },
                Ty::Ref {
                    mutable: to_mut,
                    pointee: to_pointee,
                },
            ) if *from_mut || !*to_mut => self.coerce_pointee(from_pointee, to_pointee),
            (
                Ty::Ref {
                    mutable: from_mut,
                    pointee: from_pointee,
                }
                | Ty::Ptr {
                    mutable: from_mut,
                    pointee: from_pointee,
                },
                Ty::Ptr {
                    mutable: to_mut,
                    pointee: to_pointee,
                },
            ) if *from_mut || !*to_mut => self.coerce_unsized(from_pointee, to_pointee),
            (
                Ty::Adt {
                    name: from_name,
                    args: from_args,
                },
                Ty::Adt {
                    name: to_name,
                    args: to_args,
                },
            ) if from_name == to_name
                && matches!(from_name.as_str(), "Box" | "Rc" | "Arc")
                && !from_args.is_empty()
                && !to_args.is_empty() =>
            {
                self.coerce_unsized(&from_args[0], &to_args[0])
            }
            (Ty::FnItem(_) | Ty::Closure { .. }, Ty::FnPtr { params, ret }) => {
                match self.callable_sig(&from) {
                    Some((from_params, from_ret)) => {
                        let as_ptr = Ty::FnPtr {
                            params: from_params,
                            ret: Box::new(from_ret),
                        };
                        self.unify(
                            &as_ptr,
                            &Ty::FnPtr {
                                params: params.clone(),
                                ret: ret.clone(),
                            },
                        )
                    }
                    None => true,
                }
            }
            _ => self.unify(&from, &to),
        }
    }

    /// `&A` to `&B`: the same pointee, an unsizing, or a deref coercion through `A`'s derefs.
    fn coerce_pointee(&mut self, from: &Ty, to: &Ty) -> bool {
        let snapshot = self.table.snapshot();
        if self.table.unify(from, to) {
            return true;
        }
        self.table.rollback(snapshot);
        if self.try_unsize(from, to) {
            return true;
        }
        let to_now = self.shallow(to);
        if !matches!(to_now, Ty::Infer(_)) {
            let steps = self.autoderef_steps(from);
            for step in steps.iter().skip(1) {
                let snapshot = self.table.snapshot();
                if self.table.unify(step, &to_now) {
                    return true;
                }
                self.table.rollback(snapshot);
            }
        }
        self.unify(from, to)
    }

    /// `[T; N]` to `[T]`, `T` to `dyn Trait`.
    fn coerce_unsized(&mut self, from: &Ty, to: &Ty) -> bool {
        let snapshot = self.table.snapshot();
        if self.table.unify(from, to) {
            return true;
        }
        self.table.rollback(snapshot);
        if self.try_unsize(from, to) {
            return true;
        }
        self.unify(from, to)
    }

    fn try_unsize(&mut self, from: &Ty, to: &Ty) -> bool {
        match (self.shallow(from), self.shallow(to)) {
            (Ty::Array(element, _), Ty::Slice(target)) => self.unify(&element, &target),
            (from_now, Ty::Dyn(_)) => !matches!(from_now, Ty::Dyn(_) | Ty::Infer(_)),
            _ => false,
        }
    }
}
