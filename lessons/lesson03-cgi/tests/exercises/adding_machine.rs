//! Checks of the `adding_machine` exercise: the total of every `operand` of a query, or why
//! there is none.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/adding_machine.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/adding_machine.rs"
)]
#[allow(unused_variables, dead_code, unused_imports)]
mod code;

use code::{Refusal, add_operands};

/// Asserts what `add_operands(query)` gives.
#[track_caller]
fn check(query: &str, expected: Result<i128, Refusal>) {
    assert_eq!(add_operands(query), expected, "add_operands({query:?})");
}

/// The refusal naming `values`.
fn not_numbers(values: &[&str]) -> Result<i128, Refusal> {
    Err(Refusal::NotWholeNumbers(
        values.iter().map(|value| value.to_string()).collect(),
    ))
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn every_operand_is_added() {
    check("operand=1&operand=2&operand=39", Ok(42));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn one_operand_is_its_own_total() {
    check("operand=7", Ok(7));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn negative_numbers_and_signs_count() {
    check("operand=-5&operand=3", Ok(-2));
    check("operand=%2B7&operand=-0", Ok(7));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn no_operand_adds_up_to_zero() {
    check("", Ok(0));
    check("x=5&y=6", Ok(0));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn other_names_are_ignored_and_encoded_names_decoded() {
    check("x=100&operand=1&operands=1000&oper%61nd=2", Ok(3));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn totals_may_leave_the_range_of_an_i64() {
    check(
        "operand=9223372036854775807&operand=1",
        Ok(9_223_372_036_854_775_808),
    );
    check(
        "operand=-9223372036854775808&operand=-9223372036854775808",
        Ok(-18_446_744_073_709_551_616),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn spaces_and_tabs_around_a_value_are_trimmed() {
    // `+` is a space in a query: `operand=+5` is " 5".
    check("operand=+5&operand=%096%20&operand=%20+-1", Ok(10));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn blank_values_are_skipped() {
    check("operand=&operand=2&operand=+&operand=%09", Ok(2));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_value_that_is_not_a_whole_number_is_refused() {
    check("operand=1&operand=abc", not_numbers(&["abc"]));
    check("operand=1.5", not_numbers(&["1.5"]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn every_bad_value_is_named_in_order_trimmed() {
    check(
        "operand=1e3&operand=2&operand=+1_000+&operand=%D9%A3&operand=0x10&operand=--1&operand=-",
        not_numbers(&["1e3", "1_000", "٣", "0x10", "--1", "-"]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn an_operand_too_large_for_an_i64_is_refused() {
    check(
        "operand=9223372036854775808&operand=1",
        not_numbers(&["9223372036854775808"]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_query_that_cannot_be_decoded_is_refused() {
    let got = add_operands("operand=%FF");
    assert!(
        matches!(got, Err(Refusal::Undecodable(_))),
        "add_operands(\"operand=%FF\") must be Err(Refusal::Undecodable(..)), got {got:?}"
    );
}
