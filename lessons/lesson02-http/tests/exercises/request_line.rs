//! Checks of the `request_line` exercise: a request line taken apart, strictly.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/request_line.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/request_line.rs"
)]
#[allow(unused_variables, dead_code)]
mod code;

use code::{RequestLine, RequestLineError, parse_request_line};

/// Asserts what `parse_request_line(line)` gives.
#[track_caller]
fn check(line: &str, expected: Result<RequestLine<'_>, RequestLineError>) {
    assert_eq!(
        parse_request_line(line),
        expected,
        "parse_request_line({line:?})"
    );
}

/// A successful parse, written briefly.
fn ok<'a>(
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    version: (u8, u8),
) -> Result<RequestLine<'a>, RequestLineError> {
    Ok(RequestLine {
        method,
        path,
        query,
        version,
    })
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_simple_get_is_taken_apart() {
    check(
        "GET /index.html HTTP/1.1",
        ok("GET", "/index.html", None, (1, 1)),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn the_version_is_read_as_its_two_digits() {
    check("GET / HTTP/1.0", ok("GET", "/", None, (1, 0)));
    check("GET / HTTP/1.2", ok("GET", "/", None, (1, 2)));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn the_query_starts_after_the_first_question_mark() {
    check(
        "GET /search?q=rust&page=2 HTTP/1.1",
        ok("GET", "/search", Some("q=rust&page=2"), (1, 1)),
    );
    check("GET /a?b?c HTTP/1.1", ok("GET", "/a", Some("b?c"), (1, 1)));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_question_mark_alone_is_an_empty_query_not_no_query() {
    check("GET /a? HTTP/1.1", ok("GET", "/a", Some(""), (1, 1)));
    check("GET /? HTTP/1.1", ok("GET", "/", Some(""), (1, 1)));
    check("GET /a HTTP/1.1", ok("GET", "/a", None, (1, 1)));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn the_path_and_query_stay_percent_encoded() {
    check(
        "GET /caf%C3%A9?x=%20 HTTP/1.1",
        ok("GET", "/caf%C3%A9", Some("x=%20"), (1, 1)),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn any_token_is_a_method_even_lowercase_or_unknown() {
    check("get / HTTP/1.1", ok("get", "/", None, (1, 1)));
    check("BREW /pot HTTP/1.1", ok("BREW", "/pot", None, (1, 1)));
    check("M-SEARCH / HTTP/1.1", ok("M-SEARCH", "/", None, (1, 1)));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_method_with_a_character_outside_tchar_is_refused() {
    for line in [
        "G@T / HTTP/1.1",
        "GET, / HTTP/1.1",
        "[GET] / HTTP/1.1",
        "GÉT / HTTP/1.1",
    ] {
        check(line, Err(RequestLineError::BadMethod));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn spaces_separate_one_at_a_time_and_never_at_the_ends() {
    for line in [
        "GET  / HTTP/1.1",
        "GET /  HTTP/1.1",
        " GET / HTTP/1.1",
        "GET / HTTP/1.1 ",
    ] {
        check(line, Err(RequestLineError::Shape));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_tab_is_not_a_separator() {
    check("GET\t/\tHTTP/1.1", Err(RequestLineError::Shape));
    // Three parts, so the shape is right; the tab makes the target wrong.
    check("GET /a\tb HTTP/1.1", Err(RequestLineError::BadTarget));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_line_without_exactly_three_parts_is_refused() {
    for line in [
        "",
        "GET",
        "GET /",
        "GET / HTTP/1.1 extra",
        "GET /my file HTTP/1.1",
    ] {
        check(line, Err(RequestLineError::Shape));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn the_target_must_start_with_a_slash() {
    check("GET index.html HTTP/1.1", Err(RequestLineError::BadTarget));
    check("GET ?q=1 HTTP/1.1", Err(RequestLineError::BadTarget));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn an_asterisk_alone_is_a_target_only_for_options() {
    check("OPTIONS * HTTP/1.1", ok("OPTIONS", "*", None, (1, 1)));
    check("GET * HTTP/1.1", Err(RequestLineError::BadTarget));
    check("OPTIONS *x HTTP/1.1", Err(RequestLineError::BadTarget));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_target_with_a_control_byte_or_a_non_ascii_character_is_refused() {
    for line in [
        "GET /a\u{7f}b HTTP/1.1",
        "GET /a\0 HTTP/1.1",
        "GET /café HTTP/1.1",
    ] {
        check(line, Err(RequestLineError::BadTarget));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn the_version_is_exactly_http_slash_digit_dot_digit() {
    for line in [
        "GET / http/1.1",
        "GET / HTTPS/1.1",
        "GET / HTTP/1.10",
        "GET / HTTP/11",
        "GET / HTTP/1",
        "GET / HTTP/1.",
        "GET / HTTP/+1.1",
        "GET / HTTP/01.1",
        "GET / HTTP/١.١",
        "GET / HTTP/1.1\r",
    ] {
        check(line, Err(RequestLineError::BadVersion));
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson02"]
fn a_major_version_other_than_1_is_not_supported() {
    for line in ["GET / HTTP/2.0", "GET / HTTP/3.0", "GET / HTTP/0.9"] {
        check(line, Err(RequestLineError::VersionNotSupported));
    }
}
