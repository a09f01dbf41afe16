//! Declared signatures in the vocabulary of types: generic parameters, trait bounds, predicates
//! and function signatures, as items of the crate and of std declare them.

use std::fmt;

use super::Ty;

/// A trait with its arguments: `Iterator<Item = u8>`, `From<&str>`, `FnMut(u8) -> bool`
/// (the `Fn` sugar is `FnMut<(u8,)>` with the binding `Output = bool`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TraitRef {
    /// The trait's key (std's traits by their std key, the crate's by their path).
    pub key: String,
    /// Generic arguments after `Self`.
    pub args: Vec<Ty>,
    /// Associated type bindings: `Item = u8`.
    pub bindings: Vec<(String, Ty)>,
}

/// The key of a bound whose trait memlens could not resolve: kept, so that what it would say
/// (a closure's signature, whether an impl applies) is unknown rather than assumed absent.
pub const UNRESOLVED_TRAIT: &str = "{unresolved trait}";

impl TraitRef {
    /// A bound on a trait memlens could not resolve.
    pub fn unresolved() -> TraitRef {
        TraitRef::new(UNRESOLVED_TRAIT, Vec::new())
    }

    pub fn is_unresolved(&self) -> bool {
        self.key == UNRESOLVED_TRAIT
    }

    pub fn new(key: &str, args: Vec<Ty>) -> TraitRef {
        TraitRef {
            key: key.to_string(),
            args,
            bindings: Vec::new(),
        }
    }

    pub fn map_types(&self, f: &dyn Fn(&Ty) -> Ty) -> TraitRef {
        TraitRef {
            key: self.key.clone(),
            args: self.args.iter().map(f).collect(),
            bindings: self
                .bindings
                .iter()
                .map(|(name, ty)| (name.clone(), f(ty)))
                .collect(),
        }
    }

    /// The name people write: the last segment of the key.
    pub fn name(&self) -> &str {
        self.key.rsplit("::").next().unwrap_or(&self.key)
    }
}

impl fmt::Display for TraitRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if self.args.is_empty() && self.bindings.is_empty() {
            return Ok(());
        }
        f.write_str("<")?;
        let mut first = true;
        for arg in &self.args {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{arg}")?;
        }
        for (name, ty) in &self.bindings {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{name} = {ty}")?;
        }
        f.write_str(">")
    }
}

/// The bounds of `dyn A + B` or `impl A + B`: the traits, and the text as written for display.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bounds {
    pub traits: Vec<TraitRef>,
    pub text: String,
}

impl Bounds {
    /// Bounds known only by their text.
    pub fn written(text: &str) -> Bounds {
        Bounds {
            traits: Vec::new(),
            text: text.to_string(),
        }
    }

    pub fn map_types(&self, f: &dyn Fn(&Ty) -> Ty) -> Bounds {
        Bounds {
            traits: self.traits.iter().map(|t| t.map_types(f)).collect(),
            text: self.text.clone(),
        }
    }
}

impl fmt::Display for Bounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What kind of generic parameter, with what it carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GenericKind {
    /// A type parameter, with its default (`T = Global`).
    Type {
        default: Option<Ty>,
    },
    /// `const N: usize`.
    Const {
        ty: Ty,
    },
    Lifetime,
}

/// One generic parameter of an item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GenericParam {
    pub name: String,
    pub kind: GenericKind,
}

impl GenericParam {
    pub fn ty(name: &str) -> GenericParam {
        GenericParam {
            name: name.to_string(),
            kind: GenericKind::Type { default: None },
        }
    }

    pub fn is_type(&self) -> bool {
        matches!(self.kind, GenericKind::Type { .. })
    }
}

/// `subject: bound`, from `<T: Bound>` or a `where` clause (`where I::Item: Clone`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Predicate {
    pub subject: Ty,
    pub bound: TraitRef,
}

/// How a method takes `self`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Receiver {
    /// `self`, `mut self`.
    Value,
    /// `&self`.
    Ref,
    /// `&mut self`.
    RefMut,
    /// `self: Box<Self>`, `self: Rc<Self>`, `self: Pin<&mut Self>`: the written type, with
    /// `Self` as `Ty::Param("Self")`.
    Typed(Ty),
}

/// A function's declared signature. Generic parameters appear as `Ty::Param(name)`; inside a
/// trait or impl, `Self` is `Ty::Param("Self")` and the enclosing item's parameters come first
/// in `generics` (see [`FnSig::own_generics_from`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FnSig {
    pub generics: Vec<GenericParam>,
    /// Index in `generics` of the function's own first parameter (after the impl's or trait's).
    pub own_generics_from: usize,
    pub predicates: Vec<Predicate>,
    pub receiver: Option<Receiver>,
    /// Parameter types, `self` excluded; `impl Trait` arguments are `Ty::Opaque`.
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub is_unsafe: bool,
    pub is_const: bool,
}

impl FnSig {
    /// The type parameters a turbofish on the function names: its own, in order.
    pub fn own_type_params(&self) -> impl Iterator<Item = &GenericParam> {
        self.generics[self.own_generics_from.min(self.generics.len())..]
            .iter()
            .filter(|param| param.is_type())
    }
}

/// An associated type a trait declares: `type Item;`, `type Output: ?Sized = Self;`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AssocTypeDecl {
    pub name: String,
    /// Generic parameters of a generic associated type.
    pub generics: Vec<GenericParam>,
    pub bounds: Vec<TraitRef>,
    pub default: Option<Ty>,
    pub stable: bool,
    /// Declared without `?Sized`, so every value of it is `Sized` (a pointer to one is thin).
    pub known_sized: bool,
}

/// An associated constant a trait declares or an impl defines.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AssocConst {
    pub name: String,
    pub ty: Ty,
    /// In a trait: whether it has a default value.
    pub has_default: bool,
    pub stable: bool,
}

/// A method or associated function of a trait or impl.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MethodDecl {
    pub name: String,
    pub sig: FnSig,
    /// The method's own `?Sized` type parameters.
    pub unsized_params: Vec<String>,
    /// In a trait: whether it has a default body. Always true in an impl.
    pub has_default: bool,
    pub stable: bool,
}

/// A trait's declaration. `Self` is `Ty::Param("Self")`; `generics` are the parameters after it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TraitData {
    pub key: String,
    /// Its public path (`core::iter::Iterator`), for std's traits.
    pub path: String,
    pub generics: Vec<GenericParam>,
    pub unsized_params: Vec<String>,
    pub supertraits: Vec<TraitRef>,
    /// Where clauses and inline bounds other than supertraits.
    pub predicates: Vec<Predicate>,
    pub assoc_types: Vec<AssocTypeDecl>,
    pub consts: Vec<AssocConst>,
    pub methods: Vec<MethodDecl>,
    pub is_auto: bool,
    pub is_unsafe: bool,
    pub stable: bool,
}

/// An `impl` block: inherent (`trait_ref` is `None`) or of a trait. `Self` is already replaced
/// by `self_ty` everywhere in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImplData {
    pub generics: Vec<GenericParam>,
    pub unsized_params: Vec<String>,
    pub predicates: Vec<Predicate>,
    pub trait_ref: Option<TraitRef>,
    pub self_ty: Ty,
    pub assoc_types: Vec<(String, Ty)>,
    pub consts: Vec<AssocConst>,
    pub methods: Vec<MethodDecl>,
    /// `impl !Send for T`.
    pub negative: bool,
    pub stable: bool,
}

impl ImplData {
    pub fn method(&self, name: &str) -> Option<&MethodDecl> {
        self.methods.iter().find(|method| method.name == name)
    }

    pub fn assoc_type(&self, name: &str) -> Option<&Ty> {
        self.assoc_types
            .iter()
            .find(|(assoc, _)| assoc == name)
            .map(|(_, ty)| ty)
    }

    pub fn assoc_const(&self, name: &str) -> Option<&AssocConst> {
        self.consts.iter().find(|c| c.name == name)
    }
}

impl TraitData {
    pub fn method(&self, name: &str) -> Option<&MethodDecl> {
        self.methods.iter().find(|method| method.name == name)
    }
}
