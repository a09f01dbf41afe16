//! Method calls: the receiver is dereferenced step by step (references, `Box`, `Deref` impls, an
//! array's unsizing to a slice); at each step the method is looked for by value, then behind
//! `&`, then behind `&mut`, among inherent impls first and then the traits in scope, as rustc
//! probes. A call that matches nothing, or matches several traits, is unknown.

use std::collections::HashMap;

use super::InferCtx;
use super::traits::{Holds, substitute};
use crate::analysis::items::def_map::{Res, StdDef};
use crate::analysis::ty::{FloatTy, FnSig, IntTy, Receiver, TraitRef, Ty, VarKind};

/// How many dereferences a receiver may go through.
const MAX_AUTODEREF: usize = 12;

/// std's prelude traits, whose methods are in scope everywhere.
const PRELUDE_TRAITS: &[&str] = &[
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "Clone",
    "ToOwned",
    "ToString",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "Default",
    "PartialEq",
    "PartialOrd",
    "Ord",
    "Eq",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "FromIterator",
    "TryFrom",
    "TryInto",
];

/// The method a call resolved to, before its signature is instantiated.
#[derive(Clone, Debug)]
pub(super) struct MethodPick {
    pub sig: FnSig,
    /// The type whose method it is (the autoderef step), before autoref.
    pub self_ty: Ty,
    /// The substitution of the impl's generics (inherent) or of `Self` and the trait's
    /// generics (trait methods).
    pub subst: HashMap<String, Ty>,
    pub trait_key: Option<String>,
}

/// How the receiver is taken at a step: as it is, or behind `&`/`&mut`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Autoref {
    None,
    Shared,
    Mut,
}

impl InferCtx<'_> {
    pub(super) fn check_method_call(
        &mut self,
        call: &syn::ExprMethodCall,
        expected: Option<&Ty>,
    ) -> Ty {
        let receiver = self.check_expr(&call.receiver, None);
        let name = crate::analysis::items::item_tree::unraw(&call.method);
        let turbofish = self.turbofish_args(call.turbofish.as_ref());
        let Some(pick) = self.lookup_method(&receiver, &name) else {
            // A method memlens cannot see may constrain its receiver and arguments any way.
            self.poison(&receiver);
            for arg in &call.args {
                let ty = self.check_expr(arg, Some(&Ty::Unknown(None)));
                self.poison(&ty);
            }
            return Ty::Unknown(None);
        };
        let mut subst = pick.subst.clone();
        let own: Vec<String> = pick.sig.own_type_params().map(|p| p.name.clone()).collect();
        for (param, arg) in own.iter().zip(turbofish) {
            subst.insert(param.clone(), arg);
        }
        let subst = {
            let generics = pick.sig.generics.clone();
            let given: Vec<(String, Ty)> = subst.into_iter().collect();
            self.fresh_substitution(&generics, &given)
        };
        let (params, ret) = self.instantiate_sig(&pick.sig, &subst, pick.trait_key.as_deref());
        if let Some(expected) = expected {
            // The expected type informs the return type before the arguments are checked, as
            // rustc's expectation does (`let v: Vec<u8> = it.collect();`).
            let snapshot = self.table.snapshot();
            if !self.table.unify(&ret, expected) {
                self.table.rollback(snapshot);
            }
        }
        self.check_args(&call.args, &params);
        self.methods.insert(
            super::expr_key(&syn::Expr::MethodCall(call.clone())),
            super::MethodCallee {
                name,
                self_ty: pick.self_ty.clone(),
                trait_key: pick.trait_key.clone(),
            },
        );
        ret
    }

    /// Checks call arguments against parameter types (coercion sites); extra arguments of a
    /// mismatched arity are checked without expectation.
    ///
    /// As rustc does, closures come last, after the obligations the other arguments and the
    /// signature settled: `find(|e| …)` on a `FilterMap` wants `&Self::Item`, which is known only
    /// once the item type's obligations are selected; checked before, the closure's parameter
    /// would take whatever its body first does with it (`&str` for rustc's `&&str`).
    pub(super) fn check_args(
        &mut self,
        args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
        params: &[Ty],
    ) {
        let is_closure = |arg: &syn::Expr| matches!(arg, syn::Expr::Closure(_));
        for closures in [false, true] {
            if closures {
                self.select_obligations_quietly();
            }
            for (index, arg) in args.iter().enumerate() {
                if is_closure(arg) != closures {
                    continue;
                }
                match params.get(index) {
                    Some(param) if args.len() == params.len() => {
                        self.check_coerce(arg, param);
                    }
                    _ => {
                        let ty = self.check_expr(arg, Some(&Ty::Unknown(None)));
                        self.poison(&ty);
                    }
                }
            }
        }
        self.select_obligations_quietly();
    }

    /// Turbofish arguments: `collect::<Vec<_>>()`.
    pub(super) fn turbofish_args(
        &mut self,
        turbofish: Option<&syn::AngleBracketedGenericArguments>,
    ) -> Vec<Ty> {
        let Some(turbofish) = turbofish else {
            return Vec::new();
        };
        turbofish
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(self.lower_annotation(ty)),
                _ => None,
            })
            .collect()
    }

    /// Finds the method `name` for a receiver of type `receiver`.
    pub(super) fn lookup_method(&mut self, receiver: &Ty, name: &str) -> Option<MethodPick> {
        if let Ty::Infer(var) = self.resolve(receiver)
            && var.kind != VarKind::General
        {
            return self.numeric_var_pick(&Ty::Infer(var), var.kind, name);
        }
        let steps = self.autoderef_steps(receiver);
        for step in &steps {
            for adjusted in adjusted_receivers(step) {
                let candidates = receiver_candidates(&adjusted);
                for (self_ty, taken) in &candidates {
                    if let Some(pick) = self.inherent_pick(self_ty, *taken, name) {
                        return Some(pick);
                    }
                }
                for (self_ty, taken) in &candidates {
                    match self.trait_pick(self_ty, *taken, name) {
                        TraitPick::Found(pick) => return Some(*pick),
                        TraitPick::Ambiguous => return None,
                        TraitPick::None => {}
                    }
                }
            }
        }
        self.typed_receiver_pick(&steps, name)
    }

    /// A method on a literal whose type is not fixed yet (`min_cap.max(cap)`, `n.cmp(&m)`): as
    /// rustc probes, no inherent method applies (`x.pow(2)` is E0689, ambiguous numeric type),
    /// only a method of a trait in scope that some integer (float) type may implement, taken
    /// by value, else behind `&`, else behind `&mut`. Its arguments may then fix the literal's
    /// type (`other: Self`).
    fn numeric_var_pick(&mut self, var: &Ty, kind: VarKind, name: &str) -> Option<MethodPick> {
        let types: Vec<Ty> = match kind {
            VarKind::Int => IntTy::ALL.iter().map(|&int| Ty::Int(int)).collect(),
            VarKind::Float => [FloatTy::F32, FloatTy::F64].map(Ty::Float).to_vec(),
            VarKind::General => return None,
        };
        let traits = self.candidate_traits(var);
        for autoref in [Autoref::None, Autoref::Shared, Autoref::Mut] {
            let with_method: Vec<&String> = traits
                .iter()
                .filter(|key| self.trait_method_fits(key, name, autoref))
                .collect();
            let mut fitting = Vec::new();
            for key in with_method {
                if types.iter().any(|ty| self.may_implement(ty, key)) {
                    fitting.push(key.clone());
                }
            }
            match fitting.as_slice() {
                [] => continue,
                [only] => return self.trait_method_pick(var, only, name),
                _ => return None,
            }
        }
        None
    }

    /// Whether trait `key` has a stable method `name` taking `self` the way `autoref` gives it.
    fn trait_method_fits(&self, key: &str, name: &str, autoref: Autoref) -> bool {
        let Some(data) = self.world.trait_data(key) else {
            return false;
        };
        data.method(name).is_some_and(|method| {
            method.stable && receiver_fits(method.sig.receiver.as_ref(), autoref)
        })
    }

    /// Whether `ty` may implement trait `key` for some arguments, leaving no trace in the table.
    fn may_implement(&mut self, ty: &Ty, key: &str) -> bool {
        let Some(data) = self.world.trait_data(key) else {
            return false;
        };
        let type_params = data.generics.iter().filter(|p| p.is_type()).count();
        let snapshot = self.table.snapshot();
        let args: Vec<Ty> = (0..type_params).map(|_| self.new_var()).collect();
        let holds = self.holds(ty, &TraitRef::new(key, args), 3);
        self.table.rollback(snapshot);
        holds != Holds::No
    }

    /// A method taking `self: Box<Self>`, `self: Rc<Self>`, `self: Pin<&mut Self>`: found on a
    /// dereferenced step, whose written receiver type is the receiver as it was.
    fn typed_receiver_pick(&mut self, steps: &[Ty], name: &str) -> Option<MethodPick> {
        let receiver = steps.first()?.clone();
        for step in steps.iter().skip(1) {
            let Some(head) = step.head() else {
                continue;
            };
            for imp in self.world.inherent_impls(&head) {
                let Some(method) = imp.method(name) else {
                    continue;
                };
                let Some(Receiver::Typed(written)) = &method.sig.receiver else {
                    continue;
                };
                let snapshot = self.table.snapshot();
                let mut subst = self.fresh_substitution(&imp.generics, &[]);
                let impl_self = substitute(&imp.self_ty, &subst);
                subst.insert("Self".into(), impl_self.clone());
                let written = substitute(written, &subst);
                if self.table.unify(&impl_self, step) && self.table.unify(&written, &receiver) {
                    subst.remove("Self");
                    return Some(MethodPick {
                        sig: method.sig.clone(),
                        self_ty: step.clone(),
                        subst,
                        trait_key: None,
                    });
                }
                self.table.rollback(snapshot);
            }
        }
        None
    }

    /// The receiver and what it dereferences to, in order; an array also unsizes to a slice.
    pub(super) fn autoderef_steps(&mut self, receiver: &Ty) -> Vec<Ty> {
        let mut steps = Vec::new();
        let mut current = self.resolve(receiver);
        for _ in 0..MAX_AUTODEREF {
            if matches!(current, Ty::Infer(_) | Ty::Unknown(_)) {
                break;
            }
            steps.push(current.clone());
            match self.deref_once(&current) {
                Some(next) => current = self.resolve(&next),
                None => break,
            }
        }
        if let Some(Ty::Array(element, _)) = steps.last() {
            let slice = Ty::Slice(element.clone());
            steps.push(slice);
        }
        steps
    }

    /// `*ty`: a reference's or `Box`'s pointee, or a `Deref` impl's `Target`.
    pub(super) fn deref_once(&mut self, ty: &Ty) -> Option<Ty> {
        match self.shallow(ty) {
            Ty::Ref { pointee, .. } | Ty::Ptr { pointee, .. } => Some(*pointee),
            Ty::Adt { name, args } if name == "Box" => args.first().cloned(),
            Ty::Infer(_) | Ty::Unknown(_) | Ty::Param(_) => None,
            other => {
                let target =
                    self.try_project(&other, &TraitRef::new("Deref", Vec::new()), "Target")?;
                (!target.is_unknown()).then_some(target)
            }
        }
    }

    /// An inherent method of the step's type that takes `self` the way `autoref` gives it.
    fn inherent_pick(&mut self, step: &Ty, autoref: Autoref, name: &str) -> Option<MethodPick> {
        let head = step.head()?;
        let impls = self.world.inherent_impls(&head);
        for imp in impls {
            let Some(method) = imp.method(name) else {
                continue;
            };
            if !method.stable || !receiver_fits(method.sig.receiver.as_ref(), autoref) {
                continue;
            }
            let snapshot = self.table.snapshot();
            let subst = self.fresh_substitution(&imp.generics, &[]);
            let impl_self = substitute(&imp.self_ty, &subst);
            if !self.table.unify(&impl_self, step) {
                self.table.rollback(snapshot);
                continue;
            }
            return Some(MethodPick {
                sig: method.sig.clone(),
                self_ty: step.clone(),
                subst,
                trait_key: None,
            });
        }
        None
    }

    /// A trait method: the traits in scope (and the step's own bounds) that have the method and
    /// that the step's type may implement.
    fn trait_pick(&mut self, step: &Ty, autoref: Autoref, name: &str) -> TraitPick {
        let mut found: Vec<(String, Holds)> = Vec::new();
        for key in self.candidate_traits(step) {
            let Some(data) = self.world.trait_data(&key) else {
                continue;
            };
            let Some(method) = data.method(name) else {
                continue;
            };
            if !method.stable || !receiver_fits(method.sig.receiver.as_ref(), autoref) {
                continue;
            }
            let args: Vec<Ty> = data
                .generics
                .iter()
                .filter(|p| p.is_type())
                .map(|_| self.new_var())
                .collect();
            let holds = self.holds(step, &TraitRef::new(&key, args), 3);
            if holds != Holds::No && !found.iter().any(|(k, _)| *k == key) {
                found.push((key, holds));
            }
        }
        let sure: Vec<&(String, Holds)> = found.iter().filter(|(_, h)| *h == Holds::Yes).collect();
        let chosen = match (found.as_slice(), sure.as_slice()) {
            ([], _) => return TraitPick::None,
            ([only], _) => only.0.clone(),
            (_, [only]) => only.0.clone(),
            _ => return TraitPick::Ambiguous,
        };
        match self.trait_method_pick(step, &chosen, name) {
            Some(pick) => TraitPick::Found(Box::new(pick)),
            None => TraitPick::None,
        }
    }

    /// Instantiates trait `key`'s method `name` for `Self = step`, with an obligation that the
    /// step implements the trait (whose impl then fixes the trait's parameters).
    pub(super) fn trait_method_pick(
        &mut self,
        step: &Ty,
        key: &str,
        name: &str,
    ) -> Option<MethodPick> {
        let data = self.world.trait_data(key)?;
        let method = data.method(name)?;
        let mut subst = HashMap::new();
        subst.insert("Self".to_string(), step.clone());
        let mut args = Vec::new();
        for param in data.generics.iter().filter(|p| p.is_type()) {
            let var = self.new_var();
            args.push(var.clone());
            subst.insert(param.name.clone(), var);
        }
        self.unify_with_where_clause(step, key, &args);
        self.add_predicate(step.clone(), TraitRef::new(key, args));
        Some(MethodPick {
            sig: method.sig.clone(),
            self_ty: step.clone(),
            subst,
            trait_key: Some(key.to_string()),
        })
    }

    /// For a type parameter, `impl Trait` or `dyn Trait`, a bound is what rustc selects (before
    /// any impl): with one bound of the trait on it (`P: AsRef<Path>`, `impl AsRef<Path>`), its
    /// arguments are the trait's. With several (`AsRef<Path> + AsRef<str>`) the arguments stay
    /// to be inferred.
    fn unify_with_where_clause(&mut self, step: &Ty, key: &str, args: &[Ty]) {
        let mut bounds: Vec<&[Ty]> = match step {
            Ty::Param(_) => self
                .predicates
                .iter()
                .filter(|p| p.subject == *step && p.bound.key == key)
                .map(|p| p.bound.args.as_slice())
                .collect(),
            Ty::Opaque(bounds) | Ty::Dyn(bounds) => bounds
                .traits
                .iter()
                .filter(|bound| bound.key == key)
                .map(|bound| bound.args.as_slice())
                .collect(),
            _ => return,
        };
        let (Some(only), None) = (bounds.pop(), bounds.pop()) else {
            return;
        };
        let bound_args = only.to_vec();
        if bound_args.len() != args.len() {
            return;
        }
        for (arg, bound_arg) in args.iter().zip(&bound_args) {
            self.unify(arg, bound_arg);
        }
    }

    /// The traits whose methods a value of this type may call: its bounds (for parameters,
    /// `impl Trait` and `dyn Trait`, with their supertraits), std's prelude, and the traits
    /// imported in the body's module.
    pub(super) fn candidate_traits_pub(&self, step: &Ty) -> Vec<String> {
        self.candidate_traits(step)
    }

    fn candidate_traits(&self, step: &Ty) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let push = |key: String, keys: &mut Vec<String>| {
            if !keys.contains(&key) {
                keys.push(key);
            }
        };
        match step {
            Ty::Param(_) => {
                for predicate in &self.predicates {
                    if predicate.subject == *step {
                        for key in self.with_supertraits(&predicate.bound.key) {
                            push(key, &mut keys);
                        }
                    }
                }
            }
            Ty::Opaque(bounds) | Ty::Dyn(bounds) => {
                for bound in &bounds.traits {
                    for key in self.with_supertraits(&bound.key) {
                        push(key, &mut keys);
                    }
                }
            }
            _ => {}
        }
        for key in PRELUDE_TRAITS {
            push((*key).to_string(), &mut keys);
        }
        for key in self.traits_in_scope() {
            push(key, &mut keys);
        }
        keys
    }

    fn with_supertraits(&self, key: &str) -> Vec<String> {
        let mut all = vec![key.to_string()];
        let mut index = 0;
        while index < all.len() && all.len() < 64 {
            if let Some(data) = self.world.trait_data(&all[index]) {
                for sup in &data.supertraits {
                    if !all.contains(&sup.key) {
                        all.push(sup.key.clone());
                    }
                }
            }
            index += 1;
        }
        all
    }

    /// Traits named or imported in the body's module and its blocks.
    fn traits_in_scope(&self) -> Vec<String> {
        let scope = &self.lowerer.scope;
        let Some(map) = scope.def_map() else {
            return Vec::new();
        };
        let module = map.module(scope.module);
        let mut keys = Vec::new();
        let blocks = scope.blocks.iter().flat_map(|b| b.traits());
        for res in module.scope.traits().chain(blocks) {
            match res {
                Res::Def(def) => {
                    if let Some(data) = self.world.graph.def(*def)
                        && data.kind == crate::analysis::items::def_map::DefKind::Trait
                    {
                        keys.push(data.key.clone());
                    }
                }
                Res::Std(StdDef::Type(key)) if self.world.std.trait_data(key).is_some() => {
                    keys.push(key.clone())
                }
                _ => {}
            }
        }
        keys
    }
}

enum TraitPick {
    Found(Box<MethodPick>),
    Ambiguous,
    None,
}

/// The receiver as a step gives it: by value, then behind `&`, then behind `&mut`.
fn adjusted_receivers(step: &Ty) -> [Ty; 3] {
    [
        step.clone(),
        Ty::shared_ref(step.clone()),
        Ty::Ref {
            mutable: true,
            pointee: Box::new(step.clone()),
        },
    ]
}

/// The methods a receiver of type `adjusted` can be passed to, as rustc matches a method's
/// receiver type: `self` of `Self = adjusted`, and `&self` (`&mut self`) of the type behind a
/// reference. So `r.clone()` on `r: &Point` is `Point::clone`, not `<&Point>::clone`.
fn receiver_candidates(adjusted: &Ty) -> Vec<(Ty, Autoref)> {
    let mut candidates = vec![(adjusted.clone(), Autoref::None)];
    if let Ty::Ref { mutable, pointee } = adjusted {
        let taken = if *mutable {
            Autoref::Mut
        } else {
            Autoref::Shared
        };
        candidates.push(((**pointee).clone(), taken));
    }
    candidates
}

/// Whether a method taking `self` as `receiver` can be called on a receiver taken as `autoref`.
fn receiver_fits(receiver: Option<&Receiver>, autoref: Autoref) -> bool {
    matches!(
        (receiver, autoref),
        (Some(Receiver::Value), Autoref::None)
            | (Some(Receiver::Ref), Autoref::Shared)
            | (Some(Receiver::RefMut), Autoref::Mut)
    )
}
