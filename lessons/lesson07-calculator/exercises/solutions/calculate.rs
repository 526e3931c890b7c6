//! Exercise `calculate`: the course's calculator homework, without the web around it.
//!
//! The router of lesson 07 captures three parts of `/multiply/3/5` — the operation and two
//! operands — and calls [`calculate`] with them. Chapter 7 (`book/src/ch07-calculator.md`)
//! shows the application around it and why each error has the status it has.
//!
//! You write [`calculate`]:
//!
//! 1. The operation is one of `add`, `subtract`, `multiply`, `divide`. Anything else is
//!    [`CalcError::UnknownOperation`] (the server answers 404: no such page) — checked
//!    before the operands, so `/power/x/1` is a 404 too, not a 400.
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
//!    other division answers the exact quotient rounded to [`DECIMAL_PLACES`] (10) decimal
//!    places, halves away from zero, without trailing zeros: `7/2` → `3.5`, `2/3` →
//!    `0.6666666667`, `1/30000` → `0.0000333333`, `-2/3` → `-0.6666666667`. A quotient that
//!    rounds to zero is `0` (never `-0`). Work in integers (`i128` holds `i64::MAX * 10^10`):
//!    a float would round twice, and could not give every digit of `4611686018427387903.5`.

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

/// How many decimal places a division that does not come out even is rounded to.
pub const DECIMAL_PLACES: u32 = 10;

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

/// `left / right`: an integer when it comes out even, else a rounded decimal.
fn divide(left: i64, right: i64) -> Result<String, CalcError> {
    if right == 0 {
        return Err(CalcError::DivisionByZero);
    }
    let quotient = left.checked_div(right).ok_or(CalcError::TooLarge)?;
    if left % right == 0 {
        return Ok(quotient.to_string());
    }
    Ok(decimal_quotient(left, right, DECIMAL_PLACES))
}

/// `left / right` rounded to `places` decimals, halves away from zero, trailing zeros dropped.
fn decimal_quotient(left: i64, right: i64, places: u32) -> String {
    let negative = (left < 0) != (right < 0);
    let unit = 10u128.pow(places);
    let (numerator, divisor) = (
        u128::from(left.unsigned_abs()) * unit,
        u128::from(right.unsigned_abs()),
    );
    let mut scaled = numerator / divisor;
    if 2 * (numerator % divisor) >= divisor {
        scaled += 1;
    }
    let (whole, fraction) = (scaled / unit, scaled % unit);
    let digits = format!("{fraction:0width$}", width = places as usize);
    let digits = digits.trim_end_matches('0');
    let text = if digits.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{digits}")
    };
    if negative && scaled != 0 {
        format!("-{text}")
    } else {
        text
    }
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
