//! Checks of the `head_end` exercise: where does the head of a request end?

#[cfg_attr(not(feature = "reference"), path = "../../exercises/head_end.rs")]
#[cfg_attr(feature = "reference", path = "../../exercises/solutions/head_end.rs")]
#[allow(unused_variables, dead_code)]
mod code;

use code::head_end;

/// Asserts that `head_end` finds `head` at the start of `head` followed by `rest`.
#[track_caller]
fn assert_head_then(head: &[u8], rest: &[u8]) {
    let request = [head, rest].concat();
    assert_eq!(
        head_end(&request),
        Some(head.len()),
        "head_end(b\"{}\")",
        request.escape_ascii()
    );
}

/// Asserts that `head_end` says the head has not fully arrived yet.
#[track_caller]
fn assert_incomplete(bytes: &[u8]) {
    assert_eq!(
        head_end(bytes),
        None,
        "head_end(b\"{}\")",
        bytes.escape_ascii()
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn a_crlf_head_ends_right_after_its_empty_line() {
    assert_head_then(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", b"");
    assert_head_then(b"GET / HTTP/1.1\r\n\r\n", b"");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn the_body_after_the_empty_line_is_not_counted() {
    assert_head_then(
        b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n",
        b"name=value",
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn a_head_with_bare_line_feeds_ends_at_two_line_feeds() {
    assert_head_then(b"GET / HTTP/1.0\nHost: x\n\n", b"body");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn crlf_and_bare_lf_may_be_mixed_in_one_head() {
    assert_head_then(b"GET / HTTP/1.1\r\nHost: x\n\r\n", b"body");
    assert_head_then(b"GET / HTTP/1.1\nHost: x\r\n\n", b"body");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn the_first_empty_line_wins_even_when_a_later_one_is_crlf() {
    // Looking for \r\n\r\n first, and for \n\n only when there is none, finds the wrong one.
    assert_head_then(b"GET / HTTP/1.0\nHost: x\n\n", b"one\r\n\r\ntwo");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn the_first_empty_line_wins_even_when_a_later_one_is_a_bare_lf() {
    // Looking for \n\n first finds the empty line inside the body.
    assert_head_then(
        b"POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\n",
        b"one\n\ntwo",
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn a_head_without_its_empty_line_is_incomplete() {
    assert_incomplete(b"GET / HTTP/1.1\r\nHost: x\r\n");
    assert_incomplete(b"GET / HTTP/1.1\r\nHost: x");
    assert_incomplete(b"GET / HTTP/1.0\n");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn a_head_cut_between_the_cr_and_the_lf_of_the_empty_line_is_incomplete() {
    assert_incomplete(b"GET / HTTP/1.1\r\nHost: x\r\n\r");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn nothing_at_all_is_incomplete() {
    assert_incomplete(b"");
    assert_incomplete(b"GET");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn a_lone_empty_line_before_the_request_line_is_skipped() {
    assert_head_then(b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", b"");
    assert_incomplete(b"\r\n");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn several_empty_lines_before_the_request_line_are_skipped_too() {
    // Searching for \r\n\r\n anywhere would stop at byte 4.
    assert_head_then(b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", b"body");
    assert_head_then(b"\n\r\nGET / HTTP/1.0\n\n", b"");
    assert_incomplete(b"\r\n\r\n");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson01"]
fn every_byte_counts_as_one_whether_or_not_it_is_utf8() {
    // "é" is two bytes in UTF-8; 0xFF is not UTF-8 at all, and a lossy conversion to a
    // String would turn it into a three-byte replacement character.
    assert_head_then(
        b"GET / HTTP/1.1\r\nX-Name: caf\xc3\xa9 \xff\r\n\r\n",
        b"\xff body",
    );
}
