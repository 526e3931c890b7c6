//! Lesson 01's black-box checks: a server that answers every request with `Hello, World!`.
//!
//! The lesson's server does not parse HTTP; it reads a request and writes a response by hand.
//! What any such server must get right, whatever its language:
//!
//! - a status line `HTTP/1.x 200 ...`, header lines and an empty line, all ending in `\r\n`;
//! - a body containing `Hello, World!`;
//! - a `Content-Length`, when it sends one, that counts the body's bytes exactly (checked for
//!   every response: a shorter body is caught when the connection closes early, a longer one
//!   by the bytes left over);
//! - the same answer whatever the request: another path, or a `POST` with a body.

use super::client::{Response, Target};
use super::{Check, Group, exercise_hint};
use crate::catalog::Lesson;

/// The text every answer must contain.
const GREETING: &str = "Hello, World!";

/// The checks of lesson 01, in one group.
pub fn groups(lesson: &Lesson, target: &Target) -> Vec<Group> {
    let greets = |response: &Response| {
        response.expect_status(200)?;
        response.expect_body_contains(GREETING)
    };
    vec![Group {
        name: "hello",
        hint: exercise_hint(lesson, "hello_response"),
        checks: vec![
            Check::exchange(target.simple("GET", "/"), greets),
            // The server does not look at the path: every request gets the greeting.
            Check::exchange(target.simple("GET", "/any/path?x=1"), greets),
            // A body after the head must not confuse it either.
            Check::exchange(
                target.request(
                    &format!("POST {} HTTP/1.1", target.path("/")),
                    &[("Content-Type", "text/plain"), ("Connection", "close")],
                    b"name=learner",
                ),
                greets,
            ),
        ],
    }]
}
