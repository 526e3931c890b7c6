//! Lesson 07's black-box checks: the course's calculator homework, `/multiply/3/5` → `15`.
//!
//! Start the server with `cargo run -p lesson07-calculator -- 8007`, or the Python original
//! with `python3 wsgi/calculator.py 8007`; both pass. What the checks rely on (the lesson's
//! contract):
//!
//! - `GET /` answers an HTML page explaining the usage, with links to the course's examples
//!   `/add/23/42`, `/subtract/23/42`, `/multiply/3/5` and `/divide/22/11`;
//! - `GET /OPERATION/A/B` answers `200` `text/plain`, the body exactly the result and a
//!   newline (`65\n`). Operands are whole numbers within 64 bits, with an optional sign. Whole
//!   results are exact; a division that does not come out even gives its exact quotient
//!   rounded to 10 decimal places, halves away from zero, without trailing zeros
//!   (`/divide/2/3` → `0.6666666667`);
//! - an operand that is not such a number, a zero divisor and a result outside 64 bits answer
//!   `400`; an unknown operation, a wrong number of operands and any other path `404`; both
//!   as `text/plain` with a sentence saying what was wrong (its words are free).

use super::client::{Response, Target};
use super::display;
use super::failure::Failure;
use super::page::links;
use super::{Check, Group, exercise_hint};
use crate::catalog::Lesson;

/// The course's examples, each with its answer: the home page links to each.
const EXAMPLES: &[(&str, &str)] = &[
    ("/add/23/42", "65"),
    ("/subtract/23/42", "-19"),
    ("/multiply/3/5", "15"),
    ("/divide/22/11", "2"),
];

/// Operands with a sign, and results at the edges of 64 bits.
const OPERANDS: &[(&str, &str)] = &[
    ("/subtract/-5/+3", "-8"),
    ("/add/9223372036854775807/-9223372036854775808", "-1"),
    ("/multiply/-9223372036854775808/1", "-9223372036854775808"),
];

/// Divisions: even ones give an integer, the others a rounded decimal.
const DIVISIONS: &[(&str, &str)] = &[
    ("/divide/-6/3", "-2"),
    ("/divide/7/2", "3.5"),
    ("/divide/1/3", "0.3333333333"),
    ("/divide/-2/3", "-0.6666666667"),
    ("/divide/1/30000", "0.0000333333"),
    ("/divide/9223372036854775807/2", "4611686018427387903.5"),
];

/// Requests that name an operation but give it what it cannot use: 400.
const BAD_REQUESTS: &[&str] = &[
    "/divide/6/0",
    "/add/1.5/2",
    "/add/x/2",
    "/add/99999999999999999999/1",
    "/add/9223372036854775807/1",
    "/subtract/-9223372036854775808/1",
    "/multiply/9223372036854775807/2",
    "/divide/-9223372036854775808/-1",
];

/// Requests for pages that do not exist: 404.
const NOT_FOUND: &[&str] = &["/power/2/3", "/add/1", "/add/1/2/3", "/sponge/damp"];

/// The checks of lesson 07, grouped by what they are about.
pub fn groups(lesson: &Lesson, target: &Target) -> Vec<Group> {
    let hint = exercise_hint(lesson, "calculate");
    let results = |cases: &[(&str, &'static str)]| -> Vec<Check> {
        cases
            .iter()
            .map(|&(path, answer)| result_check(target, path, answer))
            .collect()
    };
    vec![
        Group {
            name: "home page",
            hint: Some(
                "GET / (the path empty after its /) is an HTML page that explains the usage and \
                 links to the course's examples, <a href=\"/add/23/42\">...</a> and the others.",
            ),
            checks: vec![home_check(target)],
        },
        Group {
            name: "examples",
            hint,
            checks: results(EXAMPLES),
        },
        Group {
            name: "operands",
            hint,
            checks: results(OPERANDS),
        },
        Group {
            name: "division",
            hint,
            checks: results(DIVISIONS),
        },
        Group {
            name: "bad requests",
            hint: Some(
                "The page exists but cannot answer what was sent: a zero divisor, an operand \
                 that is not a whole number of at most 19 digits within 64 bits, a result \
                 outside 64 bits. That is the client's mistake: 400 Bad Request, with a \
                 text/plain sentence saying what was wrong — never a crash, a 500 or a \
                 wrapped-around number.",
            ),
            checks: BAD_REQUESTS
                .iter()
                .map(|path| refusal_check(target, path, 400))
                .collect(),
        },
        Group {
            name: "not found",
            hint: Some(
                "An operation the calculator does not have, or a path of another shape (too \
                 few or too many parts), names no page: 404 Not Found, as text/plain.",
            ),
            checks: NOT_FOUND
                .iter()
                .map(|path| refusal_check(target, path, 404))
                .collect(),
        },
    ]
}

/// `GET /`: an HTML page linking to every example.
fn home_check(target: &Target) -> Check {
    let wanted: Vec<String> = EXAMPLES.iter().map(|(path, _)| target.path(path)).collect();
    Check::exchange(target.simple("GET", "/"), move |response| {
        response.expect_status(200)?;
        response.expect_media_type("text/html")?;
        let hrefs: Vec<String> = links(&String::from_utf8_lossy(&response.body))
            .into_iter()
            .map(|link| link.href)
            .collect();
        if let Some(missing) = wanted.iter().find(|path| !hrefs.contains(path)) {
            return Err(Failure::comparing(
                format!("the home page must link to the example {missing}"),
                format!("<a href=\"{missing}\">...</a>"),
                if hrefs.is_empty() {
                    "no links".to_string()
                } else {
                    format!("links to {}", hrefs.join(", "))
                },
            ));
        }
        Ok(())
    })
}

/// `GET path` answers `answer` and a newline, as plain text.
fn result_check(target: &Target, path: &str, answer: &'static str) -> Check {
    Check::exchange(target.simple("GET", path), move |response| {
        expect_answer(response, answer)
    })
}

/// `GET path` is refused with `status`, explained in plain text.
fn refusal_check(target: &Target, path: &str, status: u16) -> Check {
    Check::exchange(target.simple("GET", path), move |response| {
        expect_refusal(response, status)
    })
}

/// A 200 `text/plain` answer whose body is `answer` and a newline, nothing else.
fn expect_answer(response: &Response, answer: &str) -> Result<(), Failure> {
    response.expect_status(200)?;
    response.expect_media_type("text/plain")?;
    let expected = format!("{answer}\n");
    if response.body == expected.as_bytes() {
        return Ok(());
    }
    Err(Failure::comparing(
        "the body must be the result and a newline, nothing else",
        display::escape(expected.as_bytes()),
        display::escape(&response.body),
    ))
}

/// A refusal with `status`, as a `text/plain` sentence.
fn expect_refusal(response: &Response, status: u16) -> Result<(), Failure> {
    response.expect_status(status)?;
    response.expect_media_type("text/plain")?;
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure::comparing(
            "the body must say, in a sentence, what was wrong",
            "a sentence",
            "an empty body",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blackbox::client::Framing;

    fn text(status: u16, body: &str) -> Response {
        Response {
            version: "HTTP/1.1".to_string(),
            status,
            reason: "Reason".to_string(),
            headers: vec![(
                "content-type".to_string(),
                "text/plain; charset=utf-8".to_string(),
            )],
            body: body.as_bytes().to_vec(),
            framing: Framing::UntilClose,
        }
    }

    #[test]
    fn an_answer_is_the_result_and_one_newline() {
        assert_eq!(expect_answer(&text(200, "65\n"), "65"), Ok(()));
        for wrong in ["65", "65\n\n", " 65\n", "65.0\n", "0.3333333333333333\n"] {
            assert!(expect_answer(&text(200, wrong), "65").is_err(), "{wrong:?}");
        }
        let failure = expect_answer(&text(200, "65"), "65").unwrap_err();
        assert_eq!(failure.expected.as_deref(), Some("65\\n\n"));
        assert_eq!(failure.got.as_deref(), Some("65"));
        let mut html = text(200, "65\n");
        html.headers[0].1 = "text/html".to_string();
        assert!(expect_answer(&html, "65").is_err());
    }

    #[test]
    fn a_refusal_needs_its_status_and_a_sentence() {
        assert_eq!(expect_refusal(&text(400, "Bad Request: x\n"), 400), Ok(()));
        assert!(expect_refusal(&text(400, " \n"), 400).is_err());
        assert!(expect_refusal(&text(404, "Not Found\n"), 400).is_err());
        assert!(expect_refusal(&text(500, "Internal Server Error\n"), 400).is_err());
    }

    #[test]
    fn the_examples_are_the_course_s_and_the_home_page_shows_them() {
        let paths: Vec<&str> = EXAMPLES.iter().map(|(path, _)| *path).collect();
        assert_eq!(
            paths,
            [
                "/add/23/42",
                "/subtract/23/42",
                "/multiply/3/5",
                "/divide/22/11"
            ]
        );
    }
}
