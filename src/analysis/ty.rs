//! The types memlens reasons about: a small, syntax-free model of Rust types and how a person writes them.

use std::fmt;

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
    /// `dyn Trait` (unsized); the string is the trait bound as written.
    Dyn(String),
    /// `impl Trait`: a concrete type memlens does not see.
    Opaque(String),
    /// `fn(A) -> B`.
    FnPtr {
        params: Vec<Ty>,
        ret: Box<Ty>,
    },
    /// The zero-sized type of a named function item.
    FnItem(String),
    /// A closure, laid out as the tuple of what it captures.
    Closure {
        captures: Vec<Ty>,
    },
    /// A generic parameter not resolved to a concrete type.
    Param(String),
    /// A type memlens does not know; the string is how it was written, if it was.
    Unknown(Option<String>),
}

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
            Ty::Unknown(_) | Ty::Param(_) | Ty::Opaque(_) => false,
            Ty::Tuple(items) => items.iter().all(Ty::is_fully_known),
            Ty::Array(element, len) => len.is_some() && element.is_fully_known(),
            Ty::Slice(element) => element.is_fully_known(),
            Ty::Ref { pointee, .. } | Ty::Ptr { pointee, .. } => pointee.is_fully_known(),
            Ty::Adt { args, .. } => args.iter().all(Ty::is_fully_known),
            Ty::FnPtr { params, ret } => {
                params.iter().all(Ty::is_fully_known) && ret.is_fully_known()
            }
            Ty::Closure { captures } => captures.iter().all(Ty::is_fully_known),
            _ => true,
        }
    }

    /// Replaces generic parameters by the given arguments.
    pub fn substitute(&self, params: &[String], args: &[Ty]) -> Ty {
        match self {
            Ty::Param(name) => params
                .iter()
                .position(|param| param == name)
                .and_then(|index| args.get(index).cloned())
                .unwrap_or_else(|| self.clone()),
            _ => self.map_children(&|child| child.substitute(params, args)),
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
            Ty::Closure { captures } => Ty::Closure {
                captures: list(captures),
            },
            other => other.clone(),
        }
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
        Ty::Dyn(bounds) | Ty::Opaque(bounds) if bounds.contains(" + ") => write!(f, "({pointee})"),
        _ => write!(f, "{pointee}"),
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
            Ty::Adt { name, args } if args.is_empty() => f.write_str(name),
            Ty::Adt { name, args } => {
                write!(f, "{name}<")?;
                write_list(f, args)?;
                f.write_str(">")
            }
            Ty::Dyn(bound) => write!(f, "dyn {bound}"),
            Ty::Opaque(bound) => write!(f, "impl {bound}"),
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
        let object = Ty::Dyn("Tr + Send".into());
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
