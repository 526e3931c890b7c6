//! Lesson 03's black-box checks: a CGI/1.1 server (RFC 3875) running the workbench's
//! `cgi-bin/` scripts, like `python3 -m http.server --cgi`.
//!
//! The server must serve the top directory of the workbench with CGI on, so that
//! `/cgi-bin/env` runs `cgi-bin/env`: `cargo run -p lesson03-cgi -- 8003`, or
//! `python3 -m http.server --cgi 8003`, started from the top of the workbench. The checks go
//! through the scripts, so they judge the server (the variables it sets, its 404) and the
//! scripts of the exercises together: the environment table (exercise I, `cgi-bin/env`) and
//! the adding machine (exercise II, `cgi-bin/sums`).
//!
//! The same two exercises are also the learner's to write, and the same checks judge what
//! they write, at other paths: the Python stubs `cgi-bin/exercises/env_table` and
//! `cgi-bin/exercises/adding_machine` (groups "exercise I: env_table" and "exercise II:
//! adding_machine"), and the Rust functions of the exercises `env_table` and
//! `adding_machine`, made pages by `lessons/lesson03-cgi/examples/exercise_programs.rs` and
//! run by `cgi-bin/exercises/env_table-rust` and `adding_machine-rust` (the groups "... in
//! Rust"). Until the learner writes them these groups fail: that is the homework. A Rust
//! program that was never built (its wrapper says so) is not judged: its checks pass with a
//! `skipped:` note saying how to build it, so a learner who writes only Python is not held
//! to the Rust pages.
//!
//! Every check holds for any correct server and any correct script, in any language; the
//! checks were run against both `lesson03-cgi` and Python's `http.server --cgi` (3.11). Two
//! things are allowed to differ, and pass with a `skipped:` note saying so:
//!
//! - RFC 3875 §4.1.18 lets a server leave out request header fields: Python's http.server
//!   passes only `Accept`, `User-Agent`, `Cookie` and `Referer` as `HTTP_*` variables. So
//!   `User-Agent` is required to arrive as `HTTP_USER_AGENT`, and an `X-` header as
//!   `HTTP_X_...` only when the server passes it at all.
//! - Python's http.server writes its own `200 Script output follows` status line before it
//!   runs a script, then copies the script's output unchanged: the script's
//!   `Status: 400 Bad Request` reaches the client as an ordinary header. RFC 3875 §6.3.3 asks
//!   the server to make it the status line; a `200` carrying `Status: 400` shows that the
//!   script did its part, and passes with a note.
//!
//! A value in the environment table is found as the text of the element right after the
//! element holding the variable's name (`<td>NAME</td><td>VALUE</td>`, `<dt>`/`<dd>`...),
//! with HTML character references decoded; whether a value was escaped is checked on the
//! raw text.

use super::client::{Response, Target, find};
use super::failure::Failure;
use super::{Check, Group, Outcome, Passed, name_of};
use crate::catalog::Lesson;

/// The course's finished pages of exercises I and II.
const ENV_PAGE: &str = "/cgi-bin/env";
const SUMS_PAGE: &str = "/cgi-bin/sums";
/// The learner's Python pages of exercises I and II (stubs until written).
const ENV_EXERCISE: &str = "/cgi-bin/exercises/env_table";
const SUMS_EXERCISE: &str = "/cgi-bin/exercises/adding_machine";
/// The learner's Rust functions of exercises I and II, as CGI programs.
const ENV_EXERCISE_RUST: &str = "/cgi-bin/exercises/env_table-rust";
const SUMS_EXERCISE_RUST: &str = "/cgi-bin/exercises/adding_machine-rust";
/// What `cgi-bin/exercises/env_table-rust` answers when the Rust programs are not built.
const NOT_BUILT: &[u8] = b"exercise programs are not built yet";

/// How to start a server for these checks, for the message when a page is missing.
const SERVE_FROM_TOP: &str = "is the server serving the top directory of the workbench with \
    CGI on? (cargo run -p lesson03-cgi -- 8003, or python3 -m http.server --cgi 8003, from the \
    workbench's top directory)";

/// A query with characters that must be escaped in HTML: `&` and `<b>`. The `<` and `>` are
/// sent raw, as curl sends what it is given (RFC 3986 leaves them out of URLs, but a server
/// passes a query on as it came, and a script must never trust it).
const PROBE_QUERY: &str = "name=value&who=<b>probe</b>";
/// A `User-Agent` with markup in it.
const PROBE_AGENT: &str = "workbench-check <b>agent</b>";

/// The checks of lesson 03, grouped by what they are about.
pub fn groups(_lesson: &Lesson, target: &Target) -> Vec<Group> {
    vec![
        Group {
            name: "environment",
            hint: Some(
                "The server turns the request into environment variables (RFC 3875 §4.1): \
                 REQUEST_METHOD, QUERY_STRING as sent (still percent-encoded), SCRIPT_NAME for \
                 the part of the path that named the script, PATH_INFO for the rest, \
                 CONTENT_LENGTH and CONTENT_TYPE for a body, and HTTP_* for header fields \
                 (User-Agent becomes HTTP_USER_AGENT). The env script shows each one in a \
                 table, HTML-escaped: & < > \" ' become entities.",
            ),
            checks: environment_checks(target, ENV_PAGE),
        },
        Group {
            name: "adding machine",
            hint: Some(
                "Decode QUERY_STRING as a form, keep every value of `operand` (a name may \
                 repeat), and add them as whole numbers of any size. Answer text/plain with \
                 the total; for a value that is not a whole number answer `Status: 400 Bad \
                 Request` and say which value is wrong.",
            ),
            checks: sums_checks(target, SUMS_PAGE),
        },
        Group {
            name: "hello and its cookie",
            hint: Some(
                "The browser sends the cookie back in a Cookie header, which the script reads \
                 from HTTP_COOKIE; the script sets the next count with a Set-Cookie header \
                 that has a Max-Age, so the cookie outlives the browser session. Anything \
                 that is not a number starts the count again at 1.",
            ),
            checks: hello_checks(target),
        },
        Group {
            name: "scripts",
            hint: Some(
                "A path under /cgi-bin/ names a program to run, not a file to send. When no \
                 such program exists the answer is 404 Not Found, and nothing runs.",
            ),
            checks: script_checks(target),
        },
        Group {
            name: "exercise I: env_table",
            hint: Some(
                "Write rows() in cgi-bin/exercises/env_table: one <tr><td>NAME</td><td>VALUE</td></tr> \
                 per variable of os.environ, sorted by name, every name and value through \
                 html.escape(). Each request runs the script again: save and reload.",
            ),
            checks: environment_checks(target, ENV_EXERCISE),
        },
        Group {
            name: "exercise II: adding_machine",
            hint: Some(
                "Write answer() in cgi-bin/exercises/adding_machine: parse_qsl(query, \
                 keep_blank_values=True) gives the decoded pairs; keep every `operand`, trim, \
                 skip the blank ones, add the rest as int. A value that is not a whole number \
                 gets (\"400 Bad Request\", a text naming it).",
            ),
            checks: sums_checks(target, SUMS_EXERCISE),
        },
        Group {
            name: "exercise I in Rust: env_table-rust",
            hint: Some(
                "This page is your env_table function (lessons/lesson03-cgi/exercises/\
                 env_table.rs) inside examples/exercise_programs.rs. Make `cargo run -p \
                 homework -- check lesson03` pass for env_table first, then rebuild the page \
                 with `cargo build -p lesson03-cgi --example exercise_programs`.",
            ),
            checks: rust_program_checks(target, ENV_EXERCISE_RUST, environment_checks),
        },
        Group {
            name: "exercise II in Rust: adding_machine-rust",
            hint: Some(
                "This page is your add_operands function (lessons/lesson03-cgi/exercises/\
                 adding_machine.rs) inside examples/exercise_programs.rs. Make `cargo run -p \
                 homework -- check lesson03` pass for adding_machine first, then rebuild the \
                 page with `cargo build -p lesson03-cgi --example exercise_programs`.",
            ),
            checks: rust_program_checks(target, SUMS_EXERCISE_RUST, sums_checks),
        },
    ]
}

/// The checks `checks` makes of the Rust program at `script`, each passing with a
/// `skipped:` note instead when the program is not built (its wrapper answers 500 and says
/// so): a learner who writes the exercises in Python only is not held to the Rust pages.
fn rust_program_checks(
    target: &Target,
    script: &'static str,
    checks: fn(&Target, &'static str) -> Vec<Check>,
) -> Vec<Check> {
    let probe = target.simple("GET", script);
    checks(target, script)
        .into_iter()
        .map(|check| {
            let probe = probe.clone();
            let run = check.run;
            Check::custom(check.name, move |server| {
                let response = server.exchange(&probe)?;
                if response.status == 500 && find(&response.body, NOT_BUILT).is_some() {
                    return Ok(Passed::Skipped(format!(
                        "skipped: {script} answers that the Rust exercise programs are not \
                         built; build them to have your Rust pages checked: cargo build -p \
                         lesson03-cgi --example exercise_programs"
                    )));
                }
                run(server)
            })
        })
        .collect()
}

/// The environment table at `script` (`/cgi-bin/env`, or an exercise's page): the variables
/// the server sets, escaped by the script.
fn environment_checks(target: &Target, script: &'static str) -> Vec<Check> {
    let post = target.request(
        &format!("POST {} HTTP/1.1", target.path(script)),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Connection", "close"),
        ],
        b"x=1&y=2",
    );
    vec![
        Check::exchange(target.simple("GET", script), move |response| {
            expect_env_page(response, script)?;
            expect_variable(response, "GATEWAY_INTERFACE", "CGI/1.1")?;
            expect_variable(response, "REQUEST_METHOD", "GET")?;
            expect_variable(response, "SCRIPT_NAME", script)
        }),
        Check::exchange(
            target.simple("GET", &format!("{script}?{PROBE_QUERY}")),
            move |response| {
                expect_env_page(response, script)?;
                expect_escaped(
                    response,
                    "QUERY_STRING",
                    PROBE_QUERY,
                    "&amp;who=&lt;b&gt;probe",
                )
            },
        ),
        Check::exchange(
            target.simple("GET", &format!("{script}/a/b")),
            move |response| {
                expect_env_page(response, script)?;
                expect_variable(response, "SCRIPT_NAME", script)?;
                expect_variable(response, "PATH_INFO", "/a/b")
            },
        ),
        Check::exchange(post, move |response| {
            expect_env_page(response, script)?;
            expect_variable(response, "REQUEST_METHOD", "POST")?;
            expect_variable(response, "CONTENT_LENGTH", "7")?;
            expect_variable(
                response,
                "CONTENT_TYPE",
                "application/x-www-form-urlencoded",
            )
        }),
        Check::exchange(
            target.request(
                &format!("GET {} HTTP/1.1", target.path(script)),
                &[("User-Agent", PROBE_AGENT), ("Connection", "close")],
                b"",
            ),
            move |response| {
                expect_env_page(response, script)?;
                expect_escaped(response, "HTTP_USER_AGENT", PROBE_AGENT, "&lt;b&gt;agent")
            },
        )
        .noting(&format!("User-Agent: {PROBE_AGENT}")),
        optional_header_check(target, script),
    ]
}

/// An `X-` header: passed as `HTTP_X_WORKBENCH_PROBE` by most servers, left out by some.
fn optional_header_check(target: &Target, script: &'static str) -> Check {
    let request = target.request(
        &format!("GET {} HTTP/1.1", target.path(script)),
        &[("X-Workbench-Probe", "42"), ("Connection", "close")],
        b"",
    );
    let name = format!("{} (X-Workbench-Probe: 42)", name_of(&request));
    Check::custom(name, move |server| {
        let response = server.exchange(&request)?;
        expect_env_page(&response, script)?;
        if table_value(&response.body, "HTTP_X_WORKBENCH_PROBE").is_none() {
            return Ok(Passed::Skipped(
                "skipped: the server passes no HTTP_X_WORKBENCH_PROBE variable; RFC 3875 \
                 §4.1.18 lets a server leave header fields out (Python's http.server passes \
                 only a few)"
                    .to_string(),
            ));
        }
        expect_variable(&response, "HTTP_X_WORKBENCH_PROBE", "42")?;
        Ok(Passed::Yes)
    })
}

/// The adding machine at `script` (`/cgi-bin/sums`, or an exercise's page): totals, and a
/// 400 for a value that is no number.
fn sums_checks(target: &Target, script: &'static str) -> Vec<Check> {
    let total = |expected: &'static str| {
        move |response: &Response| {
            response.expect_status(200)?;
            response.expect_media_type("text/plain")?;
            expect_number(response, expected)
        }
    };
    vec![
        Check::exchange(
            target.simple("GET", &format!("{script}?operand=1&operand=2&operand=39")),
            total("42"),
        ),
        Check::exchange(
            target.simple("GET", &format!("{script}?operand=-5&operand=3")),
            total("-2"),
        ),
        // One past the largest 64-bit signed integer: an overflow is a wrong answer.
        Check::exchange(
            target.simple(
                "GET",
                &format!("{script}?operand=9223372036854775807&operand=1"),
            ),
            total("9223372036854775808"),
        ),
        refusal_check(target, &format!("{script}?operand=1&operand=abc"), "abc"),
        refusal_check(target, &format!("{script}?operand=1.5"), "1.5"),
    ]
}

/// A request the adding machine must refuse with 400 and a message naming `bad`.
fn refusal_check(target: &Target, path: &str, bad: &'static str) -> Check {
    let request = target.simple("GET", path);
    Check::custom(name_of(&request), move |server| {
        let response = server.exchange(&request)?;
        let outcome = expect_script_status(&response, 400)?;
        response.expect_body_contains(bad).map_err(|failure| {
            failure.in_context("the message must name the value that is not a whole number")
        })?;
        Ok(outcome)
    })
}

/// The hello page (`cgi-bin/hello`) and its `visits` cookie.
fn hello_checks(target: &Target) -> Vec<Check> {
    let with_cookie = |cookie: &str| {
        target.request(
            &format!("GET {} HTTP/1.1", target.path("/cgi-bin/hello")),
            &[("Cookie", cookie), ("Connection", "close")],
            b"",
        )
    };
    vec![
        Check::exchange(target.simple("GET", "/cgi-bin/hello"), |response| {
            response.expect_status(200)?;
            response.expect_media_type("text/html")?;
            response.expect_body_contains("/cgi-bin/hello")?;
            expect_visits_cookie(response, "1")
        }),
        Check::exchange(with_cookie("visits=41"), |response| {
            response.expect_status(200)?;
            expect_visits_cookie(response, "42")?;
            expect_number(response, "42")
        })
        .noting("Cookie: visits=41"),
        Check::exchange(with_cookie("visits=<garbage>"), |response| {
            response.expect_status(200)?;
            expect_visits_cookie(response, "1")
        })
        .noting("Cookie: visits=<garbage>"),
    ]
}

/// The index page, and a script that does not exist.
fn script_checks(target: &Target) -> Vec<Check> {
    vec![
        Check::exchange(target.simple("GET", "/cgi-bin/index"), |response| {
            response.expect_status(200)?;
            response.expect_media_type("text/html")
        }),
        Check::exchange(
            target.simple("GET", "/cgi-bin/no-such-script"),
            |response| response.expect_status(404),
        ),
    ]
}

/// The answer is the environment page at `script`: a 200 HTML page made by running it.
fn expect_env_page(response: &Response, script: &str) -> Result<(), Failure> {
    if response.status == 404 {
        return Err(Failure::comparing(
            format!("{script} was not found: {SERVE_FROM_TOP}"),
            "200",
            response.status_line(),
        ));
    }
    if response.body.starts_with(b"#!") {
        return Err(Failure::new(format!(
            "the server sent the script's source instead of running it: {SERVE_FROM_TOP}"
        )));
    }
    response.expect_status(200)?;
    response.expect_media_type("text/html")
}

/// The environment table shows `name` with `value`.
fn expect_variable(response: &Response, name: &str, value: &str) -> Result<(), Failure> {
    match table_value(&response.body, name) {
        Some(raw) if decode_entities(&raw) == value => Ok(()),
        Some(raw) => Err(Failure::comparing(
            format!(
                "the environment table must show {name} with its value (the text right after \
                 the name)"
            ),
            value,
            decode_entities(&raw),
        )),
        None => Err(Failure::comparing(
            format!("the environment table must have a row for {name}"),
            format!("{name} and its value"),
            "no element holding just that name",
        )),
    }
}

/// The environment table shows `name` with `value`, HTML-escaped: the page holds none of
/// the value's markup unescaped, and the raw text of the value holds `escaped`.
fn expect_escaped(
    response: &Response,
    name: &str,
    value: &str,
    escaped: &str,
) -> Result<(), Failure> {
    let not_escaped = |got: String| {
        Failure::comparing(
            format!(
                "the value of {name} comes from the request and must be HTML-escaped, or the \
                 request writes markup into the page: & < > become &amp; &lt; &gt;"
            ),
            escaped,
            got,
        )
    };
    let markup_leaked =
        find(&response.body, b"<b>probe").is_some() || find(&response.body, b"<b>agent").is_some();
    if markup_leaked {
        return Err(not_escaped("the markup itself, unescaped".to_string()));
    }
    expect_variable(response, name, value)?;
    let raw = table_value(&response.body, name).unwrap_or_default();
    if raw.contains(escaped) {
        return Ok(());
    }
    Err(not_escaped(raw))
}

/// The status the script chose is `expected`: on the status line, or — from a server that
/// copies the script's output unparsed, like Python's http.server — as a `Status` header
/// under a `200` status line, which passes with a note.
fn expect_script_status(response: &Response, expected: u16) -> Outcome {
    if response.status == expected {
        return Ok(Passed::Yes);
    }
    let code = expected.to_string();
    let passed_through = response.status == 200
        && response
            .header("status")
            .is_some_and(|status| status.split(' ').next() == Some(code.as_str()));
    if passed_through {
        return Ok(Passed::Skipped(format!(
            "skipped: the status line: the server answered 200 and passed the script's \
             `Status: {}` on as an ordinary header, as Python's http.server does; a CGI server \
             makes it the status line (RFC 3875 §6.3.3)",
            response.header("status").unwrap_or_default()
        )));
    }
    Err(Failure::comparing(
        "wrong status code: the script refuses a value that is not a whole number with \
         `Status: 400 Bad Request`, and the server makes that the status line",
        code,
        response.status_line(),
    ))
}

/// The body shows the whole number `expected` (`-2`, not `-25`).
fn expect_number(response: &Response, expected: &str) -> Result<(), Failure> {
    let body = String::from_utf8_lossy(&response.body);
    if numbers_in(&body).iter().any(|number| number == expected) {
        return Ok(());
    }
    Err(Failure::comparing(
        format!("the body must show the number {expected}"),
        expected,
        body,
    ))
}

/// The response sets the `visits` cookie to `expected`, for longer than the session.
fn expect_visits_cookie(response: &Response, expected: &str) -> Result<(), Failure> {
    let cookies: Vec<&str> = response
        .headers
        .iter()
        .filter(|(name, _)| name == "set-cookie")
        .map(|(_, value)| value.as_str())
        .collect();
    let Some(cookie) = cookies.iter().find(|cookie| {
        cookie
            .split(';')
            .next()
            .and_then(|pair| pair.split_once('='))
            .is_some_and(|(name, _)| name.trim() == "visits")
    }) else {
        return Err(Failure::comparing(
            "the page must count visits in a cookie called visits, set with Set-Cookie",
            format!("Set-Cookie: visits={expected}; ..."),
            format!("the Set-Cookie headers: {cookies:?}"),
        ));
    };
    let value = cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.trim().trim_matches('"'))
        .unwrap_or_default();
    if value != expected {
        return Err(Failure::comparing(
            "wrong visit count in the cookie",
            format!("visits={expected}"),
            *cookie,
        ));
    }
    let lower = cookie.to_ascii_lowercase();
    if !lower.contains("max-age=") && !lower.contains("expires=") {
        return Err(Failure::comparing(
            "the cookie must outlive the browser session: give it a Max-Age (or Expires)",
            format!("visits={expected}; Max-Age=..."),
            *cookie,
        ));
    }
    Ok(())
}

/// The raw text of the element right after the element whose text is `name` (with an
/// optional `:` after it): the value of a table row `<td>NAME</td><td>VALUE</td>`.
pub(super) fn table_value(body: &[u8], name: &str) -> Option<String> {
    let texts = element_texts(&String::from_utf8_lossy(body));
    let at = texts
        .iter()
        .position(|text| text.trim_end_matches(':').trim_end() == name)?;
    texts.get(at + 1).cloned()
}

/// The texts between tags, trimmed, without the empty ones: `<tr><td>A</td><td>b c</td>` →
/// `["A", "b c"]`. Character references are kept as they are.
pub(super) fn element_texts(html: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let text_end = rest.find('<').unwrap_or(rest.len());
        let text = rest[..text_end].trim();
        if !text.is_empty() {
            texts.push(text.to_string());
        }
        rest = &rest[text_end..];
        // Skip the tag (or the rest, when a `<` is never closed).
        rest = match rest.find('>') {
            Some(tag_end) => &rest[tag_end + 1..],
            None => "",
        };
    }
    texts
}

/// Decodes the character references an escaping function produces: `&amp;` `&lt;` `&gt;`
/// `&quot;` `&apos;` and numeric ones (`&#39;`, `&#x27;`). Others stay as they are.
pub(super) fn decode_entities(text: &str) -> String {
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        decoded.push_str(&rest[..at]);
        rest = &rest[at..];
        let reference = rest.find(';').map(|end| (&rest[1..end], end));
        let character = reference.and_then(|(name, end)| {
            let character = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            };
            character.map(|c| (c, end))
        });
        match character {
            Some((c, end)) => {
                decoded.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                decoded.push('&');
                rest = &rest[1..];
            }
        }
    }
    decoded.push_str(rest);
    decoded
}

/// The whole numbers written in `text`, with a `-` right before the digits kept as a sign:
/// `"(-5) + 3 = -2"` → `["-5", "3", "-2"]`.
fn numbers_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut numbers = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() {
            at += 1;
            continue;
        }
        let start = if at > 0 && bytes[at - 1] == b'-' {
            at - 1
        } else {
            at
        };
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            at += 1;
        }
        numbers.push(text[start..at].to_string());
    }
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blackbox::client::Framing;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            version: "HTTP/1.0".to_string(),
            status,
            reason: "Reason".to_string(),
            headers: headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            framing: Framing::UntilClose,
        }
    }

    #[test]
    fn values_are_read_from_the_element_after_the_name() {
        let page = "<table><tr><th>Name</th><th>Value</th></tr>\n\
                    <tr><td><code>QUERY_STRING</code></td>\n  <td><code>a=1&amp;b=&lt;b&gt;</code></td>\
                    <td>CGI</td></tr><tr><td>PATH_INFO:</td><td>/a/b</td></tr></table>";
        let raw = table_value(page.as_bytes(), "QUERY_STRING").unwrap();
        assert_eq!(raw, "a=1&amp;b=&lt;b&gt;");
        assert_eq!(decode_entities(&raw), "a=1&b=<b>");
        assert_eq!(
            table_value(page.as_bytes(), "PATH_INFO").as_deref(),
            Some("/a/b")
        );
        assert_eq!(table_value(page.as_bytes(), "PATH"), None);
    }

    #[test]
    fn character_references_are_decoded_and_strays_kept() {
        assert_eq!(
            decode_entities("&lt;b&gt; &quot;x&quot; &#39;y&#x27; &apos; &amp;amp;"),
            "<b> \"x\" 'y' ' &amp;"
        );
        assert_eq!(
            decode_entities("a & b &unknown; &#xZZ; &"),
            "a & b &unknown; &#xZZ; &"
        );
    }

    #[test]
    fn numbers_keep_their_sign() {
        assert_eq!(
            numbers_in("Your total is -2\n\n(-5) + 3 = -2"),
            ["-2", "-5", "3", "-2"]
        );
        assert_eq!(numbers_in("total: 420."), ["420"]);
        assert!(numbers_in("no digits").is_empty());
    }

    #[test]
    fn unescaped_values_fail() {
        let escaped = response(
            200,
            &[],
            "<td>QUERY_STRING</td><td>name=value&amp;who=&lt;b&gt;probe&lt;/b&gt;</td>",
        );
        let escaped_probe = "&amp;who=&lt;b&gt;probe";
        assert!(expect_escaped(&escaped, "QUERY_STRING", PROBE_QUERY, escaped_probe).is_ok());
        let raw = response(
            200,
            &[],
            "<td>QUERY_STRING</td><td>name=value&who=<b>probe</b></td>",
        );
        let failure = expect_escaped(&raw, "QUERY_STRING", PROBE_QUERY, escaped_probe).unwrap_err();
        assert!(failure.message.contains("HTML-escaped"), "{failure:?}");
        // A bare & is read as itself, so only the check of the raw text catches it.
        let bare_ampersand = response(
            200,
            &[],
            "<td>QUERY_STRING</td><td>name=value&who=&lt;b&gt;probe&lt;/b&gt;</td>",
        );
        assert!(expect_variable(&bare_ampersand, "QUERY_STRING", PROBE_QUERY).is_ok());
        let failure = expect_escaped(&bare_ampersand, "QUERY_STRING", PROBE_QUERY, escaped_probe)
            .unwrap_err();
        assert!(failure.message.contains("HTML-escaped"), "{failure:?}");
        let missing = response(200, &[], "<td>PATH</td><td>/bin</td>");
        let failure =
            expect_escaped(&missing, "QUERY_STRING", PROBE_QUERY, escaped_probe).unwrap_err();
        assert!(failure.message.contains("must have a row"), "{failure:?}");
    }

    #[test]
    fn a_status_header_under_a_200_passes_with_a_note() {
        let parsed = response(400, &[], "bad");
        assert_eq!(expect_script_status(&parsed, 400), Ok(Passed::Yes));
        let passed_through = response(200, &[("status", "400 Bad Request")], "bad");
        let Ok(Passed::Skipped(note)) = expect_script_status(&passed_through, 400) else {
            panic!("a Status: 400 header under a 200 must pass with a note");
        };
        assert!(note.starts_with("skipped:"), "{note}");
        assert!(expect_script_status(&response(200, &[], "Your total is 0"), 400).is_err());
        assert!(expect_script_status(&response(200, &[("status", "200 OK")], ""), 400).is_err());
    }

    #[test]
    fn the_visits_cookie_needs_its_count_and_a_lifetime() {
        let good = response(
            200,
            &[
                ("set-cookie", "theme=dark"),
                (
                    "set-cookie",
                    "visits=42; Max-Age=31536000; Path=/cgi-bin; HttpOnly",
                ),
            ],
            "",
        );
        assert!(expect_visits_cookie(&good, "42").is_ok());
        assert!(expect_visits_cookie(&good, "1").is_err());
        let session = response(200, &[("set-cookie", "visits=1")], "");
        assert!(expect_visits_cookie(&session, "1").is_err());
        assert!(expect_visits_cookie(&response(200, &[], ""), "1").is_err());
    }

    #[test]
    fn a_script_sent_as_a_file_is_named_as_such() {
        let source = response(
            200,
            &[("content-type", "application/octet-stream")],
            "#!/usr/bin/env python3\n",
        );
        let failure = expect_env_page(&source, ENV_PAGE).unwrap_err();
        assert!(failure.message.contains("source"), "{failure:?}");
        let missing = response(404, &[], "");
        let failure = expect_env_page(&missing, ENV_PAGE).unwrap_err();
        assert!(failure.message.contains("top directory"), "{failure:?}");
    }
}
