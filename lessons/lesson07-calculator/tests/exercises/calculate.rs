//! Checks of the `calculate` exercise: the calculator's arithmetic, without the web around it.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/calculate.rs")]
#[cfg_attr(feature = "reference", path = "../../exercises/solutions/calculate.rs")]
#[allow(unused_variables, dead_code)]
mod code;

use code::{CalcError, calculate};

/// The smallest operand, `i64::MIN`.
const MIN: &str = "-9223372036854775808";
/// The largest operand, `i64::MAX`.
const MAX: &str = "9223372036854775807";

/// Asserts what `calculate(operation, left, right)` gives.
#[track_caller]
fn check(operation: &str, left: &str, right: &str, expected: Result<&str, CalcError>) {
    assert_eq!(
        calculate(operation, left, right),
        expected.map(str::to_string),
        "calculate({operation:?}, {left:?}, {right:?})"
    );
}

/// Asserts that `left / right` answers `expected`.
#[track_caller]
fn divides(left: &str, right: &str, expected: &str) {
    check("divide", left, right, Ok(expected));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn the_course_s_examples_give_their_answers() {
    check("add", "23", "42", Ok("65"));
    check("subtract", "23", "42", Ok("-19"));
    check("multiply", "3", "5", Ok("15"));
    check("divide", "22", "11", Ok("2"));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn a_division_that_comes_out_even_is_an_integer() {
    divides("-6", "3", "-2");
    divides("6", "-3", "-2");
    divides("0", "5", "0");
    divides(MAX, MAX, "1");
    divides(MAX, "-1", "-9223372036854775807");
    divides(MIN, "1", MIN);
    divides(MIN, "2", "-4611686018427387904");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn another_division_is_rounded_to_ten_places_without_trailing_zeros() {
    divides("7", "2", "3.5");
    divides("1", "3", "0.3333333333");
    divides("2", "3", "0.6666666667");
    divides("5", "9", "0.5555555556");
    divides("22", "7", "3.1428571429");
    divides("1", "8", "0.125");
    divides("1", "1024", "0.0009765625");
    divides("1", "30000", "0.0000333333");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn the_sign_of_a_decimal_quotient_follows_the_operands() {
    divides("-2", "3", "-0.6666666667");
    divides("2", "-3", "-0.6666666667");
    divides("-2", "-3", "0.6666666667");
    divides("-7", "2", "-3.5");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn a_half_in_the_eleventh_place_rounds_away_from_zero() {
    divides("1", "20000000000", "0.0000000001");
    divides("-1", "20000000000", "-0.0000000001");
    divides("1", "2048", "0.0004882813");
    divides("-1", "2048", "-0.0004882813");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn a_quotient_that_rounds_to_a_whole_number_is_written_as_one() {
    divides("1", "30000000000", "0");
    divides("-1", "30000000000", "0");
    divides("1", MAX, "0");
    divides("-1", MAX, "0");
    divides("99999999999", "100000000000", "1");
    divides("-99999999999", "100000000000", "-1");
    divides(MAX, "9223372036854775806", "1");
    divides(MAX, MIN, "-1");
    divides(MIN, MAX, "-1");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn a_large_quotient_keeps_every_digit() {
    divides(MAX, "2", "4611686018427387903.5");
    divides(MAX, "-2", "-4611686018427387903.5");
    divides(MAX, "3", "3074457345618258602.3333333333");
    divides(MIN, "3", "-3074457345618258602.6666666667");
    divides(MIN, "7", "-1317624576693539401.1428571429");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn dividing_by_zero_is_an_error() {
    for (left, right) in [("6", "0"), ("0", "0"), ("-1", "0"), (MIN, "0"), ("1", "-0")] {
        check("divide", left, right, Err(CalcError::DivisionByZero));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn a_result_outside_64_bits_is_too_large_in_every_operation() {
    for (operation, left, right) in [
        ("add", MAX, "1"),
        ("add", MIN, "-1"),
        ("add", MAX, MAX),
        ("subtract", MIN, "1"),
        ("subtract", "0", MIN),
        ("subtract", MAX, "-1"),
        ("multiply", MAX, "2"),
        ("multiply", MIN, "-1"),
        ("multiply", "-1", MIN),
        ("multiply", "4294967296", "4294967296"),
        ("divide", MIN, "-1"),
    ] {
        check(operation, left, right, Err(CalcError::TooLarge));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn results_at_the_edges_of_64_bits_are_exact() {
    check("add", MAX, "0", Ok(MAX));
    check("add", MIN, "0", Ok(MIN));
    check("add", MAX, MIN, Ok("-1"));
    check("subtract", "-1", MAX, Ok(MIN));
    check("subtract", MIN, MIN, Ok("0"));
    check("multiply", MIN, "1", Ok(MIN));
    check("multiply", "-1", MAX, Ok("-9223372036854775807"));
    check(
        "multiply",
        "3037000499",
        "3037000499",
        Ok("9223372030926249001"),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn an_operand_may_carry_a_sign() {
    check("add", "+5", "1", Ok("6"));
    check("subtract", "-5", "+3", Ok("-8"));
    check("add", "-0", "0", Ok("0"));
    check("multiply", "-0", "-5", Ok("0"));
    check("add", "+9223372036854775807", MIN, Ok("-1"));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn leading_zeros_count_toward_the_nineteen_digits() {
    check("add", "0000000000000000042", "1", Ok("43"));
    check("add", "-0000000000000000001", "0", Ok("-1"));
    check(
        "add",
        "0000000000000000000",
        "+0000000000000000007",
        Ok("7"),
    );
    for twenty in [
        "00000000000000000042",
        "+00000000000000000001",
        "-00000000000000000000",
    ] {
        check(
            "add",
            twenty,
            "1",
            Err(CalcError::NotANumber(twenty.to_string())),
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn a_number_outside_64_bits_is_not_a_number() {
    for big in [
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999",
        "9999999999999999999",
    ] {
        check("add", big, "1", Err(CalcError::NotANumber(big.to_string())));
        check("add", "1", big, Err(CalcError::NotANumber(big.to_string())));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn anything_but_a_sign_and_digits_is_not_a_number() {
    for text in [
        "", "-", "+", " 1", "1 ", "1.5", "--1", "+-1", "1-", "1e3", "0x10", "x", "1_000",
        "\u{661}", "\u{ff11}",
    ] {
        check(
            "add",
            text,
            "1",
            Err(CalcError::NotANumber(text.to_string())),
        );
        check(
            "multiply",
            "2",
            text,
            Err(CalcError::NotANumber(text.to_string())),
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn an_unknown_operation_is_named() {
    for operation in [
        "Add",
        "ADD",
        "power",
        "",
        "add ",
        "div",
        "plus",
        "subtract/",
    ] {
        check(
            operation,
            "2",
            "3",
            Err(CalcError::UnknownOperation(operation.to_string())),
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson07"]
fn the_operation_is_checked_before_the_operands() {
    check(
        "power",
        "x",
        "1",
        Err(CalcError::UnknownOperation("power".to_string())),
    );
    check(
        "Add",
        "1.5",
        "",
        Err(CalcError::UnknownOperation("Add".to_string())),
    );
}
