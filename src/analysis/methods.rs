//! What std's methods return, what iterators yield, and what dereferencing gives, by type.

use super::ty::{IntTy, Ty};

/// `*x`: the pointee of a reference, raw pointer or smart pointer.
pub fn deref(ty: &Ty) -> Ty {
    match ty {
        Ty::Ref { pointee, .. } | Ty::Ptr { pointee, .. } => (**pointee).clone(),
        Ty::Adt { name, args } if matches!(name.as_str(), "Box" | "Rc" | "Arc") => {
            args.first().cloned().unwrap_or(Ty::Unknown(None))
        }
        Ty::Adt { name, .. } if name == "String" => Ty::Str,
        Ty::Adt { name, args } if name == "Vec" => {
            Ty::Slice(Box::new(args.first().cloned().unwrap_or(Ty::Unknown(None))))
        }
        _ => Ty::Unknown(None),
    }
}

/// Strips references, as method calls auto-dereference their receiver.
pub fn deref_all(ty: &Ty) -> &Ty {
    match ty {
        Ty::Ref { pointee, .. } => deref_all(pointee),
        other => other,
    }
}

/// `x?`, `x.unwrap()`: the success type of an `Option` or `Result`.
pub fn unwrapped(ty: &Ty) -> Ty {
    match ty {
        Ty::Adt { name, args } if name == "Option" || name == "Result" => {
            args.first().cloned().unwrap_or(Ty::Unknown(None))
        }
        _ => Ty::Unknown(None),
    }
}

fn arg(ty: &Ty, index: usize) -> Ty {
    ty.adt_args()
        .get(index)
        .cloned()
        .unwrap_or(Ty::Unknown(None))
}

fn unknown() -> Ty {
    Ty::Unknown(None)
}

/// What a `for` loop over a value of type `ty` binds on each iteration.
pub fn iterated_item(ty: &Ty) -> Ty {
    match ty {
        Ty::Ref { mutable, pointee } => match &**pointee {
            Ty::Array(element, _) | Ty::Slice(element) => Ty::Ref {
                mutable: *mutable,
                pointee: element.clone(),
            },
            Ty::Adt { name, args }
                if matches!(name.as_str(), "Vec" | "VecDeque" | "HashSet" | "BTreeSet") =>
            {
                Ty::Ref {
                    mutable: *mutable,
                    pointee: Box::new(args.first().cloned().unwrap_or_else(unknown)),
                }
            }
            Ty::Adt { name, args } if matches!(name.as_str(), "HashMap" | "BTreeMap") => {
                Ty::Tuple(vec![
                    Ty::shared_ref(args.first().cloned().unwrap_or_else(unknown)),
                    Ty::Ref {
                        mutable: *mutable,
                        pointee: Box::new(args.get(1).cloned().unwrap_or_else(unknown)),
                    },
                ])
            }
            _ => unknown(),
        },
        Ty::Array(element, _) => (**element).clone(),
        Ty::Adt { name, args } => match name.as_str() {
            "ops::Range"
            | "ops::RangeInclusive"
            | "Range"
            | "RangeInclusive"
            | "Vec"
            | "VecDeque"
            | "IntoIter"
            | "HashSet"
            | "BTreeSet"
            | "Option" => arg(ty, 0),
            "HashMap" | "BTreeMap" => Ty::Tuple(args.clone()),
            "Iter" => Ty::shared_ref(arg(ty, 0)),
            "IterMut" => Ty::Ref {
                mutable: true,
                pointee: Box::new(arg(ty, 0)),
            },
            "Chars" => Ty::Char,
            "CharIndices" => Ty::Tuple(vec![Ty::Int(IntTy::Usize), Ty::Char]),
            "Bytes" => Ty::Int(IntTy::U8),
            "SplitWhitespace" | "Lines" | "Split" => Ty::shared_ref(Ty::Str),
            "Enumerate" => Ty::Tuple(vec![Ty::Int(IntTy::Usize), iterated_item(&arg(ty, 0))]),
            "Zip" => Ty::Tuple(vec![iterated_item(&arg(ty, 0)), iterated_item(&arg(ty, 1))]),
            "Rev" | "Skip" | "Take" | "StepBy" | "Filter" | "Peekable" | "Cloned" | "Copied" => {
                let inner = iterated_item(&arg(ty, 0));
                if matches!(name.as_str(), "Cloned" | "Copied") {
                    deref(&inner)
                } else {
                    inner
                }
            }
            "Map" => arg(ty, 1),
            _ => unknown(),
        },
        _ => unknown(),
    }
}

/// Whether values of this type iterate (so adapter methods apply).
fn is_iterator(ty: &Ty) -> bool {
    matches!(ty, Ty::Adt { name, .. } if matches!(name.as_str(),
        "ops::Range" | "ops::RangeInclusive" | "Range" | "RangeInclusive" | "Iter" | "IterMut" | "IntoIter" | "Chars" | "CharIndices" | "Bytes"
        | "SplitWhitespace" | "Lines" | "Split" | "Enumerate" | "Zip" | "Rev" | "Skip" | "Take" | "StepBy"
        | "Filter" | "Peekable" | "Cloned" | "Copied" | "Map"))
}

/// The return type of a std method called on a receiver of type `receiver`.
///
/// `args` are the argument types (closures' types carry their return as the last capture-free
/// form memlens knows); `expected` is the type the context wants, for `collect()` and `parse()`.
pub fn method_return(
    receiver: &Ty,
    method: &str,
    turbofish: &[Ty],
    args: &[Ty],
    expected: Option<&Ty>,
) -> Ty {
    let base = deref_all(receiver);
    let usize_ty = Ty::Int(IntTy::Usize);
    let bool_ty = Ty::Bool;
    match method {
        "len" | "capacity" | "count" => return usize_ty,
        "is_empty" | "contains" | "starts_with" | "ends_with" | "is_some" | "is_none" | "is_ok"
        | "is_err" | "contains_key" | "any" | "all" | "eq" | "ne" => return bool_ty,
        "to_string" | "to_uppercase" | "to_lowercase" | "repeat" | "replace" => {
            return Ty::string();
        }
        "clone" | "to_owned" if !matches!(base, Ty::Str | Ty::Slice(_)) => return base.clone(),
        "to_owned" | "to_vec" if matches!(base, Ty::Slice(_)) => return Ty::vec_of(element(base)),
        "to_owned" if *base == Ty::Str => return Ty::string(),
        "unwrap" | "expect" | "unwrap_or" | "unwrap_or_default" | "unwrap_or_else" => {
            return unwrapped(base);
        }
        "collect" => return collected(receiver, turbofish, expected),
        "sum" | "product" => {
            return turbofish
                .first()
                .cloned()
                .or_else(|| expected.cloned())
                .unwrap_or_else(|| {
                    deref(&iterated_item(receiver)).clone_or(iterated_item(receiver))
                });
        }
        "parse" => {
            let target = turbofish
                .first()
                .cloned()
                .or_else(|| expected.map(unwrapped))
                .unwrap_or_else(unknown);
            return Ty::adt("Result", vec![target, unknown()]);
        }
        _ => {}
    }
    if is_iterator(base) {
        return iterator_adapter(base, method, args);
    }
    match (base, method) {
        (Ty::Str, "trim" | "trim_start" | "trim_end") | (_, "as_str") => Ty::shared_ref(Ty::Str),
        (Ty::Str, "chars") | (Ty::Adt { .. }, "chars") => Ty::adt("Chars", vec![]),
        (_, "bytes") => Ty::adt("Bytes", vec![]),
        (_, "char_indices") => Ty::adt("CharIndices", vec![]),
        (_, "split_whitespace") => Ty::adt("SplitWhitespace", vec![]),
        (_, "lines") => Ty::adt("Lines", vec![]),
        (_, "as_bytes") => Ty::shared_ref(Ty::Slice(Box::new(Ty::Int(IntTy::U8)))),
        (_, "into_bytes") => Ty::vec_of(Ty::Int(IntTy::U8)),
        (_, "iter") => Ty::adt("Iter", vec![element(base)]),
        (_, "iter_mut") => Ty::adt("IterMut", vec![element(base)]),
        (_, "into_iter") if !matches!(receiver, Ty::Ref { .. }) => {
            Ty::adt("IntoIter", vec![element(base)])
        }
        (_, "into_iter") => Ty::adt("Iter", vec![element(base)]),
        (_, "first" | "last" | "get") => Ty::adt("Option", vec![Ty::shared_ref(element(base))]),
        (_, "pop") => Ty::adt("Option", vec![element(base)]),
        (_, "as_slice") => Ty::shared_ref(Ty::Slice(Box::new(element(base)))),
        (_, "into_boxed_slice") => Ty::boxed(Ty::Slice(Box::new(element(base)))),
        (_, "into_boxed_str") => Ty::boxed(Ty::Str),
        (Ty::Adt { name, .. }, "ok") if name == "Result" => Ty::adt("Option", vec![arg(base, 0)]),
        (
            _,
            "push" | "push_str" | "insert" | "clear" | "truncate" | "reserve" | "shrink_to_fit"
            | "extend" | "sort",
        ) => Ty::unit(),
        _ => unknown(),
    }
}

trait OrKnown {
    fn clone_or(self, other: Ty) -> Ty;
}

impl OrKnown for Ty {
    fn clone_or(self, other: Ty) -> Ty {
        if self.is_unknown() { other } else { self }
    }
}

/// The element type of a collection or slice.
fn element(base: &Ty) -> Ty {
    super::values::element_of(base)
        .cloned()
        .unwrap_or_else(unknown)
}

fn iterator_adapter(iterator: &Ty, method: &str, args: &[Ty]) -> Ty {
    let wrap = |name: &str| Ty::adt(name, vec![iterator.clone()]);
    match method {
        "enumerate" | "rev" | "skip" | "take" | "step_by" | "filter" | "peekable" | "cloned"
        | "copied" => {
            let name = match method {
                "enumerate" => "Enumerate",
                "rev" => "Rev",
                "skip" => "Skip",
                "take" => "Take",
                "step_by" => "StepBy",
                "filter" => "Filter",
                "peekable" => "Peekable",
                "cloned" => "Cloned",
                _ => "Copied",
            };
            wrap(name)
        }
        "zip" => Ty::adt(
            "Zip",
            vec![
                iterator.clone(),
                args.first().cloned().unwrap_or_else(unknown),
            ],
        ),
        "map" => Ty::adt(
            "Map",
            vec![
                iterator.clone(),
                args.first().cloned().unwrap_or_else(unknown),
            ],
        ),
        "next" | "last" | "max" | "min" | "nth" => Ty::adt("Option", vec![iterated_item(iterator)]),
        _ => unknown(),
    }
}

/// `collect()` builds the collection the turbofish or the context names, with `_` filled in
/// from the items.
fn collected(iterator: &Ty, turbofish: &[Ty], expected: Option<&Ty>) -> Ty {
    let Some(target) = turbofish.first().or(expected) else {
        return unknown();
    };
    let item = iterated_item(iterator);
    match target {
        Ty::Adt { name, args } if name == "Vec" && args.first().is_none_or(Ty::is_unknown) => {
            Ty::vec_of(item)
        }
        Ty::Adt { name, .. } if name == "String" => Ty::string(),
        other => other.clone(),
    }
}
