//! Generated and hostile input never panics, hangs or exceeds the limits: every case returns a
//! value (often an error) within a deadline.

use std::str::FromStr;
use std::time::{Duration, Instant};

use memlens::analysis::syntax::macro_rules::{Edition, LimitHit, Limits, MacroError, MacroRules};
use proc_macro2::TokenStream;
use proptest::prelude::*;

/// What one expansion may take here (debug build, shared machine).
const DEADLINE: Duration = Duration::from_secs(5);

fn tokens(text: &str) -> TokenStream {
    TokenStream::from_str(text).expect("generated text lexes")
}

fn rules(body: &str) -> MacroRules {
    MacroRules::parse(tokens(body), Edition::E2021).expect("macro parses")
}

/// Runs `test` on a thread with a main thread's 8 MiB stack: the default fragment-nesting limit
/// is sized for that in debug builds (cargo's test threads have 2 MiB).
fn on_big_stack(test: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new().stack_size(8 << 20).spawn(test);
    let joined = thread.expect("test thread starts").join();
    if let Err(panic) = joined {
        std::panic::resume_unwind(panic);
    }
}

/// Expands and checks the deadline; the result may be anything but a panic.
fn timed_expand(rules: &MacroRules, input: TokenStream) -> Result<TokenStream, MacroError> {
    let started = Instant::now();
    let result = rules.expand(input, &tokens("crate"));
    assert!(started.elapsed() < DEADLINE, "took {:?}", started.elapsed());
    result
}

fn is_limit(result: &Result<TokenStream, MacroError>) -> bool {
    matches!(result, Err(MacroError::Limit(_)))
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let input = format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
    let result = timed_expand(&rules("($($t:tt)*) => { $($t)* }"), tokens(&input));
    assert!(
        matches!(result, Err(MacroError::Limit(LimitHit::Nesting(_)))),
        "{result:?}"
    );
    let definition = format!("() => {{ {}x{} }}", "[".repeat(depth), "]".repeat(depth));
    let parsed = MacroRules::parse(tokens(&definition), Edition::E2021);
    assert!(
        matches!(parsed, Err(MacroError::Limit(LimitHit::Nesting(_)))),
        "{parsed:?}"
    );
}

#[test]
fn fragments_syn_could_overflow_on_are_refused() {
    on_big_stack(fragments_syn_could_overflow_on);
}

fn fragments_syn_could_overflow_on() {
    let expr = rules("($e:expr) => { $e }");
    let shallow = format!("{}1{}", "(".repeat(100), ")".repeat(100));
    assert!(timed_expand(&expr, tokens(&shallow)).is_ok());
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let result = timed_expand(&expr, tokens(&deep));
    assert!(
        matches!(result, Err(MacroError::Limit(LimitHit::FragmentNesting(_)))),
        "{result:?}"
    );
    let generics = format!("{}u8{}", "Vec<".repeat(70), ">".repeat(70));
    let result = timed_expand(&rules("($t:ty) => { $t }"), tokens(&generics));
    assert!(
        matches!(result, Err(MacroError::Limit(LimitHit::FragmentNesting(_)))),
        "{result:?}"
    );
    // As a token tree it is never handed to syn, so any depth within `max_nesting` passes.
    assert!(timed_expand(&rules("($t:tt) => { $t }"), tokens(&deep)).is_ok());
}

#[test]
fn long_operator_chains_in_fragments_are_refused_or_parsed() {
    on_big_stack(long_operator_chains);
}

fn long_operator_chains() {
    for op in ["-", "!", "*", "&"] {
        let input = format!(
            "{} x",
            op.repeat(20_000)
                .chars()
                .map(|c| format!("{c} "))
                .collect::<String>()
        );
        let result = timed_expand(&rules("($e:expr) => { $e }"), tokens(&input));
        assert!(result.is_ok() || is_limit(&result), "{op}: {result:?}");
    }
    let input = "& ".repeat(20_000) + "u8";
    let result = timed_expand(&rules("($t:ty) => { $t }"), tokens(&input));
    assert!(result.is_ok() || is_limit(&result), "{result:?}");
}

#[test]
fn many_ways_to_split_the_input_hit_the_position_limit() {
    let body = format!("({} b) => {{}}", "$(a)* ".repeat(12));
    let input = "a ".repeat(300) + "c";
    let result = timed_expand(&rules(&body), tokens(&input));
    assert!(
        is_limit(&result) || matches!(result, Err(MacroError::NoMatch { .. })),
        "{result:?}"
    );
}

#[test]
fn huge_repetitions_and_outputs_are_bounded() {
    let input = "x ".repeat(300_000);
    let copy = timed_expand(&rules("($($t:tt)*) => { $($t)* }"), tokens(&input));
    assert!(copy.is_ok() || is_limit(&copy), "{copy:?}");
    let blowup = rules("($($t:tt)*) => { $( $($t)* )* }");
    let small = "x ".repeat(3_000);
    let result = timed_expand(&blowup, tokens(&small));
    assert!(
        result.is_err(),
        "a metavariable at the wrong depth or the output limit"
    );
    let quadratic = rules("($($a:tt)*) => { $( [$($a)*] )* }");
    let result = timed_expand(&quadratic, tokens(&small));
    assert!(
        result.is_err(),
        "{:?}",
        result.map(|t| t.into_iter().count())
    );
}

/// Limits for a debug build on cargo's 2 MiB test threads.
fn two_mib_limits() -> Limits {
    Limits {
        max_fragment_nesting: 32,
        ..Limits::default()
    }
}

/// Tokens for generated macros and inputs.
fn token_soup() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "$",
        "$x",
        "$y",
        "$x:expr",
        "$y:tt",
        "$x:ident",
        "$z:ty",
        "$p:pat",
        "$v:vis",
        "$l:literal",
        "$s:stmt",
        "$i:item",
        "$m:meta",
        "$b:block",
        "$q:path",
        "$lt:lifetime",
        "$(",
        ")*",
        ")+",
        ")?",
        "),*",
        "${count($x)}",
        "${index()}",
        "$crate",
        "$$",
        "a",
        "b",
        "fn",
        "let",
        "_",
        "1",
        "\"s\"",
        "'a",
        "=>",
        ";",
        ",",
        ":",
        "::",
        "+",
        "-",
        "*",
        "&",
        "|",
        "<",
        ">",
        "=",
        "!",
        "#",
        "?",
        ".",
        "..",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|atoms| atoms.join(" "))
}

/// Keeps only text that lexes (balanced delimiters), since the expander is handed tokens.
fn lexes(text: &str) -> Option<TokenStream> {
    TokenStream::from_str(text).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_definitions_and_inputs_never_panic(
        matcher in token_soup(),
        transcriber in token_soup(),
        input in token_soup(),
    ) {
        let body = format!("({matcher}) => {{ {transcriber} }}; ($($rest:tt)*) => {{ {transcriber} }}");
        if let (Some(body), Some(input)) = (lexes(&body), lexes(&input))
            && let Ok(rules) = MacroRules::parse(body, Edition::E2021)
        {
            let _ = timed_expand(&rules.with_limits(two_mib_limits()), input);
        }
    }

    #[test]
    fn random_inputs_to_fragment_matchers_never_panic(input in token_soup()) {
        let body = "($e:expr) => {1}; ($t:ty) => {2}; ($p:pat) => {3}; ($s:stmt) => {4}; \
                    ($i:item) => {5}; ($m:meta) => {6}; ($v:vis $x:ident) => {7}; \
                    ($b:block) => {8}; ($q:path) => {9}; ($l:literal) => {10}; \
                    ($($a:tt),* ; $($b:tt)*) => { $($a $b)* }";
        if let Some(input) = lexes(&input) {
            let _ = timed_expand(&rules(body).with_limits(two_mib_limits()), input);
        }
    }
}

/// Throughput on a typical tt-muncher step (printed; asserted only loosely, the machine is
/// shared): one expansion of a key-value muncher over 20 pairs.
#[test]
fn tt_muncher_throughput() {
    let muncher = rules(
        "(@munch [$($out:tt)*]) => { [$($out)*] };
         (@munch [$($out:tt)*] $k:ident = $v:expr; $($rest:tt)*) => {
             kv!(@munch [$($out)* ($k, $v),] $($rest)*)
         };
         ($($t:tt)*) => { kv!(@munch [] $($t)*) };",
    );
    let pairs: String = (0..20).map(|n| format!("k{n} = {n} + 1; ")).collect();
    let input = tokens(&format!("@munch [] {pairs}"));
    let crate_path = tokens("crate");
    let runs = 2_000;
    let started = Instant::now();
    for _ in 0..runs {
        muncher
            .expand(input.clone(), &crate_path)
            .expect("muncher step expands");
    }
    let per_second = runs as f64 / started.elapsed().as_secs_f64();
    eprintln!("tt-muncher step over 20 pairs: {per_second:.0} expansions/s");
    assert!(per_second > 50.0, "{per_second:.0} expansions/s");
}
