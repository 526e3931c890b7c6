//! Lesson 07: the calculator — the course's homework, as a gateway application.
//!
//! - `/` explains the usage, with example links.
//! - `/OPERATION/A/B` answers the result as plain text (`15` and a newline), computed by
//!   [`calculate::calculate`] — the exercise's reference solution, used as it is.
//! - The status codes say whose mistake it was: an operand that is not a whole number, a
//!   division by zero or a result too large is the request's fault (400) — an empty operand
//!   (`/add//2`) too; an operation that does not exist, or a path of any other shape
//!   (`/add/1`, `/add/1/2/3`), is a page that does not exist (404).
//!   Error bodies are plain text too: a sentence saying what was wrong.

pub mod calculate;

use server_core::gateway::{Application, Environ, Reply, RouteError, Router};

// ANCHOR: application
/// The calculator: a home page and one route for every operation.
pub fn application() -> impl Application {
    Router::new()
        .route(r"$", |_: &[&str], _: &mut Environ<'_>| {
            Ok(Reply::html(HOME))
        })
        .and_then(|router| router.route(r"([a-z]+)/([^/]*)/([^/]*)$", operation))
        .expect("the route patterns are valid")
        .with_error_page(|status, message| {
            Reply::text(format!("{status} {}: {message}\n", reason(status))).with_status(status)
        })
}

/// `/OPERATION/A/B`: the result, or the reason there is none.
fn operation(args: &[&str], _: &mut Environ<'_>) -> Result<Reply, RouteError> {
    match calculate::calculate(args[0], args[1], args[2]) {
        Ok(result) => Ok(Reply::text(format!("{result}\n"))),
        Err(calculate::CalcError::UnknownOperation(_)) => Err(RouteError::NotFound),
        Err(error) => Err(RouteError::BadRequest(error.to_string())),
    }
}
// ANCHOR_END: application

/// The standard reason phrase of a status.
fn reason(status: u16) -> String {
    server_core::response::reason_phrase(status).into_owned()
}

/// The home page: how to use the calculator.
pub const HOME: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Calculator</title>
</head>
<body>
<h1>Calculator</h1>
<p>Put the operation and two whole numbers in the path; the answer comes back as plain text.</p>
<ul>
<li><a href="/add/23/42">/add/23/42</a> → 65</li>
<li><a href="/subtract/23/42">/subtract/23/42</a> → -19</li>
<li><a href="/multiply/3/5">/multiply/3/5</a> → 15</li>
<li><a href="/divide/22/11">/divide/22/11</a> → 2</li>
<li><a href="/divide/7/2">/divide/7/2</a> → 3.5</li>
<li><a href="/divide/6/0">/divide/6/0</a> → 400 Bad Request: there is no answer</li>
</ul>
<p>Numbers are whole, from -9223372036854775808 to 9223372036854775807 (64 bits); a result
outside that range is refused with 400 rather than wrapped around. A division that does not
come out even answers its exact quotient rounded to 10 decimal places: <a href="/divide/2/3">/divide/2/3</a> → 0.6666666667.</p>
</body>
</html>
"#;
