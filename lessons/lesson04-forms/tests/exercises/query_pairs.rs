//! Checks of the `query_pairs` exercise: a query string or urlencoded body decoded into fields.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/query_pairs.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/query_pairs.rs"
)]
#[allow(unused_variables, dead_code)]
mod code;

use code::{decode_component, parse_query};

/// Asserts what `decode_component(encoded)` gives.
#[track_caller]
fn check_decode(encoded: &str, expected: &str) {
    assert_eq!(
        decode_component(encoded),
        expected,
        "decode_component({encoded:?})"
    );
}

/// Asserts what `parse_query(query)` gives; `expected` written briefly.
#[track_caller]
fn check(query: &str, expected: &[(&str, &[&str])]) {
    let expected: Vec<(String, Vec<String>)> = expected
        .iter()
        .map(|&(name, values)| {
            let values = values.iter().map(|value| value.to_string()).collect();
            (name.to_string(), values)
        })
        .collect();
    assert_eq!(parse_query(query), expected, "parse_query({query:?})");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn plus_is_a_space_and_percent_escapes_are_bytes() {
    check_decode("john%20doe", "john doe");
    check_decode("James+%26+Nancy+Kirk", "James & Nancy Kirk");
    check_decode("1%2B1%3D2", "1+1=2");
    check_decode("%2f%2F", "//");
    check_decode("plain", "plain");
    check_decode("", "");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_percent_without_two_hex_digits_stays_as_it_is() {
    check_decode("100%", "100%");
    check_decode("%zz", "%zz");
    check_decode("a%4", "a%4");
    check_decode("%%41", "%A");
    check_decode("50%+off", "50% off");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn escaped_bytes_are_read_as_utf8() {
    check_decode("caf%C3%A9", "café");
    check_decode("%E2%82%AC5", "€5");
    check_decode("na%C3%AFve+caf%c3%a9", "naïve café");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn bytes_that_are_not_utf8_become_the_replacement_character() {
    // `é` in Latin-1 is the single byte E9, which is not UTF-8.
    check_decode("caf%E9", "caf\u{FFFD}");
    check_decode("%FF%FE", "\u{FFFD}\u{FFFD}");
    // C3 starts a two-byte character, but `(` cannot continue it.
    check_decode("%C3(", "\u{FFFD}(");
    check("name=caf%E9", &[("name", &["caf\u{FFFD}"])]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_query_string_gives_its_fields_in_order() {
    check("x=42&y=10", &[("x", &["42"]), ("y", &["10"])]);
    check("hi=john%20doe", &[("hi", &["john doe"])]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn the_course_vote_form_is_decoded() {
    check(
        "user=James+%26+Nancy+Kirk&user2=&vote=Y&pets=dog&pets=cat&comments=",
        &[
            ("user", &["James & Nancy Kirk"]),
            ("user2", &[""]),
            ("vote", &["Y"]),
            ("pets", &["dog", "cat"]),
            ("comments", &[""]),
        ],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_repeated_name_keeps_all_its_values_in_order() {
    check("pets=dog&pets=cat", &[("pets", &["dog", "cat"])]);
    check(
        "pets=dog&x=1&pets=cat&pets=dog",
        &[("pets", &["dog", "cat", "dog"]), ("x", &["1"])],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn escapes_inside_a_value_split_nothing() {
    check("q=a%26b%3Dc&r=1", &[("q", &["a&b=c"]), ("r", &["1"])]);
    check("eq=a=b=c", &[("eq", &["a=b=c"])]);
    check("a%3Db=1", &[("a=b", &["1"])]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn names_are_decoded_too() {
    check(
        "first+name=Ada&caf%C3%A9=1",
        &[("first name", &["Ada"]), ("café", &["1"])],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn blank_values_and_names_without_equals_are_kept_as_empty() {
    check("user2=", &[("user2", &[""])]);
    check("flag&x=1", &[("flag", &[""]), ("x", &["1"])]);
    check("=x", &[("", &["x"])]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn empty_pieces_are_skipped() {
    check("a=1&&b=2", &[("a", &["1"]), ("b", &["2"])]);
    check("&a=1&", &[("a", &["1"])]);
    check("", &[]);
    check("&&", &[]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn only_the_ampersand_separates_fields() {
    check("a=1;b=2", &[("a", &["1;b=2"])]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson04"]
fn a_broken_escape_in_a_field_stays_literal() {
    check(
        "discount=100%&code=%zz&end=%",
        &[("discount", &["100%"]), ("code", &["%zz"]), ("end", &["%"])],
    );
}
