// edition: 2024
// Edition 2024 fragments, metavariable expressions, `$$` and macros that define macros.
#![feature(macro_metavar_expr, macro_metavar_expr_concat)]
#![allow(unused)]

macro_rules! expr_or_tts {
    ($e:expr) => { "expr" };
    ($($t:tt)*) => { "tokens" };
}

macro_rules! expr_2021_or_tts {
    ($e:expr_2021) => { "expr" };
    ($($t:tt)*) => { "tokens" };
}

macro_rules! count_all {
    ($($x:expr),*) => { ${count($x)} };
}

macro_rules! nested_counts {
    ($( [ $($x:ident)* ] )*) => {
        ( ${count($x)}, ${count($x, 1)}, [ $( ${count($x)} ${ignore($x)} ),* ] )
    };
}

macro_rules! indices {
    ($($x:ident)*) => { [ $( (${index()}, ${len()}, $x) ),* ] };
}

macro_rules! make_adder {
    ($name:ident, $n:expr) => {
        macro_rules! $name {
            ($$x:expr) => { $$x + $n };
        }
    };
}

make_adder!(add_ten, 10);

macro_rules! glue {
    ($a:ident, $b:ident) => { fn ${concat($a, _, $b)}() {} };
}

macro_rules! pat_top_alt {
    ($p:pat) => { "pat" };
    ($($t:tt)*) => { "tokens" };
}

fn site_expr_2024() {
    let a = expr_or_tts!(_);
    let b = expr_or_tts!(const { 1 });
    let c = expr_2021_or_tts!(_);
    let d = expr_2021_or_tts!(const { 1 });
    let e = expr_or_tts!(1 + 1);
}

fn site_counts(x: u8, y: u8, z: u8) {
    let a = count_all!(1, 2 + 3, f(4));
    let b = nested_counts!([a b c] [] [d]);
    let c = indices!(x y z);
}

fn site_defined_by_macro() {
    let a = add_ten!(5);
}

mod site_concat {
    glue!(read, bytes);
}

fn site_pat_alt() {
    let a = pat_top_alt!(Some(1) | None);
    let b = pat_top_alt!(| A | B);
}
