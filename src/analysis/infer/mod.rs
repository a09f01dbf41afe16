//! The infer stage: the types of every expression and binding of a function body, by
//! unification with Rust's rules, as rustc's type checker computes them.
//!
//! A body is inferred as a whole: expressions get types with inference variables; expected
//! types flow into lets, arguments, fields and returns; later uses fix earlier lets (`Vec::new()`
//! then `push(1u8)`); integer and float literals fall back to `i32` and `f64` only when nothing
//! constrains them. Whatever memlens cannot follow (an unknown function, a proc macro) is
//! `Unknown`, which poisons the variables it meets, so that a binding gets a type only when
//! inference truly resolved it.

mod closure;
mod coerce;
mod expr;
mod keys;
mod macros;
mod method;
mod obligations;
mod pat;
mod path;
pub mod table;
#[cfg(test)]
mod tests;
mod traits;
pub mod world;

use std::collections::HashMap;

pub use keys::{expr_key, pat_key};
use table::Table;
use world::World;

use crate::analysis::items::item_tree::GenericsRef;
use crate::analysis::items::lower::TyLowerer;
use crate::analysis::ty::{FnSig, Predicate, Ty, VarKind};

/// Bounds on the work one body may take, whatever the input.
const MAX_EXPR_DEPTH: usize = 256;
const MAX_OBLIGATION_ROUNDS: usize = 16;

/// What inference found in one body. Positions are byte offsets in the parsed text the body
/// comes from (its chunk), as syn's spans give them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InferenceResult {
    /// Each expression's type, by [`expr_key`].
    pub exprs: HashMap<usize, Ty>,
    /// Each binding's type, by the start of its name.
    pub bindings: HashMap<usize, Ty>,
    /// Method calls resolved to a definition, by [`expr_key`]: the method's name, and the key of
    /// the type or trait whose method it is.
    pub methods: HashMap<usize, MethodCallee>,
}

/// The method a call resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodCallee {
    pub name: String,
    /// The receiver type after autoderef, before autoref.
    pub self_ty: Ty,
    /// The trait, when it is a trait method.
    pub trait_key: Option<String>,
}

/// A body to infer and what surrounds it.
pub struct BodyInput<'a> {
    pub world: &'a World<'a>,
    /// Lowers written types in the body's scope (module, generics, `Self`).
    pub lowerer: TyLowerer<'a>,
    /// The function's signature as syntax (parameter patterns) and lowered.
    pub syntax: &'a syn::Signature,
    pub sig: &'a FnSig,
    /// Predicates in scope: the impl's and the function's (`T: Iterator` lets `t.next()` resolve).
    pub predicates: Vec<Predicate>,
    pub body: &'a syn::Block,
}

/// A local variable in scope.
#[derive(Clone, Debug)]
struct Local {
    name: String,
    ty: Ty,
}

/// A loop being checked: what `break` with a value gives.
#[derive(Clone, Debug)]
struct LoopCtx {
    label: Option<String>,
    /// `loop` takes the type of its `break` values; `while`/`for` are `()`.
    break_ty: Option<Ty>,
}

/// A trait or projection fact that inference must still use or check.
#[derive(Clone, Debug)]
enum Obligation {
    /// `ty: Trait<args>`.
    Trait(Predicate),
    /// `<base as Trait>::name == target`.
    Projection {
        base: Ty,
        trait_ref: crate::analysis::ty::TraitRef,
        name: String,
        target: Ty,
    },
}

/// A closure's signature while its body is inferred.
#[derive(Clone, Debug)]
struct ClosureSig {
    params: Vec<Ty>,
    ret: Ty,
}

/// The state of one body's inference.
struct InferCtx<'a> {
    world: &'a World<'a>,
    lowerer: TyLowerer<'a>,
    table: Table,
    locals: Vec<Local>,
    /// The return type of the function or closure being checked, innermost last.
    returns: Vec<Ty>,
    loops: Vec<LoopCtx>,
    obligations: obligations::PendingObligations,
    closures: Vec<ClosureSig>,
    /// Per closure: whether it uses a local from outside it.
    closure_captures: Vec<bool>,
    /// Closures being checked: their id and how many locals were in scope when they started.
    closure_starts: Vec<(u32, usize)>,
    /// Signatures of functions and constructors used as values (`Ty::FnItem("name#index")`).
    fn_items: Vec<ClosureSig>,
    predicates: Vec<Predicate>,
    /// Crate macros parsed so far, and how deep and how many expansions went.
    macro_cache: HashMap<
        (
            crate::analysis::items::def_map::CrateId,
            crate::analysis::items::def_map::MacroRef,
        ),
        Option<crate::analysis::syntax::macro_rules::MacroRules>,
    >,
    expansion_depth: usize,
    expansions: usize,
    /// `macro_rules!` macros the body defines, in order.
    local_macros: Vec<(String, crate::analysis::syntax::macro_rules::MacroRules)>,
    /// Inside [`InferCtx::try_coerce`]: a mismatch is an answer, not a misreading to poison.
    trying: bool,
    exprs: HashMap<usize, Ty>,
    bindings: HashMap<usize, Ty>,
    methods: HashMap<usize, MethodCallee>,
    depth: usize,
}

/// Infers one function body.
pub fn infer_body(input: BodyInput<'_>) -> InferenceResult {
    let mut cx = InferCtx::new(input.world, input.lowerer, input.predicates);
    cx.check_fn(input.syntax, input.sig, input.body);
    cx.finish()
}

/// Infers an initializer of a const or static of type `ty` (for the types of its sub-expressions).
pub fn infer_initializer(
    world: &World<'_>,
    lowerer: TyLowerer<'_>,
    ty: &Ty,
    expr: &syn::Expr,
) -> InferenceResult {
    let mut cx = InferCtx::new(world, lowerer, Vec::new());
    cx.returns.push(ty.clone());
    cx.check_coerce(expr, ty);
    cx.returns.pop();
    cx.finish()
}

/// The generics a function body sees, for building its [`TyLowerer`].
pub fn lowerer_for_fn<'a>(outer: &TyLowerer<'a>, generics: &GenericsRef) -> TyLowerer<'a> {
    outer.with_generics(generics)
}

impl<'a> InferCtx<'a> {
    fn new(world: &'a World<'a>, lowerer: TyLowerer<'a>, predicates: Vec<Predicate>) -> Self {
        InferCtx {
            world,
            lowerer,
            table: Table::default(),
            locals: Vec::new(),
            returns: Vec::new(),
            loops: Vec::new(),
            obligations: obligations::PendingObligations::default(),
            closures: Vec::new(),
            closure_captures: Vec::new(),
            closure_starts: Vec::new(),
            fn_items: Vec::new(),
            predicates,
            macro_cache: HashMap::new(),
            expansion_depth: 0,
            expansions: 0,
            local_macros: Vec::new(),
            trying: false,
            exprs: HashMap::new(),
            bindings: HashMap::new(),
            methods: HashMap::new(),
            depth: 0,
        }
    }

    fn new_var(&mut self) -> Ty {
        self.table.new_var(VarKind::General)
    }

    fn check_fn(&mut self, syntax: &syn::Signature, sig: &FnSig, body: &syn::Block) {
        let self_ty = self.lowerer.self_ty.clone();
        let mut params = sig.params.iter();
        for input in &syntax.inputs {
            match input {
                syn::FnArg::Receiver(receiver) => {
                    let ty = receiver_ty(sig, self_ty.clone());
                    let key = receiver.self_token.span.byte_range().start;
                    self.bindings.insert(key, ty.clone());
                    self.locals.push(Local {
                        name: "self".into(),
                        ty,
                    });
                }
                syn::FnArg::Typed(typed) => {
                    let ty = params.next().cloned().unwrap_or(Ty::Unknown(None));
                    self.check_pat(&typed.pat, &ty, pat::BindingMode::Move);
                }
            }
        }
        let ret = match &sig.ret {
            // An `async fn` body's value is the future's output.
            Ty::Opaque(bounds) if syntax.asyncness.is_some() => bounds
                .traits
                .iter()
                .find_map(|t| t.bindings.iter().find(|(n, _)| n == "Output"))
                .map_or(Ty::Unknown(None), |(_, ty)| ty.clone()),
            other => other.clone(),
        };
        let ret = self.normalize(&ret);
        self.returns.push(ret.clone());
        let tail = self.check_block(body, Some(&ret));
        self.coerce(&tail, &ret);
        self.returns.pop();
    }

    /// Records an expression's type. Tokens a macro's definition wrote have no place in the
    /// file (their span starts at 0): their types are not recorded.
    fn record(&mut self, key: usize, ty: &Ty) {
        if key != 0 {
            self.exprs.insert(key, ty.clone());
        }
    }

    /// Brings a new local into scope and records its type at its name.
    fn bind_local(&mut self, ident: &syn::Ident, ty: Ty) {
        let name = crate::analysis::items::item_tree::unraw(ident);
        self.bindings
            .insert(ident.span().byte_range().start, ty.clone());
        self.locals.push(Local { name, ty });
    }

    /// The type of the local `name` in scope, noting the use for closures' captures.
    fn local(&mut self, name: &str) -> Option<Ty> {
        let index = self.locals.iter().rposition(|local| local.name == name)?;
        self.note_local_use(index);
        Some(self.locals[index].ty.clone())
    }

    /// Runs `body` in a new scope of locals.
    fn scoped<T>(&mut self, body: impl FnOnce(&mut Self) -> T) -> T {
        let depth = self.locals.len();
        let result = body(self);
        self.locals.truncate(depth);
        result
    }

    fn resolve(&self, ty: &Ty) -> Ty {
        self.table.resolve(ty)
    }

    fn shallow(&self, ty: &Ty) -> Ty {
        self.table.shallow(ty)
    }

    /// Poisons every unbound variable in `ty`: what it meets is unknown.
    fn poison(&mut self, ty: &Ty) {
        self.table.poison_vars_in(ty);
    }

    /// Unifies, and on a mismatch poisons both sides: memlens misread something.
    fn unify(&mut self, a: &Ty, b: &Ty) -> bool {
        let snapshot = self.table.snapshot();
        if self.table.unify(a, b) {
            return true;
        }
        self.table.rollback(snapshot);
        if !self.trying {
            self.poison(a);
            self.poison(b);
        }
        false
    }

    /// Applies Rust's fallback and replaces what is still unresolved by `Unknown`.
    fn finish(mut self) -> InferenceResult {
        self.select_all_obligations();
        self.fallback_literals();
        self.select_all_obligations();
        self.fallback_literals();
        let exprs = std::mem::take(&mut self.exprs);
        let bindings = std::mem::take(&mut self.bindings);
        let methods = std::mem::take(&mut self.methods);
        InferenceResult {
            exprs: exprs
                .into_iter()
                .map(|(key, ty)| (key, self.finalize(&ty)))
                .collect(),
            bindings: bindings
                .into_iter()
                .map(|(key, ty)| (key, self.finalize(&ty)))
                .collect(),
            methods: methods
                .into_iter()
                .map(|(key, mut callee)| {
                    callee.self_ty = self.finalize(&callee.self_ty);
                    (key, callee)
                })
                .collect(),
        }
    }

    /// Integer variables nothing constrained are `i32`, float ones `f64`.
    fn fallback_literals(&mut self) {
        for var in self.table.unbound() {
            let fallback = match var.kind {
                VarKind::Int => Ty::Int(crate::analysis::ty::IntTy::I32),
                VarKind::Float => Ty::Float(crate::analysis::ty::FloatTy::F64),
                VarKind::General => continue,
            };
            self.table.set(var, fallback);
        }
    }

    /// The final form of a type: variables resolved, what is left unknown; a closure's type is
    /// unknown unless it captures nothing (memlens does not lay out captures yet).
    fn finalize(&self, ty: &Ty) -> Ty {
        let resolved = self.resolve(ty);
        self.final_form(&resolved)
    }

    fn final_form(&self, ty: &Ty) -> Ty {
        match ty {
            Ty::Infer(_) => Ty::Unknown(None),
            Ty::Closure { id, .. } => {
                let captures = self.closure_captures.get(*id as usize).copied();
                match captures {
                    Some(false) => Ty::Closure {
                        id: *id,
                        captures: Vec::new(),
                    },
                    _ => Ty::Unknown(Some("{closure}".into())),
                }
            }
            other => other.map_children(&|child| self.final_form(child)),
        }
    }

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_EXPR_DEPTH {
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// The type of `self` for a method's receiver.
fn receiver_ty(sig: &FnSig, self_ty: Option<Ty>) -> Ty {
    let self_ty = self_ty.unwrap_or(Ty::Param("Self".into()));
    match &sig.receiver {
        Some(crate::analysis::ty::Receiver::Ref) => Ty::shared_ref(self_ty),
        Some(crate::analysis::ty::Receiver::RefMut) => Ty::Ref {
            mutable: true,
            pointee: Box::new(self_ty),
        },
        Some(crate::analysis::ty::Receiver::Typed(ty)) => ty.clone(),
        _ => self_ty,
    }
}
