//! Unit tests of the `macro_rules!` expander: matching, transcription, errors and limits, on
//! small hand-written macros. (Expansions compared with rustc's live in `tests/macro_rules/`.)

use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use super::{Edition, LimitHit, Limits, MacroError, MacroRules};

fn tokens(text: &str) -> TokenStream {
    TokenStream::from_str(text).expect("test tokens lex")
}

fn rules(body: &str) -> MacroRules {
    MacroRules::parse(tokens(body), Edition::E2021).expect("test macro parses")
}

fn expand(body: &str, input: &str) -> Result<String, MacroError> {
    let crate_path = tokens("crate");
    rules(body)
        .expand(tokens(input), &crate_path)
        .map(flat_string)
}

/// The expansion as text, invisible groups shown as `⟦…⟧`.
fn flat_string(stream: TokenStream) -> String {
    let mut out = String::new();
    for tree in stream {
        match tree {
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                out.push_str(&format!("⟦{}⟧ ", flat_string(group.stream()).trim_end()));
            }
            TokenTree::Group(group) => {
                let (open, close) = super::token::delimiter_text(group.delimiter());
                let inner = flat_string(group.stream());
                out.push_str(&format!("{open}{}{close} ", inner.trim_end()));
            }
            TokenTree::Punct(punct) if punct.spacing() == proc_macro2::Spacing::Joint => {
                out.push(punct.as_char());
            }
            other => out.push_str(&format!("{other} ")),
        }
    }
    out.trim_end().to_string()
}

#[test]
fn first_matching_rule_wins() {
    let body = "(a) => { 1 }; ($x:ident) => { 2 }; ($($t:tt)*) => { 3 }";
    assert_eq!(expand(body, "a").unwrap(), "1");
    assert_eq!(expand(body, "b").unwrap(), "2");
    assert_eq!(expand(body, "b c").unwrap(), "3");
}

#[test]
fn expressions_are_transcribed_in_invisible_groups() {
    let body = "($e:expr) => { $e * 2 }";
    assert_eq!(expand(body, "1 + 1").unwrap(), "⟦1 + 1⟧ * 2");
    let parsed: syn::Expr = syn::parse2(
        rules(body)
            .expand(tokens("1 + 1"), &tokens("crate"))
            .unwrap(),
    )
    .unwrap();
    assert!(
        matches!(parsed, syn::Expr::Binary(ref binary) if matches!(*binary.left, syn::Expr::Group(_)))
    );
}

#[test]
fn separators_and_nested_repetitions() {
    let body = "($($k:ident => [$($v:expr),*]);* $(;)?) => { $( $( ($k, $v) )* )* }";
    let out = expand(body, "a => [1, 2]; b => []; c => [3];").unwrap();
    assert_eq!(out, "(a , ⟦1⟧) (a , ⟦2⟧) (c , ⟦3⟧)");
}

#[test]
fn compound_operators_and_lifetimes_are_single_tokens() {
    let body = "($($t:tt)*) => { ${count($t)} }";
    assert_eq!(expand(body, "a :: b => 'a <<= x").unwrap(), "7");
    let arrow = "(=>) => { arrow }; (= >) => { split }";
    assert_eq!(expand(arrow, "=>").unwrap(), "arrow");
    assert_eq!(expand(arrow, "= >").unwrap(), "split");
}

#[test]
fn metavariable_expressions() {
    let body = "($([$($x:ident)*])*) => { ${count($x)} ${count($x, 1)} $( [$( ${ignore($x)} ${index()} ${index(1)} ${len()} )*] )* }";
    assert_eq!(
        expand(body, "[a b] [c]").unwrap(),
        "3 2 [0 0 2 1 0 2] [0 1 1]"
    );
    let ignore = "($($x:ident)*) => { $( ${ignore($x)} _ )* }";
    assert_eq!(expand(ignore, "a b c").unwrap(), "_ _ _");
    let concat = "($a:ident) => { ${concat($a, _suffix, 1)} }";
    assert_eq!(expand(concat, "name").unwrap(), "name_suffix1");
}

#[test]
fn crate_and_dollar_dollar() {
    let body = "() => { $crate::f(); macro_rules! inner { ($$x:expr) => { $$x } } }";
    let out = expand(body, "").unwrap();
    assert_eq!(
        out,
        "crate :: f () ; macro_rules ! inner {($ x : expr) => {$ x}}"
    );
}

#[test]
fn forwarded_fragments_are_opaque_to_literal_tokens() {
    let inner = rules("(1) => { lit }; ($e:expr) => { expr }");
    let forward = rules("($e:expr) => { $e }");
    let forwarded = forward.expand(tokens("1"), &tokens("crate")).unwrap();
    let out = inner.expand(forwarded, &tokens("crate")).unwrap();
    assert_eq!(out.to_string(), "expr");
}

#[test]
fn keywords_and_raw_identifiers_are_idents_but_underscore_is_not() {
    let body = "($i:ident) => { ident }; ($t:tt) => { tt }";
    assert_eq!(expand(body, "fn").unwrap(), "ident");
    assert_eq!(expand(body, "r#type").unwrap(), "ident");
    assert_eq!(expand(body, "_").unwrap(), "tt");
}

#[test]
fn statements_leave_their_semicolon() {
    let body = "($s:stmt ; $($rest:tt)*) => { [$s] $($rest)* }";
    // A `let` is transcribed bare (syn cannot parse it inside an invisible group); other
    // statements keep the group.
    assert_eq!(expand(body, "let x = 1; y").unwrap(), "[let x = 1] y");
    assert_eq!(expand(body, "a + b; y").unwrap(), "[⟦a + b⟧] y");
}

#[test]
fn local_ambiguity_is_an_error() {
    let body = "($($a:ident)* $b:ident) => {}";
    let error = expand(body, "x y").unwrap_err();
    assert!(matches!(error, MacroError::Ambiguous { .. }), "{error}");
}

#[test]
fn no_match_reports_the_rule_that_got_furthest() {
    let body = "(a b c) => {}; (a d) => {}";
    match expand(body, "a b d").unwrap_err() {
        MacroError::NoMatch { rule, .. } => assert_eq!(rule, 0),
        other => panic!("{other}"),
    }
}

#[test]
fn transcription_errors() {
    let mismatch = "($($a:ident)* ; $($b:ident)*) => { $( $a $b )* }";
    let error = expand(mismatch, "x y ; z").unwrap_err();
    assert!(matches!(error, MacroError::Transcription { .. }), "{error}");
    let still_repeating = "($($a:ident)*) => { $a }";
    let error = expand(still_repeating, "x").unwrap_err();
    assert!(error.to_string().contains("still repeating"), "{error}");
}

#[test]
fn bad_definitions() {
    for body in [
        "($x) => {}",
        "($x:nonsense) => {}",
        "($($v:vis)*) => {}",
        "($x:ident $x:ident) => {}",
        "() => {} junk",
        "",
    ] {
        let parsed = MacroRules::parse(tokens(body), Edition::E2021);
        assert!(
            matches!(parsed, Err(MacroError::Definition { .. })),
            "{body}"
        );
    }
}

#[test]
fn edition_decides_pat_and_expr() {
    let pat = "($p:pat) => { one }; ($($t:tt)*) => { many }";
    let in_2018 = MacroRules::parse(tokens(pat), Edition::E2018).unwrap();
    let in_2021 = MacroRules::parse(tokens(pat), Edition::E2021).unwrap();
    let crate_path = tokens("crate");
    assert_eq!(
        in_2018
            .expand(tokens("A | B"), &crate_path)
            .unwrap()
            .to_string(),
        "many"
    );
    assert_eq!(
        in_2021
            .expand(tokens("A | B"), &crate_path)
            .unwrap()
            .to_string(),
        "one"
    );
    let expr = "($e:expr) => { expr }; ($($t:tt)*) => { other }";
    let in_2021 = MacroRules::parse(tokens(expr), Edition::E2021).unwrap();
    let in_2024 = MacroRules::parse(tokens(expr), Edition::E2024).unwrap();
    assert_eq!(
        in_2021
            .expand(tokens("_"), &crate_path)
            .unwrap()
            .to_string(),
        "other"
    );
    assert_eq!(
        in_2024
            .expand(tokens("_"), &crate_path)
            .unwrap()
            .to_string(),
        "expr"
    );
}

#[test]
fn limits_stop_runaway_expansions() {
    let grow = rules("($($t:tt)*) => { $($t $t $t $t)* }").with_limits(Limits {
        max_output_tokens: 1000,
        ..Limits::default()
    });
    let input = "x ".repeat(300);
    let error = grow.expand(tokens(&input), &tokens("crate")).unwrap_err();
    assert!(
        matches!(error, MacroError::Limit(LimitHit::OutputTokens(1000))),
        "{error}"
    );
    let deep = format!("{}{}", "(".repeat(300), ")".repeat(300));
    let error = rules("($($t:tt)*) => {}")
        .expand(tokens(&deep), &tokens("crate"))
        .unwrap_err();
    assert!(
        matches!(error, MacroError::Limit(LimitHit::Nesting(_))),
        "{error}"
    );
}

#[test]
fn long_expression_lists_match_in_linear_time() {
    let list = (0..20_000)
        .map(|n| format!("{n} + 1"))
        .collect::<Vec<_>>()
        .join(", ");
    let body = "($($e:expr),* $(,)?) => { ${count($e)} }";
    let started = std::time::Instant::now();
    assert_eq!(expand(body, &list).unwrap(), "20000");
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn spans_come_from_call_site_and_definition() {
    let definition = tokens("($e:expr) => { $e + 1 }");
    let input = tokens("value");
    let input_span = input.clone().into_iter().next().unwrap().span();
    let rules = MacroRules::parse(definition, Edition::E2021).unwrap();
    let out: Vec<TokenTree> = rules
        .expand(input, &tokens("crate"))
        .unwrap()
        .into_iter()
        .collect();
    let TokenTree::Group(group) = &out[0] else {
        panic!("expected a group")
    };
    let inner = group.stream().into_iter().next().unwrap();
    assert_eq!(inner.span().start(), input_span.start());
    assert_eq!(inner.span().byte_range(), input_span.byte_range());
    assert_ne!(out[1].span().byte_range(), input_span.byte_range());
}
