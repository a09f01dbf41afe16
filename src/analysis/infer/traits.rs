//! Traits during inference: which impl applies, what an associated type is, and the obligations
//! that wait for more of the body to be known (`collect()` waits for its expected type).
//!
//! An impl is selected only when it is the one impl whose self type and trait arguments can
//! match and whose `where` clauses can hold; with several, inference waits, and a projection is
//! taken when all of them agree on it. Nothing is chosen by guessing.

use std::collections::HashMap;

use super::{InferCtx, Obligation};
use crate::analysis::ty::{FnSig, ImplData, Predicate, Projection, TraitRef, Ty};

/// How deep the check that an impl's `where` clauses hold may go.
const MAX_EVAL_DEPTH: usize = 4;
/// Candidates examined per question, at most.
const MAX_CANDIDATES: usize = 512;

/// Whether a type implements a trait, as far as memlens can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Holds {
    Yes,
    No,
    Maybe,
}

/// Traits every type (or every type memlens reasons about) implements for inference's purpose.
fn is_marker(key: &str) -> bool {
    matches!(
        key,
        "Sized" | "Send" | "Sync" | "Unpin" | "Copy" | "UnwindSafe" | "RefUnwindSafe" | "Freeze"
    )
}

fn is_fn_trait(key: &str) -> bool {
    matches!(key, "Fn" | "FnMut" | "FnOnce")
}

impl InferCtx<'_> {
    /// Replaces every generic parameter named in `generics` by a fresh variable (or by the
    /// argument given for it); returns the substitution.
    pub(super) fn fresh_substitution(
        &mut self,
        generics: &[crate::analysis::ty::GenericParam],
        given: &[(String, Ty)],
    ) -> HashMap<String, Ty> {
        let mut subst = HashMap::new();
        for (name, ty) in given {
            subst.insert(name.clone(), ty.clone());
        }
        for param in generics.iter().filter(|p| p.is_type()) {
            if !subst.contains_key(&param.name) {
                let var = self.new_var();
                subst.insert(param.name.clone(), var);
            }
        }
        subst
    }

    /// Instantiates a declared signature: parameters replaced by `subst`, `impl Trait`
    /// arguments by variables with their bounds as obligations, projections normalized.
    /// Returns the parameter types and the return type.
    pub(super) fn instantiate_sig(
        &mut self,
        sig: &FnSig,
        subst: &HashMap<String, Ty>,
        trait_key: Option<&str>,
    ) -> (Vec<Ty>, Ty) {
        let fill = |ty: &Ty| fill_projection_traits(ty, sig, trait_key, self.world);
        let params: Vec<Ty> = sig
            .params
            .iter()
            .map(|p| substitute(&fill(p), subst))
            .collect();
        let ret = substitute(&fill(&sig.ret), subst);
        for predicate in &sig.predicates {
            let subject = substitute(&fill(&predicate.subject), subst);
            let bound = predicate.bound.map_types(&|t| substitute(&fill(t), subst));
            self.add_predicate(subject, bound);
        }
        let params = params
            .into_iter()
            .map(|p| {
                let p = self.open_impl_trait(&p);
                self.normalize(&p)
            })
            .collect();
        let ret = self.normalize(&ret);
        (params, ret)
    }

    /// An `impl Trait` argument is a fresh variable that must implement its bounds.
    fn open_impl_trait(&mut self, ty: &Ty) -> Ty {
        match ty {
            Ty::Opaque(bounds) => {
                let var = self.new_var();
                for bound in &bounds.traits {
                    self.add_predicate(var.clone(), bound.clone());
                }
                var
            }
            other => other.clone(),
        }
    }

    /// Registers `subject: bound` (and its associated type bindings) as obligations.
    pub(super) fn add_predicate(&mut self, subject: Ty, bound: TraitRef) {
        if is_marker(&bound.key) {
            return;
        }
        let subject = self.normalize(&subject);
        let args = bound.args.iter().map(|arg| self.normalize(arg)).collect();
        let bound = TraitRef { args, ..bound };
        for (name, value) in &bound.bindings {
            let target = self.normalize(value);
            let mut trait_ref = bound.clone();
            trait_ref.bindings.clear();
            self.obligations.push(Obligation::Projection {
                base: subject.clone(),
                trait_ref,
                name: name.clone(),
                target,
            });
        }
        let mut trait_ref = bound;
        trait_ref.bindings.clear();
        self.obligations.push(Obligation::Trait(Predicate {
            subject,
            bound: trait_ref,
        }));
    }

    /// Replaces projections in `ty` by their value, or by a variable with an obligation.
    pub(super) fn normalize(&mut self, ty: &Ty) -> Ty {
        match ty {
            Ty::Assoc(projection) => {
                let base = self.normalize(&projection.base);
                match &projection.trait_ref {
                    Some(trait_ref) => {
                        let trait_ref = trait_ref.map_types(&|t| t.clone());
                        let args: Vec<Ty> =
                            trait_ref.args.iter().map(|a| self.normalize(a)).collect();
                        let trait_ref = TraitRef { args, ..trait_ref };
                        self.project(&base, trait_ref, &projection.name)
                    }
                    None => self.project_by_name(&base, &projection.name),
                }
            }
            Ty::Opaque(_) | Ty::Dyn(_) => ty.clone(),
            // std's signatures name its aliases (`io::Result<T>`): what they stand for.
            Ty::Adt { name, args } if !name.starts_with("::") => match self.world.alias(name) {
                Some(alias) => {
                    let expanded = alias.instantiate(args);
                    self.normalize(&expanded)
                }
                None => self.normalize_children(ty),
            },
            other => self.normalize_children(other),
        }
    }

    /// `ty` with each of its direct children normalized.
    fn normalize_children(&mut self, ty: &Ty) -> Ty {
        // `map_children` cannot take `&mut self`, so rebuild by hand.
        let children = direct_children(ty);
        if children.is_empty() {
            return ty.clone();
        }
        let normalized: Vec<Ty> = children.iter().map(|c| self.normalize(c)).collect();
        rebuild(ty, normalized)
    }

    /// `<base as trait_ref>::name`: now if it can be known, else a variable that an obligation
    /// fixes later.
    pub(super) fn project(&mut self, base: &Ty, trait_ref: TraitRef, name: &str) -> Ty {
        if let Some(ty) = self.try_project(base, &trait_ref, name) {
            return ty;
        }
        let target = self.new_var();
        self.obligations.push(Obligation::Projection {
            base: base.clone(),
            trait_ref,
            name: name.to_string(),
            target: target.clone(),
        });
        target
    }

    /// `T::Name` without a trait: the one trait of `T`'s bounds that has `Name`.
    fn project_by_name(&mut self, base: &Ty, name: &str) -> Ty {
        let base_now = self.shallow(base);
        if let Ty::Param(param) = &base_now {
            let found = self.predicates.iter().find_map(|p| {
                (p.subject == base_now && self.trait_declares_assoc(&p.bound.key, name))
                    .then(|| p.bound.clone())
            });
            if let Some(bound) = found {
                let trait_ref = self.declaring_trait(bound, name);
                return self.project(base, trait_ref, name);
            }
            return Ty::Assoc(Box::new(Projection {
                base: Ty::Param(param.clone()),
                trait_ref: None,
                name: name.to_string(),
            }));
        }
        Ty::Unknown(None)
    }

    /// The trait that declares `name` for a bound that has it: the bound's own trait, or the
    /// supertrait that declares it (`I: DoubleEndedIterator` makes `I::Item` `Iterator`'s) when
    /// that one takes no type arguments, which the bound would have to supply.
    fn declaring_trait(&self, bound: TraitRef, name: &str) -> TraitRef {
        match supertrait_declaring(self.world, Some(&bound.key), name) {
            Some(declaring)
                if declaring.key != bound.key
                    && self
                        .world
                        .trait_data(&declaring.key)
                        .is_some_and(|data| !data.generics.iter().any(|p| p.is_type())) =>
            {
                declaring
            }
            _ => bound,
        }
    }

    /// Whether the trait (or one of its supertraits) declares an associated type `name`.
    fn trait_declares_assoc(&self, key: &str, name: &str) -> bool {
        let mut pending = vec![key.to_string()];
        for _ in 0..16 {
            let Some(current) = pending.pop() else {
                return false;
            };
            let Some(data) = self.world.trait_data(&current) else {
                continue;
            };
            if data.assoc_types.iter().any(|a| a.name == name) {
                return true;
            }
            pending.extend(data.supertraits.iter().map(|t| t.key.clone()));
        }
        false
    }

    /// `<base as trait_ref>::name` if it can be told now.
    pub(super) fn try_project(
        &mut self,
        base: &Ty,
        trait_ref: &TraitRef,
        name: &str,
    ) -> Option<Ty> {
        let base_now = self.shallow(base);
        match &base_now {
            Ty::Infer(var) if var.kind == crate::analysis::ty::VarKind::General => return None,
            Ty::Unknown(_) => return Some(Ty::Unknown(None)),
            Ty::Param(_) => return Some(self.param_projection(&base_now, trait_ref, name)),
            Ty::Opaque(bounds) | Ty::Dyn(bounds) => {
                let found = bounds.traits.iter().find_map(|t| {
                    t.bindings
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, ty)| ty.clone())
                });
                return Some(found.unwrap_or(Ty::Unknown(None)));
            }
            _ => {}
        }
        if is_fn_trait(&trait_ref.key)
            && name == "Output"
            && let Some((_, ret)) = self.callable_sig(&base_now)
        {
            return Some(ret);
        }
        self.project_through_impls(&base_now, trait_ref, name)
    }

    /// A projection on a generic parameter: its bound's binding (`T: Iterator<Item = u8>`, or
    /// on a subtrait, `T: DoubleEndedIterator<Item = u8>`, which sets `Iterator`'s `Item`), else
    /// the projection itself, which stays rigid ("depends on `T`").
    fn param_projection(&self, base: &Ty, trait_ref: &TraitRef, name: &str) -> Ty {
        for predicate in &self.predicates {
            if predicate.subject == *base
                && let Some((_, ty)) = predicate.bound.bindings.iter().find(|(n, _)| n == name)
                && self.binding_sets(&predicate.bound.key, &trait_ref.key, name)
            {
                return ty.clone();
            }
        }
        Ty::Assoc(Box::new(Projection {
            base: base.clone(),
            trait_ref: Some(TraitRef {
                bindings: Vec::new(),
                ..trait_ref.clone()
            }),
            name: name.to_string(),
        }))
    }

    /// Whether a binding `name = ..` on a bound of trait `bound` sets `<_ as of>::name`: the
    /// same trait, or a subtrait that does not declare a `name` of its own.
    fn binding_sets(&self, bound: &str, of: &str, name: &str) -> bool {
        if bound == of {
            return true;
        }
        !declares_assoc(self.world, bound, name) && self.is_subtrait(bound, of)
    }

    fn project_through_impls(&mut self, base: &Ty, trait_ref: &TraitRef, name: &str) -> Option<Ty> {
        let Some(candidates) = self.matching_impls(base, trait_ref) else {
            return Some(Ty::Unknown(None));
        };
        match candidates.as_slice() {
            [] => Some(Ty::Unknown(None)),
            [only] => {
                let only = only.clone();
                let subst = self.commit_impl(&only, base, trait_ref);
                Some(self.impl_assoc_type(&only, &subst, base, name))
            }
            several => {
                // Several impls may apply: the projection is known only if they all agree. When
                // nothing in the question is left to infer, later uses cannot tell them apart
                // either: the answer is unknown now, rather than a variable a use would fix.
                let settled = !self
                    .resolve(&Ty::Tuple(
                        std::iter::once(base.clone())
                            .chain(trait_ref.args.iter().cloned())
                            .collect(),
                    ))
                    .mentions(&|t| matches!(t, Ty::Infer(_)));
                let undecided = if settled {
                    Some(Ty::Unknown(None))
                } else {
                    None
                };
                let mut agreed: Option<Ty> = None;
                for candidate in several {
                    let snapshot = self.table.snapshot();
                    let obligations = self.obligations.mark();
                    let subst = self.commit_impl(candidate, base, trait_ref);
                    let ty = self.impl_assoc_type(candidate, &subst, base, name);
                    let ty = self.resolve(&ty);
                    self.table.rollback(snapshot);
                    self.obligations.truncate(obligations);
                    if ty.mentions(&|t| matches!(t, Ty::Infer(_) | Ty::Unknown(_))) {
                        return undecided;
                    }
                    match &agreed {
                        None => agreed = Some(ty),
                        Some(previous) if *previous == ty => {}
                        Some(_) => return undecided,
                    }
                }
                agreed
            }
        }
    }

    /// The impl's value for associated type `name` (or the trait's default).
    fn impl_assoc_type(
        &mut self,
        imp: &ImplData,
        subst: &HashMap<String, Ty>,
        self_ty: &Ty,
        name: &str,
    ) -> Ty {
        if let Some(ty) = imp.assoc_type(name) {
            let ty = substitute(ty, subst);
            return self.normalize(&ty);
        }
        let default = imp
            .trait_ref
            .as_ref()
            .and_then(|t| self.world.trait_data(&t.key))
            .and_then(|data| data.assoc_types.iter().find(|a| a.name == name))
            .and_then(|a| a.default.clone());
        match default {
            Some(ty) => {
                let mut subst = subst.clone();
                subst.insert("Self".into(), self_ty.clone());
                let ty = substitute(&ty, &subst);
                self.normalize(&ty)
            }
            None => Ty::Unknown(None),
        }
    }

    /// Impls of the trait whose self type and trait arguments can match, and whose `where`
    /// clauses may hold; `None` when there are too many candidates to try.
    pub(super) fn matching_impls(
        &mut self,
        self_ty: &Ty,
        trait_ref: &TraitRef,
    ) -> Option<Vec<ImplData>> {
        let query: Vec<Ty> = std::iter::once(self.resolve(self_ty))
            .chain(trait_ref.args.iter().map(|arg| self.resolve(arg)))
            .collect();
        let impls = self.world.trait_impls(&trait_ref.key, &query);
        if impls.len() > MAX_CANDIDATES {
            return None;
        }
        let mut found = Vec::new();
        for imp in impls {
            if imp.negative {
                continue;
            }
            if self.impl_may_apply(imp, self_ty, trait_ref, MAX_EVAL_DEPTH) != Holds::No {
                found.push(imp.clone());
            }
        }
        Some(found)
    }

    /// Tries an impl in a snapshot: does it match, and can its `where` clauses hold?
    fn impl_may_apply(
        &mut self,
        imp: &ImplData,
        self_ty: &Ty,
        trait_ref: &TraitRef,
        depth: usize,
    ) -> Holds {
        let snapshot = self.table.snapshot();
        let subst = self.fresh_substitution(&imp.generics, &[]);
        let impl_self = substitute(&imp.self_ty, &subst);
        let mut holds = if self.table.unify(&impl_self, self_ty) {
            Holds::Yes
        } else {
            Holds::No
        };
        if holds == Holds::Yes
            && let Some(impl_trait) = &imp.trait_ref
        {
            for (ours, theirs) in trait_ref.args.iter().zip(&impl_trait.args) {
                let theirs = substitute(theirs, &subst);
                if !self.table.unify(ours, &theirs) {
                    holds = Holds::No;
                    break;
                }
            }
        }
        if holds == Holds::Yes && depth > 0 {
            for predicate in &imp.predicates {
                let subject = substitute(&predicate.subject, &subst);
                let bound = predicate.bound.map_types(&|t| substitute(t, &subst));
                match self.holds(&subject, &bound, depth - 1) {
                    Holds::No => {
                        holds = Holds::No;
                        break;
                    }
                    Holds::Maybe => holds = Holds::Maybe,
                    Holds::Yes => {}
                }
            }
        }
        self.table.rollback(snapshot);
        holds
    }

    /// Whether `ty: bound` holds.
    pub(super) fn holds(&mut self, ty: &Ty, bound: &TraitRef, depth: usize) -> Holds {
        if is_marker(&bound.key) {
            return Holds::Yes;
        }
        if bound.is_unresolved() {
            return Holds::Maybe;
        }
        let ty_now = self.shallow(ty);
        match &ty_now {
            Ty::Infer(_) | Ty::Unknown(_) => return Holds::Maybe,
            Ty::Param(_) => return self.param_holds(&ty_now, bound),
            Ty::Opaque(bounds) | Ty::Dyn(bounds) => {
                let direct = bounds
                    .traits
                    .iter()
                    .any(|t| self.is_subtrait(&t.key, &bound.key));
                if direct {
                    return Holds::Yes;
                }
            }
            Ty::Assoc(_) => return Holds::Maybe,
            _ => {}
        }
        if is_fn_trait(&bound.key) && self.callable_sig(&ty_now).is_some() {
            return Holds::Yes;
        }
        // A closure is `Clone` and `Copy` when its captures are; one that captures nothing is
        // both. Its body was checked where it was written, so whether it captures is known.
        if let Ty::Closure { id, .. } = &ty_now
            && matches!(bound.key.as_str(), "Clone" | "Copy")
        {
            return match self.closure_captures.get(*id as usize) {
                Some(false) => Holds::Yes,
                _ => Holds::Maybe,
            };
        }
        let query: Vec<Ty> = std::iter::once(ty_now.clone())
            .chain(bound.args.iter().map(|arg| self.resolve(arg)))
            .collect();
        let impls = self.world.trait_impls(&bound.key, &query);
        if impls.is_empty() && self.world.trait_data(&bound.key).is_none() {
            return Holds::Maybe;
        }
        // Too many to try: the answer is not known, not no.
        let mut answer = if impls.len() > MAX_CANDIDATES {
            Holds::Maybe
        } else {
            Holds::No
        };
        for imp in impls.into_iter().take(MAX_CANDIDATES) {
            if imp.negative {
                continue;
            }
            match self.impl_may_apply(imp, &ty_now, bound, depth) {
                Holds::Yes => return Holds::Yes,
                Holds::Maybe => answer = Holds::Maybe,
                Holds::No => {}
            }
        }
        answer
    }

    fn param_holds(&self, param: &Ty, bound: &TraitRef) -> Holds {
        let found = self
            .predicates
            .iter()
            .any(|p| p.subject == *param && self.is_subtrait(&p.bound.key, &bound.key));
        if found { Holds::Yes } else { Holds::No }
    }

    /// Whether trait `sub` is `sup` or has it among its supertraits.
    pub(super) fn is_subtrait(&self, sub: &str, sup: &str) -> bool {
        let mut pending = vec![sub.to_string()];
        for _ in 0..32 {
            let Some(current) = pending.pop() else {
                return false;
            };
            if current == sup {
                return true;
            }
            if let Some(data) = self.world.trait_data(&current) {
                pending.extend(data.supertraits.iter().map(|t| t.key.clone()));
            }
        }
        false
    }

    /// Commits to an impl: unifies it with the self type and trait arguments, and registers its
    /// `where` clauses. Returns the substitution of its generics.
    pub(super) fn commit_impl(
        &mut self,
        imp: &ImplData,
        self_ty: &Ty,
        trait_ref: &TraitRef,
    ) -> HashMap<String, Ty> {
        let subst = self.fresh_substitution(&imp.generics, &[]);
        let impl_self = substitute(&imp.self_ty, &subst);
        self.table.unify(&impl_self, self_ty);
        if let Some(impl_trait) = &imp.trait_ref {
            for (ours, theirs) in trait_ref.args.iter().zip(&impl_trait.args) {
                let theirs = substitute(theirs, &subst);
                let theirs = self.normalize(&theirs);
                self.table.unify(ours, &theirs);
            }
        }
        for predicate in &imp.predicates {
            let subject = substitute(&predicate.subject, &subst);
            let bound = predicate.bound.map_types(&|t| substitute(t, &subst));
            self.add_predicate(subject, bound);
        }
        subst
    }

    /// Processes pending obligations until no more progress is made.
    pub(super) fn select_obligations(&mut self) {
        for _ in 0..super::MAX_OBLIGATION_ROUNDS {
            if !self.select_round() {
                break;
            }
        }
    }

    /// Like [`Self::select_obligations`], cheaply: one round, for use after every statement.
    pub(super) fn select_obligations_quietly(&mut self) {
        if !self.obligations.is_empty() {
            self.select_obligations();
        }
    }

    /// Every pending obligation tried again, whatever it waits on (before fallback).
    pub(super) fn select_all_obligations(&mut self) {
        self.obligations.wake_all();
        self.select_obligations();
    }

    /// One pass over the obligations a binding since the last pass may settle; returns whether
    /// any was settled.
    fn select_round(&mut self) -> bool {
        let changed = self.table.take_changed();
        self.obligations.wake(&changed);
        let mut progress = false;
        for (id, obligation) in self.obligations.take_queued() {
            if self.try_settle(&obligation) {
                progress = true;
            } else {
                let vars = self.waited_on(&obligation);
                self.obligations.put_back(id, obligation, &vars);
            }
        }
        progress
    }

    /// The unbound variables whose binding may settle `obligation`.
    fn waited_on(&self, obligation: &Obligation) -> Vec<u32> {
        let mut vars = Vec::new();
        let (head, trait_ref) = match obligation {
            Obligation::Trait(predicate) => (&predicate.subject, &predicate.bound),
            Obligation::Projection {
                base, trait_ref, ..
            } => (base, trait_ref),
        };
        self.table.unbound_in(head, &mut vars);
        let bound_types = trait_ref.bindings.iter().map(|(_, ty)| ty);
        for ty in trait_ref.args.iter().chain(bound_types) {
            self.table.unbound_in(ty, &mut vars);
        }
        vars
    }

    /// Settles one obligation if it can be now.
    fn try_settle(&mut self, obligation: &Obligation) -> bool {
        match obligation {
            Obligation::Projection {
                base,
                trait_ref,
                name,
                target,
            } => match self.try_project(base, trait_ref, name) {
                Some(ty) => {
                    self.unify(target, &ty);
                    true
                }
                None => false,
            },
            Obligation::Trait(predicate) => self.try_select(predicate),
        }
    }

    /// A trait obligation: settled when the self type's impl is the only candidate (committing to
    /// it lets its `where` clauses and trait arguments inform inference), or when it holds for
    /// reasons that teach nothing (a generic bound, a builtin impl).
    fn try_select(&mut self, predicate: &Predicate) -> bool {
        if self.table.is_unbound_general(&predicate.subject) {
            return false;
        }
        let subject = self.shallow(&predicate.subject);
        match &subject {
            // An integer or float variable can still select among the impls for numbers.
            Ty::Infer(var) if var.kind == crate::analysis::ty::VarKind::General => return false,
            Ty::Unknown(_) | Ty::Param(_) | Ty::Opaque(_) | Ty::Dyn(_) | Ty::Assoc(_) => {
                return true;
            }
            _ => {}
        }
        if is_fn_trait(&predicate.bound.key)
            && let Some((params, _)) = self.callable_sig(&subject)
        {
            if let Some(args) = predicate.bound.args.first() {
                self.unify(args, &Ty::Tuple(params));
            }
            return true;
        }
        let Some(candidates) = self.matching_impls(&subject, &predicate.bound) else {
            return false;
        };
        match candidates.as_slice() {
            [] => true,
            [only] => {
                let only = only.clone();
                self.commit_impl(&only, &subject, &predicate.bound);
                true
            }
            _ => false,
        }
    }
}

/// Replaces generic parameters by their substitution; past `MAX_TYPE_PARTS` the result is the
/// too-large mark.
pub(super) fn substitute(ty: &Ty, subst: &HashMap<String, Ty>) -> Ty {
    substitute_unbounded(ty, subst).within_part_limit()
}

fn substitute_unbounded(ty: &Ty, subst: &HashMap<String, Ty>) -> Ty {
    match ty {
        Ty::Param(name) => subst.get(name).cloned().unwrap_or_else(|| ty.clone()),
        other => other.map_children(&|child| substitute_unbounded(child, subst)),
    }
}

/// Projections on `Self` or a parameter that name no trait get the trait that declares them:
/// the method's own trait for `Self::Item`, a bound of the parameter for `F::Err`.
fn fill_projection_traits(
    ty: &Ty,
    sig: &FnSig,
    trait_key: Option<&str>,
    world: &super::World<'_>,
) -> Ty {
    match ty {
        Ty::Assoc(projection) if projection.trait_ref.is_none() => {
            let base = fill_projection_traits(&projection.base, sig, trait_key, world);
            let declares = |key: &str| declares_assoc(world, key, &projection.name);
            let from_bounds = sig.predicates.iter().find_map(|p| {
                (p.subject == base && declares(&p.bound.key)).then(|| TraitRef {
                    bindings: Vec::new(),
                    ..p.bound.clone()
                })
            });
            let trait_ref = match (&base, trait_key) {
                (Ty::Param(name), Some(key)) if name == "Self" && declares(key) => {
                    Some(TraitRef::new(key, trait_params_of(world, key)))
                }
                _ => {
                    from_bounds.or_else(|| supertrait_declaring(world, trait_key, &projection.name))
                }
            };
            Ty::Assoc(Box::new(Projection {
                base,
                trait_ref,
                name: projection.name.clone(),
            }))
        }
        other => other.map_children(&|child| fill_projection_traits(child, sig, trait_key, world)),
    }
}

/// A trait's own parameters as types, for `Self::Item` inside it.
fn trait_params_of(world: &super::World<'_>, key: &str) -> Vec<Ty> {
    world
        .trait_data(key)
        .map(|data| {
            data.generics
                .iter()
                .filter(|p| p.is_type())
                .map(|p| Ty::Param(p.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the trait itself (not a supertrait) declares an associated type `name`.
fn declares_assoc(world: &super::World<'_>, key: &str, name: &str) -> bool {
    world
        .trait_data(key)
        .is_some_and(|data| data.assoc_types.iter().any(|a| a.name == name))
}

/// The supertrait of `trait_key` that declares the associated type `name` (`Self::Item` in a
/// method of `DoubleEndedIterator` is `Iterator`'s).
fn supertrait_declaring(
    world: &super::World<'_>,
    trait_key: Option<&str>,
    name: &str,
) -> Option<TraitRef> {
    let mut pending = vec![trait_key?.to_string()];
    for _ in 0..16 {
        let current = pending.pop()?;
        let data = world.trait_data(&current)?;
        if data.assoc_types.iter().any(|a| a.name == name) {
            return Some(TraitRef::new(&current, Vec::new()));
        }
        pending.extend(data.supertraits.iter().map(|t| t.key.clone()));
    }
    None
}

/// The types directly inside a type, in the order [`rebuild`] takes them back.
fn direct_children(ty: &Ty) -> Vec<Ty> {
    match ty {
        Ty::Tuple(items) => items.clone(),
        Ty::Array(element, _) | Ty::Slice(element) => vec![(**element).clone()],
        Ty::Ref { pointee, .. } | Ty::Ptr { pointee, .. } => vec![(**pointee).clone()],
        Ty::Adt { args, .. } => args.clone(),
        Ty::FnPtr { params, ret } => {
            let mut all = params.clone();
            all.push((**ret).clone());
            all
        }
        _ => Vec::new(),
    }
}

fn rebuild(ty: &Ty, children: Vec<Ty>) -> Ty {
    let mut children = children.into_iter();
    let mut next = || children.next().unwrap_or(Ty::Unknown(None));
    match ty {
        Ty::Tuple(items) => Ty::Tuple(items.iter().map(|_| next()).collect()),
        Ty::Array(_, len) => Ty::Array(Box::new(next()), *len),
        Ty::Slice(_) => Ty::Slice(Box::new(next())),
        Ty::Ref { mutable, .. } => Ty::Ref {
            mutable: *mutable,
            pointee: Box::new(next()),
        },
        Ty::Ptr { mutable, .. } => Ty::Ptr {
            mutable: *mutable,
            pointee: Box::new(next()),
        },
        Ty::Adt { name, args } => Ty::Adt {
            name: name.clone(),
            args: args.iter().map(|_| next()).collect(),
        },
        Ty::FnPtr { params, .. } => {
            let params = params.iter().map(|_| next()).collect();
            Ty::FnPtr {
                params,
                ret: Box::new(next()),
            }
        }
        other => other.clone(),
    }
}
