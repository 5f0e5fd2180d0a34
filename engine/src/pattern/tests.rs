use proptest::prelude::*;

use super::{Pattern, PatternError};

fn is_match(pattern: &str, text: &str) -> bool {
    Pattern::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}")).is_match(text)
}

fn syntax_error(pattern: &str) -> String {
    match Pattern::new(pattern) {
        Err(e @ PatternError::Syntax { .. }) => e.to_string(),
        other => panic!("{pattern}: expected a syntax error, got {other:?}"),
    }
}

#[test]
fn the_whole_text_must_match() {
    assert!(is_match("[0-9]{5}", "12345"));
    assert!(!is_match("[0-9]{5}", "123456"));
    assert!(!is_match("[0-9]{5}", "a12345"));
    assert!(is_match("", ""));
    assert!(!is_match("", "a"));
    assert!(is_match("a|b", "b"));
    assert!(!is_match("a|b", "ab"));
}

#[test]
fn the_patterns_of_the_real_forms() {
    let house = "^[0-9]{1,5} ?[a-zA-Z]?( ?[-/] ?[0-9]{1,5} ?[a-zA-Z]?)?$";
    assert!(is_match(house, "12a"));
    assert!(is_match(house, "12 - 14b"));
    assert!(!is_match(house, "12--14"));
    let plate = "^[A-Za-zÄÖÜäöü]{1,3}[- ][A-Za-z]{1,2} ?[0-9]{1,4}[EHeh]?$";
    assert!(is_match(plate, "MÜ-AB 123E"));
    assert!(!is_match(plate, "MÜAB123"));
    let email = r"^[^@\s]+@[^@\s]+\.[^@\s]+$";
    assert!(is_match(email, "a.b@example.org"));
    assert!(!is_match(email, "a b@example.org"));
    let date = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
    assert!(is_match(date, "2026-11-23"));
    assert!(!is_match(date, "2026-13-01"));
}

#[test]
fn classes_escapes_and_assertions() {
    assert!(is_match(r"\d+\s\w+", "42 ab_9"));
    assert!(!is_match(r"\d", "٣"), "\\d is ASCII");
    assert!(is_match(r"[^\d]", "x"));
    assert!(is_match(r"[\]\-\\]+", "]-\\"));
    assert!(is_match("[]a]+", "]a"));
    assert!(is_match("[a-]+", "a-"));
    assert!(is_match("[[:alpha:][:digit:]]+", "ab12"));
    assert!(!is_match("[[:^alpha:]]", "a"));
    assert!(is_match(r"\x41\u00e4\x{1F600}", "Aä😀"));
    assert!(is_match(r"a\.b", "a.b"));
    assert!(!is_match(r"a\.b", "axb"));
    assert!(is_match(r"\bab\b c", "ab c"));
    assert!(!is_match(r"a\bb", "ab"));
    assert!(is_match(r"a\Bb", "ab"));
    assert!(!is_match(".", "\n"));
    assert!(is_match("(?s).", "\n"));
    assert!(is_match("(?m)a$\n^b", "a\nb"));
    assert!(!is_match("a$\n^b", "a\nb"));
}

#[test]
fn flags_hold_to_the_end_of_their_group() {
    assert!(is_match("(?i)abc", "AbC"));
    assert!(is_match("a(?i)b", "aB"));
    assert!(!is_match("(?:(?i)a)b", "AB"));
    assert!(is_match("(?i:a)b", "Ab"));
    assert!(!is_match("(?i)ä", "Ä"), "case folding is ASCII");
    assert!(is_match("(?i)[a-c]+", "AbC"));
    assert!(!is_match("(?i)[^a]", "A"));
    assert!(is_match("(?i)a(?-i)b", "Ab"));
    assert!(!is_match("(?i)a(?-i)b", "AB"));
}

#[test]
fn repetitions() {
    assert!(is_match("a{3}", "aaa"));
    assert!(!is_match("a{3}", "aa"));
    assert!(is_match("a{2,}", "aaaa"));
    assert!(is_match("a{2,3}?", "aa"));
    assert!(!is_match("a{2,3}", "aaaa"));
    assert!(is_match("(a|bc)*", "abcbca"));
    assert!(is_match("(a*)*b", "aaab"));
    assert!(is_match("(?:){1000}x", "x"));
    assert!(is_match("(?P<plz>[0-9]{5}) (?<ort>.+)", "12345 Musterstadt"));
}

#[test]
fn syntax_errors_name_the_problem_and_where() {
    assert_eq!(syntax_error("[a-"), "not a valid regular expression: '[' without a matching ']' (at character 1 of the pattern)");
    assert!(syntax_error("a)|(b").contains("')' without a matching '('"));
    assert!(syntax_error("(ab").contains("'(' without a matching ')'"));
    assert!(syntax_error("(?=a)a").contains("look-around"));
    assert!(syntax_error("(?<!a)b").contains("look-around"));
    assert!(syntax_error(r"(a)\1").contains("back-references"));
    assert!(syntax_error(r"\p{L}").contains("Unicode classes"));
    assert!(syntax_error("*a").contains("a repetition needs something"));
    assert!(syntax_error("a**").contains("a repetition cannot be repeated"));
    assert!(syntax_error("a{2").contains("a counted repetition"));
    assert!(syntax_error("a{3,2}").contains("in {n,m}"));
    assert!(syntax_error("[z-a]").contains("a range in […] must go"));
    assert!(syntax_error("[[:nope:]]").contains("unknown class"));
    assert!(syntax_error("[a&&b]").contains("set operations"));
    assert!(syntax_error(r"\q").contains("unknown escape"));
    assert!(syntax_error(r"\x{110000}").contains("the escape names no"));
    assert!(syntax_error("(?x)a").contains("only the flags"));
    assert!(syntax_error("a\\").contains("the pattern ends"));
}

#[test]
fn large_or_deep_patterns_are_refused_not_slow() {
    assert_eq!(Pattern::new("(a{1000}){1000}").unwrap_err(), PatternError::TooComplex);
    assert_eq!(Pattern::new("a{4294967296}").unwrap_err(), PatternError::TooComplex);
    assert_eq!(Pattern::new(&format!("{}a{}", "(".repeat(65), ")".repeat(65))).unwrap_err(), PatternError::TooComplex);
    assert!(Pattern::new(&format!("{}a{}", "(".repeat(64), ")".repeat(64))).is_ok());
    // The classic catastrophic pattern for backtracking engines.
    let nested = Pattern::new("(a+)+$").unwrap();
    assert!(!nested.is_match(&format!("{}b", "a".repeat(10_000))));
    let long = Pattern::new(&format!("{}x?", "(?:a|aa)*")).unwrap();
    assert!(long.is_match(&"a".repeat(100_000)));
}

/// Patterns from a grammar both engines accept: atoms, classes, groups,
/// alternation and quantifiers over a small alphabet, so that random texts
/// often match.
fn pattern() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("-".to_string()),
        Just(".".to_string()),
        Just(r"\d".to_string()),
        Just(r"\w".to_string()),
        Just(r"\s".to_string()),
        Just(r"\D".to_string()),
        Just(r"\.".to_string()),
        Just("[ab]".to_string()),
        Just("[^a]".to_string()),
        Just("[a-c1]".to_string()),
        Just("[[:digit:]x]".to_string()),
        Just("[^[:alpha:]]".to_string()),
        Just(r"[\d\-]".to_string()),
        Just("^".to_string()),
        Just("$".to_string()),
        Just(r"\b".to_string()),
        Just(r"\B".to_string()),
        Just("()".to_string()),
    ];
    let item = atom.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|items| items.concat()),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| format!("(?:{})", items.join("|"))),
            inner.clone().prop_map(|item| format!("({item})")),
            inner.clone().prop_map(|item| format!("(?i:{item})")),
            (inner, 0..8usize).prop_map(|(item, q)| {
                let quantifier = ["*", "+", "?", "{2}", "{1,3}", "{2,}", "*?", "{0,2}"][q];
                format!("(?:{item}){quantifier}")
            }),
        ]
    });
    prop::collection::vec(item, 1..4).prop_map(|items| items.concat())
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!['a', 'b', 'c', 'A', '1', '-', '.', ' ', '\n', 'ä', '_']), 0..8)
        .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The same verdict as the `regex-lite` crate on `^(?:pattern)$`.
    #[test]
    fn agrees_with_regex_lite(pattern in pattern(), texts in prop::collection::vec(text(), 1..6)) {
        let ours = Pattern::new(&pattern).expect("the grammar only makes valid patterns");
        let reference = regex_lite::Regex::new(&format!("^(?:{pattern})$")).expect("valid for regex-lite too");
        for text in &texts {
            prop_assert_eq!(ours.is_match(text), reference.is_match(text), "pattern {:?} text {:?}", pattern, text);
        }
    }

    /// Arbitrary text as a pattern: an answer (a pattern or an error),
    /// never a panic; where both engines accept it, the same verdict.
    #[test]
    fn any_text_is_a_pattern_or_an_error(pattern in "[-a-c(){}\\[\\]|*+?^$\\\\.:,0-9dswbBxu<>=!PiIm&~]{0,16}", text in text()) {
        let reference = regex_lite::Regex::new(&format!("^(?:{pattern})$"));
        if let (Ok(ours), Ok(reference)) = (Pattern::new(&pattern), reference) {
            prop_assert_eq!(ours.is_match(&text), reference.is_match(&text), "pattern {:?} text {:?}", pattern, text);
        }
    }
}

fn ecma(pattern: &str) -> String {
    super::ecma_anchored(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

#[test]
fn json_schema_patterns_are_written_in_ecma_syntax() {
    assert_eq!(ecma("[0-9]{5}"), "^(?:[0-9]{5})$");
    assert_eq!(ecma(r"\d{2,}|x?"), "^(?:(?:[0-9]{2,}|x?))$");
    // Case folding, POSIX classes, `\A`/`\z` and hex escapes are spelled out.
    assert_eq!(ecma("(?i)ab"), "^(?:[Aa][Bb])$");
    assert_eq!(ecma(r"\A[[:alpha:]]+\z"), "^(?:^[A-Za-z]+$)$");
    assert_eq!(ecma(r"\x{41}\u00e4"), "^(?:Aä)$");
    // Named groups become plain groups; `.` keeps excluding only newlines.
    assert_eq!(ecma(r"(?P<plz>\d)."), r"^(?:[0-9][^\u000A])$");
    assert_eq!(ecma(r"\s"), r"^(?:[\u0009-\u000D ])$");
    assert_eq!(ecma(r"[\]\-\\^]\.\$"), r"^(?:[\-\\-\^]\.\$)$");
    assert_eq!(ecma(r"(?s).[^\s\S]"), r"^(?:[\s\S][^\s\S])$");
    assert_eq!(ecma(r"(?m)^a$"), r"^(?:(?:^|(?<=\n))a(?:$|(?=\n)))$");
    assert!(super::ecma_anchored("(").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The ECMA text, searched anywhere as JSON Schema does, matches what
    /// the pattern matches. regex-lite reads the common syntax the ECMA
    /// text keeps to (no look-around: the grammar has no `(?m)`).
    #[test]
    fn the_ecma_pattern_matches_the_same_texts(pattern in pattern(), texts in prop::collection::vec(text(), 1..6)) {
        let ours = Pattern::new(&pattern).expect("the grammar only makes valid patterns");
        let ecma = ecma(&pattern);
        let reference = regex_lite::Regex::new(&ecma).unwrap_or_else(|e| panic!("{ecma}: {e}"));
        for text in &texts {
            prop_assert_eq!(ours.is_match(text), reference.is_match(text), "pattern {:?} as {:?} text {:?}", pattern, ecma, text);
        }
    }
}
