//! Checks of the `cgi_response` exercise: a script's header block read and checked.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/cgi_response.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/cgi_response.rs"
)]
#[allow(unused_variables, dead_code)]
mod code;

use code::{CgiError, CgiHead, parse_cgi_headers};

/// Asserts what `parse_cgi_headers(output)` gives.
#[track_caller]
fn check(output: &str, expected: Result<CgiHead, CgiError>) {
    assert_eq!(
        parse_cgi_headers(output),
        expected,
        "parse_cgi_headers({output:?})"
    );
}

/// A successful parse, written briefly.
fn ok(status: u16, headers: &[(&str, &str)], body: &str) -> Result<CgiHead, CgiError> {
    Ok(CgiHead {
        status,
        headers: headers
            .iter()
            .map(|&(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        body: body.to_string(),
    })
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_content_type_and_a_body_make_a_200() {
    check(
        "Content-Type: text/plain\n\nhello\n",
        ok(200, &[("Content-Type", "text/plain")], "hello\n"),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn crlf_and_lf_line_endings_both_work_and_the_body_is_kept_as_printed() {
    check(
        "Content-Type: text/html\r\n\r\n<p>a</p>\r\n\r\nmore",
        ok(
            200,
            &[("Content-Type", "text/html")],
            "<p>a</p>\r\n\r\nmore",
        ),
    );
    check(
        "Content-Type: text/html\r\nX-A: 1\n\n",
        ok(200, &[("Content-Type", "text/html"), ("X-A", "1")], ""),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn status_sets_the_code_and_is_not_a_response_field() {
    check(
        "Status: 404 Not Found\nContent-Type: text/plain\n\nnope",
        ok(404, &[("Content-Type", "text/plain")], "nope"),
    );
    check(
        "Status: 418\nContent-Type: text/plain\n\n",
        ok(418, &[("Content-Type", "text/plain")], ""),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn field_names_are_case_insensitive_but_kept_as_printed() {
    check(
        "content-type: text/plain\nSTATUS: 201 Created\n\n",
        ok(201, &[("content-type", "text/plain")], ""),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn values_are_trimmed_of_spaces_and_tabs() {
    check(
        "Content-Type:text/plain\nX-Note: \t spaced out \t\n\n",
        ok(
            200,
            &[("Content-Type", "text/plain"), ("X-Note", "spaced out")],
            "",
        ),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn an_absolute_location_is_a_302_unless_a_status_says_otherwise() {
    check(
        "Location: https://example.org/\n\n",
        ok(302, &[("Location", "https://example.org/")], ""),
    );
    check(
        "Status: 301 Moved Permanently\nLocation: https://example.org/\n\n",
        ok(301, &[("Location", "https://example.org/")], ""),
    );
    check(
        "Status: 303 See Other\nLocation: /done\n\n",
        ok(303, &[("Location", "/done")], ""),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_local_location_without_a_status_is_a_local_redirect() {
    check(
        "Location: /cgi-bin/env?x=1\n\n",
        Err(CgiError::LocalRedirect),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_document_needs_a_content_type_unless_status_or_location_says_what_it_is() {
    check(
        "X-Powered-By: hope\n\nhello",
        Err(CgiError::MissingContentType),
    );
    check("Set-Cookie: a=1\r\n\r\n", Err(CgiError::MissingContentType));
    check("Status: 204 No Content\n\n", ok(204, &[], ""));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn set_cookie_and_other_fields_keep_their_order_and_repeats() {
    check(
        "Set-Cookie: a=1\nContent-Type: text/plain\nset-cookie: b=2\nSet-Cookie: a=3\n\n",
        ok(
            200,
            &[
                ("Set-Cookie", "a=1"),
                ("Content-Type", "text/plain"),
                ("set-cookie", "b=2"),
                ("Set-Cookie", "a=3"),
            ],
            "",
        ),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn output_without_a_complete_header_block_is_refused() {
    check("", Err(CgiError::NoHeaderEnd));
    check(
        "Content-Type: text/plain\nhello",
        Err(CgiError::NoHeaderEnd),
    );
    check("Content-Type: text/plain\n", Err(CgiError::NoHeaderEnd));
    check("Content-Type: text/plain", Err(CgiError::NoHeaderEnd));
    check("\nhello", Err(CgiError::EmptyHeaderBlock));
    check("\r\n\r\nhello", Err(CgiError::EmptyHeaderBlock));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_malformed_header_line_is_refused_with_its_number() {
    check(
        "Content-Type: text/plain\nhello world\n\n",
        Err(CgiError::MissingColon { line: 2 }),
    );
    check(
        "Content-Type : text/plain\n\n",
        Err(CgiError::BadName { line: 1 }),
    );
    check(
        "Content-Type: text/plain\n: empty\n\n",
        Err(CgiError::BadName { line: 2 }),
    );
    check(
        "Content-Type: text/plain\n X-Folded: yes\n\n",
        Err(CgiError::BadName { line: 2 }),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_control_character_inside_a_value_is_refused() {
    check(
        "Content-Type: text/plain\nX-Echo: a\rSet-Cookie: evil=1\n\n",
        Err(CgiError::BadValue { line: 2 }),
    );
    check(
        "Content-Type: text/plain\u{0}\n\n",
        Err(CgiError::BadValue { line: 1 }),
    );
    check(
        "Content-Type: text/plain\nX-Tab: a\tb\n\n",
        ok(
            200,
            &[("Content-Type", "text/plain"), ("X-Tab", "a\tb")],
            "",
        ),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_bad_status_is_refused() {
    for status in [
        "abc",
        "99",
        "4040 Too Long",
        "404Not Found",
        "",
        "+404",
        "100 Continue",
        "199",
        "600",
        "2xx",
    ] {
        check(
            &format!("Status: {status}\nContent-Type: text/plain\n\n"),
            Err(CgiError::BadStatus),
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn status_location_and_content_type_may_appear_only_once() {
    check(
        "Status: 200 OK\nContent-Type: text/plain\nstatus: 500\n\n",
        Err(CgiError::Repeated { line: 3 }),
    );
    check(
        "Content-Type: text/plain\nContent-Type: text/html\n\n",
        Err(CgiError::Repeated { line: 2 }),
    );
    check(
        "Location: https://a.example/\nLOCATION: https://b.example/\n\n",
        Err(CgiError::Repeated { line: 2 }),
    );
}
