//! Checks of the `cgi_env` exercise: a request rewritten as a CGI script's environment.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/cgi_env.rs")]
#[cfg_attr(feature = "reference", path = "../../exercises/solutions/cgi_env.rs")]
#[allow(unused_variables, dead_code)]
mod code;

use code::{SimpleRequest, cgi_environment};

/// A plain `GET /cgi-bin/env HTTP/1.1` from 127.0.0.1:50000 to 127.0.0.1:8003, no headers.
fn get() -> SimpleRequest<'static> {
    SimpleRequest {
        method: "GET",
        script_name: "/cgi-bin/env",
        path_info: None,
        query: None,
        protocol: "HTTP/1.1",
        headers: &[],
        remote_addr: "127.0.0.1",
        remote_port: 50000,
        server_addr: "127.0.0.1",
        server_port: 8003,
        body_length: 0,
    }
}

/// The variables `get()` always gives, plus `extra`, sorted by name.
fn base_with(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("QUERY_STRING", ""),
        ("REMOTE_ADDR", "127.0.0.1"),
        ("REMOTE_PORT", "50000"),
        ("REQUEST_METHOD", "GET"),
        ("SCRIPT_NAME", "/cgi-bin/env"),
        ("SERVER_NAME", "127.0.0.1"),
        ("SERVER_PORT", "8003"),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
    ]
    .iter()
    .chain(extra)
    .map(|&(name, value)| (name.to_string(), value.to_string()))
    .collect();
    env.sort();
    env
}

/// Asserts the whole environment of `request`.
#[track_caller]
fn check(request: SimpleRequest, expected: Vec<(String, String)>) {
    assert_eq!(
        cgi_environment(&request),
        expected,
        "cgi_environment(&{request:?})"
    );
}

/// Asserts only the `HTTP_*` variables of `request`.
#[track_caller]
fn check_http(request: SimpleRequest, expected: &[(&str, &str)]) {
    let got: Vec<(String, String)> = cgi_environment(&request)
        .into_iter()
        .filter(|(name, _)| name.starts_with("HTTP_"))
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|&(name, value)| (name.to_string(), value.to_string()))
        .collect();
    assert_eq!(
        got, expected,
        "the HTTP_ variables of cgi_environment(&{request:?})"
    );
}

/// The value of one variable in the environment of `request`, if it is set.
fn lookup(request: &SimpleRequest, name: &str) -> Option<String> {
    cgi_environment(request)
        .into_iter()
        .find(|(variable, _)| variable == name)
        .map(|(_, value)| value)
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_plain_get_sets_the_fixed_variables_and_nothing_else() {
    check(get(), base_with(&[]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn the_query_string_is_always_set_and_stays_encoded() {
    let request = SimpleRequest {
        query: Some("q=caf%C3%A9&x=a+b"),
        ..get()
    };
    assert_eq!(
        lookup(&request, "QUERY_STRING"),
        Some("q=caf%C3%A9&x=a+b".to_string()),
        "QUERY_STRING of cgi_environment(&{request:?})"
    );
    let request = SimpleRequest {
        query: Some(""),
        ..get()
    };
    check(request, base_with(&[]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn path_info_is_set_only_when_there_is_some() {
    let request = SimpleRequest {
        path_info: Some("/a/b"),
        ..get()
    };
    check(request, base_with(&[("PATH_INFO", "/a/b")]));
    check(get(), base_with(&[]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_body_brings_content_length_and_content_type() {
    let request = SimpleRequest {
        method: "POST",
        headers: &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", "7"),
        ],
        body_length: 7,
        ..get()
    };
    let mut expected = base_with(&[
        ("CONTENT_LENGTH", "7"),
        ("CONTENT_TYPE", "application/x-www-form-urlencoded"),
    ]);
    for (name, value) in &mut expected {
        if name == "REQUEST_METHOD" {
            *value = "POST".to_string();
        }
    }
    check(request, expected);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn without_a_body_there_is_no_content_length_nor_content_type() {
    let request = SimpleRequest {
        headers: &[("Content-Type", "text/plain"), ("Content-Length", "0")],
        body_length: 0,
        ..get()
    };
    check(request, base_with(&[]));
    let request = SimpleRequest {
        body_length: 3,
        ..get()
    };
    check(request, base_with(&[("CONTENT_LENGTH", "3")]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn server_name_is_the_host_header_without_its_port() {
    let request = SimpleRequest {
        headers: &[("Host", "example.org:8003")],
        ..get()
    };
    assert_eq!(
        lookup(&request, "SERVER_NAME"),
        Some("example.org".to_string()),
        "SERVER_NAME of cgi_environment(&{request:?})"
    );
    let request = SimpleRequest {
        headers: &[("host", "localhost")],
        ..get()
    };
    assert_eq!(
        lookup(&request, "SERVER_NAME"),
        Some("localhost".to_string()),
        "SERVER_NAME of cgi_environment(&{request:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn an_ipv6_host_keeps_its_brackets_and_loses_its_port() {
    let request = SimpleRequest {
        headers: &[("Host", "[::1]:8003")],
        ..get()
    };
    assert_eq!(
        lookup(&request, "SERVER_NAME"),
        Some("[::1]".to_string()),
        "SERVER_NAME of cgi_environment(&{request:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn without_a_host_server_name_is_the_server_address() {
    let request = SimpleRequest {
        protocol: "HTTP/1.0",
        server_addr: "192.0.2.7",
        ..get()
    };
    assert_eq!(
        lookup(&request, "SERVER_NAME"),
        Some("192.0.2.7".to_string()),
        "SERVER_NAME of cgi_environment(&{request:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn each_header_becomes_an_upper_case_http_variable() {
    let request = SimpleRequest {
        headers: &[
            ("Host", "localhost:8003"),
            ("User-Agent", "curl/8.5.0"),
            ("accept-language", "fr, en;q=0.5"),
            ("DNT", "1"),
        ],
        ..get()
    };
    check_http(
        request,
        &[
            ("HTTP_ACCEPT_LANGUAGE", "fr, en;q=0.5"),
            ("HTTP_DNT", "1"),
            ("HTTP_HOST", "localhost:8003"),
            ("HTTP_USER_AGENT", "curl/8.5.0"),
        ],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn repeated_headers_are_joined_in_order_whatever_their_case() {
    let request = SimpleRequest {
        headers: &[
            ("Accept", "text/html"),
            ("X-Trace", "one"),
            ("accept", "*/*"),
            ("ACCEPT", "image/png"),
        ],
        ..get()
    };
    check_http(
        request,
        &[
            ("HTTP_ACCEPT", "text/html, */*, image/png"),
            ("HTTP_X_TRACE", "one"),
        ],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn repeated_cookies_are_joined_with_a_semicolon() {
    let request = SimpleRequest {
        headers: &[("Cookie", "a=1"), ("cookie", "b=2; c=3")],
        ..get()
    };
    check_http(request, &[("HTTP_COOKIE", "a=1; b=2; c=3")]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn a_header_name_with_an_underscore_or_odd_character_is_dropped() {
    let request = SimpleRequest {
        headers: &[
            ("X-Forwarded-For", "10.0.0.1"),
            ("X_Forwarded_For", "6.6.6.6"),
            ("X.Dot", "1"),
            ("", "empty"),
            ("X-Ok-2", "yes"),
        ],
        ..get()
    };
    check_http(
        request,
        &[("HTTP_X_FORWARDED_FOR", "10.0.0.1"), ("HTTP_X_OK_2", "yes")],
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn proxy_and_credentials_never_reach_the_script() {
    let request = SimpleRequest {
        headers: &[
            ("Proxy", "http://evil.example:3128"),
            ("PROXY", "http://evil.example:3128"),
            ("Authorization", "Basic YWxpY2U6c2VjcmV0"),
            ("proxy-authorization", "Basic Ym9iOnNlY3JldA=="),
            ("Proxy-Connection", "keep-alive"),
        ],
        ..get()
    };
    check_http(request, &[("HTTP_PROXY_CONNECTION", "keep-alive")]);
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn body_headers_are_not_repeated_as_http_variables() {
    let request = SimpleRequest {
        method: "POST",
        headers: &[
            ("Content-Type", "text/plain"),
            ("Content-Length", "5"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Language", "en"),
        ],
        body_length: 5,
        ..get()
    };
    check_http(request, &[("HTTP_CONTENT_LANGUAGE", "en")]);
}
