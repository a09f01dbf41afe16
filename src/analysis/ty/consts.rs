//! Integer constants as rustc evaluates them: every value has a type, arithmetic that leaves the
//! type is an error (rustc rejects the program, so memlens has no value), `as` truncates or
//! sign-extends, and `isize`/`usize` are as wide as the target's pointers.
//!
//! The evaluator is written once over [`Node`], a view of a constant expression that each
//! syntax (syn's for the old lowering, the item tree's for the new one) provides.

use super::IntTy;

/// The operators of integer constant expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    BitAnd,
    BitOr,
    BitXor,
    /// Comparisons: their `bool` is an integer only as the operand of `as`.
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl IntOp {
    fn is_comparison(self) -> bool {
        matches!(
            self,
            IntOp::Lt | IntOp::Le | IntOp::Gt | IntOp::Ge | IntOp::Eq | IntOp::Ne
        )
    }
}

/// An integer of a known type, its bits masked to the type's width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntValue {
    pub ty: IntTy,
    bits: u128,
}

/// The width of `ty` in bits, with `pointer_bits` for `isize` and `usize`.
pub fn int_bits(ty: IntTy, pointer_bits: u32) -> u32 {
    match ty {
        IntTy::I8 | IntTy::U8 => 8,
        IntTy::I16 | IntTy::U16 => 16,
        IntTy::I32 | IntTy::U32 => 32,
        IntTy::I64 | IntTy::U64 => 64,
        IntTy::I128 | IntTy::U128 => 128,
        IntTy::Isize | IntTy::Usize => pointer_bits,
    }
}

fn mask(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

impl IntValue {
    /// The value of `ty` with these bits (truncated to its width), which is what `as` produces.
    fn wrapped(ty: IntTy, bits: u128, pointer_bits: u32) -> IntValue {
        IntValue {
            ty,
            bits: bits & mask(int_bits(ty, pointer_bits)),
        }
    }

    /// `value` as a `ty`, or `None` when `ty` cannot hold it.
    pub fn exact(ty: IntTy, value: i128, pointer_bits: u32) -> Option<IntValue> {
        let candidate = IntValue::wrapped(ty, value as u128, pointer_bits);
        (candidate.as_i128(pointer_bits) == Some(value)).then_some(candidate)
    }

    /// An unsigned `value` as a `ty` (for `u128` values beyond `i128`), or `None` if it does not fit.
    fn exact_unsigned(ty: IntTy, value: u128, pointer_bits: u32) -> Option<IntValue> {
        if ty.is_signed() {
            return IntValue::exact(ty, i128::try_from(value).ok()?, pointer_bits);
        }
        let width = int_bits(ty, pointer_bits);
        (value <= mask(width)).then_some(IntValue { ty, bits: value })
    }

    /// The mathematical value, sign-extended for signed types; `None` only for `u128` values
    /// above `i128::MAX`.
    pub fn as_i128(self, pointer_bits: u32) -> Option<i128> {
        let width = int_bits(self.ty, pointer_bits);
        if !self.ty.is_signed() {
            return i128::try_from(self.bits).ok();
        }
        let shift = 128 - width;
        Some(((self.bits << shift) as i128) >> shift)
    }

    /// The bits as rustc stores them (two's complement, zero above the width).
    pub fn bits(self) -> u128 {
        self.bits
    }

    /// `self as to`.
    pub fn cast(self, to: IntTy, pointer_bits: u32) -> IntValue {
        let widened = match self.as_i128(pointer_bits) {
            Some(value) => value as u128,
            None => self.bits,
        };
        IntValue::wrapped(to, widened, pointer_bits)
    }

    /// `ty::MIN`, `ty::MAX` and `ty::BITS`.
    pub fn assoc(ty: IntTy, name: &str, pointer_bits: u32) -> Option<IntValue> {
        let width = int_bits(ty, pointer_bits);
        let max = if ty.is_signed() {
            mask(width - 1)
        } else {
            mask(width)
        };
        match name {
            "MAX" => Some(IntValue { ty, bits: max }),
            "MIN" if ty.is_signed() => {
                Some(IntValue::wrapped(ty, 1u128 << (width - 1), pointer_bits))
            }
            "MIN" => Some(IntValue { ty, bits: 0 }),
            "BITS" => Some(IntValue {
                ty: IntTy::U32,
                bits: u128::from(width),
            }),
            _ => None,
        }
    }

    /// `-self`: an error for unsigned types and for the signed minimum.
    fn neg(self, pointer_bits: u32) -> Option<IntValue> {
        if !self.ty.is_signed() {
            return None;
        }
        IntValue::exact(
            self.ty,
            self.as_i128(pointer_bits)?.checked_neg()?,
            pointer_bits,
        )
    }

    /// `!self`, bitwise within the type.
    fn not(self, pointer_bits: u32) -> IntValue {
        IntValue::wrapped(self.ty, !self.bits, pointer_bits)
    }

    /// `self op rhs` with rustc's rules: both sides of arithmetic have one type and overflow is an
    /// error; a shift's amount may have any integer type but must be below the width.
    fn binary(self, op: IntOp, rhs: IntValue, pointer_bits: u32) -> Option<IntValue> {
        if op.is_comparison() {
            return None;
        }
        if matches!(op, IntOp::Shl | IntOp::Shr) {
            return self.shift(op, rhs, pointer_bits);
        }
        if self.ty != rhs.ty {
            return None;
        }
        let ty = self.ty;
        match op {
            IntOp::BitAnd => {
                return Some(IntValue::wrapped(ty, self.bits & rhs.bits, pointer_bits));
            }
            IntOp::BitOr => return Some(IntValue::wrapped(ty, self.bits | rhs.bits, pointer_bits)),
            IntOp::BitXor => {
                return Some(IntValue::wrapped(ty, self.bits ^ rhs.bits, pointer_bits));
            }
            _ => {}
        }
        if ty.is_signed() {
            let (a, b) = (self.as_i128(pointer_bits)?, rhs.as_i128(pointer_bits)?);
            let value = match op {
                IntOp::Add => a.checked_add(b),
                IntOp::Sub => a.checked_sub(b),
                IntOp::Mul => a.checked_mul(b),
                IntOp::Div => a.checked_div(b),
                _ => a.checked_rem(b),
            }?;
            IntValue::exact(ty, value, pointer_bits)
        } else {
            let (a, b) = (self.bits, rhs.bits);
            let value = match op {
                IntOp::Add => a.checked_add(b),
                IntOp::Sub => a.checked_sub(b),
                IntOp::Mul => a.checked_mul(b),
                IntOp::Div => a.checked_div(b),
                _ => a.checked_rem(b),
            }?;
            IntValue::exact_unsigned(ty, value, pointer_bits)
        }
    }

    /// `self op rhs` for a comparison: both sides have one type.
    fn compare(self, op: IntOp, rhs: IntValue, pointer_bits: u32) -> Option<bool> {
        if self.ty != rhs.ty {
            return None;
        }
        let ordering = if self.ty.is_signed() {
            self.as_i128(pointer_bits)?.cmp(&rhs.as_i128(pointer_bits)?)
        } else {
            self.bits.cmp(&rhs.bits)
        };
        Some(match op {
            IntOp::Lt => ordering.is_lt(),
            IntOp::Le => ordering.is_le(),
            IntOp::Gt => ordering.is_gt(),
            IntOp::Ge => ordering.is_ge(),
            IntOp::Eq => ordering.is_eq(),
            _ => ordering.is_ne(),
        })
    }

    fn shift(self, op: IntOp, amount: IntValue, pointer_bits: u32) -> Option<IntValue> {
        let width = int_bits(self.ty, pointer_bits);
        let amount = u32::try_from(amount.as_i128(pointer_bits)?).ok()?;
        if amount >= width {
            return None;
        }
        let bits = match op {
            IntOp::Shl => self.bits << amount,
            _ if self.ty.is_signed() => (self.as_i128(pointer_bits)? >> amount) as u128,
            _ => self.bits >> amount,
        };
        Some(IntValue::wrapped(self.ty, bits, pointer_bits))
    }
}

/// One constant expression, as the evaluator needs to see it.
pub enum Node<'e, E> {
    /// An integer literal, with its suffix if it has one.
    Int {
        value: u128,
        suffix: Option<IntTy>,
    },
    /// A `bool` or `char` (or byte) literal: integers only through `as`.
    Scalar(u128),
    Neg(&'e E),
    Not(&'e E),
    Binary(IntOp, &'e E, &'e E),
    /// `inner as T`; `None` when `T` is not an integer type.
    Cast(&'e E, Option<IntTy>),
    /// A primitive's associated constant (`i32::MIN`, `u8::BITS`).
    Assoc(IntTy, &'e str),
    /// A named constant the caller has evaluated, with its declared type.
    Typed(IntValue),
    /// A named constant whose value is known but not its type: it takes the type the context
    /// expects, as a literal would.
    Untyped(u128),
    /// Anything else: not evaluated.
    Other,
}

/// What the surroundings ask of an expression's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Nothing,
    /// The value is coerced to this type (a discriminant, an array length, a typed const), which
    /// fixes the type of untyped literals and of the operations on them.
    Coerce(IntTy),
    /// The operand of `as T`: only a literal itself (through `-` and `!`) takes `T` as its type.
    CastTo(IntTy),
}

impl Expect {
    fn literal_ty(self) -> IntTy {
        match self {
            Expect::Coerce(ty) | Expect::CastTo(ty) => ty,
            // rustc's fallback for an integer literal nothing constrains.
            Expect::Nothing => IntTy::I32,
        }
    }

    fn through_operator(self) -> Expect {
        match self {
            Expect::CastTo(_) => Expect::Nothing,
            other => other,
        }
    }
}

/// A syntax the evaluator can read.
pub trait ConstSyntax {
    type Expr;
    fn node<'e>(&self, expr: &'e Self::Expr) -> Node<'e, Self::Expr>;
}

/// Evaluates `expr` where `expect` is asked of it, on a target with `pointer_bits`-bit pointers.
pub fn evaluate<S: ConstSyntax>(
    syntax: &S,
    expr: &S::Expr,
    expect: Expect,
    pointer_bits: u32,
) -> Option<IntValue> {
    Evaluator {
        syntax,
        pointer_bits,
    }
    .eval(expr, expect, 0)
}

struct Evaluator<'s, S> {
    syntax: &'s S,
    pointer_bits: u32,
}

/// Constants nest only a little in real code; deeper means a cycle.
const MAX_DEPTH: usize = 64;

impl<S: ConstSyntax> Evaluator<'_, S> {
    fn eval(&self, expr: &S::Expr, expect: Expect, depth: usize) -> Option<IntValue> {
        if depth > MAX_DEPTH {
            return None;
        }
        let bits = self.pointer_bits;
        let value = match self.syntax.node(expr) {
            Node::Int { value, suffix } => {
                IntValue::exact_unsigned(suffix.unwrap_or(expect.literal_ty()), value, bits)?
            }
            Node::Untyped(value) => IntValue::exact_unsigned(expect.literal_ty(), value, bits)?,
            Node::Typed(value) => value,
            Node::Assoc(ty, name) => IntValue::assoc(ty, name, bits)?,
            Node::Neg(inner) => return self.negated(inner, expect, depth),
            Node::Not(inner) => self.eval(inner, expect, depth + 1)?.not(bits),
            Node::Binary(op, left, right) => return self.binary(op, left, right, expect, depth),
            Node::Cast(inner, Some(to)) => self.cast_operand(inner, to, depth)?.cast(to, bits),
            Node::Cast(_, None) | Node::Scalar(_) | Node::Other => return None,
        };
        Some(value)
    }

    /// `-literal` is one literal to rustc (`-128i8` is fine although `128i8` is not).
    fn negated(&self, inner: &S::Expr, expect: Expect, depth: usize) -> Option<IntValue> {
        if let Node::Int { value, suffix } = self.syntax.node(inner) {
            let ty = suffix.unwrap_or(expect.literal_ty());
            let negative = 0i128.checked_sub_unsigned(value)?;
            return ty
                .is_signed()
                .then(|| IntValue::exact(ty, negative, self.pointer_bits))?;
        }
        self.eval(inner, expect, depth + 1)?.neg(self.pointer_bits)
    }

    /// The operand of `as`: `true`, `'a'` and `b'a'` are integers here.
    fn cast_operand(&self, inner: &S::Expr, to: IntTy, depth: usize) -> Option<IntValue> {
        match self.syntax.node(inner) {
            Node::Scalar(value) => Some(IntValue {
                ty: IntTy::U32,
                bits: value,
            }),
            Node::Binary(op, left, right) if op.is_comparison() => {
                let holds = self.comparison(op, left, right, depth)?;
                Some(IntValue {
                    ty: IntTy::U8,
                    bits: u128::from(holds),
                })
            }
            _ => self.eval(inner, Expect::CastTo(to), depth + 1),
        }
    }

    /// `left op right` for a comparison; untyped literals on both sides fall back to `i32`.
    fn comparison(&self, op: IntOp, left: &S::Expr, right: &S::Expr, depth: usize) -> Option<bool> {
        let stated = self.stated_ty(left, depth).or(self.stated_ty(right, depth));
        let expect = stated.map_or(Expect::Nothing, Expect::Coerce);
        let a = self.eval(left, expect, depth + 1)?;
        let b = self.eval(right, expect, depth + 1)?;
        a.compare(op, b, self.pointer_bits)
    }

    fn binary(
        &self,
        op: IntOp,
        left: &S::Expr,
        right: &S::Expr,
        expect: Expect,
        depth: usize,
    ) -> Option<IntValue> {
        let outer = expect.through_operator();
        if matches!(op, IntOp::Shl | IntOp::Shr) {
            // The amount's type is its own: an untyped literal falls back to `i32`.
            let value = self.eval(left, outer, depth + 1)?;
            let amount = self.eval(right, Expect::Nothing, depth + 1)?;
            return value.binary(op, amount, self.pointer_bits);
        }
        // Both operands have one type: whichever side states it, else what the context asks.
        let stated = self.stated_ty(left, depth).or(self.stated_ty(right, depth));
        let expect = stated.map_or(outer, Expect::Coerce);
        let a = self.eval(left, expect, depth + 1)?;
        let b = self.eval(right, expect, depth + 1)?;
        a.binary(op, b, self.pointer_bits)
    }

    /// The type an expression has whatever its context: from a suffix, a typed constant, a cast.
    fn stated_ty(&self, expr: &S::Expr, depth: usize) -> Option<IntTy> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.syntax.node(expr) {
            Node::Int { suffix, .. } => suffix,
            Node::Typed(value) => Some(value.ty),
            Node::Assoc(ty, name) => Some(if name == "BITS" { IntTy::U32 } else { ty }),
            Node::Cast(_, to) => to,
            Node::Neg(inner) | Node::Not(inner) => self.stated_ty(inner, depth + 1),
            Node::Binary(IntOp::Shl | IntOp::Shr, left, _) => self.stated_ty(left, depth + 1),
            Node::Binary(_, left, right) => self
                .stated_ty(left, depth + 1)
                .or_else(|| self.stated_ty(right, depth + 1)),
            Node::Scalar(_) | Node::Untyped(_) | Node::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny expression syntax for testing the rules without a parser.
    enum E {
        Lit(u128, Option<IntTy>),
        Neg(Box<E>),
        Bin(IntOp, Box<E>, Box<E>),
        Cast(Box<E>, IntTy),
        Assoc(IntTy, &'static str),
    }

    struct Plain;

    impl ConstSyntax for Plain {
        type Expr = E;
        fn node<'e>(&self, expr: &'e E) -> Node<'e, E> {
            match expr {
                E::Lit(value, suffix) => Node::Int {
                    value: *value,
                    suffix: *suffix,
                },
                E::Neg(inner) => Node::Neg(inner),
                E::Bin(op, a, b) => Node::Binary(*op, a, b),
                E::Cast(inner, to) => Node::Cast(inner, Some(*to)),
                E::Assoc(ty, name) => Node::Assoc(*ty, name),
            }
        }
    }

    fn value(expr: &E, expect: Expect, pointer_bits: u32) -> Option<i128> {
        evaluate(&Plain, expr, expect, pointer_bits)?.as_i128(pointer_bits)
    }

    fn cast(inner: E, to: IntTy) -> E {
        E::Cast(Box::new(inner), to)
    }

    #[test]
    fn associated_constants_cast_as_rustc_casts() {
        let min = cast(E::Assoc(IntTy::I32, "MIN"), IntTy::Isize);
        let isize = Expect::Coerce(IntTy::Isize);
        assert_eq!(value(&min, isize, 64), Some(i128::from(i32::MIN)));
        let max = cast(E::Assoc(IntTy::U32, "MAX"), IntTy::Isize);
        assert_eq!(value(&max, isize, 64), Some(i128::from(u32::MAX)));
        assert_eq!(value(&max, isize, 32), Some(-1));
        let bits = E::Assoc(IntTy::Usize, "BITS");
        assert_eq!(value(&bits, Expect::Nothing, 32), Some(32));
    }

    #[test]
    fn comparisons_are_integers_through_as() {
        // semver's `8 * (PTR_BYTES < 8) as usize - PTR_BYTES * (PTR_BYTES < 8) as usize`.
        let lit = |v| Box::new(E::Lit(v, None));
        let below = |bytes| cast(E::Bin(IntOp::Lt, lit(bytes), lit(8)), IntTy::Usize);
        let tail = |bytes| {
            E::Bin(
                IntOp::Sub,
                Box::new(E::Bin(IntOp::Mul, lit(8), Box::new(below(bytes)))),
                Box::new(E::Bin(IntOp::Mul, lit(bytes), Box::new(below(bytes)))),
            )
        };
        let usize = Expect::Coerce(IntTy::Usize);
        // The truth is the same expression, evaluated by rustc.
        const WIDE: usize = 8 * (8 < 8) as usize - 8 * (8 < 8) as usize;
        const NARROW: usize = 8 * (4 < 8) as usize - 4 * (4 < 8) as usize;
        assert_eq!(value(&tail(8), usize, 64), Some(WIDE as i128));
        assert_eq!(value(&tail(4), usize, 32), Some(NARROW as i128));
        // A comparison is a `bool`, not an integer, anywhere else.
        let bare = E::Bin(IntOp::Lt, lit(1), lit(2));
        assert_eq!(value(&bare, usize, 64), None);
    }

    #[test]
    fn overflow_is_no_value() {
        let shift = |amount| E::Bin(IntOp::Shl, Box::new(E::Lit(1, None)), Box::new(amount));
        // In a cast, `1 << 40` is an `i32` shift (rustc: "attempt to shift left ... overflow").
        let in_cast = cast(shift(E::Lit(40, None)), IntTy::U64);
        assert_eq!(value(&in_cast, Expect::Nothing, 64), None);
        // As a discriminant it is an `isize` shift: fine on 64-bit targets only.
        let discriminant = shift(E::Lit(40, None));
        let isize = Expect::Coerce(IntTy::Isize);
        assert_eq!(value(&discriminant, isize, 64), Some(1 << 40));
        assert_eq!(value(&discriminant, isize, 32), None);
        // `300 as u8` makes the literal a `u8`, which cannot hold it.
        assert_eq!(
            value(&cast(E::Lit(300, None), IntTy::U8), Expect::Nothing, 64),
            None
        );
        let sum = E::Bin(
            IntOp::Add,
            Box::new(E::Assoc(IntTy::U8, "MAX")),
            Box::new(E::Lit(1, None)),
        );
        assert_eq!(value(&sum, Expect::Nothing, 64), None);
    }

    #[test]
    fn negative_literals_reach_the_minimum() {
        let min = E::Neg(Box::new(E::Lit(128, Some(IntTy::I8))));
        assert_eq!(value(&min, Expect::Nothing, 64), Some(-128));
        let unsigned = E::Neg(Box::new(E::Lit(1, None)));
        assert_eq!(value(&unsigned, Expect::Coerce(IntTy::U8), 64), None);
    }
}
