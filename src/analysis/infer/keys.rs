//! Cheap, unique keys for expressions and patterns: the start of a token only that node owns.
//!
//! syn's `Spanned::span` joins a node's first and last token by printing the node, which costs
//! its whole size; over every node of a body that is quadratic. Each expression instead owns one
//! distinctive token (a method call its method name, a binary expression its operator, a block
//! its brace), whose start no other expression shares.

use syn::spanned::Spanned;

/// The key of an expression.
pub fn expr_key(expr: &syn::Expr) -> usize {
    use syn::Expr;
    let span = match expr {
        Expr::Array(e) => e.bracket_token.span.open(),
        Expr::Assign(e) => e.eq_token.span,
        Expr::Async(e) => e.async_token.span,
        Expr::Await(e) => e.await_token.span,
        Expr::Binary(e) => e.op.span(),
        Expr::Block(e) => e.block.brace_token.span.open(),
        Expr::Break(e) => e.break_token.span,
        Expr::Call(e) => e.paren_token.span.open(),
        Expr::Cast(e) => e.as_token.span,
        Expr::Closure(e) => e.or1_token.span,
        Expr::Const(e) => e.const_token.span,
        Expr::Continue(e) => e.continue_token.span,
        Expr::Field(e) => match &e.member {
            syn::Member::Named(ident) => ident.span(),
            syn::Member::Unnamed(index) => index.span,
        },
        Expr::ForLoop(e) => e.for_token.span,
        Expr::Group(e) => return expr_key(&e.expr),
        Expr::If(e) => e.if_token.span,
        Expr::Index(e) => e.bracket_token.span.open(),
        Expr::Infer(e) => e.underscore_token.span,
        Expr::Let(e) => e.let_token.span,
        Expr::Lit(e) => e.lit.span(),
        Expr::Loop(e) => e.loop_token.span,
        Expr::Macro(e) => e.mac.bang_token.span,
        Expr::Match(e) => e.match_token.span,
        Expr::MethodCall(e) => e.method.span(),
        Expr::Paren(e) => e.paren_token.span.open(),
        Expr::Path(e) => match e.path.segments.last() {
            Some(segment) => segment.ident.span(),
            None => return usize::MAX,
        },
        Expr::Range(e) => e.limits.span(),
        Expr::RawAddr(e) => e.and_token.span,
        Expr::Reference(e) => e.and_token.span,
        Expr::Repeat(e) => e.bracket_token.span.open(),
        Expr::Return(e) => e.return_token.span,
        Expr::Struct(e) => e.brace_token.span.open(),
        Expr::Try(e) => e.question_token.span,
        Expr::TryBlock(e) => e.try_token.span,
        Expr::Tuple(e) => e.paren_token.span.open(),
        Expr::Unary(e) => e.op.span(),
        Expr::Unsafe(e) => e.unsafe_token.span,
        Expr::While(e) => e.while_token.span,
        Expr::Yield(e) => e.yield_token.span,
        _ => return usize::MAX,
    };
    span.byte_range().start
}

/// The key of a pattern (for the types of sub-patterns, used by `match` arms).
pub fn pat_key(pat: &syn::Pat) -> usize {
    use syn::Pat;
    let span = match pat {
        Pat::Ident(p) => p.ident.span(),
        Pat::Lit(p) => p.lit.span(),
        Pat::Paren(p) => p.paren_token.span.open(),
        Pat::Reference(p) => p.and_token.span,
        Pat::Rest(p) => p.dot2_token.span(),
        Pat::Slice(p) => p.bracket_token.span.open(),
        Pat::Struct(p) => p.brace_token.span.open(),
        Pat::Tuple(p) => p.paren_token.span.open(),
        Pat::TupleStruct(p) => p.paren_token.span.open(),
        Pat::Wild(p) => p.underscore_token.span,
        Pat::Type(p) => p.colon_token.span,
        _ => return usize::MAX,
    };
    span.byte_range().start
}
