//! Expressions, statements and blocks: each gets a type, checked against what is expected.

use super::pat::BindingMode;
use super::{InferCtx, LoopCtx, Obligation};
use crate::analysis::items::item_tree::{const_expr, type_ref};
use crate::analysis::ty::{FloatTy, IntTy, Predicate, TraitRef, Ty, VarKind};

impl InferCtx<'_> {
    /// Checks `expr` with an expected type as a hint, and returns its type.
    pub(super) fn check_expr(&mut self, expr: &syn::Expr, expected: Option<&Ty>) -> Ty {
        if !self.enter() {
            return Ty::Unknown(None);
        }
        let ty = self.check_expr_kind(expr, expected);
        self.leave();
        let key = super::expr_key(expr);
        self.record(key, &ty);
        ty
    }

    /// Checks `expr` where a value of type `target` is needed (a coercion site).
    pub(super) fn check_coerce(&mut self, expr: &syn::Expr, target: &Ty) -> Ty {
        let ty = self.check_expr(expr, Some(target));
        self.coerce(&ty, target);
        ty
    }

    fn check_expr_kind(&mut self, expr: &syn::Expr, expected: Option<&Ty>) -> Ty {
        use syn::Expr;
        match expr {
            Expr::Lit(lit) => self.check_lit(&lit.lit, expected),
            Expr::Path(path) => self.check_path_expr(path, expected),
            Expr::Paren(inner) => self.check_expr(&inner.expr, expected),
            Expr::Group(inner) => self.check_expr(&inner.expr, expected),
            Expr::Block(block) => self.check_labeled_block(block, expected),
            Expr::Unsafe(block) => self.check_block(&block.block, expected),
            Expr::Const(block) => self.check_block(&block.block, expected),
            Expr::Async(block) => self.check_async(&block.block),
            Expr::Tuple(tuple) => self.check_tuple(tuple, expected),
            Expr::Array(array) => self.check_array(array, expected),
            Expr::Repeat(repeat) => self.check_repeat(repeat, expected),
            Expr::Reference(reference) => self.check_reference(reference, expected),
            Expr::RawAddr(raw) => {
                let inner = self.check_expr(&raw.expr, None);
                Ty::Ptr {
                    mutable: matches!(raw.mutability, syn::PointerMutability::Mut(_)),
                    pointee: Box::new(inner),
                }
            }
            Expr::Unary(unary) => self.check_unary(unary, expected),
            Expr::Binary(binary) => self.check_binary(binary, expected),
            Expr::Assign(assign) => {
                let target = self.check_expr(&assign.left, None);
                self.check_coerce(&assign.right, &target);
                Ty::unit()
            }
            Expr::Cast(cast) => {
                let target = self.lower_type(&cast.ty);
                let hint = self.cast_hint(&target);
                self.check_expr(&cast.expr, hint.as_ref());
                target
            }
            Expr::Call(call) => self.check_call(call, expected),
            Expr::MethodCall(call) => self.check_method_call(call, expected),
            Expr::Field(field) => self.check_field(field),
            Expr::Index(index) => self.check_index(index),
            Expr::If(if_expr) => self.check_if(if_expr, expected),
            Expr::Match(match_expr) => self.check_match(match_expr, expected),
            Expr::Let(let_expr) => {
                let scrutinee = self.check_expr(&let_expr.expr, None);
                self.check_pat(&let_expr.pat, &scrutinee, BindingMode::Move);
                Ty::Bool
            }
            Expr::While(while_expr) => self.check_while(while_expr),
            Expr::Loop(loop_expr) => self.check_loop(loop_expr, expected),
            Expr::ForLoop(for_loop) => self.check_for(for_loop),
            Expr::Break(break_expr) => self.check_break(break_expr),
            Expr::Continue(_) => Ty::Never,
            Expr::Return(ret) => self.check_return(ret.expr.as_deref()),
            Expr::Try(try_expr) => self.check_try(&try_expr.expr),
            Expr::Await(await_expr) => {
                let future = self.check_expr(&await_expr.base, None);
                self.future_output(&future)
            }
            Expr::Range(range) => self.check_range(range, expected),
            Expr::Struct(literal) => self.check_struct_literal(literal, expected),
            Expr::Closure(closure) => self.check_closure(closure, expected),
            Expr::Macro(mac) => self.check_macro(&mac.mac, expected),
            Expr::TryBlock(block) => {
                self.check_block(&block.block, None);
                Ty::Unknown(None)
            }
            Expr::Infer(_) => expected.cloned().unwrap_or_else(|| self.new_var()),
            _ => Ty::Unknown(None),
        }
    }

    /// `as` casts: a literal cast to a numeric type keeps its own type (`1 as u8` is `i32`
    /// cast); only an integer literal's fallback decides it.
    fn cast_hint(&self, _target: &Ty) -> Option<Ty> {
        None
    }

    pub(super) fn lower_type(&self, ty: &syn::Type) -> Ty {
        let lowered = self.lowerer.ty(&type_ref(ty));
        self.replace_infer_holes(lowered)
    }

    /// `_` in a written type becomes a fresh variable; the lowerer gives `Unknown(None)` for it.
    fn replace_infer_holes(&self, ty: Ty) -> Ty {
        ty
    }

    fn check_lit(&mut self, lit: &syn::Lit, expected: Option<&Ty>) -> Ty {
        match lit {
            syn::Lit::Str(_) => Ty::shared_ref(Ty::Str),
            syn::Lit::ByteStr(bytes) => Ty::shared_ref(Ty::Array(
                Box::new(Ty::Int(IntTy::U8)),
                Some(bytes.value().len() as u64),
            )),
            syn::Lit::CStr(_) => Ty::shared_ref(Ty::adt("CStr", Vec::new())),
            syn::Lit::Byte(_) => Ty::Int(IntTy::U8),
            syn::Lit::Char(_) => Ty::Char,
            syn::Lit::Bool(_) => Ty::Bool,
            syn::Lit::Int(int) => match int.suffix() {
                "" => self.literal_var(VarKind::Int, expected),
                "f32" => Ty::Float(FloatTy::F32),
                "f64" => Ty::Float(FloatTy::F64),
                suffix => IntTy::from_name(suffix).map_or(Ty::Unknown(None), Ty::Int),
            },
            syn::Lit::Float(float) => match float.suffix() {
                "f32" => Ty::Float(FloatTy::F32),
                "f64" => Ty::Float(FloatTy::F64),
                _ => self.literal_var(VarKind::Float, expected),
            },
            _ => Ty::Unknown(None),
        }
    }

    /// An unsuffixed literal: a fresh integer or float variable, unified with the expected type
    /// when that is a number (a hint only: `let x: u8 = 1` makes the literal `u8`).
    fn literal_var(&mut self, kind: VarKind, expected: Option<&Ty>) -> Ty {
        let var = self.table.new_var(kind);
        if let Some(expected) = expected {
            let expected = self.shallow(expected);
            let fits = match kind {
                VarKind::Int => matches!(expected, Ty::Int(_) | Ty::Infer(_)),
                VarKind::Float => matches!(expected, Ty::Float(_) | Ty::Infer(_)),
                VarKind::General => false,
            };
            if fits {
                let snapshot = self.table.snapshot();
                if !self.table.unify(&var, &expected) {
                    self.table.rollback(snapshot);
                }
            }
        }
        var
    }

    pub(super) fn check_block(&mut self, block: &syn::Block, expected: Option<&Ty>) -> Ty {
        self.scoped(|cx| cx.check_stmts(&block.stmts, expected))
    }

    fn check_labeled_block(&mut self, block: &syn::ExprBlock, expected: Option<&Ty>) -> Ty {
        let Some(label) = &block.label else {
            return self.check_block(&block.block, expected);
        };
        let break_ty = expected.cloned().unwrap_or_else(|| self.new_var());
        self.loops.push(LoopCtx {
            label: Some(label.name.ident.to_string()),
            break_ty: Some(break_ty.clone()),
        });
        let tail = self.check_block(&block.block, Some(&break_ty));
        self.loops.pop();
        self.coerce(&tail, &break_ty);
        break_ty
    }

    /// The statements of a block; its type is the tail expression's, `!` when it diverges.
    pub(super) fn check_stmts(&mut self, stmts: &[syn::Stmt], expected: Option<&Ty>) -> Ty {
        let mut diverges = false;
        let mut tail = Ty::unit();
        for (index, stmt) in stmts.iter().enumerate() {
            let last = index + 1 == stmts.len();
            let ty = self.check_stmt(stmt, if last { expected } else { None });
            if matches!(self.shallow(&ty), Ty::Never) && !last {
                diverges = true;
            }
            match stmt {
                syn::Stmt::Expr(_, None) if last => tail = ty,
                syn::Stmt::Macro(mac) if last && mac.semi_token.is_none() => tail = ty,
                _ => {
                    if matches!(self.shallow(&ty), Ty::Never) {
                        diverges = true;
                    }
                }
            }
            self.select_obligations_quietly();
        }
        if diverges && tail == Ty::unit() {
            return Ty::Never;
        }
        tail
    }

    fn check_stmt(&mut self, stmt: &syn::Stmt, expected: Option<&Ty>) -> Ty {
        match stmt {
            syn::Stmt::Local(local) => {
                self.check_local(local);
                Ty::unit()
            }
            syn::Stmt::Item(syn::Item::Macro(item)) => {
                self.define_local_macro(item);
                Ty::unit()
            }
            syn::Stmt::Item(_) => Ty::unit(),
            syn::Stmt::Expr(expr, None) => self.check_expr(expr, expected),
            syn::Stmt::Expr(expr, Some(_)) => self.check_expr(expr, None),
            syn::Stmt::Macro(mac) => {
                let ty = self.check_macro(&mac.mac, expected);
                self.record(mac.mac.bang_token.span.byte_range().start, &ty);
                ty
            }
        }
    }

    fn check_local(&mut self, local: &syn::Local) {
        let (pat, annotation) = match &local.pat {
            syn::Pat::Type(typed) => (&*typed.pat, Some(self.lower_annotation(&typed.ty))),
            other => (other, None),
        };
        let ty = match (&local.init, &annotation) {
            (Some(init), Some(ty)) => {
                self.check_coerce(&init.expr, ty);
                ty.clone()
            }
            (Some(init), None) => {
                let ty = self.check_expr(&init.expr, None);
                // A diverging initializer gives the binding a fresh type (rustc: a diverging var).
                if matches!(self.shallow(&ty), Ty::Never) {
                    self.new_var()
                } else {
                    ty
                }
            }
            (None, Some(ty)) => ty.clone(),
            (None, None) => self.new_var(),
        };
        if let Some(init) = &local.init
            && let Some((_, diverge)) = &init.diverge
        {
            self.check_expr(diverge, None);
        }
        self.check_pat(pat, &ty, BindingMode::Move);
    }

    /// A written type where `_` means "infer it".
    pub(super) fn lower_annotation(&mut self, ty: &syn::Type) -> Ty {
        let lowered = self.lower_type(ty);
        self.holes_to_vars(&lowered, ty)
    }

    /// `_` in a written type is a variable; the lowerer gives it as `Unknown(None)`, and a type
    /// memlens could not lower gives `Unknown(Some(..))`, which stays unknown.
    fn holes_to_vars(&mut self, lowered: &Ty, _written: &syn::Type) -> Ty {
        match lowered {
            Ty::Unknown(None) => self.new_var(),
            other => {
                let mut holes = Vec::new();
                collect_holes(other, &mut holes);
                if holes.is_empty() {
                    return other.clone();
                }
                self.fill_holes(other)
            }
        }
    }

    fn fill_holes(&mut self, ty: &Ty) -> Ty {
        match ty {
            Ty::Unknown(None) => self.new_var(),
            Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| self.fill_holes(t)).collect()),
            Ty::Array(element, len) => Ty::Array(Box::new(self.fill_holes(element)), *len),
            Ty::Slice(element) => Ty::Slice(Box::new(self.fill_holes(element))),
            Ty::Ref { mutable, pointee } => Ty::Ref {
                mutable: *mutable,
                pointee: Box::new(self.fill_holes(pointee)),
            },
            Ty::Ptr { mutable, pointee } => Ty::Ptr {
                mutable: *mutable,
                pointee: Box::new(self.fill_holes(pointee)),
            },
            Ty::Adt { name, args } => Ty::Adt {
                name: name.clone(),
                args: args.iter().map(|t| self.fill_holes(t)).collect(),
            },
            other => other.clone(),
        }
    }

    fn check_async(&mut self, block: &syn::Block) -> Ty {
        let output = self.new_var();
        self.returns.push(output.clone());
        let tail = self.check_block(block, Some(&output));
        self.coerce(&tail, &output);
        self.returns.pop();
        let output = self.resolve(&output);
        let mut future = TraitRef::new("Future", Vec::new());
        future.bindings.push(("Output".into(), output));
        Ty::Opaque(crate::analysis::ty::Bounds {
            text: "Future".into(),
            traits: vec![future],
        })
    }

    fn check_tuple(&mut self, tuple: &syn::ExprTuple, expected: Option<&Ty>) -> Ty {
        let expected_parts = match expected.map(|e| self.shallow(e)) {
            Some(Ty::Tuple(parts)) if parts.len() == tuple.elems.len() => Some(parts),
            _ => None,
        };
        let items = tuple
            .elems
            .iter()
            .enumerate()
            .map(|(index, elem)| {
                let hint = expected_parts.as_ref().map(|parts| parts[index].clone());
                match hint {
                    Some(hint) => {
                        self.check_coerce(elem, &hint);
                        hint
                    }
                    None => self.check_expr(elem, None),
                }
            })
            .collect();
        Ty::Tuple(items)
    }

    fn expected_element(&self, expected: Option<&Ty>) -> Option<Ty> {
        match expected.map(|e| self.shallow(e)) {
            Some(Ty::Array(element, _) | Ty::Slice(element)) => Some(*element),
            _ => None,
        }
    }

    fn check_array(&mut self, array: &syn::ExprArray, expected: Option<&Ty>) -> Ty {
        let element = self
            .expected_element(expected)
            .unwrap_or_else(|| self.new_var());
        for elem in &array.elems {
            self.check_coerce(elem, &element);
        }
        Ty::Array(Box::new(element), Some(array.elems.len() as u64))
    }

    fn check_repeat(&mut self, repeat: &syn::ExprRepeat, expected: Option<&Ty>) -> Ty {
        let element = self
            .expected_element(expected)
            .unwrap_or_else(|| self.new_var());
        self.check_coerce(&repeat.expr, &element);
        self.check_expr(&repeat.len, Some(&Ty::Int(IntTy::Usize)));
        let len = self
            .lowerer
            .eval(&const_expr(&repeat.len))
            .and_then(|n| u64::try_from(n).ok());
        Ty::Array(Box::new(element), len)
    }

    fn check_reference(&mut self, reference: &syn::ExprReference, expected: Option<&Ty>) -> Ty {
        let hint = match expected.map(|e| self.shallow(e)) {
            Some(Ty::Ref { pointee, .. }) => match self.shallow(&pointee) {
                // `&[1, 2]` where `&[u8]` is expected: the array's elements are `u8`.
                Ty::Slice(element) => Some(Ty::Array(element, None)),
                Ty::Str | Ty::Dyn(_) => None,
                other => Some(other),
            },
            _ => None,
        };
        let inner = self.check_expr(&reference.expr, hint.as_ref());
        Ty::Ref {
            mutable: reference.mutability.is_some(),
            pointee: Box::new(inner),
        }
    }

    fn check_unary(&mut self, unary: &syn::ExprUnary, expected: Option<&Ty>) -> Ty {
        match unary.op {
            syn::UnOp::Deref(_) => {
                let inner = self.check_expr(&unary.expr, None);
                self.deref_once(&inner).unwrap_or(Ty::Unknown(None))
            }
            syn::UnOp::Not(_) => {
                let inner = self.check_expr(&unary.expr, expected);
                self.unary_op(&inner, "Not", "not")
            }
            syn::UnOp::Neg(_) => {
                let inner = self.check_expr(&unary.expr, expected);
                self.unary_op(&inner, "Neg", "neg")
            }
            _ => Ty::Unknown(None),
        }
    }

    fn unary_op(&mut self, operand: &Ty, trait_key: &str, _method: &str) -> Ty {
        let operand_now = self.shallow(operand);
        if is_builtin_numeric(&operand_now) || matches!(operand_now, Ty::Bool) {
            return operand_now;
        }
        self.op_output(operand, trait_key, Vec::new())
    }

    /// `<lhs as Trait<args>>::Output`, for operators on non-primitive types.
    pub(super) fn op_output(&mut self, lhs: &Ty, trait_key: &str, args: Vec<Ty>) -> Ty {
        let output = self.new_var();
        let trait_ref = TraitRef::new(trait_key, args);
        self.obligations.push(Obligation::Trait(Predicate {
            subject: lhs.clone(),
            bound: trait_ref.clone(),
        }));
        self.obligations.push(Obligation::Projection {
            base: lhs.clone(),
            trait_ref,
            name: "Output".into(),
            target: output.clone(),
        });
        self.select_obligations_quietly();
        output
    }

    fn check_binary(&mut self, binary: &syn::ExprBinary, expected: Option<&Ty>) -> Ty {
        use syn::BinOp;
        let op = &binary.op;
        if matches!(op, BinOp::And(_) | BinOp::Or(_)) {
            self.check_coerce(&binary.left, &Ty::Bool);
            self.check_coerce(&binary.right, &Ty::Bool);
            return Ty::Bool;
        }
        let comparison = matches!(
            op,
            BinOp::Eq(_) | BinOp::Ne(_) | BinOp::Lt(_) | BinOp::Le(_) | BinOp::Gt(_) | BinOp::Ge(_)
        );
        let assign = is_compound_assign(op);
        let shift = matches!(
            op,
            BinOp::Shl(_) | BinOp::Shr(_) | BinOp::ShlAssign(_) | BinOp::ShrAssign(_)
        );
        let lhs_hint = if comparison || assign { None } else { expected };
        let lhs = self.check_expr(&binary.left, lhs_hint);
        let lhs_now = self.shallow(&lhs);
        // Builtin operators on numbers: both sides the same type (shifts excepted).
        if is_builtin_numeric(&lhs_now) || (matches!(lhs_now, Ty::Bool) && !shift) {
            let rhs = if shift {
                self.check_expr(&binary.right, None)
            } else {
                self.check_expr(&binary.right, Some(&lhs))
            };
            let rhs_now = self.shallow(&rhs);
            let builtin =
                is_builtin_numeric(&rhs_now) || matches!(rhs_now, Ty::Bool | Ty::Unknown(_));
            if shift || builtin {
                if !shift {
                    self.unify(&lhs, &rhs);
                }
                return if comparison || assign {
                    operand_result(comparison)
                } else {
                    lhs
                };
            }
            return self.overloaded_binary(op, &lhs, &rhs, comparison, assign);
        }
        if comparison {
            // `a == b` for any `PartialEq`: the right side is usually the same type.
            let rhs = self.check_expr(&binary.right, Some(&lhs));
            let lhs_r = self.shallow(&lhs);
            if matches!(lhs_r, Ty::Infer(_)) || matches!(self.shallow(&rhs), Ty::Infer(_)) {
                self.unify(&lhs, &rhs);
            }
            return self.overloaded_binary(op, &lhs, &rhs, comparison, assign);
        }
        let rhs = self.check_expr(&binary.right, None);
        self.overloaded_binary(op, &lhs, &rhs, comparison, assign)
    }

    fn overloaded_binary(
        &mut self,
        op: &syn::BinOp,
        lhs: &Ty,
        rhs: &Ty,
        comparison: bool,
        assign: bool,
    ) -> Ty {
        if comparison {
            // `a == b` is `PartialEq::eq(&a, &b)`: its impl may decide literals on either side
            // (`[u8; 4] == [0xff; 4]` makes the right side's `u8`, as rustc selects it).
            let trait_key = match op {
                syn::BinOp::Eq(_) | syn::BinOp::Ne(_) => "PartialEq",
                _ => "PartialOrd",
            };
            let predicate = Predicate {
                subject: lhs.clone(),
                bound: TraitRef::new(trait_key, vec![rhs.clone()]),
            };
            self.obligations.push(Obligation::Trait(predicate));
            self.select_obligations_quietly();
            return Ty::Bool;
        }
        let Some(trait_key) = op_trait(op) else {
            return Ty::Unknown(None);
        };
        if assign {
            let predicate = Predicate {
                subject: lhs.clone(),
                bound: TraitRef::new(trait_key, vec![rhs.clone()]),
            };
            self.obligations.push(Obligation::Trait(predicate));
            self.select_obligations_quietly();
            return Ty::unit();
        }
        self.op_output(lhs, trait_key, vec![rhs.clone()])
    }

    fn check_if(&mut self, if_expr: &syn::ExprIf, expected: Option<&Ty>) -> Ty {
        self.scoped(|cx| {
            cx.check_condition(&if_expr.cond);
            let then_ty = cx.check_block(&if_expr.then_branch, expected);
            let Some((_, else_branch)) = &if_expr.else_branch else {
                cx.coerce(&then_ty, &Ty::unit());
                return Ty::unit();
            };
            // The `else` is checked outside the condition's bindings.
            let depth = cx.locals.len();
            let _ = depth;
            let else_ty = cx.check_expr(else_branch, expected);
            cx.join(&[then_ty, else_ty], expected)
        })
    }

    /// A condition: `if let` chains bind in the `then` block.
    fn check_condition(&mut self, cond: &syn::Expr) {
        match cond {
            syn::Expr::Let(_) => {
                self.check_expr(cond, None);
            }
            syn::Expr::Binary(binary) if matches!(binary.op, syn::BinOp::And(_)) => {
                self.check_condition(&binary.left);
                self.check_condition(&binary.right);
                self.record(super::expr_key(cond), &Ty::Bool);
            }
            other => {
                self.check_coerce(other, &Ty::Bool);
            }
        }
    }

    /// The common type of branches, as rustc's "least upper bound" coercion finds it: diverging
    /// branches do not count.
    pub(super) fn join(&mut self, branches: &[Ty], expected: Option<&Ty>) -> Ty {
        let live: Vec<Ty> = branches
            .iter()
            .filter(|ty| !matches!(self.shallow(ty), Ty::Never))
            .cloned()
            .collect();
        let Some(first) = live.first() else {
            return Ty::Never;
        };
        if let Some(expected) = expected
            && !matches!(self.shallow(expected), Ty::Infer(_))
        {
            for ty in &live {
                self.coerce(ty, expected);
            }
            return expected.clone();
        }
        // As rustc's `CoerceMany`: each branch coerces to the type so far, or the branches so
        // far coerce to it (`Box<Take<R>>` then `Box<dyn Read>` is `Box<dyn Read>`).
        let mut merged = first.clone();
        for (index, ty) in live.iter().enumerate().skip(1) {
            if self.try_coerce(ty, &merged) {
                continue;
            }
            if live[..index]
                .iter()
                .all(|earlier| self.try_coerce(earlier, ty))
            {
                merged = ty.clone();
                continue;
            }
            self.unify(ty, &merged);
            return Ty::Unknown(None);
        }
        merged
    }

    /// Coerces if it can, leaving no trace when it cannot.
    pub(super) fn try_coerce(&mut self, actual: &Ty, target: &Ty) -> bool {
        let snapshot = self.table.snapshot();
        let obligations = self.obligations.mark();
        let was_trying = std::mem::replace(&mut self.trying, true);
        let coerced = self.coerce(actual, target);
        self.trying = was_trying;
        if !coerced {
            self.table.rollback(snapshot);
            self.obligations.truncate(obligations);
        }
        coerced
    }

    fn check_match(&mut self, match_expr: &syn::ExprMatch, expected: Option<&Ty>) -> Ty {
        let scrutinee = self.check_expr(&match_expr.expr, None);
        let mut arms = Vec::new();
        for arm in &match_expr.arms {
            let ty = self.scoped(|cx| {
                cx.check_pat(&arm.pat, &scrutinee, BindingMode::Move);
                if let Some((_, guard)) = &arm.guard {
                    cx.check_condition(guard);
                }
                cx.check_expr(&arm.body, expected)
            });
            arms.push(ty);
        }
        if arms.is_empty() {
            return Ty::Never;
        }
        self.join(&arms, expected)
    }

    fn check_while(&mut self, while_expr: &syn::ExprWhile) -> Ty {
        self.loops.push(LoopCtx {
            label: while_expr.label.as_ref().map(|l| l.name.ident.to_string()),
            break_ty: None,
        });
        self.scoped(|cx| {
            cx.check_condition(&while_expr.cond);
            let body = cx.check_block(&while_expr.body, Some(&Ty::unit()));
            cx.coerce(&body, &Ty::unit());
        });
        self.loops.pop();
        Ty::unit()
    }

    fn check_loop(&mut self, loop_expr: &syn::ExprLoop, expected: Option<&Ty>) -> Ty {
        let break_ty = expected.cloned().unwrap_or_else(|| self.new_var());
        self.loops.push(LoopCtx {
            label: loop_expr.label.as_ref().map(|l| l.name.ident.to_string()),
            break_ty: Some(break_ty.clone()),
        });
        self.check_block(&loop_expr.body, Some(&Ty::unit()));
        let broke = self.loops.pop();
        // A loop without `break` never ends.
        if broke.is_some_and(|ctx| ctx.break_ty.is_some() && !self.loop_broke(&ctx.break_ty)) {
            return Ty::Never;
        }
        break_ty
    }

    /// Whether any `break` reached this loop (its break type was touched).
    fn loop_broke(&self, break_ty: &Option<Ty>) -> bool {
        match break_ty {
            Some(Ty::Infer(var)) => self.table.shallow(&Ty::Infer(*var)) != Ty::Infer(*var),
            _ => true,
        }
    }

    fn check_for(&mut self, for_loop: &syn::ExprForLoop) -> Ty {
        let iterable = self.check_expr(&for_loop.expr, None);
        let item = self.iterator_item(&iterable);
        self.loops.push(LoopCtx {
            label: for_loop.label.as_ref().map(|l| l.name.ident.to_string()),
            break_ty: None,
        });
        self.scoped(|cx| {
            cx.check_pat(&for_loop.pat, &item, BindingMode::Move);
            let body = cx.check_block(&for_loop.body, Some(&Ty::unit()));
            cx.coerce(&body, &Ty::unit());
        });
        self.loops.pop();
        Ty::unit()
    }

    /// `<<T as IntoIterator>::IntoIter as Iterator>::Item`.
    pub(super) fn iterator_item(&mut self, iterable: &Ty) -> Ty {
        let into_iter = self.project(
            iterable,
            TraitRef::new("IntoIterator", Vec::new()),
            "IntoIter",
        );
        self.project(&into_iter, TraitRef::new("Iterator", Vec::new()), "Item")
    }

    fn check_break(&mut self, break_expr: &syn::ExprBreak) -> Ty {
        let label = break_expr.label.as_ref().map(|l| l.ident.to_string());
        let target = self
            .loops
            .iter()
            .rev()
            .find(|ctx| label.is_none() || ctx.label == label)
            .and_then(|ctx| ctx.break_ty.clone());
        match (&break_expr.expr, target) {
            (Some(value), Some(target)) => {
                self.check_coerce(value, &target);
            }
            (Some(value), None) => {
                self.check_expr(value, None);
            }
            (None, Some(target)) => {
                self.unify(&target, &Ty::unit());
            }
            (None, None) => {}
        }
        Ty::Never
    }

    fn check_return(&mut self, value: Option<&syn::Expr>) -> Ty {
        let ret = self.returns.last().cloned().unwrap_or(Ty::Unknown(None));
        match value {
            Some(value) => {
                self.check_coerce(value, &ret);
            }
            None => {
                self.unify(&ret, &Ty::unit());
            }
        }
        Ty::Never
    }

    /// `expr?` on `Result<T, E>` and `Option<T>` (and `Poll`/`ControlFlow`): `T`.
    fn check_try(&mut self, inner: &syn::Expr) -> Ty {
        let ty = self.check_expr(inner, None);
        let ty = self.resolve(&ty);
        match &ty {
            Ty::Adt { name, args } if name == "Result" || name == "Option" => {
                args.first().cloned().unwrap_or(Ty::Unknown(None))
            }
            Ty::Adt { name, args } if name == "ControlFlow" => {
                args.get(1).cloned().unwrap_or(Ty::Unknown(None))
            }
            _ => Ty::Unknown(None),
        }
    }

    fn check_range(&mut self, range: &syn::ExprRange, expected: Option<&Ty>) -> Ty {
        let hint = match expected.map(|e| self.resolve(e)) {
            Some(Ty::Adt { args, .. }) => args.first().cloned(),
            _ => None,
        };
        let element = hint.unwrap_or_else(|| self.new_var());
        if let Some(start) = &range.start {
            self.check_coerce(start, &element);
        }
        if let Some(end) = &range.end {
            self.check_coerce(end, &element);
        }
        let closed = matches!(range.limits, syn::RangeLimits::Closed(_));
        let name = match (&range.start, &range.end, closed) {
            (Some(_), Some(_), false) => "ops::Range",
            (Some(_), Some(_), true) => "ops::RangeInclusive",
            (Some(_), None, _) => "RangeFrom",
            (None, Some(_), false) => "RangeTo",
            (None, Some(_), true) => "RangeToInclusive",
            (None, None, _) => return Ty::adt("RangeFull", Vec::new()),
        };
        Ty::adt(name, vec![element])
    }

    /// `future.await`: the `Output` of the future.
    fn future_output(&mut self, future: &Ty) -> Ty {
        let future = self.resolve(future);
        if let Ty::Opaque(bounds) = &future
            && let Some(output) = bounds
                .traits
                .iter()
                .flat_map(|t| t.bindings.iter())
                .find(|(name, _)| name == "Output")
        {
            return output.1.clone();
        }

        self.project(&future, TraitRef::new("IntoFuture", Vec::new()), "Output")
    }
}

fn collect_holes(ty: &Ty, holes: &mut Vec<()>) {
    ty.visit(&mut |inner| {
        if matches!(inner, Ty::Unknown(None)) {
            holes.push(());
        }
    });
}

/// Integers and floats (and their literal variables), for which operators are builtin.
pub(super) fn is_builtin_numeric(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::Int(_)
            | Ty::Float(_)
            | Ty::Infer(crate::analysis::ty::InferVar {
                kind: VarKind::Int | VarKind::Float,
                ..
            })
    )
}

fn operand_result(comparison: bool) -> Ty {
    if comparison { Ty::Bool } else { Ty::unit() }
}

fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp;
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

/// The std trait behind an operator.
fn op_trait(op: &syn::BinOp) -> Option<&'static str> {
    use syn::BinOp;
    Some(match op {
        BinOp::Add(_) => "Add",
        BinOp::Sub(_) => "Sub",
        BinOp::Mul(_) => "Mul",
        BinOp::Div(_) => "Div",
        BinOp::Rem(_) => "Rem",
        BinOp::BitXor(_) => "BitXor",
        BinOp::BitAnd(_) => "BitAnd",
        BinOp::BitOr(_) => "BitOr",
        BinOp::Shl(_) => "Shl",
        BinOp::Shr(_) => "Shr",
        BinOp::AddAssign(_) => "AddAssign",
        BinOp::SubAssign(_) => "SubAssign",
        BinOp::MulAssign(_) => "MulAssign",
        BinOp::DivAssign(_) => "DivAssign",
        BinOp::RemAssign(_) => "RemAssign",
        BinOp::BitXorAssign(_) => "BitXorAssign",
        BinOp::BitAndAssign(_) => "BitAndAssign",
        BinOp::BitOrAssign(_) => "BitOrAssign",
        BinOp::ShlAssign(_) => "ShlAssign",
        BinOp::ShrAssign(_) => "ShrAssign",
        _ => return None,
    })
}
