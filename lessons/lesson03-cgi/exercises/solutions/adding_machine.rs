//! Exercise `adding_machine`: the course's in-class exercise II — add up every `operand` of
//! a query string.
//!
//! `/cgi-bin/sums?operand=1&operand=2&operand=39` answers "Your total is 42". The course
//! read the values with `cgi.FieldStorage().getlist("operand")`: a name may come several
//! times in a query, so its values are a list. The finished Python program is `cgi-bin/sums`;
//! the same exercise in Python is `cgi-bin/exercises/adding_machine`. Here you write the
//! arithmetic and the rules as a pure function; `examples/exercise_programs.rs` is the CGI
//! program that calls it with `QUERY_STRING` and turns its answer into a response (`200` with
//! the total, `400` naming the bad values), run by `cgi-bin/exercises/adding_machine-rust`.
//!
//! You write [`add_operands`]:
//!
//! - Decode the query as a form with [`Form::from_query`] (it turns `+` into a space and
//!   `%XX` into its byte, in names and values). A query that cannot be decoded (`%FF` is not
//!   UTF-8) is [`Refusal::Undecodable`], with the decoder's message.
//! - Take every value of the name `operand`, in order; other names are ignored.
//! - Trim spaces and tabs around each value (`operand=+5` arrives as `" 5"`). A value that is
//!   blank then is skipped: an HTML form with an empty box sends `operand=`, which means
//!   "nothing to add".
//! - Each other value must be a whole number that fits in an `i64`: an optional `+` or `-`,
//!   then ASCII digits. `"abc"`, `"1.5"`, `"1e3"`, `"1_000"`, `"٣"` and
//!   `"9223372036854775808"` are not. If any value is not, the answer is
//!   [`Refusal::NotWholeNumbers`] with *every* such value, trimmed, in order — so the page can
//!   name them all at once.
//! - Otherwise the answer is the total, as an `i128`: the sum of many `i64` values can leave
//!   the `i64` range (`9223372036854775807 + 1`), and an `i128` holds any sum of fewer than
//!   2^64 of them. No operand at all adds up to 0.
//!
//! Python's `int` has no upper limit, so `cgi-bin/sums` accepts numbers of any size; the
//! `i64` limit on each operand is this exercise's choice, to keep the arithmetic in the
//! standard library.

use server_core::form::{Form, FormOptions};

// ANCHOR: exercise
/// Why the adding machine cannot give a total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The query could not be decoded; the decoder's message.
    Undecodable(String),
    /// The values that are not whole numbers, trimmed, in the order they came.
    NotWholeNumbers(Vec<String>),
}

/// The total of every `operand` value of `query` (the query string, without its `?`).
pub fn add_operands(query: &str) -> Result<i128, Refusal> {
    // ANCHOR: solution stub: todo!("decode the query, then add up every operand value that is a whole number")
    let form = Form::from_query(query, &FormOptions::default())
        .map_err(|error| Refusal::Undecodable(error.to_string()))?;
    let mut total: i128 = 0;
    let mut not_numbers = Vec::new();
    for value in form.all("operand") {
        let value = value.trim_matches([' ', '\t']);
        if value.is_empty() {
            continue;
        }
        // i64's parser takes exactly an optional sign and ASCII digits, and refuses what
        // does not fit: no need to look at the characters first.
        match value.parse::<i64>() {
            Ok(number) => total += i128::from(number),
            Err(_) => not_numbers.push(value.to_string()),
        }
    }
    if not_numbers.is_empty() {
        Ok(total)
    } else {
        Err(Refusal::NotWholeNumbers(not_numbers))
    }
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
