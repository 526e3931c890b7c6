//! Checks of the `cookie_pairs` exercise: a `Cookie` header read into its pairs.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/cookie_pairs.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/cookie_pairs.rs"
)]
#[allow(unused_variables, dead_code)]
mod code;

use code::parse_cookies;

/// Asserts what `parse_cookies(header)` gives.
#[track_caller]
fn check(header: &str, expected: &[(&str, &str)]) {
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|&(name, value)| (name.to_string(), value.to_string()))
        .collect();
    assert_eq!(parse_cookies(header), expected, "parse_cookies({header:?})");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn the_course_cookie_header_is_read_without_a_space_after_the_semicolon() {
    check(
        "session=d7f2cf106764;eu_cookie_consent=true",
        &[("session", "d7f2cf106764"), ("eu_cookie_consent", "true")],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn pairs_separated_as_rfc_6265_writes_them_are_read() {
    check("a=1; b=2", &[("a", "1"), ("b", "2")]);
    check("visits=41", &[("visits", "41")]);
    check("", &[]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn whitespace_around_pieces_names_and_values_is_trimmed() {
    check(
        "  a = 1 ;\tb=2\t;  c=3  ",
        &[("a", "1"), ("b", "2"), ("c", "3")],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_value_is_split_from_its_name_at_the_first_equals_sign() {
    check(
        "token=abc==; expr=a=b",
        &[("token", "abc=="), ("expr", "a=b")],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_quoted_value_loses_its_quotes_and_nothing_else_is_decoded() {
    check(
        "greeting=\"x y\"; empty=\"\"",
        &[("greeting", "x y"), ("empty", "")],
    );
    check(
        "encoded=a%20b; plus=a+b",
        &[("encoded", "a%20b"), ("plus", "a+b")],
    );
    check("lone=\"; half=\"x", &[("lone", "\""), ("half", "\"x")]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_blank_value_is_kept() {
    check("a=; b=2", &[("a", ""), ("b", "2")]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn pieces_without_equals_or_without_a_name_are_skipped() {
    check("a=1; secure; b=2", &[("a", "1"), ("b", "2")]);
    check("=abc; c=3", &[("c", "3")]);
    check(" = x;justtext", &[]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn empty_pieces_are_skipped() {
    check("a=1;;b=2;", &[("a", "1"), ("b", "2")]);
    check(";; ;", &[]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn order_and_duplicates_are_kept() {
    check(
        "id=admin-area; theme=dark; id=site-wide",
        &[("id", "admin-area"), ("theme", "dark"), ("id", "site-wide")],
    );
}
