//! How each use of a binding needs it: read through a method, borrowed, indexed, or moved.
//!
//! A fix that changes a binding's type (`String` → `&str`, `vec!` → array) is safe only when
//! every use works the same on the new type; this module tells the fixes what the uses are.

use std::collections::HashMap;
use std::ops::Range;

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

/// The context one use of a binding appears in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UseKind {
    /// `x.method(..)`.
    Receiver(String),
    /// `&x` / `&mut x`, possibly as argument `index` of a call to the named function.
    Borrowed {
        mutable: bool,
        call: Option<(String, usize)>,
    },
    /// `x[i]`.
    Indexed,
    /// `x.field`.
    Field,
    /// `x == y` and other comparisons, which borrow.
    Compared,
    /// An argument of `println!`, `format!` and the like, which borrow.
    FormatArgument,
    /// `for item in x`.
    Iterated,
    /// Anything else: moved, copied, returned, captured, passed by value (with the call, if any).
    Moved { call: Option<(String, usize)> },
}

/// A use with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UseSite {
    pub range: Range<usize>,
    pub kind: UseKind,
}

/// Macros whose arguments are only borrowed.
pub const FORMAT_MACROS: [&str; 14] = [
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "dbg",
];

/// Classifies every single-name path in the expressions walked, by the byte offset of the name.
pub struct UseClassifier<'a> {
    base: usize,
    /// Absolute start offset → binding, from the analysis's resolved uses.
    resolved: &'a HashMap<usize, usize>,
    pub sites: HashMap<usize, Vec<UseSite>>,
}

impl<'a> UseClassifier<'a> {
    pub fn new(base: usize, resolved: &'a HashMap<usize, usize>) -> Self {
        UseClassifier {
            base,
            resolved,
            sites: HashMap::new(),
        }
    }

    fn absolute(&self, span: proc_macro2::Span) -> Range<usize> {
        let range = span.byte_range();
        self.base + range.start..self.base + range.end
    }

    /// Records `expr` if it is a bare name of a resolved binding; returns whether it was.
    fn record(&mut self, expr: &syn::Expr, kind: &UseKind) -> bool {
        let syn::Expr::Path(path) = expr else {
            return false;
        };
        let Some(ident) = path.path.get_ident() else {
            return false;
        };
        let range = self.absolute(ident.span());
        let Some(&binding) = self.resolved.get(&range.start) else {
            return false;
        };
        self.sites.entry(binding).or_default().push(UseSite {
            range,
            kind: kind.clone(),
        });
        true
    }

    /// Walks `expr`; if it is itself a bare use, it is recorded as `kind`.
    pub fn expr(&mut self, expr: &syn::Expr, kind: UseKind) {
        if self.record(expr, &kind) {
            return;
        }
        let moved = || UseKind::Moved { call: None };
        match expr {
            syn::Expr::MethodCall(call) => {
                self.expr(&call.receiver, UseKind::Receiver(call.method.to_string()));
                call.args.iter().for_each(|arg| self.expr(arg, moved()));
            }
            syn::Expr::Call(call) => {
                let callee = match &*call.func {
                    syn::Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
                    other => {
                        self.expr(other, moved());
                        None
                    }
                };
                for (index, arg) in call.args.iter().enumerate() {
                    let at = callee.clone().map(|name| (name, index));
                    match arg {
                        syn::Expr::Reference(reference) => {
                            let borrowed = UseKind::Borrowed {
                                mutable: reference.mutability.is_some(),
                                call: at,
                            };
                            self.expr(&reference.expr, borrowed);
                        }
                        other => self.expr(other, UseKind::Moved { call: at }),
                    }
                }
            }
            syn::Expr::Reference(reference) => {
                let borrowed = UseKind::Borrowed {
                    mutable: reference.mutability.is_some(),
                    call: None,
                };
                self.expr(&reference.expr, borrowed);
            }
            syn::Expr::Index(index) => {
                self.expr(&index.expr, UseKind::Indexed);
                self.expr(&index.index, moved());
            }
            syn::Expr::Field(field) => self.expr(&field.base, UseKind::Field),
            syn::Expr::Binary(binary) => {
                use syn::BinOp as Op;
                let compares = matches!(
                    binary.op,
                    Op::Eq(_) | Op::Ne(_) | Op::Lt(_) | Op::Le(_) | Op::Gt(_) | Op::Ge(_)
                );
                let kind = if compares { UseKind::Compared } else { moved() };
                self.expr(&binary.left, kind.clone());
                self.expr(&binary.right, kind);
            }
            syn::Expr::ForLoop(for_loop) => {
                self.expr(&for_loop.expr, UseKind::Iterated);
                self.block(&for_loop.body);
            }
            syn::Expr::Macro(mac) => self.macro_call(&mac.mac),
            syn::Expr::Block(block) => self.block(&block.block),
            syn::Expr::Unsafe(block) => self.block(&block.block),
            syn::Expr::Loop(loop_expr) => self.block(&loop_expr.body),
            syn::Expr::While(while_loop) => {
                self.expr(&while_loop.cond, moved());
                self.block(&while_loop.body);
            }
            syn::Expr::If(if_expr) => {
                self.expr(&if_expr.cond, moved());
                self.block(&if_expr.then_branch);
                if let Some((_, other)) = &if_expr.else_branch {
                    self.expr(other, moved());
                }
            }
            syn::Expr::Match(match_expr) => {
                self.expr(&match_expr.expr, moved());
                for arm in &match_expr.arms {
                    self.expr(&arm.body, moved());
                }
            }
            other => self.children(other),
        }
    }

    /// Any other expression: each direct sub-expression is a by-value use.
    fn children(&mut self, expr: &syn::Expr) {
        struct Direct<'c, 'a>(&'c mut UseClassifier<'a>);
        impl<'ast> syn::visit::Visit<'ast> for Direct<'_, '_> {
            fn visit_expr(&mut self, expr: &'ast syn::Expr) {
                self.0.expr(expr, UseKind::Moved { call: None });
            }
            fn visit_block(&mut self, block: &'ast syn::Block) {
                self.0.block(block);
            }
            fn visit_macro(&mut self, mac: &'ast syn::Macro) {
                self.0.macro_call(mac);
            }
        }
        syn::visit::visit_expr(&mut Direct(self), expr);
    }

    pub fn block(&mut self, block: &syn::Block) {
        for stmt in &block.stmts {
            match stmt {
                syn::Stmt::Local(local) => {
                    if let Some(init) = &local.init {
                        self.expr(&init.expr, UseKind::Moved { call: None });
                        if let Some((_, diverge)) = &init.diverge {
                            self.expr(diverge, UseKind::Moved { call: None });
                        }
                    }
                }
                syn::Stmt::Expr(expr, _) => self.expr(expr, UseKind::Moved { call: None }),
                syn::Stmt::Macro(mac) => self.macro_call(&mac.mac),
                syn::Stmt::Item(_) => {}
            }
        }
    }

    fn macro_call(&mut self, mac: &syn::Macro) {
        let name = crate::analysis::lower::last_name(&mac.path);
        let Ok(args) =
            Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated.parse2(mac.tokens.clone())
        else {
            return;
        };
        let kind = if FORMAT_MACROS.contains(&name.as_str()) {
            UseKind::FormatArgument
        } else {
            UseKind::Moved { call: None }
        };
        args.iter().for_each(|arg| self.expr(arg, kind.clone()));
    }
}

/// The span of any syntax node as an absolute byte range.
pub fn absolute_range(base: usize, node: &impl Spanned) -> Range<usize> {
    let range = node.span().byte_range();
    base + range.start..base + range.end
}
