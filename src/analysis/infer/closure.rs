//! Closures: parameter and return types from what the closure is passed to (an `Fn` bound, a
//! fn pointer), from annotations, or from the body; each closure is its own type.

use super::{ClosureSig, InferCtx, Obligation};
use crate::analysis::ty::Ty;

impl InferCtx<'_> {
    pub(super) fn check_closure(
        &mut self,
        closure: &syn::ExprClosure,
        expected: Option<&Ty>,
    ) -> Ty {
        // Passed where memlens does not know what is wanted: its parameters are unknown too, not
        // whatever the body happens to do with them.
        let unknown_context = expected.is_some_and(|e| {
            matches!(self.shallow(e), Ty::Unknown(_)) || self.has_unresolved_bound(e)
        });
        let deduced = if unknown_context {
            Some((
                vec![Ty::Unknown(None); closure.inputs.len()],
                Some(Ty::Unknown(None)),
            ))
        } else {
            expected.and_then(|e| self.expected_closure_sig(e))
        };
        let mut params = Vec::new();
        for (index, input) in closure.inputs.iter().enumerate() {
            let written = match input {
                syn::Pat::Type(typed) => Some(self.lower_annotation(&typed.ty)),
                _ => None,
            };
            let from_expected = deduced.as_ref().and_then(|(p, _)| p.get(index).cloned());
            let ty = match (written, from_expected) {
                (Some(written), Some(expected)) => {
                    self.unify(&written, &expected);
                    written
                }
                (Some(written), None) => written,
                (None, Some(expected)) => expected,
                (None, None) => self.new_var(),
            };
            params.push(ty);
        }
        let ret = match &closure.output {
            syn::ReturnType::Type(_, ty) => self.lower_annotation(ty),
            syn::ReturnType::Default => deduced
                .as_ref()
                .and_then(|(_, r)| r.clone())
                .unwrap_or_else(|| self.new_var()),
        };
        let id = self.closures.len() as u32;
        self.closures.push(ClosureSig {
            params: params.clone(),
            ret: ret.clone(),
        });
        self.closure_captures.push(false);
        self.closure_starts.push((id, self.locals.len()));
        let saved_loops = std::mem::take(&mut self.loops);
        self.scoped(|cx| {
            for (input, ty) in closure.inputs.iter().zip(&params) {
                let pat = match input {
                    syn::Pat::Type(typed) => &*typed.pat,
                    other => other,
                };
                cx.check_pat(pat, ty, super::pat::BindingMode::Move);
            }
            cx.returns.push(ret.clone());
            let body = cx.check_expr(&closure.body, Some(&ret));
            cx.coerce(&body, &ret);
            cx.returns.pop();
        });
        self.loops = saved_loops;
        self.closure_starts.pop();
        Ty::Closure {
            id,
            captures: Vec::new(),
        }
    }

    /// The parameter types (and return type, if known) a closure must have where `expected` is
    /// wanted: a fn pointer, or a variable with `Fn`-family obligations on it.
    /// Whether what the closure is passed to is bound by a trait memlens could not resolve
    /// (which may be the `Fn` trait that fixes its parameters).
    fn has_unresolved_bound(&self, expected: &Ty) -> bool {
        match self.shallow(expected) {
            Ty::Infer(var) => self.obligations.iter().any(|obligation| {
                matches!(obligation, Obligation::Trait(predicate)
                    if predicate.bound.is_unresolved()
                        && matches!(self.shallow(&predicate.subject), Ty::Infer(v) if v.index == var.index))
            }),
            Ty::Opaque(bounds) => bounds.traits.iter().any(|t| t.is_unresolved()),
            Ty::Param(_) => self
                .predicates
                .iter()
                .any(|p| p.subject == self.shallow(expected) && p.bound.is_unresolved()),
            _ => false,
        }
    }

    fn expected_closure_sig(&self, expected: &Ty) -> Option<(Vec<Ty>, Option<Ty>)> {
        let expected = self.shallow(expected);
        if let Some((params, ret)) = self.callable_sig(&expected) {
            return Some((params, Some(ret)));
        }
        let Ty::Infer(var) = expected else {
            return None;
        };
        let is_var = |ty: &Ty| matches!(self.shallow(ty), Ty::Infer(v) if v.index == var.index);
        let mut params = None;
        let mut ret = None;
        for obligation in self.obligations.iter() {
            match obligation {
                Obligation::Trait(predicate)
                    if is_var(&predicate.subject) && is_fn_family(&predicate.bound.key) =>
                {
                    if let Some(Ty::Tuple(items)) =
                        predicate.bound.args.first().map(|a| self.shallow(a))
                    {
                        params = Some(items);
                    }
                }
                Obligation::Projection {
                    base,
                    trait_ref,
                    name,
                    target,
                } if is_var(base) && is_fn_family(&trait_ref.key) && name == "Output" => {
                    ret = Some(target.clone());
                }
                _ => {}
            }
        }
        params.map(|params| (params, ret))
    }

    /// Notes that a local defined at `index` among the locals is used: closures started after
    /// it capture it.
    pub(super) fn note_local_use(&mut self, index: usize) {
        for &(id, start) in &self.closure_starts {
            if index < start
                && let Some(flag) = self.closure_captures.get_mut(id as usize)
            {
                *flag = true;
            }
        }
    }
}

fn is_fn_family(key: &str) -> bool {
    matches!(key, "Fn" | "FnMut" | "FnOnce")
}
