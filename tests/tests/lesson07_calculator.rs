//! Lesson 07's calculator, end to end: the real `lesson07-calculator` binary on a loopback
//! port, asked with `ureq` for ordinary requests and with raw bytes on a `TcpStream` to see
//! that an error keeps the connection open.
//!
//! What is proven here (issue 6, lesson 07):
//! - every example of the contract answers `200 text/plain; charset=utf-8` with exactly the
//!   number and a newline: whole results exact; a division that does not come out even is
//!   the exact quotient rounded to 10 decimal places, halves away from zero, trailing zeros
//!   dropped, `0` and never `-0` (`0.3333333333`, `0.0000333333`, `4611686018427387903.5`);
//! - the limits of 64 bits are exact: the largest and smallest results are answered, one
//!   past them is a 400 ("too large"), never a wrapped value or a panic;
//! - a division by zero and every operand that is not a whole number of at most 19 digits
//!   is a 400 with a plain-text sentence;
//! - an empty operand (`/add//2`) is a bad operand: a 400;
//! - an unknown operation, a missing or extra operand and any other path is a 404 in plain
//!   text;
//! - the home page links the examples, and each link answers what the page says it does;
//! - a 400 or a 404 keeps the connection open for the next request.
//!
//! Every wait is bounded by a deadline; no test sleeps for a fixed time.

use end_to_end::Conn;
use end_to_end::{ServerProcess, agent, parse_responses};
use pretty_assertions::assert_eq;

/// The content type of every answer but the home page.
const PLAIN: &str = "text/plain; charset=utf-8";

fn calculator() -> ServerProcess {
    end_to_end::start("lesson07-calculator", &["0"])
}

/// A GET through a real client: (status, content type, body).
fn ask(server: &ServerProcess, path: &str) -> (u16, String, String) {
    let mut response = agent()
        .get(&server.url(path))
        .call()
        .unwrap_or_else(|e| panic!("GET {path} failed: {e}"));
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response.body_mut().read_to_string().unwrap();
    (response.status().as_u16(), content_type, body)
}

/// Asserts a 200 plain-text answer of exactly `result` and a newline.
fn assert_result(server: &ServerProcess, path: &str, result: &str) {
    assert_eq!(
        ask(server, path),
        (200, PLAIN.to_string(), format!("{result}\n")),
        "GET {path}"
    );
}

/// Asserts a plain-text error of `status` whose one-line sentence contains `why`.
fn assert_error(server: &ServerProcess, path: &str, status: u16, why: &str) {
    let (got, content_type, body) = ask(server, path);
    assert_eq!(
        (got, content_type.as_str()),
        (status, PLAIN),
        "GET {path}: {body}"
    );
    let reason = if status == 400 {
        "400 Bad Request: "
    } else {
        "404 Not Found: "
    };
    assert!(
        body.starts_with(reason) && body.ends_with('\n') && body.lines().count() == 1,
        "GET {path}: not one plain sentence: {body:?}"
    );
    assert!(body.contains(why), "GET {path}: {why:?} not in {body:?}");
}

// ---------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------

#[test]
fn every_example_of_the_contract_answers_its_number_as_plain_text() {
    let server = calculator();
    let examples = [
        ("/add/23/42", "65"),
        ("/subtract/23/42", "-19"),
        ("/multiply/3/5", "15"),
        ("/divide/22/11", "2"),
        ("/divide/7/2", "3.5"),
        ("/divide/1/3", "0.3333333333"),
        ("/divide/-6/3", "-2"),
        ("/divide/2/3", "0.6666666667"),
        ("/divide/1/30000", "0.0000333333"),
        ("/divide/9223372036854775807/2", "4611686018427387903.5"),
    ];
    for (path, result) in examples {
        assert_result(&server, path, result);
    }
}

#[test]
fn an_uneven_division_is_its_exact_quotient_rounded_to_ten_places() {
    let server = calculator();
    let cases = [
        // Trailing zeros dropped.
        ("/divide/5/8", "0.625"),
        ("/divide/-7/2", "-3.5"),
        ("/divide/7/-2", "-3.5"),
        ("/divide/-7/-2", "3.5"),
        // Rounded at the tenth place: 1/7 = 0.14285714285714...
        ("/divide/1/7", "0.1428571429"),
        ("/divide/-2/3", "-0.6666666667"),
        ("/divide/2/-3", "-0.6666666667"),
        // Exactly half a unit of the tenth place: away from zero, on both sides.
        ("/divide/1/20000000000", "0.0000000001"),
        ("/divide/-1/20000000000", "-0.0000000001"),
        ("/divide/3/20000000000", "0.0000000002"),
        // Less than half: rounds to zero, written `0`, never `-0`.
        ("/divide/1/30000000000", "0"),
        ("/divide/-1/30000000000", "0"),
        ("/divide/1/-9223372036854775808", "0"),
        // The largest quotients keep every digit (no float in between).
        (
            "/divide/-9223372036854775808/3",
            "-3074457345618258602.6666666667",
        ),
        ("/divide/9223372036854775807/-2", "-4611686018427387903.5"),
        // Uneven, but whole once rounded: 1.0000000000 is written `1`.
        ("/divide/9223372036854775807/9223372036854775806", "1"),
        ("/divide/-9223372036854775807/9223372036854775806", "-1"),
    ];
    for (path, result) in cases {
        assert_result(&server, path, result);
    }
}

#[test]
fn signs_zeros_and_the_limits_of_64_bits_are_exact() {
    let server = calculator();
    let cases = [
        ("/add/+1/2", "3"),
        ("/add/-1/-2", "-3"),
        ("/subtract/0/0", "0"),
        ("/multiply/-3/-5", "15"),
        ("/multiply/0/-5", "0"),
        ("/divide/0/7", "0"),
        ("/divide/-7/2", "-3.5"),
        ("/add/007/0000000000000000001", "8"),
        ("/add/9223372036854775806/1", "9223372036854775807"),
        ("/subtract/-9223372036854775807/1", "-9223372036854775808"),
        ("/add/-9223372036854775808/0", "-9223372036854775808"),
        ("/multiply/-9223372036854775808/1", "-9223372036854775808"),
        ("/multiply/4294967296/2147483647", "9223372032559808512"),
        ("/divide/-9223372036854775808/1", "-9223372036854775808"),
        ("/divide/-9223372036854775808/2", "-4611686018427387904"),
        // The router sees the decoded path: %31 is `1`, %2D is `-`.
        ("/add/%31/2", "3"),
        ("/subtract/%2D1/2", "-3"),
    ];
    for (path, result) in cases {
        assert_result(&server, path, result);
    }
}

// ---------------------------------------------------------------------------------------
// 400: the request's mistake
// ---------------------------------------------------------------------------------------

#[test]
fn a_division_by_zero_and_every_overflow_is_a_400_never_a_wrapped_number() {
    let server = calculator();
    assert_error(&server, "/divide/6/0", 400, "division by zero");
    assert_error(&server, "/divide/0/0", 400, "division by zero");
    assert_error(&server, "/divide/-5/-0", 400, "division by zero");
    for path in [
        "/add/9223372036854775807/1",
        "/add/-9223372036854775808/-1",
        "/subtract/-9223372036854775808/1",
        "/subtract/9223372036854775807/-1",
        "/subtract/0/-9223372036854775808",
        "/multiply/9223372036854775807/2",
        "/multiply/-9223372036854775808/-1",
        "/multiply/4294967296/4294967296",
        "/divide/-9223372036854775808/-1",
    ] {
        assert_error(&server, path, 400, "too large");
    }
    // The server goes on: no panic took it down.
    assert_result(&server, "/add/1/1", "2");
}

#[test]
fn operands_that_are_not_whole_numbers_of_64_bits_are_400() {
    let server = calculator();
    let cases = [
        ("/add/1.5/2", "\"1.5\""),
        ("/add/2/1.5", "\"1.5\""),
        ("/add/x/2", "\"x\""),
        ("/multiply/3/five", "\"five\""),
        ("/add/99999999999999999999/1", "\"99999999999999999999\""),
        ("/add/9223372036854775808/0", "\"9223372036854775808\""),
        ("/add/-9223372036854775809/0", "\"-9223372036854775809\""),
        // More than 19 digits even though the value is small.
        (
            "/add/00000000000000000000042/1",
            "\"00000000000000000000042\"",
        ),
        ("/add/-/1", "\"-\""),
        // An empty operand is there, and is not a number.
        ("/add//2", "\"\""),
        ("/add/1/", "\"\""),
        ("/add/+/1", "\"+\""),
        ("/add/--1/1", "\"--1\""),
        ("/add/+-1/1", "\"+-1\""),
        ("/add/%201/2", "\" 1\""),
        ("/add/1e3/2", "\"1e3\""),
        ("/add/0x10/2", "\"0x10\""),
        ("/add/1_000/2", "\"1_000\""),
        ("/add/%D9%A1/2", "\"\u{661}\""),
        // A bad operand is a 400 even where the operation would fail another way.
        ("/divide/x/0", "\"x\""),
    ];
    for (path, named) in cases {
        assert_error(&server, path, 400, named);
        assert_error(&server, path, 400, "is not a whole number");
    }
}

// ---------------------------------------------------------------------------------------
// 404: no such page
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_operations_and_paths_of_another_shape_are_404() {
    let server = calculator();
    for path in [
        "/power/2/3",
        "/modulo/7/2",
        "/add/1",
        "/add/1/2/3",
        "/ADD/1/2",
        "/Add/1/2",
        "/add",
        "/add/",
        "/add/1/2/",
        "/nothing/here",
        "/favicon.ico",
        "//2/3",
    ] {
        let (status, content_type, body) = ask(&server, path);
        assert_eq!(
            (status, content_type.as_str()),
            (404, PLAIN),
            "GET {path}: {body}"
        );
        assert!(
            body.starts_with("404 Not Found: ") && body.ends_with('\n'),
            "GET {path}: not a plain sentence: {body:?}"
        );
    }
    // An unknown operation is named by its path.
    assert_error(&server, "/power/2/3", 404, "/power/2/3");
    // Markup in the path stays plain text (the page is not HTML).
    let (status, content_type, _) = ask(&server, "/%3Cb%3E/1/2");
    assert_eq!((status, content_type.as_str()), (404, PLAIN));
}

// ---------------------------------------------------------------------------------------
// The home page
// ---------------------------------------------------------------------------------------

#[test]
fn the_home_page_links_the_examples_and_each_answers_what_it_says() {
    let server = calculator();
    let (status, content_type, html) = ask(&server, "/");
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/html; charset=utf-8");
    for href in [
        "/add/23/42",
        "/subtract/23/42",
        "/multiply/3/5",
        "/divide/22/11",
    ] {
        assert!(
            html.contains(&format!("<a href=\"{href}\">")),
            "no link to {href} in:\n{html}"
        );
    }
    // Each `<a href="P">P</a> → WHAT`: P answers WHAT.
    let mut checked = 0;
    for link in html.split("<a href=\"").skip(1) {
        let (href, rest) = link.split_once('"').unwrap();
        let line = rest.lines().next().unwrap();
        let (_, promise) = line
            .split_once("</a> → ")
            .unwrap_or_else(|| panic!("no promise after the link to {href}: {line:?}"));
        let promise = promise
            .trim_end_matches("</li>")
            .trim_end_matches("</p>")
            .trim_end_matches('.');
        if let Some(why) = promise.strip_prefix("400 Bad Request") {
            assert_error(&server, href, 400, "division by zero");
            assert!(!why.is_empty(), "{line}");
        } else {
            assert_result(&server, href, promise);
        }
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} example links in:\n{html}");
}

// ---------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------

#[test]
fn a_400_or_a_404_keeps_the_connection_open_for_the_next_request() {
    let server = calculator();
    let mut conn = Conn::open(&server);
    let sequence = [
        (
            "/divide/6/0",
            400,
            "400 Bad Request: division by zero has no answer\n",
        ),
        ("/add/1/2", 200, "3\n"),
        ("/add/x/2", 400, ""),
        ("/multiply/3/5", 200, "15\n"),
        ("/power/2/3", 404, ""),
        ("/add/9223372036854775807/1", 400, ""),
        ("/divide/7/2", 200, "3.5\n"),
    ];
    for (path, status, body) in sequence {
        let response = conn.get(path);
        assert_eq!(response.status, status, "{path}: {}", response.text());
        assert_eq!(response.header("content-type"), Some(PLAIN), "{path}");
        assert_ne!(
            response.header("connection"),
            Some("close"),
            "{path} closed the connection"
        );
        if !body.is_empty() {
            assert_eq!(response.text(), body, "{path}");
        }
    }
    // Pipelined on the same connection: answered in order, then closed as asked.
    conn.send(
        b"GET /divide/1/0 HTTP/1.1\r\nHost: test\r\n\r\n\
          GET /subtract/23/42 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    );
    let bytes = conn.rest_until_close();
    let responses = parse_responses(&bytes);
    let got: Vec<(u16, String)> = responses.iter().map(|r| (r.status, r.text())).collect();
    assert_eq!(
        got,
        vec![
            (
                400,
                "400 Bad Request: division by zero has no answer\n".to_string()
            ),
            (200, "-19\n".to_string()),
        ]
    );
}
