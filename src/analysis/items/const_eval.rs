//! The item tree's constant expressions read by the shared integer evaluator
//! (`ty::consts`): discriminants, array lengths and consts of the crate, typed as rustc types them.

use super::item_tree::ConstExpr;
use super::lower::TyLowerer;
use crate::analysis::defs::Discriminant;
use crate::analysis::ty::consts::{ConstSyntax, Expect, IntValue, Node, evaluate};
use crate::analysis::ty::{IntTy, Ty};

impl ConstSyntax for TyLowerer<'_> {
    type Expr = ConstExpr;

    fn node<'e>(&self, expr: &'e ConstExpr) -> Node<'e, ConstExpr> {
        match expr {
            // The item tree keeps no suffixes, so every literal takes its type from the context.
            ConstExpr::Int(value) => Node::Int {
                value: *value,
                suffix: None,
            },
            ConstExpr::Bool(value) => Node::Scalar(u128::from(*value)),
            ConstExpr::Char(value) => Node::Scalar(u128::from(*value)),
            ConstExpr::Neg(inner) => Node::Neg(inner),
            ConstExpr::Not(inner) => Node::Not(inner),
            ConstExpr::Binary(op, left, right) => Node::Binary(*op, left, right),
            ConstExpr::Cast(inner, ty) => match self.ty(ty) {
                Ty::Int(int) => Node::Cast(inner, Some(int)),
                _ => Node::Cast(inner, None),
            },
            ConstExpr::Path(path) => {
                let names: Vec<&str> = path.names().collect();
                if let [.., owner, name] = names.as_slice()
                    && let Some(int) = IntTy::from_name(owner)
                    && let Some(known) = ["MIN", "MAX", "BITS"].into_iter().find(|k| k == name)
                {
                    return Node::Assoc(int, known);
                }
                self.typed_const(path)
            }
            ConstExpr::Call(path, args) if args.is_empty() => self
                .size_or_align(path)
                .and_then(|value| self.typed(IntTy::Usize, value))
                .map_or(Node::Other, Node::Typed),
            ConstExpr::Call(..) | ConstExpr::Other(_) => Node::Other,
        }
    }
}

impl TyLowerer<'_> {
    /// The pointer widths this build may have: the one its `cfg` states, else both.
    fn pointer_widths(&self) -> Vec<u32> {
        let stated = self.scope.def_map().and_then(|map| map.cfg.pointer_bytes());
        match stated {
            Some(bytes) => vec![(bytes * 8) as u32],
            None => vec![32, 64],
        }
    }

    /// Evaluates an integer constant expression whose type is not stated here, as the widest
    /// signed integer; `None` unless every possible pointer width gives the same value.
    pub fn eval(&self, expr: &ConstExpr) -> Option<i128> {
        let mut values = self
            .pointer_widths()
            .into_iter()
            .map(|bits| evaluate(self, expr, Expect::Coerce(IntTy::I128), bits)?.as_i128(bits));
        let first = values.next()??;
        values.all(|value| value == Some(first)).then_some(first)
    }

    /// A variant's written discriminant, typed by the enum's `repr` integer (else `isize`).
    pub fn discriminant(&self, expr: &ConstExpr, repr_int: Option<IntTy>) -> Discriminant {
        let ty = repr_int.unwrap_or(IntTy::Isize);
        let at = |bits: u32| {
            let value = evaluate(self, expr, Expect::Coerce(ty), bits)?;
            crate::analysis::lower::discriminant_value(value, ty, bits)
        };
        let mut discriminant = Discriminant::default();
        for bits in self.pointer_widths() {
            match bits {
                32 => discriminant.bits32 = at(32),
                64 => discriminant.bits64 = at(64),
                _ => {}
            }
        }
        discriminant
    }

    /// A crate constant with its declared type, when that is an integer type.
    fn typed_const<'e>(&self, path: &super::item_tree::PathRef) -> Node<'e, ConstExpr> {
        let Some((Ty::Int(int), value)) = self.const_value(path) else {
            return Node::Other;
        };
        self.typed(int, value).map_or(Node::Other, Node::Typed)
    }

    fn typed(&self, ty: IntTy, value: i128) -> Option<IntValue> {
        // Integer constants' values do not depend on the width they were evaluated at unless
        // they overflow it, which `exact` rejects.
        let bits = *self.pointer_widths().first()?;
        IntValue::exact(ty, value, bits)
    }
}
