//! The request-head parser against the edge cases of RFC 9112, through the public API only.
//!
//! Each test names the rule it checks; where the RFC leaves a choice, the expectation is the
//! choice documented in `server_core::request`. Requests are written as byte strings with
//! their line endings spelled out, because the line endings are part of what is tested.

use pretty_assertions::assert_eq;
use server_core::body::parse_chunk_size;
use server_core::request::{BodyFraming, parse_head};
use server_core::{Header, Limits, RequestError, RequestHead, Version};

/// Parses a head with the default limits.
fn parse(bytes: &[u8]) -> Result<RequestHead, RequestError> {
    parse_head(bytes, &Limits::default())
}

/// Parses a head that must be accepted.
fn accepted(bytes: &[u8]) -> RequestHead {
    parse(bytes).unwrap_or_else(|error| {
        panic!(
            "{:?} was refused: {error:?}",
            String::from_utf8_lossy(bytes)
        )
    })
}

/// Parses a head that must be refused, and returns why.
fn refused(bytes: &[u8]) -> RequestError {
    match parse(bytes) {
        Ok(head) => panic!(
            "{:?} was accepted: {head:?}",
            String::from_utf8_lossy(bytes)
        ),
        Err(error) => error,
    }
}

/// The status a refused head is answered with.
fn refusal_status(bytes: &[u8]) -> u16 {
    refused(bytes).status()
}

/// A one-line GET with a Host, carrying these extra field lines (each ending in CRLF).
fn get_with(fields: &str) -> Vec<u8> {
    format!("GET / HTTP/1.1\r\nHost: example.com\r\n{fields}\r\n").into_bytes()
}

/// A POST with a Host, carrying these extra field lines, in this version.
fn post_with(version: &str, fields: &str) -> Vec<u8> {
    format!("POST /upload {version}\r\nHost: example.com\r\n{fields}\r\n").into_bytes()
}

fn header(name: &str, value: &str) -> Header {
    Header {
        name: name.to_string(),
        value: value.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// A valid request, field by field
// ---------------------------------------------------------------------------------------

#[test]
fn a_valid_get_keeps_every_field_in_order_with_its_capitalisation() {
    let head = accepted(
        b"GET /docs/index.html?lang=en&x=1 HTTP/1.1\r\n\
          Host: example.com:8080\r\n\
          X-Tag:   one  \r\n\
          x-tag:\ttwo\t\r\n\
          ACCEPT: */*\r\n\
          \r\n",
    );
    assert_eq!(
        head,
        RequestHead {
            method: "GET".to_string(),
            target: "/docs/index.html?lang=en&x=1".to_string(),
            version: Version::Http11,
            headers: vec![
                header("Host", "example.com:8080"),
                header("X-Tag", "one"),
                header("x-tag", "two"),
                header("ACCEPT", "*/*"),
            ],
            framing: BodyFraming::None,
            expects_continue: false,
            keep_alive: true,
        }
    );
    assert_eq!(head.path(), "/docs/index.html");
    assert_eq!(head.query(), "lang=en&x=1");
    assert_eq!(head.header("X-TAG"), Some("one"));
    assert_eq!(
        head.header_values("x-Tag").collect::<Vec<_>>(),
        ["one", "two"]
    );
    assert_eq!(head.header("accept"), Some("*/*"));
    assert_eq!(head.header("missing"), None);
    assert_eq!(
        head.request_line(),
        "GET /docs/index.html?lang=en&x=1 HTTP/1.1"
    );
}

#[test]
fn spaces_and_tabs_inside_a_value_are_kept() {
    let head = accepted(&get_with("X-Words: a  b\tc\r\n"));
    assert_eq!(head.header("x-words"), Some("a  b\tc"));
}

#[test]
fn an_empty_value_is_allowed() {
    let head = accepted(&get_with("X-Empty:\r\nX-Blank:   \r\n"));
    assert_eq!(head.header("x-empty"), Some(""));
    assert_eq!(head.header("x-blank"), Some(""));
}

// ---------------------------------------------------------------------------------------
// Line endings (RFC 9112 §2.2)
// ---------------------------------------------------------------------------------------

#[test]
fn bare_lf_line_endings_are_accepted() {
    let head = accepted(b"GET /a HTTP/1.1\nHost: example.com\nX-One: 1\n\n");
    assert_eq!(head.path(), "/a");
    assert_eq!(
        head.headers,
        vec![header("Host", "example.com"), header("X-One", "1")]
    );
}

#[test]
fn crlf_and_bare_lf_may_be_mixed() {
    let head = accepted(b"GET /a HTTP/1.1\r\nHost: example.com\nX-One: 1\r\n\n");
    assert_eq!(head.header("x-one"), Some("1"));
}

#[test]
fn a_carriage_return_inside_the_request_line_is_400() {
    for bytes in [
        &b"GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\r\nHost: a\r\n\r\n",
        b"GET / HTTP/1.1\rHost: a\r\n\r\n",
        b"\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    ] {
        assert!(
            matches!(refused(bytes), RequestError::BadRequestLine(_)),
            "{bytes:?}"
        );
    }
}

#[test]
fn a_head_without_any_line_feed_is_400() {
    assert!(matches!(
        refused(b"GET / HTTP/1.1"),
        RequestError::BadRequestLine(_)
    ));
    assert!(matches!(refused(b""), RequestError::BadRequestLine(_)));
}

// ---------------------------------------------------------------------------------------
// The request line (RFC 9112 §3)
// ---------------------------------------------------------------------------------------

#[test]
fn the_request_line_needs_exactly_three_parts_and_single_spaces() {
    for line in [
        "GET  / HTTP/1.1",
        "GET /  HTTP/1.1",
        "GET\t/ HTTP/1.1",
        "GET /\tHTTP/1.1",
        "GET / HTTP/1.1 ",
        " GET / HTTP/1.1",
        "GET /",
        "GET",
        "",
        "GET / HTTP/1.1 extra",
    ] {
        let bytes = format!("{line}\r\nHost: a\r\n\r\n");
        let error = refused(bytes.as_bytes());
        assert!(
            matches!(error, RequestError::BadRequestLine(_)),
            "{line:?} gave {error:?}"
        );
        assert_eq!(error.status(), 400, "{line:?}");
    }
}

#[test]
fn a_method_that_is_not_a_token_is_400() {
    for method in ["G@T", "GE(T", "\"GET\"", "GET:", "G,ET", "GÉT", "G\x01T"] {
        let bytes = format!("{method} / HTTP/1.1\r\nHost: a\r\n\r\n");
        let error = refused(bytes.as_bytes());
        assert!(
            matches!(error, RequestError::BadRequestLine(_)),
            "{method:?} gave {error:?}"
        );
    }
}

#[test]
fn methods_are_case_sensitive_so_lowercase_get_is_unknown_and_501() {
    let error = refused(b"get / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(error, RequestError::UnknownMethod("get".to_string()));
    assert_eq!(error.status(), 501);
}

#[test]
fn a_well_formed_but_unknown_method_is_501() {
    let error = refused(b"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(error, RequestError::UnknownMethod("BREW".to_string()));
    assert_eq!(error.status(), 501);
}

#[test]
fn every_known_method_is_accepted() {
    for method in [
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH",
    ] {
        let bytes = format!("{method} / HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(accepted(bytes.as_bytes()).method, method);
    }
    assert_eq!(
        accepted(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").method,
        "CONNECT"
    );
}

#[test]
fn a_target_with_a_control_byte_del_or_non_ascii_byte_is_400() {
    for target in [
        &b"/a\x7fb"[..],
        b"/caf\xc3\xa9",
        b"/\xff",
        b"/a\x01b",
        b"/a\x00b",
        b"/a\tb",
        b"/a\x1bb",
    ] {
        let mut bytes = b"GET ".to_vec();
        bytes.extend_from_slice(target);
        bytes.extend_from_slice(b" HTTP/1.1\r\nHost: a\r\n\r\n");
        let error = refused(&bytes);
        assert!(
            matches!(error, RequestError::BadRequestLine(_)),
            "{target:?} gave {error:?}"
        );
    }
}

#[test]
fn a_target_with_a_space_is_400() {
    // The space splits the line into four parts.
    assert_eq!(refusal_status(b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

#[test]
fn an_origin_form_target_must_start_with_a_slash() {
    for target in [
        "index.html",
        "*",
        "example.com:443",
        "ftp://example.com/x",
        "?q=1",
    ] {
        let bytes = format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
        let error = refused(bytes.as_bytes());
        assert!(
            matches!(error, RequestError::BadRequestLine(_)),
            "{target:?} gave {error:?}"
        );
    }
}

#[test]
fn the_asterisk_form_is_for_options_only() {
    let head = accepted(b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(head.target, "*");
    assert_eq!(head.path(), "");
    assert_eq!(head.query(), "");
    assert_eq!(refusal_status(b"HEAD * HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
}

#[test]
fn the_absolute_form_is_accepted_and_path_and_query_drop_scheme_and_authority() {
    let head = accepted(b"GET http://example.com:8080/p/q?x=1&y HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(head.target, "http://example.com:8080/p/q?x=1&y");
    assert_eq!(head.path(), "/p/q");
    assert_eq!(head.query(), "x=1&y");

    let head = accepted(b"GET HTTPS://EXAMPLE.COM/Up HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(head.path(), "/Up");
    assert_eq!(head.query(), "");

    let head = accepted(b"GET http://example.com?only=query HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(head.path(), "");
    assert_eq!(head.query(), "only=query");

    let head = accepted(b"GET http://example.com HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(head.path(), "");
    assert_eq!(head.query(), "");
}

#[test]
fn an_absolute_form_authority_is_host_and_port_and_nothing_else() {
    // RFC 9110 §4.2.4: userinfo in an http(s) URI is to be treated as an error.
    // RFC 9110 §4.2.1: an empty host MUST be rejected. RFC 3986 §3.2.3: port = *DIGIT.
    for target in [
        "http://user@example.com/",
        "http://user:secret@example.com/p",
        "http://@example.com/",
        "HTTPS://evil.example@example.com/",
        "http://example.com:x/",
        "http://example.com:80x/",
        "http://example.com:-1/",
        "http://example.com:80:81/",
        "http:///path",
        "http://?q",
        "http://:80/",
        "http://[::1/",
        "http://[]/",
        "http://[::1]x/",
        "http://[::1]:x/",
        "http://exa\"mple.com/",
        "http://example.com#frag/",
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: h\r\n\r\n");
        let error = refused(request.as_bytes());
        assert!(
            matches!(error, RequestError::BadRequestLine(_)),
            "{target}: {error:?}"
        );
        assert_eq!(error.status(), 400, "{target}");
    }
    for target in [
        "http://example.com:8080/",
        "http://example.com:/",
        "http://127.0.0.1:80/x",
        "http://[::1]/",
        "http://[::1]:8080/x?y",
        "http://ex%41mple.com/",
        "http://example.com/a@b",
        "http://example.com/?next=http://u@h:x/",
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: h\r\n\r\n");
        accepted(request.as_bytes());
    }
}

#[test]
fn connect_takes_the_authority_form() {
    let head = accepted(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    assert_eq!(head.target, "example.com:443");
    assert_eq!(head.path(), "");
    assert_eq!(head.query(), "");
}

#[test]
fn the_path_and_query_of_an_origin_form_target_stay_percent_encoded() {
    let head = accepted(b"GET /a%20b/?q=%2F&r=?s HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(head.path(), "/a%20b/");
    assert_eq!(head.query(), "q=%2F&r=?s");
}

#[test]
fn path_and_query_of_a_hand_built_head_never_panic() {
    // The fields of RequestHead are public, so a lesson or a test may build one with any
    // target, including characters that the parser would have refused.
    let parsed = accepted(b"GET / HTTP/1.0\r\n\r\n");
    for (target, path, query) in [
        ("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}", "", ""),
        ("http\u{e9}://x/y", "", ""),
        ("http://\u{e9}/\u{e9}?\u{e9}", "/\u{e9}", "\u{e9}"),
        ("/\u{e9}?q=\u{e9}", "/\u{e9}", "q=\u{e9}"),
        ("", "", ""),
    ] {
        let head = RequestHead {
            target: target.to_string(),
            ..parsed.clone()
        };
        assert_eq!((head.path(), head.query()), (path, query), "{target:?}");
    }
}

// ---------------------------------------------------------------------------------------
// The version (RFC 9112 §2.3, RFC 9110 §6.2)
// ---------------------------------------------------------------------------------------

#[test]
fn http_1_0_and_1_1_are_served_and_later_1_x_is_read_as_1_1() {
    for (version, expected) in [
        ("HTTP/1.0", Version::Http10),
        ("HTTP/1.1", Version::Http11),
        ("HTTP/1.2", Version::Http11),
        ("HTTP/1.9", Version::Http11),
    ] {
        let bytes = format!("GET / {version}\r\nHost: a\r\n\r\n");
        assert_eq!(accepted(bytes.as_bytes()).version, expected, "{version}");
    }
}

#[test]
fn a_major_version_other_than_1_is_505() {
    for version in ["HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/9.9"] {
        let bytes = format!("GET / {version}\r\nHost: a\r\n\r\n");
        let error = refused(bytes.as_bytes());
        assert_eq!(
            error,
            RequestError::VersionNotSupported(version.to_string())
        );
        assert_eq!(error.status(), 505);
    }
}

#[test]
fn a_malformed_version_is_400() {
    for version in [
        "HTTP/1.10",
        "http/1.1",
        "HTTP/1",
        "HTTP/11",
        "HTTP/1.",
        "HTTP/.1",
        "HTTP/a.b",
        "HTTPS/1.1",
        "HTTP 1.1",
        "HTTP/1.1.1",
        "",
    ] {
        let bytes = format!("GET / {version}\r\nHost: a\r\n\r\n");
        let error = refused(bytes.as_bytes());
        assert!(
            matches!(error, RequestError::BadRequestLine(_)),
            "{version:?} gave {error:?}"
        );
        assert_eq!(error.status(), 400, "{version:?}");
    }
}

#[test]
fn version_strings_and_ordering() {
    assert_eq!(Version::Http10.as_str(), "HTTP/1.0");
    assert_eq!(Version::Http11.to_string(), "HTTP/1.1");
    assert!(Version::Http10 < Version::Http11);
}

// ---------------------------------------------------------------------------------------
// Host (RFC 9112 §3.2)
// ---------------------------------------------------------------------------------------

#[test]
fn http_1_0_may_omit_host() {
    let head = accepted(b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(head.version, Version::Http10);
    assert_eq!(head.headers, vec![]);
}

#[test]
fn http_1_1_without_host_is_400() {
    let error = refused(b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n");
    assert!(matches!(error, RequestError::BadHost(_)), "{error:?}");
    assert_eq!(error.status(), 400);
}

#[test]
fn a_second_host_is_400_in_every_version() {
    for version in ["HTTP/1.0", "HTTP/1.1"] {
        for second in ["Host: a", "host: b", "HOST: a"] {
            let bytes = format!("GET / {version}\r\nHost: a\r\n{second}\r\n\r\n");
            let error = refused(bytes.as_bytes());
            assert!(matches!(error, RequestError::BadHost(_)), "{error:?}");
            assert_eq!(error.status(), 400);
        }
    }
}

#[test]
fn a_host_value_that_is_not_host_and_port_is_400() {
    for value in [
        "a b",
        "a/b",
        "user@example.com",
        "a\\b",
        "a?b",
        "a#b",
        "ex\u{e9}mple",
    ] {
        let mut bytes = b"GET / HTTP/1.1\r\nHost: ".to_vec();
        // Written as Latin-1, the way the value would arrive from a client.
        bytes.extend(value.chars().map(|c| c as u32 as u8));
        bytes.extend_from_slice(b"\r\n\r\n");
        let error = refused(&bytes);
        assert!(
            matches!(error, RequestError::BadHost(_)),
            "{value:?} gave {error:?}"
        );
    }
}

#[test]
fn host_values_with_ports_ipv6_and_the_empty_value_are_accepted() {
    for value in [
        "example.com",
        "example.com:8080",
        "127.0.0.1:80",
        "[::1]:8000",
        "xn--bcher-kva.example",
        "",
    ] {
        let bytes = format!("GET / HTTP/1.1\r\nHost: {value}\r\n\r\n");
        assert_eq!(accepted(bytes.as_bytes()).header("host"), Some(value));
    }
}

// ---------------------------------------------------------------------------------------
// Limits: 414 and 431
// ---------------------------------------------------------------------------------------

/// Small limits, so that the boundaries are easy to hit exactly.
fn small_limits() -> Limits {
    Limits {
        max_request_line: 32,
        max_header_bytes: 64,
        max_headers: 3,
        max_body: 10,
    }
}

#[test]
fn a_request_line_up_to_the_limit_is_accepted_and_one_byte_more_is_414() {
    let limits = small_limits();
    // "GET /" + path + " HTTP/1.1" is 14 bytes plus the path.
    let at_limit = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(18));
    assert!(parse_head(at_limit.as_bytes(), &limits).is_ok());

    let over = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(19));
    let error = parse_head(over.as_bytes(), &limits).unwrap_err();
    assert_eq!(error, RequestError::RequestLineTooLong { limit: 32 });
    assert_eq!(error.status(), 414);
}

#[test]
fn the_default_request_line_limit_is_8_kib() {
    let over = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(8 * 1024));
    assert_eq!(
        refused(over.as_bytes()),
        RequestError::RequestLineTooLong { limit: 8 * 1024 }
    );
}

#[test]
fn a_header_section_up_to_the_limit_is_accepted_and_one_byte_more_is_431() {
    let limits = small_limits();
    // The section is "Host: a\r\n" (9) + "X: " value "\r\n" (5 + value) + "\r\n" (2).
    let at_limit = format!("GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n", "v".repeat(48));
    assert!(parse_head(at_limit.as_bytes(), &limits).is_ok());

    let over = format!("GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n", "v".repeat(49));
    let error = parse_head(over.as_bytes(), &limits).unwrap_err();
    assert_eq!(error, RequestError::HeadersTooLarge { limit: 64 });
    assert_eq!(error.status(), 431);
}

#[test]
fn more_fields_than_the_limit_is_431() {
    let limits = small_limits();
    let three = b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
    assert_eq!(parse_head(three, &limits).unwrap().headers.len(), 3);

    let four = b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    let error = parse_head(four, &limits).unwrap_err();
    assert_eq!(error, RequestError::TooManyHeaders { limit: 3 });
    assert_eq!(error.status(), 431);
}

// ---------------------------------------------------------------------------------------
// Field lines (RFC 9112 §5, RFC 9110 §5.5)
// ---------------------------------------------------------------------------------------

#[test]
fn whitespace_between_a_field_name_and_its_colon_is_400() {
    for line in ["X-Name : v", "X-Name\t: v", "Host : a"] {
        let bytes = format!("GET / HTTP/1.1\r\nHost: a\r\n{line}\r\n\r\n");
        let error = refused(bytes.as_bytes());
        assert!(
            matches!(error, RequestError::BadHeader(_)),
            "{line:?} gave {error:?}"
        );
        assert_eq!(error.status(), 400);
    }
}

#[test]
fn obs_fold_is_400() {
    for folded in ["X-Long: one\r\n two", "X-Long: one\r\n\ttwo"] {
        let bytes = get_with(&format!("{folded}\r\n"));
        let error = refused(&bytes);
        assert!(
            matches!(error, RequestError::BadHeader(_)),
            "{folded:?} gave {error:?}"
        );
    }
}

#[test]
fn whitespace_before_the_first_field_line_is_400() {
    // RFC 9112 §2.2: reject, or skip the whitespace-preceded line; we reject.
    let error = refused(b"GET / HTTP/1.1\r\n Host: a\r\n\r\n");
    assert!(matches!(error, RequestError::BadHeader(_)), "{error:?}");
}

#[test]
fn a_field_line_that_is_not_name_colon_value_is_400() {
    for line in [": no name", "No-Colon", "X(Y): v", "X Y: v", "Caf\u{e9}: v"] {
        let mut bytes = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
        bytes.extend(line.chars().map(|c| c as u32 as u8));
        bytes.extend_from_slice(b"\r\n\r\n");
        let error = refused(&bytes);
        assert!(
            matches!(error, RequestError::BadHeader(_)),
            "{line:?} gave {error:?}"
        );
    }
}

#[test]
fn nul_cr_other_controls_and_del_in_a_value_are_400() {
    for value in [&b"a\x00b"[..], b"a\rb", b"a\x01b", b"a\x7fb", b"\x1b[31m"] {
        let mut bytes = b"GET / HTTP/1.1\r\nHost: a\r\nX-Value: ".to_vec();
        bytes.extend_from_slice(value);
        bytes.extend_from_slice(b"\r\n\r\n");
        let error = refused(&bytes);
        assert!(
            matches!(error, RequestError::BadHeader(_)),
            "{value:?} gave {error:?}"
        );
        assert_eq!(error.status(), 400);
    }
}

#[test]
fn obs_text_in_a_value_is_accepted_and_round_trips_byte_for_byte() {
    let raw: &[u8] = b"caf\xe9 \x80\xa0\xff na\xefve";
    let mut bytes = b"GET / HTTP/1.1\r\nHost: a\r\nX-Latin-1: ".to_vec();
    bytes.extend_from_slice(raw);
    bytes.extend_from_slice(b"\r\n\r\n");
    let head = accepted(&bytes);
    let field = &head.headers[1];
    assert_eq!(field.name, "X-Latin-1");
    assert_eq!(field.value, "caf\u{e9} \u{80}\u{a0}\u{ff} na\u{ef}ve");
    assert_eq!(field.value_bytes(), raw);
}

#[test]
fn utf_8_in_a_value_is_kept_as_its_latin_1_bytes() {
    let raw = "h\u{e9}llo \u{1f980}".as_bytes();
    let mut bytes = b"GET / HTTP/1.1\r\nHost: a\r\nX-Utf8: ".to_vec();
    bytes.extend_from_slice(raw);
    bytes.extend_from_slice(b"\r\n\r\n");
    let head = accepted(&bytes);
    assert_eq!(head.headers[1].value_bytes(), raw);
    assert_eq!(head.headers[1].value.chars().count(), raw.len());
}

// ---------------------------------------------------------------------------------------
// Content-Length (RFC 9112 §6.2, §6.3)
// ---------------------------------------------------------------------------------------

#[test]
fn content_length_forms_that_agree_give_one_length() {
    for fields in [
        "Content-Length: 5\r\n",
        "Content-Length: 5, 5\r\n",
        "Content-Length: 5,5 ,\t5\r\n",
        "Content-Length: 5\r\ncontent-length: 5\r\n",
        "Content-Length: 005\r\n",
    ] {
        let head = accepted(&post_with("HTTP/1.1", fields));
        assert_eq!(head.framing, BodyFraming::Length(5), "{fields:?}");
    }
    let head = accepted(&post_with("HTTP/1.1", "Content-Length: 0\r\n"));
    assert_eq!(head.framing, BodyFraming::Length(0));
}

#[test]
fn content_length_that_is_not_one_number_is_400() {
    for fields in [
        "Content-Length: 5, 6\r\n",
        "Content-Length: 5\r\nContent-Length: 6\r\n",
        "Content-Length: abc\r\n",
        "Content-Length: -1\r\n",
        "Content-Length: +5\r\n",
        "Content-Length:  \r\n",
        "Content-Length: 0x5\r\n",
        "Content-Length: 5.0\r\n",
        "Content-Length: 5 5\r\n",
        "Content-Length: 5,\r\n",
        "Content-Length: 123456789012345678901234567890\r\n",
    ] {
        let error = refused(&post_with("HTTP/1.1", fields));
        assert!(
            matches!(error, RequestError::BadFraming(_)),
            "{fields:?} gave {error:?}"
        );
        assert_eq!(error.status(), 400, "{fields:?}");
    }
}

#[test]
fn a_declared_length_over_the_body_limit_is_413() {
    let limits = small_limits();
    let at_limit = post_with("HTTP/1.1", "Content-Length: 10\r\n");
    assert_eq!(
        parse_head(&at_limit, &limits).unwrap().framing,
        BodyFraming::Length(10)
    );

    let over = post_with("HTTP/1.1", "Content-Length: 11\r\n");
    let error = parse_head(&over, &limits).unwrap_err();
    assert_eq!(error, RequestError::BodyTooLarge { limit: 10 });
    assert_eq!(error.status(), 413);
}

#[test]
fn the_largest_u64_length_is_a_number_but_over_the_limit() {
    let fields = format!("Content-Length: {}\r\n", u64::MAX);
    assert_eq!(
        refused(&post_with("HTTP/1.1", &fields)).status(),
        413,
        "a length that fits in u64 is well-formed, just too large"
    );
    let fields = "Content-Length: 18446744073709551616\r\n"; // u64::MAX + 1
    assert_eq!(refused(&post_with("HTTP/1.1", fields)).status(), 400);
}

// ---------------------------------------------------------------------------------------
// Transfer-Encoding (RFC 9112 §6.1, §6.3)
// ---------------------------------------------------------------------------------------

#[test]
fn chunked_transfer_encoding_is_recognised_in_any_case() {
    for value in ["chunked", "Chunked", "CHUNKED", " chunked "] {
        let fields = format!("Transfer-Encoding: {value}\r\n");
        let head = accepted(&post_with("HTTP/1.1", &fields));
        assert_eq!(head.framing, BodyFraming::Chunked, "{value:?}");
    }
}

#[test]
fn another_coding_before_chunked_is_501() {
    for fields in [
        "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
    ] {
        let error = refused(&post_with("HTTP/1.1", fields));
        assert_eq!(
            error,
            RequestError::UnsupportedTransferCoding("gzip".to_string())
        );
        assert_eq!(error.status(), 501);
    }
}

#[test]
fn chunked_not_last_or_missing_or_twice_is_400() {
    // RFC 9112 §6.3: if chunked is not the final coding, the length cannot be determined and
    // the server MUST answer 400, even when the other coding is one it does not know.
    for fields in [
        "Transfer-Encoding: chunked, gzip\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
        "Transfer-Encoding: chunked, chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: gzip\r\n",
        "Transfer-Encoding: identity\r\n",
    ] {
        let error = refused(&post_with("HTTP/1.1", fields));
        assert!(
            matches!(error, RequestError::BadFraming(_)),
            "{fields:?} gave {error:?}"
        );
        assert_eq!(error.status(), 400, "{fields:?}");
    }
}

#[test]
fn an_empty_or_malformed_transfer_encoding_is_400() {
    for fields in [
        "Transfer-Encoding:\r\n",
        "Transfer-Encoding:   \r\n",
        "Transfer-Encoding: ,\r\n",
        "Transfer-Encoding: chunked,\r\n",
        "Transfer-Encoding: \"chunked\"\r\n",
    ] {
        let error = refused(&post_with("HTTP/1.1", fields));
        assert!(
            matches!(error, RequestError::BadFraming(_)),
            "{fields:?} gave {error:?}"
        );
    }
}

#[test]
fn transfer_encoding_with_content_length_is_400() {
    for fields in [
        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    ] {
        let error = refused(&post_with("HTTP/1.1", fields));
        assert!(matches!(error, RequestError::BadFraming(_)), "{error:?}");
    }
}

#[test]
fn transfer_encoding_in_http_1_0_is_400() {
    let error = refused(&post_with("HTTP/1.0", "Transfer-Encoding: chunked\r\n"));
    assert!(matches!(error, RequestError::BadFraming(_)), "{error:?}");
}

#[test]
fn no_length_and_no_coding_means_no_body() {
    assert_eq!(
        accepted(&post_with("HTTP/1.1", "")).framing,
        BodyFraming::None
    );
}

// ---------------------------------------------------------------------------------------
// Expect (RFC 9110 §10.1.1)
// ---------------------------------------------------------------------------------------

#[test]
fn expect_100_continue_is_honoured_for_http_1_1_with_a_body() {
    for fields in [
        "Content-Length: 5\r\nExpect: 100-continue\r\n",
        "Transfer-Encoding: chunked\r\nExpect: 100-Continue\r\n",
    ] {
        assert!(
            accepted(&post_with("HTTP/1.1", fields)).expects_continue,
            "{fields:?}"
        );
    }
}

#[test]
fn expect_100_continue_is_ignored_for_http_1_0() {
    let head = accepted(&post_with(
        "HTTP/1.0",
        "Content-Length: 5\r\nExpect: 100-continue\r\n",
    ));
    assert!(!head.expects_continue);
}

#[test]
fn expect_100_continue_without_a_body_expects_nothing() {
    let head = accepted(&get_with("Expect: 100-continue\r\n"));
    assert!(!head.expects_continue);
}

#[test]
fn any_other_expectation_is_417() {
    for fields in [
        "Expect: something\r\n",
        "Expect: 100-continue, something\r\n",
        "Expect: 100-continue\r\nExpect: 200-ok\r\n",
    ] {
        let error = refused(&post_with("HTTP/1.1", fields));
        assert_eq!(error, RequestError::UnsupportedExpectation, "{fields:?}");
        assert_eq!(error.status(), 417);
    }
}

// ---------------------------------------------------------------------------------------
// Persistence (RFC 9112 §9.3)
// ---------------------------------------------------------------------------------------

#[test]
fn keep_alive_follows_the_version_and_the_connection_header() {
    for (version, connection, keep_alive) in [
        ("HTTP/1.1", None, true),
        ("HTTP/1.1", Some("close"), false),
        ("HTTP/1.1", Some("Close"), false),
        ("HTTP/1.1", Some("keep-alive, Upgrade"), true),
        ("HTTP/1.1", Some("Upgrade, close"), false),
        ("HTTP/1.0", None, false),
        ("HTTP/1.0", Some("keep-alive"), true),
        ("HTTP/1.0", Some("Keep-Alive"), true),
        ("HTTP/1.0", Some("keep-alive, close"), false),
        ("HTTP/1.0", Some("Upgrade"), false),
    ] {
        let fields = connection.map_or(String::new(), |value| format!("Connection: {value}\r\n"));
        let head = accepted(&post_with(version, &fields));
        assert_eq!(
            head.keep_alive, keep_alive,
            "{version} with Connection: {connection:?}"
        );
    }
}

#[test]
fn close_in_any_connection_field_wins() {
    let head = accepted(&get_with("Connection: keep-alive\r\nConnection: close\r\n"));
    assert!(!head.keep_alive);
}

// ---------------------------------------------------------------------------------------
// RequestError: status and message of every variant
// ---------------------------------------------------------------------------------------

/// One value of every variant, with the status it must be answered with.
fn every_error() -> Vec<(RequestError, u16)> {
    vec![
        (RequestError::RequestLineTooLong { limit: 8192 }, 414),
        (RequestError::HeadersTooLarge { limit: 32768 }, 431),
        (RequestError::TooManyHeaders { limit: 100 }, 431),
        (RequestError::BadRequestLine("why"), 400),
        (RequestError::VersionNotSupported("HTTP/2.0".into()), 505),
        (RequestError::BadHeader("why"), 400),
        (RequestError::BadHost("why"), 400),
        (RequestError::BadFraming("why"), 400),
        (RequestError::UnsupportedTransferCoding("gzip".into()), 501),
        (RequestError::UnknownMethod("BREW".into()), 501),
        (RequestError::UnsupportedExpectation, 417),
        (RequestError::BodyTooLarge { limit: 10 }, 413),
        (RequestError::BadChunk("why"), 400),
        (RequestError::Timeout, 408),
        (RequestError::Incomplete, 400),
    ]
}

#[test]
fn every_error_has_its_status() {
    for (error, status) in every_error() {
        assert_eq!(error.status(), status, "{error:?}");
    }
}

#[test]
fn every_error_message_is_one_non_empty_line() {
    for (error, _) in every_error() {
        let message = error.to_string();
        assert!(!message.trim().is_empty(), "{error:?}");
        assert!(!message.ends_with('\n'), "{error:?}: {message:?}");
        assert!(!message.contains('\n'), "{error:?}: {message:?}");
    }
}

#[test]
fn error_messages_name_what_was_wrong() {
    assert!(
        RequestError::RequestLineTooLong { limit: 8192 }
            .to_string()
            .contains("8192")
    );
    assert!(
        RequestError::UnknownMethod("BREW".into())
            .to_string()
            .contains("BREW")
    );
    assert!(
        RequestError::VersionNotSupported("HTTP/2.0".into())
            .to_string()
            .contains("HTTP/2.0")
    );
    assert!(
        RequestError::UnsupportedTransferCoding("gzip".into())
            .to_string()
            .contains("gzip")
    );
}

// ---------------------------------------------------------------------------------------
// Chunk-size lines (RFC 9112 §7.1)
// ---------------------------------------------------------------------------------------

#[test]
fn chunk_sizes_are_hexadecimal_with_optional_extensions() {
    for (line, size) in [
        (&b"0"[..], 0),
        (b"1a", 26),
        (b"1A", 26),
        (b"00000000000000ff", 255),
        (b"ffffffffffffffff", u64::MAX),
        (b"1a;name=value", 26),
        (b"1a;name=\"quoted value\"", 26),
        (b"5;a;b=c", 5),
        (b"5 ;a", 5),
        (b"5\t;a", 5),
        (b"5;", 5),
    ] {
        assert_eq!(
            parse_chunk_size(line),
            Ok(size),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn malformed_chunk_sizes_are_400() {
    for line in [
        &b""[..],
        b" 5",
        b"5 ",
        b"5 5",
        b"-1",
        b"+1",
        b"0x10",
        b"g",
        b"10000000000000000", // 17 digits
        b";ext",
        b" ;ext",
        b"5;a\x00",
        b"5;a\x7f",
        b"5;a\rb",
        b"\xff",
    ] {
        let error = parse_chunk_size(line).unwrap_err();
        assert!(
            matches!(error, RequestError::BadChunk(_)),
            "{:?} gave {error:?}",
            String::from_utf8_lossy(line)
        );
        assert_eq!(error.status(), 400);
    }
}
