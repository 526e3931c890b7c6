//! Checks of the `hello_response` exercise: a whole HTTP/1.1 response, written by hand.
//!
//! The checks take the response apart the way a client does, so the order of the header
//! fields is free; only what the exercise asks for is checked.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/hello_response.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/hello_response.rs"
)]
#[allow(unused_variables, dead_code)]
mod code;

use code::hello_response;

/// A response taken apart at its first empty line (CRLF CRLF), as text for readable failures.
struct Parts {
    /// Everything before the empty line: the status line and the field lines.
    head: String,
    /// Everything after the empty line.
    body: String,
}

/// Takes a response apart; with no empty line at all, everything counts as head.
fn parts(response: &[u8]) -> Parts {
    let text = String::from_utf8_lossy(response);
    match text.split_once("\r\n\r\n") {
        Some((head, body)) => Parts {
            head: head.to_string(),
            body: body.to_string(),
        },
        None => Parts {
            head: text.to_string(),
            body: String::new(),
        },
    }
}

/// The values of every field called `name` (compared without regard to case, RFC 9110 §5.1),
/// with the spaces around each value removed.
fn field_values(response: &[u8], name: &str) -> Vec<String> {
    parts(response)
        .head
        .split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .filter(|(field, _)| field.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim_matches([' ', '\t']).to_string())
        .collect()
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn the_status_line_comes_first() {
    let response = hello_response("Hello, World!");
    let first_line = parts(&response)
        .head
        .split("\r\n")
        .next()
        .map(str::to_string);
    assert_eq!(
        first_line.as_deref(),
        Some("HTTP/1.1 200 OK"),
        "the first line of hello_response(\"Hello, World!\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn the_body_comes_last_right_after_the_empty_line() {
    let response = hello_response("Hello, World!");
    assert_eq!(
        parts(&response).body,
        "Hello, World!",
        "what follows the empty line in hello_response(\"Hello, World!\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn content_length_is_13_for_hello_world() {
    assert_eq!(
        field_values(&hello_response("Hello, World!"), "Content-Length"),
        ["13"],
        "the Content-Length fields of hello_response(\"Hello, World!\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn content_length_counts_bytes_not_characters() {
    // Five characters, but "é" takes two bytes in UTF-8.
    assert_eq!(
        field_values(&hello_response("héllo"), "Content-Length"),
        ["6"],
        "the Content-Length fields of hello_response(\"héllo\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn an_emoji_counts_as_four_bytes() {
    let response = hello_response("hi 👋");
    assert_eq!(
        field_values(&response, "Content-Length"),
        ["7"],
        "the Content-Length fields of hello_response(\"hi 👋\")"
    );
    assert_eq!(
        parts(&response).body,
        "hi 👋",
        "what follows the empty line in hello_response(\"hi 👋\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn an_empty_body_has_length_zero_and_nothing_follows_the_empty_line() {
    let response = hello_response("");
    assert_eq!(
        field_values(&response, "Content-Length"),
        ["0"],
        "the Content-Length fields of hello_response(\"\")"
    );
    let ending = &response[response.len().saturating_sub(4)..];
    assert_eq!(
        ending.escape_ascii().to_string(),
        "\\r\\n\\r\\n",
        "the last four bytes of hello_response(\"\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn the_content_type_is_plain_text_in_utf8() {
    assert_eq!(
        field_values(&hello_response("Hello, World!"), "Content-Type"),
        ["text/plain; charset=utf-8"],
        "the Content-Type fields of hello_response(\"Hello, World!\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn the_response_says_the_connection_will_close() {
    assert_eq!(
        field_values(&hello_response("Hello, World!"), "Connection"),
        ["close"],
        "the Connection fields of hello_response(\"Hello, World!\")"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn every_line_of_the_head_ends_with_crlf() {
    let response = hello_response("Hello, World!");
    // Split at CRLF, a line still holding a CR or an LF had a bare one.
    let head = parts(&response).head;
    let bad_lines: Vec<&str> = head
        .split("\r\n")
        .filter(|line| line.contains(['\r', '\n']))
        .collect();
    assert_eq!(
        bad_lines,
        Vec::<&str>::new(),
        "lines of hello_response(\"Hello, World!\") with a bare CR or LF"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn the_body_is_sent_untouched_even_its_line_feeds() {
    let body = "line 1\nline 2\r\n";
    let response = hello_response(body);
    assert_eq!(
        parts(&response).body,
        body,
        "what follows the empty line in hello_response({body:?})"
    );
    assert_eq!(
        field_values(&response, "Content-Length"),
        ["15"],
        "the Content-Length fields of hello_response({body:?})"
    );
}
