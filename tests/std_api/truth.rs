//! Truth tests: answers computed from the std API table by a tiny resolver (substitution,
//! impl matching, projection normalization, autoderef) compared with the types rustc reports
//! for the same expressions (`let _: () = EXPR;` makes E0308 name the type) and with whether
//! rustc accepts a trait bound. Nothing expected is typed in by hand.

use std::collections::HashMap;

use memlens::analysis::std_api::format::{Parser, parse_ty};
use memlens::analysis::std_api::{ImplData, MethodDecl, StdApi, TyHead};
use memlens::analysis::ty::{FnSig, Projection, Receiver, TraitRef, Ty};

/// How deep the resolver recurses (normalizing, proving bounds, derefs).
const MAX_DEPTH: usize = 8;

type Subst = HashMap<String, Ty>;

/// What a probe asks of the table.
pub enum Query {
    /// A chain of method calls on a receiver: `(name, argument types, turbofish)`.
    Methods(
        &'static str,
        Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    ),
    /// `Type::name(args)`, inherent or trait associated function, with a turbofish.
    AssocFn(&'static str, &'static str, Vec<&'static str>),
    /// A free function by key, with argument types.
    FreeFn(&'static str, Vec<&'static str>),
    /// An associated const of a type (`u32::MAX`) or a const by key.
    Const(&'static str, &'static str),
    /// `<Type as Trait>::Name`, written `Type`, `Trait`, `Name`.
    Projection(&'static str, &'static str, &'static str),
    /// Whether `Type: Trait` holds.
    Holds(&'static str, &'static str),
}

pub struct Case {
    /// The Rust expression, or for `Holds` the type and bound as Rust writes them.
    pub expr: &'static str,
    pub query: Query,
}

fn ty(text: &str) -> Ty {
    parse_ty(text).unwrap_or_else(|e| panic!("test type {text}: {e:?}"))
}

fn trait_ref(text: &str) -> TraitRef {
    Parser::new(text)
        .trait_ref()
        .unwrap_or_else(|e| panic!("test trait {text}: {e:?}"))
}

/// The closure type a probe passes (its captures do not matter here).
pub const CLOSURE: &str = "closure";

fn arg_ty(text: &str) -> Ty {
    if text == CLOSURE {
        Ty::Closure {
            id: 0,
            captures: Vec::new(),
        }
    } else {
        ty(text)
    }
}

pub struct Solver<'a> {
    pub api: &'a StdApi,
}

impl<'a> Solver<'a> {
    /// `ty` with defaulted ADT arguments written out (`Vec<u8>` is `Vec<u8, Global>`) and
    /// aliases expanded.
    fn complete(&self, ty: &Ty, depth: usize) -> Ty {
        if depth > MAX_DEPTH * 4 {
            return ty.clone();
        }
        let ty = ty.map_children(&|child| self.complete(child, depth + 1));
        let Ty::Adt { name, args } = &ty else {
            return ty;
        };
        if let Some(alias) = self.api.alias(name) {
            return self.complete(&alias.instantiate(args), depth + 1);
        }
        match self.api.adt(name) {
            Some(adt) => Ty::adt(name, adt.full_args(args)),
            None => ty,
        }
    }

    /// Matches `pattern` (with parameters to bind) against a concrete `ty`.
    fn unify(&self, pattern: &Ty, ty: &Ty, subst: &mut Subst, depth: usize) -> bool {
        if depth > MAX_DEPTH * 4 {
            return false;
        }
        match (pattern, ty) {
            (Ty::Param(p), _) => match subst.get(p) {
                Some(bound) => bound == ty,
                None => {
                    subst.insert(p.clone(), ty.clone());
                    true
                }
            },
            (Ty::Assoc(_), _) => true,
            (Ty::Adt { name: a, args: x }, Ty::Adt { name: b, args: y }) => {
                a == b && x.len() == y.len() && self.unify_all(x, y, subst, depth)
            }
            (
                Ty::Ref {
                    mutable: m,
                    pointee: p,
                },
                Ty::Ref {
                    mutable: n,
                    pointee: q,
                },
            )
            | (
                Ty::Ptr {
                    mutable: m,
                    pointee: p,
                },
                Ty::Ptr {
                    mutable: n,
                    pointee: q,
                },
            ) => m == n && self.unify(p, q, subst, depth + 1),
            (Ty::Slice(p), Ty::Slice(q)) => self.unify(p, q, subst, depth + 1),
            (Ty::Array(p, n), Ty::Array(q, m)) => {
                (n.is_none() || n == m) && self.unify(p, q, subst, depth + 1)
            }
            (Ty::Tuple(x), Ty::Tuple(y)) => {
                x.len() == y.len() && self.unify_all(x, y, subst, depth)
            }
            _ => pattern == ty,
        }
    }

    fn unify_all(&self, x: &[Ty], y: &[Ty], subst: &mut Subst, depth: usize) -> bool {
        x.iter()
            .zip(y)
            .all(|(p, t)| self.unify(p, t, subst, depth + 1))
    }

    fn apply(&self, ty: &Ty, subst: &Subst) -> Ty {
        match ty {
            Ty::Param(p) => subst.get(p).cloned().unwrap_or_else(|| ty.clone()),
            _ => ty.map_children(&|child| self.apply(child, subst)),
        }
    }

    fn apply_trait(&self, trait_ref: &TraitRef, subst: &Subst) -> TraitRef {
        trait_ref.map_types(&|t| self.apply(t, subst))
    }

    /// Normalizes projections and aliases everywhere in `ty`.
    pub fn normalize(&self, ty: &Ty, depth: usize) -> Ty {
        if depth > MAX_DEPTH {
            return ty.clone();
        }
        let ty = self.complete(&ty.map_children(&|c| self.normalize(c, depth + 1)), 0);
        let Ty::Assoc(projection) = &ty else {
            return ty;
        };
        self.project(projection, depth).unwrap_or(ty)
    }

    fn project(&self, projection: &Projection, depth: usize) -> Option<Ty> {
        let base = self.normalize(&projection.base, depth + 1);
        let wanted = projection.trait_ref.as_ref();
        let impls = match wanted {
            Some(trait_ref) => self.api.trait_impls(&trait_ref.key),
            None => self.api.trait_impls_for(&TyHead::of(&base)?),
        };
        for imp in impls {
            let Some(value) = imp.assoc_type(&projection.name) else {
                continue;
            };
            if let Some(subst) = self.impl_applies(imp, &base, wanted, depth + 1) {
                return Some(self.normalize(&self.apply(value, &subst), depth + 1));
            }
        }
        None
    }

    /// The substitution under which `imp` is an impl for `self_ty` (of `wanted`, when given)
    /// whose predicates hold.
    fn impl_applies(
        &self,
        imp: &ImplData,
        self_ty: &Ty,
        wanted: Option<&TraitRef>,
        depth: usize,
    ) -> Option<Subst> {
        if depth > MAX_DEPTH || imp.negative {
            return None;
        }
        let mut subst = Subst::new();
        let pattern = self.complete(&imp.self_ty, 0);
        if !self.unify(&pattern, self_ty, &mut subst, 0) {
            return None;
        }
        if let (Some(wanted), Some(own)) = (wanted, &imp.trait_ref) {
            let args: Vec<Ty> = wanted
                .args
                .iter()
                .map(|a| self.normalize(a, depth))
                .collect();
            let own_args: Vec<Ty> = own.args.iter().map(|a| self.complete(a, 0)).collect();
            if own.key != wanted.key
                || own_args.len() != args.len()
                || !self.unify_all(&own_args, &args, &mut subst, 0)
            {
                return None;
            }
        }
        // `where I: Iterator<Item = &'a T>` binds `T` to what `I::Item` normalizes to.
        for predicate in &imp.predicates {
            for (name, value) in &predicate.bound.bindings {
                let projection = Projection {
                    base: self.normalize(&self.apply(&predicate.subject, &subst), depth + 1),
                    trait_ref: Some(TraitRef::new(
                        &predicate.bound.key,
                        predicate.bound.args.clone(),
                    )),
                    name: name.clone(),
                };
                if let Some(actual) = self.project(&projection, depth + 1) {
                    let pattern = self.complete(&self.apply(value, &subst), 0);
                    if !self.unify(&pattern, &actual, &mut subst, 0) {
                        return None;
                    }
                }
            }
        }
        let all_hold = imp.predicates.iter().all(|p| {
            let subject = self.normalize(&self.apply(&p.subject, &subst), depth + 1);
            self.holds(&subject, &self.apply_trait(&p.bound, &subst), depth + 1)
        });
        all_hold.then_some(subst)
    }

    /// Whether `ty: bound` holds, by the table's impls (auto traits hold unless a negative impl
    /// says otherwise).
    pub fn holds(&self, ty: &Ty, bound: &TraitRef, depth: usize) -> bool {
        // What the resolver cannot decide (an unbound parameter) it lets through.
        if depth > MAX_DEPTH || matches!(ty, Ty::Param(_) | Ty::Assoc(_)) {
            return true;
        }
        match bound.key.as_str() {
            "Sized" => return !matches!(ty, Ty::Str | Ty::Slice(_) | Ty::Dyn(_)),
            "Fn" | "FnMut" | "FnOnce" if matches!(ty, Ty::Closure { .. }) => return true,
            _ => {}
        }
        let impls = self.api.trait_impls(&bound.key);
        let negative = impls.iter().any(|imp| {
            imp.negative && {
                let mut subst = Subst::new();
                self.unify(&self.complete(&imp.self_ty, 0), ty, &mut subst, 0)
            }
        });
        if negative {
            return false;
        }
        let positive = impls
            .iter()
            .any(|imp| self.impl_applies(imp, ty, Some(bound), depth).is_some());
        let auto = self.api.trait_data(&bound.key).is_some_and(|t| t.is_auto);
        positive || auto
    }

    /// The types a value of `ty` derefs to, itself first.
    fn autoderef(&self, ty: &Ty) -> Vec<Ty> {
        let mut steps = vec![ty.clone()];
        for _ in 0..MAX_DEPTH {
            let Some(last) = steps.last() else { break };
            let next = match last {
                Ty::Ref { pointee, .. } => Some((**pointee).clone()),
                other => {
                    let projection = Projection {
                        base: other.clone(),
                        trait_ref: Some(TraitRef::new("Deref", Vec::new())),
                        name: "Target".into(),
                    };
                    self.project(&projection, 0)
                }
            };
            match next {
                Some(next) if !steps.contains(&next) => steps.push(next),
                _ => break,
            }
        }
        steps
    }

    /// The method `name` callable on a value of type `step`, probed as rustc does: methods
    /// taking `self` of that type (`self`, or `&self` when it is a reference), then by
    /// auto-ref (`&self`, then `&mut self`).
    fn find_method(&self, step: &Ty, name: &str) -> Option<(FnSig, Subst)> {
        let mut probes: Vec<(Ty, &[ReceiverKind])> = vec![(step.clone(), &[ReceiverKind::Value])];
        if let Ty::Ref { mutable, pointee } = step {
            let kinds: &[ReceiverKind] = if *mutable {
                &[ReceiverKind::Ref, ReceiverKind::RefMut]
            } else {
                &[ReceiverKind::Ref]
            };
            probes.push(((**pointee).clone(), kinds));
        }
        probes.push((step.clone(), &[ReceiverKind::Ref]));
        probes.push((step.clone(), &[ReceiverKind::RefMut]));
        probes
            .iter()
            .find_map(|(self_ty, kinds)| self.find_method_as(self_ty, name, kinds))
    }

    fn find_method_as(
        &self,
        self_ty: &Ty,
        name: &str,
        kinds: &[ReceiverKind],
    ) -> Option<(FnSig, Subst)> {
        let head = TyHead::of(self_ty)?;
        let takes = |m: &&MethodDecl| {
            m.stable
                && m.sig
                    .receiver
                    .as_ref()
                    .is_some_and(|r| kinds.contains(&receiver_kind(r)))
        };
        for imp in self.api.inherent_impls(&head) {
            let Some(method) = imp.method(name).filter(takes) else {
                continue;
            };
            if let Some(subst) = self.impl_applies(imp, self_ty, None, 0) {
                return Some((method.sig.clone(), subst));
            }
        }
        for imp in self.api.trait_impls_for(&head) {
            let Some(own) = &imp.trait_ref else { continue };
            let Some(method) = self.method_of(imp, own, name).filter(takes) else {
                continue;
            };
            if let Some(mut subst) = self.impl_applies(imp, self_ty, None, 0) {
                self.bind_trait_params(own, &mut subst);
                subst.insert("Self".into(), self_ty.clone());
                return Some((method.sig.clone(), subst));
            }
        }
        None
    }

    /// The impl's own method, else the trait's (a default method).
    fn method_of<'m>(
        &'m self,
        imp: &'m ImplData,
        own: &TraitRef,
        name: &str,
    ) -> Option<&'m MethodDecl> {
        imp.method(name)
            .or_else(|| self.api.trait_data(&own.key)?.method(name))
            .filter(|m| m.stable)
    }

    /// A trait method's signature names the trait's parameters: bind them to the impl's
    /// trait arguments.
    fn bind_trait_params(&self, own: &TraitRef, subst: &mut Subst) {
        let Some(data) = self.api.trait_data(&own.key) else {
            return;
        };
        let params = data.generics.iter().filter(|p| p.is_type());
        for (param, arg) in params.zip(&own.args) {
            let arg = self.apply(arg, subst);
            subst.entry(param.name.clone()).or_insert(arg);
        }
    }

    /// The return type of a call of `sig` under `subst`, with arguments and a turbofish
    /// binding the function's own parameters.
    fn call(&self, sig: &FnSig, mut subst: Subst, args: &[Ty], turbofish: &[Ty]) -> Ty {
        for (param, ty) in sig.own_type_params().zip(turbofish) {
            subst.insert(param.name.clone(), ty.clone());
        }
        for (param, arg) in sig.params.iter().zip(args) {
            let param = self.apply(param, &subst);
            self.unify(&self.complete(&param, 0), arg, &mut subst, 0);
        }
        self.normalize(&self.apply(&sig.ret, &subst), 0)
    }

    fn method_chain(&self, recv: &str, calls: &[(&str, Vec<&str>, Vec<&str>)]) -> Option<Ty> {
        let mut current = self.normalize(&ty(recv), 0);
        for (name, args, turbofish) in calls {
            let args: Vec<Ty> = args.iter().map(|a| self.normalize(&arg_ty(a), 0)).collect();
            let turbofish: Vec<Ty> = turbofish
                .iter()
                .map(|t| self.normalize(&ty(t), 0))
                .collect();
            let (sig, subst) = self
                .autoderef(&current)
                .iter()
                .find_map(|step| self.find_method(step, name))?;
            current = self.call(&sig, subst, &args, &turbofish);
        }
        Some(current)
    }

    /// `Type::name(args)`: the first impl (inherent, then trait) whose function accepts the
    /// arguments.
    fn assoc_fn(&self, self_ty: &str, name: &str, args: &[&str]) -> Option<Ty> {
        let self_ty = self.normalize(&ty(self_ty), 0);
        let args: Vec<Ty> = args.iter().map(|a| self.normalize(&arg_ty(a), 0)).collect();
        let head = TyHead::of(&self_ty)?;
        let inherent = self.api.inherent_impls(&head).into_iter();
        let traits = self.api.trait_impls_for(&head).into_iter();
        for imp in inherent.chain(traits) {
            let method = match &imp.trait_ref {
                Some(own) => self.method_of(imp, own, name),
                None => imp.method(name).filter(|m| m.stable),
            };
            let Some(method) = method else { continue };
            let Some(mut subst) = self.impl_applies(imp, &self_ty, None, 0) else {
                continue;
            };
            if let Some(own) = &imp.trait_ref {
                self.bind_trait_params(own, &mut subst);
            }
            subst.insert("Self".into(), self_ty.clone());
            let accepts = method.sig.params.len() == args.len()
                && method.sig.params.iter().zip(&args).all(|(param, arg)| {
                    let param = self.normalize(&self.apply(param, &subst), 0);
                    self.unify(&param, arg, &mut subst.clone(), 0)
                });
            if accepts {
                return Some(self.call(&method.sig, subst, &args, &[]));
            }
        }
        None
    }

    pub fn answer(&self, query: &Query) -> Option<String> {
        let found = match query {
            Query::Methods(recv, calls) => self.method_chain(recv, calls),
            Query::AssocFn(self_ty, name, args) => self.assoc_fn(self_ty, name, args),
            Query::FreeFn(key, args) => {
                let sig = self.api.fn_sig(key)?;
                let args: Vec<Ty> = args.iter().map(|a| self.normalize(&arg_ty(a), 0)).collect();
                Some(self.call(sig, Subst::new(), &args, &[]))
            }
            Query::Const(self_ty, name) => self.const_ty(self_ty, name),
            Query::Projection(base, trait_text, name) => {
                let projection = Projection {
                    base: self.normalize(&ty(base), 0),
                    trait_ref: Some(trait_ref(trait_text).map_types(&|t| self.normalize(t, 0))),
                    name: name.to_string(),
                };
                self.project(&projection, 0)
            }
            Query::Holds(subject, bound) => {
                let bound = trait_ref(bound).map_types(&|t| self.normalize(t, 0));
                let holds = self.holds(&self.normalize(&ty(subject), 0), &bound, 0);
                return Some(holds.to_string());
            }
        };
        found.map(|ty| rustc_like(self.api, &ty))
    }

    fn const_ty(&self, self_ty: &str, name: &str) -> Option<Ty> {
        if self_ty.is_empty() {
            return self.api.value_ty(name).cloned();
        }
        let head = TyHead::of(&ty(self_ty))?;
        let consts = self.api.inherent_impls(&head);
        let found = consts
            .iter()
            .flat_map(|imp| &imp.consts)
            .find(|c| c.name == name)?;
        Some(found.ty.clone())
    }
}

/// How a method takes `self`, for method probing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ReceiverKind {
    Value,
    Ref,
    RefMut,
}

fn receiver_kind(receiver: &Receiver) -> ReceiverKind {
    match receiver {
        Receiver::Ref => ReceiverKind::Ref,
        Receiver::RefMut => ReceiverKind::RefMut,
        Receiver::Value | Receiver::Typed(_) => ReceiverKind::Value,
    }
}

/// A type as rustc prints it, with paths cut to their last segment and default arguments left
/// out (`Vec<u8>`, `Iter<i32>`, `{closure}`), for comparison after [`normalize_rustc`].
pub fn rustc_like(api: &StdApi, ty: &Ty) -> String {
    let shown = strip_defaults(api, ty);
    normalize_rustc(&shown.to_string())
}

fn strip_defaults(api: &StdApi, ty: &Ty) -> Ty {
    let ty = ty.map_children(&|child| strip_defaults(api, child));
    let Ty::Adt { name, args } = &ty else {
        return ty;
    };
    let Some(adt) = api.adt(name) else {
        return ty;
    };
    let mut args = args.clone();
    while let Some(last) = args.last() {
        let index = args.len() - 1;
        let default = adt.defaults.get(index).cloned().flatten();
        if default.map(|d| strip_defaults(api, &d)).as_ref() != Some(last) {
            break;
        }
        args.pop();
    }
    Ty::Adt {
        name: name.clone(),
        args,
    }
}

/// rustc's type text without lifetimes, closure locations, module paths or spaces.
pub fn normalize_rustc(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                // A lifetime and the separator after it.
                while chars
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                {
                    chars.next();
                }
                while chars.peek().is_some_and(|c| *c == ',' || *c == ' ') {
                    chars.next();
                }
            }
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                out.push_str("{closure}");
            }
            ' ' => {}
            other => out.push(other),
        }
    }
    cut_paths(&out.replace("<>", ""))
}

/// `std::str::Chars` as `Chars`: every `a::b::` prefix removed.
fn cut_paths(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            word.clear();
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        out.push_str(&word);
        word.clear();
        out.push(c);
    }
    out.push_str(&word);
    without_const_args(&out)
}

/// Generic arguments that are numbers (const arguments, which the table leaves out) removed:
/// `IntoIter<u8,4>` is `IntoIter<u8>`.
fn without_const_args(text: &str) -> String {
    let mut out = String::new();
    let mut token = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        if !matches!(c, '<' | ',' | '>' | ';' | '[' | ']' | '(' | ')' | '&') {
            token.push(c);
            continue;
        }
        let is_const = depth > 0 && !token.is_empty() && token.chars().all(|d| d.is_ascii_digit());
        if !(is_const && matches!(c, ',' | '>')) {
            out.push_str(&token);
        }
        token.clear();
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(c);
    }
    out.push_str(&token);
    out.replace(",>", ">")
        .replace("<,", "<")
        .replace(",,", ",")
        .replace("<>", "")
}

/// The variables every case may use, as the probe declares them.
pub const SETUP: &str = "
    let v: Vec<i32> = vec![1, 2, 3];
    let s: String = String::new();
    let mut m: HashMap<u8, String> = HashMap::new();
    let x: i32 = 5;
    let y: u8 = 1;
    let z: u64 = 1;
    let f: f64 = 1.0;
    let c: char = 'a';
    let opt: Option<u8> = None;
    let res: Result<u8, String> = Ok(1);
    let d: Duration = Duration::from_secs(1);
    let rc: Rc<u8> = Rc::new(1);
    let b: Box<[u8]> = Box::new([1]);
    let p: PathBuf = PathBuf::new();
    let cell: RefCell<u8> = RefCell::new(1);
    let mx: Mutex<u8> = Mutex::new(1);
    let dq: VecDeque<u8> = VecDeque::new();
    let bt: BTreeMap<u8, u8> = BTreeMap::new();
    let hs: HashSet<u8> = HashSet::new();
    let arc: Arc<str> = Arc::from(\"a\");
";

/// What the probe imports, so that cases can name std's types briefly.
pub const IMPORTS: &str = "use std::collections::*; use std::path::Path; use std::ops::*; \
    use std::rc::Rc; use std::sync::Arc; use std::cell::Cell; use std::str::{Chars, FromStr}; \
    use std::time::Duration; use std::path::PathBuf; use std::cell::RefCell; \
    use std::sync::Mutex; use std::io::BufRead;";

fn m(
    name: &'static str,
    args: &[&'static str],
) -> (&'static str, Vec<&'static str>, Vec<&'static str>) {
    (name, args.to_vec(), Vec::new())
}

fn methods(recv: &'static str, calls: &[(&'static str, &[&'static str])]) -> Query {
    Query::Methods(recv, calls.iter().map(|(n, a)| m(n, a)).collect())
}

fn case(expr: &'static str, query: Query) -> Case {
    Case { expr, query }
}

const V: &str = "@Vec<i32>";
const S: &str = "@String";
const MAP: &str = "@HashMap<u8,@String>";

/// The sample: method return types, associated functions and consts, projections, and bounds.
pub fn cases() -> Vec<Case> {
    let mut cases = vec![
        case(
            "\"ab\".split_at(1)",
            methods("&str", &[("split_at", &["usize"])]),
        ),
        case(
            "v.iter().map(|x| x * 2)",
            methods(V, &[("iter", &[]), ("map", &[CLOSURE])]),
        ),
        case("s.char_indices()", methods(S, &[("char_indices", &[])])),
        case(
            "x.rem_euclid(3)",
            methods("i32", &[("rem_euclid", &["i32"])]),
        ),
        case(
            "m.entry(1).or_default()",
            methods(MAP, &[("entry", &["u8"]), ("or_default", &[])]),
        ),
        case(
            "Path::new(\"a\").parent()",
            methods("&@Path", &[("parent", &[])]),
        ),
        case(
            "\"5\".parse::<u8>()",
            Query::Methods("&str", vec![("parse", vec![], vec!["u8"])]),
        ),
        case("v.len()", methods(V, &[("len", &[])])),
        case("v.first()", methods(V, &[("first", &[])])),
        case("s.as_bytes()", methods(S, &[("as_bytes", &[])])),
        case("s.split(',')", methods(S, &[("split", &["char"])])),
        case("s.lines()", methods(S, &[("lines", &[])])),
        case(
            "v.clone().into_iter()",
            methods(V, &[("clone", &[]), ("into_iter", &[])]),
        ),
        case("v.iter().rev()", methods(V, &[("iter", &[]), ("rev", &[])])),
        case(
            "v.iter().enumerate()",
            methods(V, &[("iter", &[]), ("enumerate", &[])]),
        ),
        case(
            "v.iter().peekable()",
            methods(V, &[("iter", &[]), ("peekable", &[])]),
        ),
        case(
            "v.iter().cloned()",
            methods(V, &[("iter", &[]), ("cloned", &[])]),
        ),
        case(
            "v.iter().skip(1).take(2)",
            methods(
                V,
                &[("iter", &[]), ("skip", &["usize"]), ("take", &["usize"])],
            ),
        ),
        case(
            "v.iter().zip(v.iter())",
            methods(V, &[("iter", &[]), ("zip", &["@slice::Iter<i32>"])]),
        ),
        case(
            "v.iter().chain(v.iter())",
            methods(V, &[("iter", &[]), ("chain", &["@slice::Iter<i32>"])]),
        ),
        case(
            "v.iter().count()",
            methods(V, &[("iter", &[]), ("count", &[])]),
        ),
        case(
            "v.iter().next()",
            methods(V, &[("iter", &[]), ("next", &[])]),
        ),
        case(
            "v.iter().last()",
            methods(V, &[("iter", &[]), ("last", &[])]),
        ),
        case("v.chunks(2)", methods(V, &[("chunks", &["usize"])])),
        case("v.windows(2)", methods(V, &[("windows", &["usize"])])),
        case("v.contains(&1)", methods(V, &[("contains", &["&i32"])])),
        case("v.as_slice()", methods(V, &[("as_slice", &[])])),
        case("v.get(0)", methods(V, &[("get", &["usize"])])),
        case(
            "v.get(1..3)",
            methods(V, &[("get", &["@ops::Range<usize>"])]),
        ),
        case("v.is_empty()", methods(V, &[("is_empty", &[])])),
        case("\"ab\".to_string()", methods("&str", &[("to_string", &[])])),
        case("\"ab\".to_owned()", methods("&str", &[("to_owned", &[])])),
        case("s.trim()", methods(S, &[("trim", &[])])),
        case(
            "s.chars().rev()",
            methods(S, &[("chars", &[]), ("rev", &[])]),
        ),
        case(
            "s.chars().next()",
            methods(S, &[("chars", &[]), ("next", &[])]),
        ),
        case("s.bytes()", methods(S, &[("bytes", &[])])),
        case("s.find('a')", methods(S, &[("find", &["char"])])),
        case(
            "s.starts_with(\"a\")",
            methods(S, &[("starts_with", &["&str"])]),
        ),
        case(
            "s.clone().into_bytes()",
            methods(S, &[("clone", &[]), ("into_bytes", &[])]),
        ),
        case("s.len()", methods(S, &[("len", &[])])),
        case("s.to_uppercase()", methods(S, &[("to_uppercase", &[])])),
        case(
            "s.split_whitespace()",
            methods(S, &[("split_whitespace", &[])]),
        ),
        case("m.get(&1)", methods(MAP, &[("get", &["&u8"])])),
        case("m.keys()", methods(MAP, &[("keys", &[])])),
        case("m.values()", methods(MAP, &[("values", &[])])),
        case("m.iter()", methods(MAP, &[("iter", &[])])),
        case("m.len()", methods(MAP, &[("len", &[])])),
        case(
            "m.insert(1, String::new())",
            methods(MAP, &[("insert", &["u8", S])]),
        ),
        case("m.remove(&1)", methods(MAP, &[("remove", &["&u8"])])),
        case(
            "y.checked_add(1)",
            methods("u8", &[("checked_add", &["u8"])]),
        ),
        case(
            "y.wrapping_mul(2)",
            methods("u8", &[("wrapping_mul", &["u8"])]),
        ),
        case("x.to_string()", methods("i32", &[("to_string", &[])])),
        case("x.abs()", methods("i32", &[("abs", &[])])),
        case("x.pow(2)", methods("i32", &[("pow", &["u32"])])),
        case("z.count_ones()", methods("u64", &[("count_ones", &[])])),
        case(
            "z.leading_zeros()",
            methods("u64", &[("leading_zeros", &[])]),
        ),
        case("z.to_le_bytes()", methods("u64", &[("to_le_bytes", &[])])),
        case("f.sqrt()", methods("f64", &[("sqrt", &[])])),
        case("f.max(1.0)", methods("f64", &[("max", &["f64"])])),
        case("f.to_bits()", methods("f64", &[("to_bits", &[])])),
        case(
            "c.is_alphabetic()",
            methods("char", &[("is_alphabetic", &[])]),
        ),
        case("c.to_digit(10)", methods("char", &[("to_digit", &["u32"])])),
        case("c.len_utf8()", methods("char", &[("len_utf8", &[])])),
        case(
            "opt.unwrap_or(0)",
            methods("@Option<u8>", &[("unwrap_or", &["u8"])]),
        ),
        case("opt.as_ref()", methods("@Option<u8>", &[("as_ref", &[])])),
        case("opt.is_some()", methods("@Option<u8>", &[("is_some", &[])])),
        case(
            "opt.ok_or(0u32)",
            methods("@Option<u8>", &[("ok_or", &["u32"])]),
        ),
        case("res.ok()", methods("@Result<u8,@String>", &[("ok", &[])])),
        case(
            "res.clone().unwrap()",
            methods("@Result<u8,@String>", &[("clone", &[]), ("unwrap", &[])]),
        ),
        case(
            "res.as_ref()",
            methods("@Result<u8,@String>", &[("as_ref", &[])]),
        ),
        case("d.as_secs()", methods("@Duration", &[("as_secs", &[])])),
        case("d.as_millis()", methods("@Duration", &[("as_millis", &[])])),
        case("rc.clone()", methods("@Rc<u8>", &[("clone", &[])])),
        case("b.get(0)", methods("@Box<[u8]>", &[("get", &["usize"])])),
        case("b.len()", methods("@Box<[u8]>", &[("len", &[])])),
        case("i64::from(3u8)", Query::AssocFn("i64", "from", vec!["u8"])),
        case(
            "String::from(\"a\")",
            Query::AssocFn(S, "from", vec!["&str"]),
        ),
        case(
            "String::with_capacity(3)",
            Query::AssocFn(S, "with_capacity", vec!["usize"]),
        ),
        case(
            "Vec::<u8>::with_capacity(3)",
            Query::AssocFn("@Vec<u8>", "with_capacity", vec!["usize"]),
        ),
        case(
            "Duration::from_millis(3)",
            Query::AssocFn("@Duration", "from_millis", vec!["u64"]),
        ),
        case(
            "u8::try_from(3i32)",
            Query::AssocFn("u8", "try_from", vec!["i32"]),
        ),
        case(
            "std::mem::replace(&mut 1i32, 5)",
            Query::FreeFn("core::mem::replace", vec!["&mut i32", "i32"]),
        ),
        case(
            "std::cmp::max(1u8, 2u8)",
            Query::FreeFn("core::cmp::max", vec!["u8", "u8"]),
        ),
        case(
            "std::mem::size_of::<u8>()",
            Query::FreeFn("core::mem::size_of", vec![]),
        ),
        case("u32::MAX", Query::Const("u32", "MAX")),
        case("usize::BITS", Query::Const("usize", "BITS")),
        case("i8::MIN", Query::Const("i8", "MIN")),
        case("f32::EPSILON", Query::Const("f32", "EPSILON")),
        case(
            "std::f64::consts::PI",
            Query::Const("", "core::f64::consts::PI"),
        ),
        case("p.join(\"a\")", methods("@PathBuf", &[("join", &["&str"])])),
        case("p.extension()", methods("@PathBuf", &[("extension", &[])])),
        case("p.to_str()", methods("@PathBuf", &[("to_str", &[])])),
        case("p.file_name()", methods("@PathBuf", &[("file_name", &[])])),
        case("p.display()", methods("@PathBuf", &[("display", &[])])),
        case(
            "p.components()",
            methods("@PathBuf", &[("components", &[])]),
        ),
        case("cell.borrow()", methods("@RefCell<u8>", &[("borrow", &[])])),
        case(
            "cell.borrow_mut()",
            methods("@RefCell<u8>", &[("borrow_mut", &[])]),
        ),
        case("mx.lock()", methods("@Mutex<u8>", &[("lock", &[])])),
        case("dq.front()", methods("@VecDeque<u8>", &[("front", &[])])),
        case(
            "dq.pop_back()",
            methods("@VecDeque<u8>", &[("pop_back", &[])]),
        ),
        case("dq.iter()", methods("@VecDeque<u8>", &[("iter", &[])])),
        case(
            "bt.range(1..3)",
            methods("@BTreeMap<u8,u8>", &[("range", &["@ops::Range<u8>"])]),
        ),
        case(
            "bt.first_key_value()",
            methods("@BTreeMap<u8,u8>", &[("first_key_value", &[])]),
        ),
        case(
            "bt.into_keys()",
            methods("@BTreeMap<u8,u8>", &[("into_keys", &[])]),
        ),
        case(
            "hs.contains(&1)",
            methods("@HashSet<u8>", &[("contains", &["&u8"])]),
        ),
        case("hs.iter()", methods("@HashSet<u8>", &[("iter", &[])])),
        case("arc.len()", methods("@Arc<str>", &[("len", &[])])),
        case("arc.chars()", methods("@Arc<str>", &[("chars", &[])])),
        case(
            "v.iter().filter(|x| true)",
            methods(V, &[("iter", &[]), ("filter", &[CLOSURE])]),
        ),
        case(
            "v.iter().step_by(2)",
            methods(V, &[("iter", &[]), ("step_by", &["usize"])]),
        ),
        case(
            "v.iter().copied().max()",
            methods(V, &[("iter", &[]), ("copied", &[]), ("max", &[])]),
        ),
        case("v.iter().min()", methods(V, &[("iter", &[]), ("min", &[])])),
        case(
            "v.iter().position(|x| true)",
            methods(V, &[("iter", &[]), ("position", &[CLOSURE])]),
        ),
        case(
            "v.iter().any(|x| true)",
            methods(V, &[("iter", &[]), ("any", &[CLOSURE])]),
        ),
        case("v.split_first()", methods(V, &[("split_first", &[])])),
        case("v.iter_mut()", methods(V, &[("iter_mut", &[])])),
        case("v.to_vec()", methods(V, &[("to_vec", &[])])),
        case("v.capacity()", methods(V, &[("capacity", &[])])),
        case(
            "v.clone().into_boxed_slice()",
            methods(V, &[("clone", &[]), ("into_boxed_slice", &[])]),
        ),
        case(
            "s.char_indices().rev()",
            methods(S, &[("char_indices", &[]), ("rev", &[])]),
        ),
        case(
            "s.split_once(',')",
            methods(S, &[("split_once", &["char"])]),
        ),
        case(
            "s.replace(\"a\", \"b\")",
            methods(S, &[("replace", &["&str", "&str"])]),
        ),
        case("s.as_str()", methods(S, &[("as_str", &[])])),
        case(
            "s.to_ascii_lowercase()",
            methods(S, &[("to_ascii_lowercase", &[])]),
        ),
        case("s.encode_utf16()", methods(S, &[("encode_utf16", &[])])),
        case("s.matches('a')", methods(S, &[("matches", &["char"])])),
        case(
            "y.is_power_of_two()",
            methods("u8", &[("is_power_of_two", &[])]),
        ),
        case(
            "y.to_ascii_uppercase()",
            methods("u8", &[("to_ascii_uppercase", &[])]),
        ),
        case("x.signum()", methods("i32", &[("signum", &[])])),
        case("x.unsigned_abs()", methods("i32", &[("unsigned_abs", &[])])),
        case(
            "x.overflowing_sub(1)",
            methods("i32", &[("overflowing_sub", &["i32"])]),
        ),
        case(
            "x.checked_div(2)",
            methods("i32", &[("checked_div", &["i32"])]),
        ),
        case("z.swap_bytes()", methods("u64", &[("swap_bytes", &[])])),
        case("f.floor()", methods("f64", &[("floor", &[])])),
        case("f.is_nan()", methods("f64", &[("is_nan", &[])])),
        case("f.to_string()", methods("f64", &[("to_string", &[])])),
        case(
            "c.to_ascii_uppercase()",
            methods("char", &[("to_ascii_uppercase", &[])]),
        ),
        case(
            "c.to_uppercase()",
            methods("char", &[("to_uppercase", &[])]),
        ),
        case(
            "c.is_ascii_digit()",
            methods("char", &[("is_ascii_digit", &[])]),
        ),
        case(
            "opt.filter(|x| true)",
            methods("@Option<u8>", &[("filter", &[CLOSURE])]),
        ),
        case("opt.take()", methods("@Option<u8>", &[("take", &[])])),
        case("opt.iter()", methods("@Option<u8>", &[("iter", &[])])),
        case(
            "opt.xor(None)",
            methods("@Option<u8>", &[("xor", &["@Option<u8>"])]),
        ),
        case(
            "res.clone().err()",
            methods("@Result<u8,@String>", &[("clone", &[]), ("err", &[])]),
        ),
        case(
            "res.is_ok()",
            methods("@Result<u8,@String>", &[("is_ok", &[])]),
        ),
        case(
            "res.iter()",
            methods("@Result<u8,@String>", &[("iter", &[])]),
        ),
        case(
            "d.checked_sub(d)",
            methods("@Duration", &[("checked_sub", &["@Duration"])]),
        ),
        case(
            "d.mul_f64(2.0)",
            methods("@Duration", &[("mul_f64", &["f64"])]),
        ),
        case(
            "Rc::strong_count(&rc)",
            Query::AssocFn("@Rc<u8>", "strong_count", vec!["&@Rc<u8>"]),
        ),
        case(
            "Box::new(1u8)",
            Query::AssocFn("@Box<u8>", "new", vec!["u8"]),
        ),
        case(
            "char::from_u32(65)",
            Query::AssocFn("char", "from_u32", vec!["u32"]),
        ),
        case(
            "char::from(65u8)",
            Query::AssocFn("char", "from", vec!["u8"]),
        ),
        case(
            "u16::from_str_radix(\"1\", 2)",
            Query::AssocFn("u16", "from_str_radix", vec!["&str", "u32"]),
        ),
        case(
            "String::from_utf8(vec![1u8])",
            Query::AssocFn(S, "from_utf8", vec!["@Vec<u8>"]),
        ),
        case(
            "std::str::from_utf8(&[1u8])",
            Query::FreeFn("core::str::from_utf8", vec!["&[u8]"]),
        ),
        case("std::io::stdin()", Query::FreeFn("std::io::stdin", vec![])),
        case("std::env::args()", Query::FreeFn("std::env::args", vec![])),
        case(
            "std::env::var(\"a\")",
            Query::FreeFn("std::env::var", vec!["&str"]),
        ),
        case(
            "std::fs::read_to_string(\"a\")",
            Query::FreeFn("std::fs::read_to_string", vec!["&str"]),
        ),
        case(
            "std::io::stdin().lock().lines()",
            Query::Methods("@Stdin", vec![m("lock", &[]), m("lines", &[])]),
        ),
        case(
            "std::process::id()",
            Query::FreeFn("std::process::id", vec![]),
        ),
        case(
            "std::iter::repeat(1u8)",
            Query::FreeFn("core::iter::repeat", vec!["u8"]),
        ),
        case(
            "std::thread::current()",
            Query::FreeFn("std::thread::current", vec![]),
        ),
        case("std::char::MAX", Query::Const("", "core::char::MAX")),
        case("u64::MAX", Query::Const("u64", "MAX")),
        case("char::MAX", Query::Const("char", "MAX")),
        case("f64::NAN", Query::Const("f64", "NAN")),
    ];
    cases.extend(projection_cases());
    cases.extend(bound_cases());
    cases
}

fn projection_cases() -> Vec<Case> {
    let p = |expr, base, tr, name| case(expr, Query::Projection(base, tr, name));
    vec![
        p(
            "<Vec<u8> as IntoIterator>::Item",
            "@Vec<u8>",
            "IntoIterator",
            "Item",
        ),
        p(
            "<Vec<u8> as IntoIterator>::IntoIter",
            "@Vec<u8>",
            "IntoIterator",
            "IntoIter",
        ),
        p(
            "<&'static Vec<u8> as IntoIterator>::IntoIter",
            "&@Vec<u8>",
            "IntoIterator",
            "IntoIter",
        ),
        p(
            "<&'static Vec<u8> as IntoIterator>::Item",
            "&@Vec<u8>",
            "IntoIterator",
            "Item",
        ),
        p("<String as Deref>::Target", S, "Deref", "Target"),
        p("<Vec<u8> as Deref>::Target", "@Vec<u8>", "Deref", "Target"),
        p(
            "<Box<[u8]> as Deref>::Target",
            "@Box<[u8]>",
            "Deref",
            "Target",
        ),
        p("<Rc<u8> as Deref>::Target", "@Rc<u8>", "Deref", "Target"),
        p(
            "<Chars<'static> as Iterator>::Item",
            "@Chars",
            "Iterator",
            "Item",
        ),
        p(
            "<Vec<u8> as Index<Range<usize>>>::Output",
            "@Vec<u8>",
            "Index<@ops::Range<usize>>",
            "Output",
        ),
        p(
            "<Vec<u8> as Index<usize>>::Output",
            "@Vec<u8>",
            "Index<usize>",
            "Output",
        ),
        p(
            "<String as Index<RangeFull>>::Output",
            S,
            "Index<@RangeFull>",
            "Output",
        ),
        p(
            "<HashMap<u8, u16> as IntoIterator>::Item",
            "@HashMap<u8,u16>",
            "IntoIterator",
            "Item",
        ),
        p(
            "<BTreeMap<u8, u8> as IntoIterator>::IntoIter",
            "@BTreeMap<u8,u8>",
            "IntoIterator",
            "IntoIter",
        ),
        p("<u8 as Add>::Output", "u8", "Add<u8>", "Output"),
        p(
            "<&'static u8 as Add<u8>>::Output",
            "&u8",
            "Add<u8>",
            "Output",
        ),
        p("<f64 as Mul>::Output", "f64", "Mul<f64>", "Output"),
        p("<i32 as Neg>::Output", "i32", "Neg", "Output"),
        p("<str as ToOwned>::Owned", "str", "ToOwned", "Owned"),
        p("<[u8] as ToOwned>::Owned", "[u8]", "ToOwned", "Owned"),
        p(
            "<Option<u8> as IntoIterator>::IntoIter",
            "@Option<u8>",
            "IntoIterator",
            "IntoIter",
        ),
        p("<u8 as FromStr>::Err", "u8", "FromStr", "Err"),
        p("<f64 as FromStr>::Err", "f64", "FromStr", "Err"),
        p("<bool as FromStr>::Err", "bool", "FromStr", "Err"),
        p(
            "<Range<u8> as Iterator>::Item",
            "@ops::Range<u8>",
            "Iterator",
            "Item",
        ),
        p(
            "<[u8; 4] as IntoIterator>::Item",
            "[u8;4]",
            "IntoIterator",
            "Item",
        ),
        p(
            "<[u8; 4] as IntoIterator>::IntoIter",
            "[u8;4]",
            "IntoIterator",
            "IntoIter",
        ),
        p("<u8 as TryFrom<i32>>::Error", "u8", "TryFrom<i32>", "Error"),
        p("<String as IntoIterator>::Item", S, "IntoIterator", "Item"),
    ]
}

fn bound_cases() -> Vec<Case> {
    let h = |expr, subject, bound| case(expr, Query::Holds(subject, bound));
    vec![
        h("u8: From<bool>", "u8", "From<bool>"),
        h("u8: From<u16>", "u8", "From<u16>"),
        h("i64: From<u8>", "i64", "From<u8>"),
        h("f32: From<u8>", "f32", "From<u8>"),
        h("f32: From<u32>", "f32", "From<u32>"),
        h("String: From<&'static str>", S, "From<&str>"),
        h("Vec<u8>: From<&'static str>", "@Vec<u8>", "From<&str>"),
        h("u32: TryFrom<i64>", "u32", "TryFrom<i64>"),
        h(
            "Vec<i32>: Index<Range<usize>>",
            V,
            "Index<@ops::Range<usize>>",
        ),
        h(
            "String: Index<Range<usize>>",
            S,
            "Index<@ops::Range<usize>>",
        ),
        h("Rc<u8>: Send", "@Rc<u8>", "Send"),
        h("Arc<u8>: Send", "@Arc<u8>", "Send"),
        h("Cell<u8>: Sync", "@Cell<u8>", "Sync"),
        h("Vec<u8>: Clone", "@Vec<u8>", "Clone"),
        h("String: Copy", S, "Copy"),
        h("u8: Copy", "u8", "Copy"),
        h("Vec<u8>: Extend<&'static u8>", "@Vec<u8>", "Extend<&u8>"),
        h("String: FromIterator<char>", S, "FromIterator<char>"),
        h("String: FromIterator<u8>", S, "FromIterator<u8>"),
        h("u8: std::fmt::Display", "u8", "fmt::Display"),
        h("Vec<u8>: std::fmt::Display", "@Vec<u8>", "fmt::Display"),
        h("Vec<u8>: std::fmt::Debug", "@Vec<u8>", "Debug"),
        h("Option<u8>: Default", "@Option<u8>", "Default"),
        h("i32: std::hash::Hash", "i32", "Hash"),
        h("f64: std::hash::Hash", "f64", "Hash"),
        h("f64: Ord", "f64", "Ord"),
        h("f64: PartialOrd", "f64", "PartialOrd<f64>"),
        h("&'static str: IntoIterator", "&str", "IntoIterator"),
        h("Vec<u8>: IntoIterator", "@Vec<u8>", "IntoIterator"),
        h("u8: Iterator", "u8", "Iterator"),
        h("Range<u8>: Iterator", "@ops::Range<u8>", "Iterator"),
        h("str: AsRef<[u8]>", "str", "AsRef<[u8]>"),
        h("String: AsRef<Path>", S, "AsRef<@Path>"),
        h("Box<str>: Clone", "@Box<str>", "Clone"),
        h(
            "HashMap<u8, u8>: PartialEq",
            "@HashMap<u8,u8>",
            "PartialEq<@HashMap<u8,u8>>",
        ),
    ]
}
