//! The types memlens reasons about: a small, syntax-free model of Rust types and how a person writes them.

pub mod consts;
mod sig;

use std::fmt;

pub use sig::{
    AssocConst, AssocTypeDecl, Bounds, FnSig, GenericKind, GenericParam, ImplData, MethodDecl,
    Predicate, Receiver, TraitData, TraitRef,
};

/// Integer types, by signedness and width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntTy {
    I8,
    I16,
    I32,
    I64,
    I128,
    Isize,
    U8,
    U16,
    U32,
    U64,
    U128,
    Usize,
}

impl IntTy {
    pub const ALL: [IntTy; 12] = [
        IntTy::I8,
        IntTy::I16,
        IntTy::I32,
        IntTy::I64,
        IntTy::I128,
        IntTy::Isize,
        IntTy::U8,
        IntTy::U16,
        IntTy::U32,
        IntTy::U64,
        IntTy::U128,
        IntTy::Usize,
    ];

    pub fn name(self) -> &'static str {
        match self {
            IntTy::I8 => "i8",
            IntTy::I16 => "i16",
            IntTy::I32 => "i32",
            IntTy::I64 => "i64",
            IntTy::I128 => "i128",
            IntTy::Isize => "isize",
            IntTy::U8 => "u8",
            IntTy::U16 => "u16",
            IntTy::U32 => "u32",
            IntTy::U64 => "u64",
            IntTy::U128 => "u128",
            IntTy::Usize => "usize",
        }
    }

    pub fn from_name(name: &str) -> Option<IntTy> {
        IntTy::ALL.into_iter().find(|int| int.name() == name)
    }

    pub fn is_signed(self) -> bool {
        matches!(
            self,
            IntTy::I8 | IntTy::I16 | IntTy::I32 | IntTy::I64 | IntTy::I128 | IntTy::Isize
        )
    }
}

/// Floating-point types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FloatTy {
    F32,
    F64,
}

impl FloatTy {
    pub fn name(self) -> &'static str {
        match self {
            FloatTy::F32 => "f32",
            FloatTy::F64 => "f64",
        }
    }
}

/// A Rust type as memlens understands it.
///
/// Library and user types are `Adt`s named without module paths; their layout is decided by the
/// layout engine, which knows std's types and the file's own definitions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Int(IntTy),
    Float(FloatTy),
    Bool,
    Char,
    /// The unsized `str`.
    Str,
    /// `!`.
    Never,
    /// Tuples; the unit type is the empty tuple.
    Tuple(Vec<Ty>),
    /// `[T; N]`; the length is `None` when memlens cannot evaluate it.
    Array(Box<Ty>, Option<u64>),
    /// The unsized `[T]`.
    Slice(Box<Ty>),
    /// `&T` and `&mut T`.
    Ref {
        mutable: bool,
        pointee: Box<Ty>,
    },
    /// `*const T` and `*mut T`.
    Ptr {
        mutable: bool,
        pointee: Box<Ty>,
    },
    /// A named struct, enum or union, with its generic arguments: `Vec<String>`, `Option<i32>`.
    Adt {
        name: String,
        args: Vec<Ty>,
    },
    /// `dyn Trait` (unsized).
    Dyn(Bounds),
    /// `impl Trait`: a concrete type memlens does not see, known only by its bounds.
    Opaque(Bounds),
    /// An associated type not yet normalized: `<T as Iterator>::Item`, `Self::Output`, `T::Err`.
    Assoc(Box<Projection>),
    /// `fn(A) -> B`.
    FnPtr {
        params: Vec<Ty>,
        ret: Box<Ty>,
    },
    /// The zero-sized type of a named function item.
    FnItem(String),
    /// A closure, laid out as the tuple of what it captures; `id` tells closures of one body
    /// apart (each is its own type).
    Closure {
        id: u32,
        captures: Vec<Ty>,
    },
    /// A generic parameter not resolved to a concrete type.
    Param(String),
    /// A type memlens does not know; the string is how it was written, if it was.
    Unknown(Option<String>),
    /// An inference variable; exists only while a body is being inferred.
    Infer(InferVar),
}

/// What an inference variable may become: anything, or only an integer or float type (the
/// variables of unsuffixed literals, which fall back to `i32` and `f64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarKind {
    General,
    Int,
    Float,
}

/// An inference variable of one body's inference table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InferVar {
    pub index: u32,
    pub kind: VarKind,
}

/// `<base as Trait>::name`; `trait_ref` is `None` when the path did not say which trait
/// (`T::Item`), and inference picks the one trait of `base`'s bounds that has `name`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Projection {
    pub base: Ty,
    pub trait_ref: Option<TraitRef>,
    pub name: String,
}

/// The most parts (names, tuples, references, …) a type may have. rustc accepts longer types,
/// but one of thousands of parts tells a reader nothing, and generics that double a type
/// (`fn d<T>(x: T) -> (T, T)` applied 30 times) would make building it exponential work; past
/// the limit memlens keeps the type as unknown, and says why.
pub const MAX_TYPE_PARTS: usize = 4096;

/// How a type past [`MAX_TYPE_PARTS`] is shown.
pub const TOO_LARGE: &str = "(a type of more than 4096 parts)";

impl Ty {
    pub fn unit() -> Ty {
        Ty::Tuple(Vec::new())
    }

    pub fn adt(name: &str, args: Vec<Ty>) -> Ty {
        Ty::Adt {
            name: name.to_string(),
            args,
        }
    }

    pub fn shared_ref(pointee: Ty) -> Ty {
        Ty::Ref {
            mutable: false,
            pointee: Box::new(pointee),
        }
    }

    pub fn string() -> Ty {
        Ty::adt("String", Vec::new())
    }

    pub fn vec_of(element: Ty) -> Ty {
        Ty::adt("Vec", vec![element])
    }

    pub fn boxed(inner: Ty) -> Ty {
        Ty::adt("Box", vec![inner])
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Ty::Unknown(_))
    }

    /// Whether the type is exactly the ADT `name` (with any arguments).
    pub fn is_adt(&self, wanted: &str) -> bool {
        matches!(self, Ty::Adt { name, .. } if name == wanted)
    }

    /// The generic arguments when this is an ADT.
    pub fn adt_args(&self) -> &[Ty] {
        match self {
            Ty::Adt { args, .. } => args,
            _ => &[],
        }
    }

    /// True when the type mentions nothing memlens does not know.
    pub fn is_fully_known(&self) -> bool {
        match self {
            Ty::Unknown(_) | Ty::Param(_) | Ty::Opaque(_) | Ty::Assoc(_) | Ty::Infer(_) => false,
            Ty::Tuple(items) => items.iter().all(Ty::is_fully_known),
            Ty::Array(element, len) => len.is_some() && element.is_fully_known(),
            Ty::Slice(element) => element.is_fully_known(),
            Ty::Ref { pointee, .. } | Ty::Ptr { pointee, .. } => pointee.is_fully_known(),
            Ty::Adt { args, .. } => args.iter().all(Ty::is_fully_known),
            Ty::FnPtr { params, ret } => {
                params.iter().all(Ty::is_fully_known) && ret.is_fully_known()
            }
            Ty::Closure { captures, .. } => captures.iter().all(Ty::is_fully_known),
            _ => true,
        }
    }

    /// Replaces generic parameters by the given arguments; a result past [`MAX_TYPE_PARTS`] is
    /// the too-large mark, so that types doubled again and again stay bounded.
    pub fn substitute(&self, params: &[String], args: &[Ty]) -> Ty {
        self.substitute_unbounded(params, args).within_part_limit()
    }

    fn substitute_unbounded(&self, params: &[String], args: &[Ty]) -> Ty {
        match self {
            Ty::Param(name) => params
                .iter()
                .position(|param| param == name)
                .and_then(|index| args.get(index).cloned())
                .unwrap_or_else(|| self.clone()),
            _ => self.map_children(&|child| child.substitute_unbounded(params, args)),
        }
    }

    /// Applies `f` to each type directly inside this one, keeping the rest as it is.
    pub fn map_children(&self, f: &dyn Fn(&Ty) -> Ty) -> Ty {
        let list = |items: &[Ty]| items.iter().map(f).collect::<Vec<Ty>>();
        match self {
            Ty::Tuple(items) => Ty::Tuple(list(items)),
            Ty::Array(element, len) => Ty::Array(Box::new(f(element)), *len),
            Ty::Slice(element) => Ty::Slice(Box::new(f(element))),
            Ty::Ref { mutable, pointee } => Ty::Ref {
                mutable: *mutable,
                pointee: Box::new(f(pointee)),
            },
            Ty::Ptr { mutable, pointee } => Ty::Ptr {
                mutable: *mutable,
                pointee: Box::new(f(pointee)),
            },
            Ty::Adt { name, args } => Ty::Adt {
                name: name.clone(),
                args: list(args),
            },
            Ty::FnPtr { params, ret } => Ty::FnPtr {
                params: list(params),
                ret: Box::new(f(ret)),
            },
            Ty::Closure { id, captures } => Ty::Closure {
                id: *id,
                captures: list(captures),
            },
            Ty::Dyn(bounds) => Ty::Dyn(bounds.map_types(f)),
            Ty::Opaque(bounds) => Ty::Opaque(bounds.map_types(f)),
            Ty::Assoc(projection) => Ty::Assoc(Box::new(Projection {
                base: f(&projection.base),
                trait_ref: projection.trait_ref.as_ref().map(|t| t.map_types(f)),
                name: projection.name.clone(),
            })),
            other => other.clone(),
        }
    }

    /// Calls `f` on this type and every type inside it, outermost first.
    pub fn visit(&self, f: &mut dyn FnMut(&Ty)) {
        f(self);
        for child in self.children() {
            child.visit(f);
        }
    }

    /// The types directly inside this one.
    pub fn children(&self) -> Vec<&Ty> {
        let mut children: Vec<&Ty> = Vec::new();
        match self {
            Ty::Tuple(items) => children.extend(items.iter()),
            Ty::Array(element, _) | Ty::Slice(element) => children.push(&**element),
            Ty::Ref { pointee, .. } | Ty::Ptr { pointee, .. } => children.push(&**pointee),
            Ty::Adt { args, .. } => children.extend(args.iter()),
            Ty::FnPtr { params, ret } => {
                children.extend(params.iter());
                children.push(&**ret);
            }
            Ty::Closure { captures, .. } => children.extend(captures.iter()),
            Ty::Dyn(bounds) | Ty::Opaque(bounds) => {
                for bound in &bounds.traits {
                    children.extend(bound.args.iter());
                    children.extend(bound.bindings.iter().map(|(_, ty)| ty));
                }
            }
            Ty::Assoc(projection) => {
                children.push(&projection.base);
                if let Some(trait_ref) = &projection.trait_ref {
                    children.extend(trait_ref.args.iter());
                }
            }
            _ => {}
        }
        children
    }

    /// Whether the type has more than [`MAX_TYPE_PARTS`] parts, or is the mark of one that had.
    /// Counting stops at the limit, so this costs at most that many steps.
    pub fn is_too_large(&self) -> bool {
        let mut left = MAX_TYPE_PARTS;
        self.is_too_large_marker() || !self.fits_in_parts(&mut left)
    }

    /// The type that stands for one too large to build ([`MAX_TYPE_PARTS`]).
    pub fn too_large() -> Ty {
        Ty::Unknown(Some(TOO_LARGE.to_string()))
    }

    pub fn is_too_large_marker(&self) -> bool {
        matches!(self, Ty::Unknown(Some(written)) if written == TOO_LARGE)
    }

    /// `self` itself, or the too-large mark in its place.
    pub fn within_part_limit(self) -> Ty {
        if self.is_too_large() {
            Ty::too_large()
        } else {
            self
        }
    }

    fn fits_in_parts(&self, left: &mut usize) -> bool {
        if *left == 0 {
            return false;
        }
        *left -= 1;
        self.children()
            .into_iter()
            .all(|child| child.fits_in_parts(left))
    }

    /// Whether `wanted` occurs anywhere in the type.
    pub fn mentions(&self, wanted: &dyn Fn(&Ty) -> bool) -> bool {
        let mut found = false;
        self.visit(&mut |ty| found |= wanted(ty));
        found
    }
}

/// The outermost constructor of a type, by which impls are indexed: `Vec<T>` and `Vec<u8>` share
/// the head `Adt("Vec")`; `&str` and `&[T]` share `Ref`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TyHead {
    Adt(String),
    Int(IntTy),
    Float(FloatTy),
    Bool,
    Char,
    Str,
    Slice,
    Array,
    Ref {
        mutable: bool,
    },
    Ptr {
        mutable: bool,
    },
    Tuple(usize),
    FnPtr,
    Never,
    /// `dyn Trait`, by the principal trait's key.
    Dyn(String),
}

impl Ty {
    /// The head impls are indexed by; `None` for parameters, variables, closures and unknowns.
    pub fn head(&self) -> Option<TyHead> {
        Some(match self {
            Ty::Adt { name, .. } => TyHead::Adt(name.clone()),
            Ty::Int(int) => TyHead::Int(*int),
            Ty::Float(float) => TyHead::Float(*float),
            Ty::Bool => TyHead::Bool,
            Ty::Char => TyHead::Char,
            Ty::Str => TyHead::Str,
            Ty::Slice(_) => TyHead::Slice,
            Ty::Array(..) => TyHead::Array,
            Ty::Ref { mutable, .. } => TyHead::Ref { mutable: *mutable },
            Ty::Ptr { mutable, .. } => TyHead::Ptr { mutable: *mutable },
            Ty::Tuple(items) => TyHead::Tuple(items.len()),
            Ty::FnPtr { .. } => TyHead::FnPtr,
            Ty::Never => TyHead::Never,
            Ty::Dyn(bounds) => TyHead::Dyn(bounds.traits.first()?.key.clone()),
            _ => return None,
        })
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[Ty]) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// A pointee, parenthesized where Rust needs it: `&(dyn Trait + Send)`.
fn write_pointee(f: &mut fmt::Formatter<'_>, pointee: &Ty) -> fmt::Result {
    match pointee {
        Ty::Dyn(bounds) | Ty::Opaque(bounds) if bounds.text.contains(" + ") => {
            write!(f, "({pointee})")
        }
        _ => write!(f, "{pointee}"),
    }
}

/// Whether a type key names one of std's range types (`a..b`, `a..=b`, `a..`, `..b`, `..=b`).
pub fn is_range_key(key: &str) -> bool {
    matches!(
        key,
        "ops::Range"
            | "ops::RangeInclusive"
            | "RangeFrom"
            | "RangeTo"
            | "RangeToInclusive"
            | "Range"
            | "RangeInclusive"
    )
}

/// The name people write for a type key. The crates' items have absolute keys
/// (`::demo::parser::Token`), shown by their last segment (`Token`); std's keys are already
/// what people write (`Vec`, `io::Error`).
pub fn display_name(key: &str) -> &str {
    match key.strip_prefix("::") {
        Some(path) => path.rsplit("::").next().unwrap_or(path),
        None => key,
    }
}

/// The arguments people write: std's allocator and hasher defaults (`Vec<T, Global>`,
/// `HashMap<K, V, RandomState>`) are left out, as rustc prints them.
fn shown_args<'t>(name: &str, args: &'t [Ty]) -> &'t [Ty] {
    if name.starts_with("::") {
        return args;
    }
    let mut shown = args.len();
    while shown > 1 && args[shown - 1].is_std_default_arg() {
        shown -= 1;
    }
    &args[..shown]
}

impl Ty {
    /// std's default allocator and hasher, which printing leaves out as trailing arguments.
    fn is_std_default_arg(&self) -> bool {
        matches!(self, Ty::Adt { name, args } if args.is_empty() && (name == "Global" || name == "RandomState"))
    }
}

/// Types print as a person writes them, without module paths.
impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Int(int) => f.write_str(int.name()),
            Ty::Float(float) => f.write_str(float.name()),
            Ty::Bool => f.write_str("bool"),
            Ty::Char => f.write_str("char"),
            Ty::Str => f.write_str("str"),
            Ty::Never => f.write_str("!"),
            Ty::Tuple(items) if items.len() == 1 => write!(f, "({},)", items[0]),
            Ty::Tuple(items) => {
                f.write_str("(")?;
                write_list(f, items)?;
                f.write_str(")")
            }
            Ty::Array(element, Some(len)) => write!(f, "[{element}; {len}]"),
            Ty::Array(element, None) => write!(f, "[{element}; _]"),
            Ty::Slice(element) => write!(f, "[{element}]"),
            Ty::Ref { mutable, pointee } => {
                f.write_str(if *mutable { "&mut " } else { "&" })?;
                write_pointee(f, pointee)
            }
            Ty::Ptr { mutable, pointee } => {
                f.write_str(if *mutable { "*mut " } else { "*const " })?;
                write_pointee(f, pointee)
            }
            Ty::Adt { name, args } => {
                let shown = shown_args(name, args);
                f.write_str(display_name(name))?;
                if shown.is_empty() {
                    return Ok(());
                }
                f.write_str("<")?;
                write_list(f, shown)?;
                f.write_str(">")
            }
            Ty::Dyn(bounds) => write!(f, "dyn {bounds}"),
            Ty::Opaque(bounds) => write!(f, "impl {bounds}"),
            Ty::Assoc(projection) => match &projection.trait_ref {
                Some(trait_ref) => write!(
                    f,
                    "<{} as {}>::{}",
                    projection.base, trait_ref, projection.name
                ),
                None => write!(f, "{}::{}", projection.base, projection.name),
            },
            Ty::Infer(var) => match var.kind {
                VarKind::General => f.write_str("_"),
                VarKind::Int => f.write_str("{integer}"),
                VarKind::Float => f.write_str("{float}"),
            },
            Ty::FnPtr { params, ret } => {
                f.write_str("fn(")?;
                write_list(f, params)?;
                f.write_str(")")?;
                if **ret != Ty::unit() {
                    write!(f, " -> {ret}")?;
                }
                Ok(())
            }
            Ty::FnItem(name) => write!(f, "fn {name}"),
            Ty::Closure { .. } => f.write_str("{closure}"),
            Ty::Param(name) => f.write_str(name),
            Ty::Unknown(Some(written)) => f.write_str(written),
            Ty::Unknown(None) => f.write_str("_"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_written() {
        let ty = Ty::adt("Option", vec![Ty::boxed(Ty::Int(IntTy::I32))]);
        assert_eq!(ty.to_string(), "Option<Box<i32>>");
        assert_eq!(Ty::shared_ref(Ty::Str).to_string(), "&str");
        assert_eq!(
            Ty::Tuple(vec![Ty::Int(IntTy::U8), Ty::Bool]).to_string(),
            "(u8, bool)"
        );
        assert_eq!(Ty::unit().to_string(), "()");
        let object = Ty::Dyn(Bounds::written("Tr + Send"));
        assert_eq!(
            Ty::shared_ref(object.clone()).to_string(),
            "&(dyn Tr + Send)"
        );
        assert_eq!(Ty::boxed(object).to_string(), "Box<dyn Tr + Send>");
    }

    #[test]
    fn substitutes_params() {
        let ty = Ty::vec_of(Ty::Param("T".into()));
        let concrete = ty.substitute(&["T".into()], &[Ty::Char]);
        assert_eq!(concrete.to_string(), "Vec<char>");
    }
}
