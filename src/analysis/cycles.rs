//! `Rc`/`Arc` reference cycles built in one function: `a` holds a clone of `b`, and `b` of `a`.
//!
//! The walk records, for each `Rc`/`Arc` binding, which other ones its value holds clones of:
//! through its initializer (`Rc::new(RefCell::new(Node { next: Some(Rc::clone(&a)) }))`) and
//! through later assignments into it (`a.borrow_mut().next = Some(Rc::clone(&b))`). A cycle in
//! these links keeps every count above zero, so none of the values is ever freed.

use std::ops::Range;

use syn::spanned::Spanned;

use super::bindings::Walker;
use super::ty::Ty;

/// `from`'s value holds a clone of `to`; written at `range`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RcLink {
    pub from: usize,
    pub to: usize,
    pub range: Range<usize>,
}

fn is_shared_pointer(ty: &Ty) -> bool {
    ty.is_adt("Rc") || ty.is_adt("Arc")
}

impl Walker<'_> {
    /// The `Rc`/`Arc` bindings whose clones appear in `expr`.
    fn cloned_shared_pointers(&self, expr: &syn::Expr) -> Vec<usize> {
        struct Finder<'w, 'a> {
            walker: &'w Walker<'a>,
            found: Vec<usize>,
        }
        impl<'ast> syn::visit::Visit<'ast> for Finder<'_, '_> {
            fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
                let is_clone = matches!(&*call.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "clone"));
                if is_clone && let Some(syn::Expr::Reference(reference)) = call.args.first() {
                    self.note(&reference.expr);
                }
                syn::visit::visit_expr_call(self, call);
            }
            fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
                if call.method == "clone" {
                    self.note(&call.receiver);
                }
                syn::visit::visit_expr_method_call(self, call);
            }
        }
        impl Finder<'_, '_> {
            fn note(&mut self, expr: &syn::Expr) {
                let syn::Expr::Path(path) = expr else { return };
                let Some(ident) = path.path.get_ident() else {
                    return;
                };
                if let Some(index) = self.walker.resolve(&ident.to_string())
                    && is_shared_pointer(&self.walker.out.bindings[index].value.ty)
                {
                    self.found.push(index);
                }
            }
        }
        let mut finder = Finder {
            walker: self,
            found: Vec::new(),
        };
        syn::visit::Visit::visit_expr(&mut finder, expr);
        finder.found
    }

    /// A new `Rc`/`Arc` binding links to the ones its initializer clones.
    pub(super) fn link_initializer(&mut self, binding: usize, init: &syn::Expr) {
        if !is_shared_pointer(&self.out.bindings[binding].value.ty) {
            return;
        }
        let range = self.range(init.span());
        for to in self.cloned_shared_pointers(init) {
            self.out.rc_links.push(RcLink {
                from: binding,
                to,
                range: range.clone(),
            });
        }
    }

    /// `a.borrow_mut().next = Some(Rc::clone(&b))` (or `*a.borrow_mut() = ..`, `a.lock()..`)
    /// links `a` to `b`.
    pub(super) fn link_assignment(&mut self, assign: &syn::ExprAssign) {
        let Some(owner) = self.assigned_through(&assign.left) else {
            return;
        };
        let range = self.range(assign.span());
        for to in self.cloned_shared_pointers(&assign.right) {
            self.out.rc_links.push(RcLink {
                from: owner,
                to,
                range: range.clone(),
            });
        }
    }

    /// The `Rc`/`Arc` binding at the root of an assignment target like `a.borrow_mut().next`.
    fn assigned_through(&self, target: &syn::Expr) -> Option<usize> {
        match target {
            syn::Expr::Field(field) => self.assigned_through(&field.base),
            syn::Expr::Unary(unary) => self.assigned_through(&unary.expr),
            syn::Expr::Paren(paren) => self.assigned_through(&paren.expr),
            syn::Expr::MethodCall(call) => self.assigned_through(&call.receiver),
            syn::Expr::Path(path) => {
                let index = self.resolve(&path.path.get_ident()?.to_string())?;
                is_shared_pointer(&self.out.bindings[index].value.ty).then_some(index)
            }
            _ => None,
        }
    }
}

/// The links that close a cycle, each with the bindings on the cycle, in order.
pub fn cycles(links: &[RcLink]) -> Vec<(&RcLink, Vec<usize>)> {
    links
        .iter()
        .enumerate()
        .filter_map(|(index, link)| {
            // A cycle closes at the last link added to it: the path back must use earlier links.
            let path = path_between(&links[..index], link.to, link.from)?;
            Some((link, path))
        })
        .collect()
}

/// A path of links from `start` to `goal` (the bindings visited, `start` first).
fn path_between(links: &[RcLink], start: usize, goal: usize) -> Option<Vec<usize>> {
    let mut paths = vec![vec![start]];
    let mut seen = vec![start];
    while let Some(path) = paths.pop() {
        let last = *path.last()?;
        if last == goal {
            return Some(path);
        }
        let next: Vec<usize> = links
            .iter()
            .filter(|l| l.from == last && !seen.contains(&l.to))
            .map(|l| l.to)
            .collect();
        for to in next {
            seen.push(to);
            let mut longer = path.clone();
            longer.push(to);
            paths.push(longer);
        }
    }
    None
}
