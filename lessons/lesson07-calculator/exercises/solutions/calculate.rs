//! Exercise `calculate`: the course's calculator homework, without the web around it.
//!
//! The router of lesson 07 captures three parts of `/multiply/3/5` — the operation and two
//! operands — and calls [`calculate`] with them. Chapter 7 (`book/src/ch07-calculator.md`)
//! shows the application around it and why each error has the status it has.
//!
//! You write [`calculate`]:
//!
//! 1. The operation is one of `add`, `subtract`, `multiply`, `divide`. Anything else is
//!    [`CalcError::UnknownOperation`] (the server answers 404: no such page).
//! 2. Each operand is a whole number: an optional `+` or `-`, then 1 to 19 ASCII digits, and
//!    it must fit in an `i64`. Anything else (`1.5`, `x`, ` 1`, `99999999999999999999`, `-`)
//!    is [`CalcError::NotANumber`] naming the text (400). `str::parse::<i64>` is nearly
//!    enough, but it also takes `00000000000000000000042` (more than 19 digits): check the
//!    shape first, then parse (which refuses what does not fit).
//! 3. `add`, `subtract` and `multiply` answer the exact result in decimal (`65`, `-19`). A
//!    result outside `i64` is [`CalcError::TooLarge`] (400) — never a panic, never a wrapped
//!    value: use the `checked_` methods.
//! 4. `divide` by zero is [`CalcError::DivisionByZero`] (400). A division that comes out even
//!    answers the integer (`22/11` → `2`, `-6/3` → `-2`); `i64::MIN / -1` is too large. Any
//!    other division answers the quotient as `f64`, written the way Python writes a float:
//!    the shortest digits that read back as the same number (`3.5`, `0.3333333333333333`),
//!    and in scientific notation with a sign and at least two exponent digits when the
//!    exponent is below -4 or at least 16 (`3.3333333333333335e-05`, `4.611686018427388e+18`).
//!    Rust's `{:?}` gives the same digits and the same switch to scientific notation, but
//!    writes `e-5` and `e18`.

use std::fmt;

// ANCHOR: exercise
/// Why there is no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalcError {
    /// Not one of add, subtract, multiply, divide.
    UnknownOperation(String),
    /// An operand that is not a whole number within 64 bits.
    NotANumber(String),
    /// The divisor is zero.
    DivisionByZero,
    /// The result does not fit in 64 bits.
    TooLarge,
}

impl fmt::Display for CalcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalcError::UnknownOperation(name) => write!(
                f,
                "{name:?} is not an operation; use add, subtract, multiply or divide"
            ),
            CalcError::NotANumber(text) => write!(
                f,
                "{text:?} is not a whole number from -9223372036854775808 to 9223372036854775807"
            ),
            CalcError::DivisionByZero => f.write_str("division by zero has no answer"),
            CalcError::TooLarge => f.write_str("the result is too large for 64 bits"),
        }
    }
}

impl std::error::Error for CalcError {}

/// The result of `left OPERATION right`, as the text the calculator answers.
pub fn calculate(operation: &str, left: &str, right: &str) -> Result<String, CalcError> {
    // ANCHOR: solution stub: todo!("check the operation, parse both operands, compute with checked arithmetic")
    let apply: fn(i64, i64) -> Option<i64> = match operation {
        "add" => i64::checked_add,
        "subtract" => i64::checked_sub,
        "multiply" => i64::checked_mul,
        "divide" => return divide(operand(left)?, operand(right)?),
        other => return Err(CalcError::UnknownOperation(other.to_string())),
    };
    let result = apply(operand(left)?, operand(right)?).ok_or(CalcError::TooLarge)?;
    Ok(result.to_string())
}

/// A whole number: an optional sign and 1 to 19 digits, within `i64`.
fn operand(text: &str) -> Result<i64, CalcError> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let well_formed =
        (1..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    well_formed
        .then(|| text.parse::<i64>().ok())
        .flatten()
        .ok_or_else(|| CalcError::NotANumber(text.to_string()))
}

/// `left / right`: an integer when it comes out even, else a float written as Python does.
fn divide(left: i64, right: i64) -> Result<String, CalcError> {
    if right == 0 {
        return Err(CalcError::DivisionByZero);
    }
    let quotient = left.checked_div(right).ok_or(CalcError::TooLarge)?;
    if left % right == 0 {
        return Ok(quotient.to_string());
    }
    Ok(python_float(left as f64 / right as f64))
}

/// A float as Python's `repr` writes it: Rust's `{:?}` digits, with Python's exponent form.
fn python_float(value: f64) -> String {
    let debug = format!("{value:?}");
    match debug.split_once('e') {
        None => debug,
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => ('-', digits),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
    }
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
