//! Lesson 05's gateway, end to end: the real `lesson05-gateway` binary on a loopback port,
//! asked with `ureq` where a real client is the point and with raw bytes on a `TcpStream`
//! where every byte of the exchange matters (a chosen `Host`, no `Host` at all, markup in the
//! request target, a header-injection attempt, chunked bodies, pipelining).
//!
//! What is proven here (issue 6, lesson 05):
//! - the environment page, at `/` and at `/some/path?x=1&y=<b>`: each labelled row holds the
//!   value the contract names (the server name from `Host`, the port really reached, the
//!   client's address, the decoded path, the query string escaped, the `Host` header, the
//!   `http` scheme), and "Every variable" lists the environ sorted by name, escaped;
//! - markup from the path, the query or a header is shown as text, never as markup;
//! - `/hello` and `/hello/NAME` greet (the name escaped); `/boom` is a 500 whose page hides the
//!   panic, which is in the server's log;
//! - the middleware: every response carries `X-Lesson: 05`, and the access log writes
//!   `[access] GET /hello -> 200` for each request;
//! - a header value with CR, LF or NUL asked of `start_response` is a 500, and not one byte of
//!   the attempted header reaches the client; a clean value is echoed;
//! - a body (with a `Content-Length` or chunked) reaches the application with its length;
//!   keep-alive, pipelining and HEAD work through the gateway;
//! - the environ is the data lesson 03 hands a CGI script: the repository's `cgi-bin/env`,
//!   run by `lesson03-cgi` for the same request, sees the same variables with the same
//!   values, except for the differences listed at [`CGI_ONLY`] and
//!   [`the_environ_holds_the_same_variables_a_cgi_script_gets`].
//!
//! Every wait is bounded by a deadline; no test sleeps for a fixed time.

use std::collections::BTreeMap;
use std::time::Duration;

use end_to_end::Conn;
use end_to_end::{
    RawResponse, ServerProcess, agent, parse_response, parse_responses, raw_exchange,
};
use pretty_assertions::assert_eq;

/// How long one exchange, or one wait for the log, may take before the test fails.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// The labels of the environment page, in order, with the environ key each one shows.
const LABELS: [(&str, &str); 9] = [
    ("Server name", "SERVER_NAME"),
    ("Server port", "SERVER_PORT"),
    ("Client address", "REMOTE_ADDR"),
    ("Method", "REQUEST_METHOD"),
    ("Path", "PATH_INFO"),
    ("Query string", "QUERY_STRING"),
    ("Protocol", "SERVER_PROTOCOL"),
    ("Host header", "HTTP_HOST"),
    ("URL scheme", "wsgi.url_scheme"),
];
/// What the page shows for a key that is missing or empty.
const NOT_SET: &str = "<i>(not set)</i>";
/// The text of `/boom`'s panic: in the log, never in a response.
const PANIC_TEXT: &str = "the boom page always fails";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn gateway() -> ServerProcess {
    end_to_end::start("lesson05-gateway", &["0"])
}

/// A request with `extra` header lines after `Host: HOST`, ending the connection.
fn request(method: &str, target: &str, host: &str, extra: &str) -> String {
    format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n")
}

/// Sends one request that ends the connection; returns its one response and the raw bytes.
fn exchange(server: &ServerProcess, request: &[u8], is_head: bool) -> (RawResponse, Vec<u8>) {
    let bytes = raw_exchange(server.addr, request);
    let responses = if is_head {
        parse_response(&bytes, true, true)
            .map(|(response, _)| vec![response])
            .unwrap_or_default()
    } else {
        parse_responses(&bytes)
    };
    assert_eq!(
        responses.len(),
        1,
        "expected one response to {:?}, got {:?}; the server's stderr:\n{}",
        String::from_utf8_lossy(request),
        String::from_utf8_lossy(&bytes),
        server.stderr()
    );
    (responses.into_iter().next().unwrap(), bytes)
}

/// A GET with a chosen `Host` and extra header lines, answered with a 200.
fn get_ok(server: &ServerProcess, target: &str, host: &str, extra: &str) -> RawResponse {
    let (response, _) = exchange(
        server,
        request("GET", target, host, extra).as_bytes(),
        false,
    );
    assert_status(&response, 200, target);
    response
}

fn assert_status(response: &RawResponse, status: u16, what: &str) {
    assert_eq!(
        response.status,
        status,
        "{what}: the response was {:?} with the body:\n{}",
        response.headers,
        response.text()
    );
}

/// The environment page, cut into its two tables. Cells are kept as sent (escaped).
#[derive(Debug)]
struct EnvPage {
    /// The labelled rows, in order: (label, cell).
    shown: Vec<(String, String)>,
    /// The "Every variable" rows, in order: (key, cell).
    every: Vec<(String, String)>,
    /// The whole page.
    html: String,
}

impl EnvPage {
    fn of(response: &RawResponse) -> EnvPage {
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{:?}",
            response.headers
        );
        let html = response.text();
        let (first, second) = html
            .split_once("<h2>Every variable</h2>")
            .unwrap_or_else(|| panic!("no \"Every variable\" heading in:\n{html}"));
        EnvPage {
            shown: th_td_rows(first),
            every: th_td_rows(second),
            html: html.clone(),
        }
    }

    /// The cell of a labelled row (escaped, as sent).
    fn shown(&self, label: &str) -> &str {
        self.shown
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no row {label:?} in:\n{}", self.html))
    }

    /// The cell of a variable in "Every variable" (escaped, as sent).
    fn var(&self, key: &str) -> Option<&str> {
        self.every
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every variable, unescaped, by name.
    fn vars(&self) -> BTreeMap<String, String> {
        self.every
            .iter()
            .map(|(k, v)| (unescape(k), unescape(v)))
            .collect()
    }
}

/// Every `<tr><th>A</th><td>B</td></tr>` line of `html`, as (A, B).
fn th_td_rows(html: &str) -> Vec<(String, String)> {
    html.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("<tr><th>")?;
            let (key, rest) = rest.split_once("</th><td>")?;
            let value = rest.strip_suffix("</td></tr>")?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

/// Undoes the five escapes of `server_core::html::escape` and Python's `html.escape`.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A keep-alive GET (no `Connection: close`).
fn keep_alive_get(target: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nHost: test\r\n\r\n")
}

/// Asserts that `response` has exactly one `X-Lesson: 05`.
fn assert_x_lesson(response: &RawResponse, what: &str) {
    let values: Vec<&str> = response
        .headers
        .iter()
        .filter(|(name, _)| name == "x-lesson")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(
        values,
        vec!["05"],
        "{what} (status {}): headers {:?}",
        response.status,
        response.headers
    );
}

// ---------------------------------------------------------------------------------------
// The environment page
// ---------------------------------------------------------------------------------------

#[test]
fn the_environment_page_at_the_root_shows_each_labelled_value() {
    let server = gateway();
    let port = server.addr.port().to_string();
    let response = get_ok(&server, "/", "example.test:8123", "");
    let page = EnvPage::of(&response);
    let labels: Vec<&str> = page.shown.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        LABELS.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        "the labelled rows, in order"
    );
    let expected = [
        ("Server name", "example.test"),
        // The port the client really reached, not the one the Host header claims.
        ("Server port", port.as_str()),
        ("Client address", "127.0.0.1"),
        ("Method", "GET"),
        ("Path", "/"),
        // No query: empty, shown as not set.
        ("Query string", NOT_SET),
        ("Protocol", "HTTP/1.1"),
        ("Host header", "example.test:8123"),
        ("URL scheme", "http"),
    ];
    for (label, value) in expected {
        assert_eq!(page.shown(label), value, "the row {label:?}");
    }
    assert!(
        page.html.starts_with("<!DOCTYPE html>"),
        "not a whole page:\n{}",
        page.html
    );
}

#[test]
fn the_environment_page_through_a_real_client_names_the_address_it_used() {
    let server = gateway();
    let mut response = agent().get(&server.url("/")).call().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    let html = response.body_mut().read_to_string().unwrap();
    let page = EnvPage::of(&RawResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: html.into_bytes(),
    });
    let port = server.addr.port().to_string();
    assert_eq!(page.shown("Server name"), "127.0.0.1");
    assert_eq!(page.shown("Server port"), port);
    assert_eq!(page.shown("Host header"), format!("127.0.0.1:{port}"));
    assert_eq!(page.shown("Client address"), "127.0.0.1");
    assert_eq!(page.shown("URL scheme"), "http");
}

#[test]
fn the_environment_page_at_a_path_with_a_query_decodes_the_path_and_escapes_the_query() {
    let server = gateway();
    let port = server.addr.port().to_string();
    let host = format!("localhost:{port}");
    // The contract's request, as a browser that does not encode `<` sends it...
    let raw = get_ok(&server, "/some/path?x=1&y=<b>", &host, "");
    // ...and with the path percent-encoded: PATH_INFO is decoded, QUERY_STRING is not.
    let encoded = get_ok(&server, "/some/%70ath?x=1&y=%3Cb%3E", &host, "");
    for (response, query) in [
        (&raw, "x=1&amp;y=&lt;b&gt;"),
        (&encoded, "x=1&amp;y=%3Cb%3E"),
    ] {
        let page = EnvPage::of(response);
        let expected = [
            ("Server name", "localhost"),
            ("Server port", port.as_str()),
            ("Client address", "127.0.0.1"),
            ("Method", "GET"),
            ("Path", "/some/path"),
            ("Query string", query),
            ("Protocol", "HTTP/1.1"),
            ("Host header", host.as_str()),
            ("URL scheme", "http"),
        ];
        for (label, value) in expected {
            assert_eq!(page.shown(label), value, "the row {label:?}");
        }
        assert!(
            !page.html.contains("<b>"),
            "raw markup from the query:\n{}",
            page.html
        );
    }
}

#[test]
fn every_variable_is_listed_sorted_escaped_and_agrees_with_the_labelled_rows() {
    let server = gateway();
    let response = get_ok(
        &server,
        "/sorted?q=%22quoted%22&amp=<&>",
        "example.test",
        "User-Agent: e2e-test\r\nX-Probe: <b>\"probe\"</b> & 'single'\r\n",
    );
    let page = EnvPage::of(&response);
    let keys: Vec<&str> = page.every.iter().map(|(k, _)| k.as_str()).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        keys, sorted,
        "the keys of \"Every variable\", sorted and unique"
    );
    // The variables the server always sets, and the headers sent.
    for key in [
        "GATEWAY_INTERFACE",
        "HTTP_HOST",
        "HTTP_USER_AGENT",
        "HTTP_X_PROBE",
        "PATH_INFO",
        "QUERY_STRING",
        "REMOTE_ADDR",
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SERVER_SOFTWARE",
        "wsgi.url_scheme",
    ] {
        assert!(keys.contains(&key), "{key} is missing from {keys:?}");
    }
    assert_eq!(
        page.var("HTTP_X_PROBE"),
        Some("&lt;b&gt;&quot;probe&quot;&lt;/b&gt; &amp; &#x27;single&#x27;")
    );
    assert_eq!(
        page.var("QUERY_STRING"),
        Some("q=%22quoted%22&amp;amp=&lt;&amp;&gt;")
    );
    assert_eq!(page.var("GATEWAY_INTERFACE"), Some("CGI/1.1"));
    // Mounted at the root: SCRIPT_NAME is empty, the whole path is PATH_INFO.
    assert_eq!(page.var("SCRIPT_NAME"), Some(""));
    assert_eq!(page.var("PATH_INFO"), Some("/sorted"));
    for (label, key) in LABELS {
        assert_eq!(
            Some(page.shown(label)),
            page.var(key),
            "the row {label:?} and the variable {key}"
        );
    }
    assert!(
        !page.html.contains("<b>"),
        "raw markup from a header:\n{}",
        page.html
    );
}

#[test]
fn markup_in_the_path_or_a_header_is_shown_as_text() {
    let server = gateway();
    for target in [
        "/%3Cscript%3Ealert(1)%3C/script%3E",
        "/<script>alert(1)</script>",
    ] {
        let response = get_ok(
            &server,
            target,
            "test",
            "Referer: <script>alert(2)</script>\r\n",
        );
        let page = EnvPage::of(&response);
        assert_eq!(
            page.shown("Path"),
            "/&lt;script&gt;alert(1)&lt;/script&gt;",
            "{target}"
        );
        assert_eq!(
            page.var("HTTP_REFERER"),
            Some("&lt;script&gt;alert(2)&lt;/script&gt;")
        );
        assert!(
            !page.html.to_ascii_lowercase().contains("<script"),
            "markup from the request reached the page:\n{}",
            page.html
        );
    }
}

#[test]
fn without_a_host_header_the_server_name_is_the_address_of_the_socket() {
    let server = gateway();
    let (response, _) = exchange(&server, b"GET /old HTTP/1.0\r\n\r\n", false);
    assert_status(&response, 200, "an HTTP/1.0 GET without Host");
    let page = EnvPage::of(&response);
    assert_eq!(page.shown("Server name"), "127.0.0.1");
    assert_eq!(page.shown("Server port"), server.addr.port().to_string());
    assert_eq!(page.shown("Protocol"), "HTTP/1.0");
    assert_eq!(page.shown("Host header"), NOT_SET);
    assert_eq!(page.var("HTTP_HOST"), None);
}

// ---------------------------------------------------------------------------------------
// Dispatch: /hello, /hello/NAME, /boom
// ---------------------------------------------------------------------------------------

#[test]
fn hello_and_hello_name_greet_with_the_name_escaped() {
    let server = gateway();
    let cases = [
        ("/hello", "<h1>Hello, world!</h1>"),
        ("/hello/", "<h1>Hello, world!</h1>"),
        ("/hello/you", "<h1>Hello, you!</h1>"),
        ("/hello/Ada%20Lovelace", "<h1>Hello, Ada Lovelace!</h1>"),
        (
            "/hello/%3Cb%3E%26%22'",
            "<h1>Hello, &lt;b&gt;&amp;&quot;&#x27;!</h1>",
        ),
        // Raw markup in the request target (one path segment: no `/`).
        ("/hello/<script>x", "<h1>Hello, &lt;script&gt;x!</h1>"),
    ];
    for (target, greeting) in cases {
        let response = get_ok(&server, target, "test", "");
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{target}"
        );
        let html = response.text();
        assert!(
            html.contains(greeting),
            "{target}: no {greeting:?} in:\n{html}"
        );
        assert!(html.starts_with("<!DOCTYPE html>"), "{target}:\n{html}");
        assert!(!html.contains("<script>"), "{target}: raw markup:\n{html}");
    }
    // Deeper than one name: no greeting route matches, the environment page answers.
    let page = EnvPage::of(&get_ok(&server, "/hello/a/b", "test", ""));
    assert_eq!(page.shown("Path"), "/hello/a/b");
}

#[test]
fn a_panicking_handler_is_a_500_that_hides_the_panic_text_which_goes_to_the_log() {
    let server = gateway();
    let mut response = agent().get(&server.url("/boom")).call().unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    let page = response.body_mut().read_to_string().unwrap();
    assert!(
        page.contains("Internal Server Error"),
        "not an error page:\n{page}"
    );
    for secret in [PANIC_TEXT, "panic", "lib.rs", "backtrace"] {
        assert!(
            !page.to_lowercase().contains(&secret.to_lowercase()),
            "the 500 page shows {secret:?}:\n{page}"
        );
    }
    // The error catcher's line is written with the request's access line, just after the
    // response has gone out: wait for the line itself.
    server.wait_for_stderr(
        &format!("[error] GET /boom: panic: {PANIC_TEXT}"),
        IO_TIMEOUT,
    );
    // The server goes on serving.
    let response = get_ok(&server, "/hello", "test", "");
    assert!(response.text().contains("Hello, world!"));
}

#[test]
fn a_panic_is_one_log_line_even_with_rust_backtrace_set() {
    let server = end_to_end::start_with_env(
        "lesson05-gateway",
        &["0"],
        &end_to_end::workspace_root(),
        &[("RUST_BACKTRACE", "1")],
    );
    let response = agent().get(&server.url("/boom")).call().unwrap();
    assert_eq!(response.status(), 500);
    // The access line comes after the catcher's line: once it is there, all is.
    server.wait_for_stderr("\"GET /boom HTTP/1.1\" 500", IO_TIMEOUT);
    let log = server.stderr();
    let about_the_panic: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(PANIC_TEXT) || line.contains("panicked"))
        .collect();
    assert_eq!(
        about_the_panic.len(),
        1,
        "one line about the panic, not Rust's report too:\n{log}"
    );
    assert!(
        about_the_panic[0].contains("(at lessons/lesson05-gateway/src/lib.rs:"),
        "the line says where: {log}"
    );
    for noise in ["stack backtrace", "   0: ", "note: run with"] {
        assert!(!log.contains(noise), "{noise:?} in the log:\n{log}");
    }
}

#[test]
fn backtrace_prints_the_backtrace_of_a_panic() {
    let server = end_to_end::start("lesson05-gateway", &["0", "--backtrace"]);
    let response = agent().get(&server.url("/boom")).call().unwrap();
    assert_eq!(response.status(), 500);
    server.wait_for_stderr("\"GET /boom HTTP/1.1\" 500", IO_TIMEOUT);
    let log = server.stderr();
    assert!(
        log.contains("backtrace of the panic at lessons/lesson05-gateway/src/lib.rs:"),
        "{log}"
    );
    assert!(log.contains("   0: "), "the frames are printed:\n{log}");
}

// ---------------------------------------------------------------------------------------
// Middleware: X-Lesson and the access log
// ---------------------------------------------------------------------------------------

#[test]
fn successful_responses_carry_x_lesson_05() {
    let server = gateway();
    for target in [
        "/",
        "/some/path?x=1",
        "/hello",
        "/hello/you",
        "/echo-header?value=hi",
    ] {
        let response = get_ok(&server, target, "test", "");
        assert_x_lesson(&response, target);
    }
    let (head, _) = exchange(
        &server,
        request("HEAD", "/hello", "test", "").as_bytes(),
        true,
    );
    assert_status(&head, 200, "HEAD /hello");
    assert_x_lesson(&head, "HEAD /hello");
    // Through a real client too.
    let response = agent().get(&server.url("/hello")).call().unwrap();
    assert_eq!(
        response
            .headers()
            .get_all("x-lesson")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect::<Vec<_>>(),
        vec!["05"]
    );
}

/// The contract: "every response carries the header `X-Lesson: 05` added by a middleware" —
/// the 500s of the error catcher included.
#[test]
fn error_responses_carry_x_lesson_05_too() {
    let server = gateway();
    let mut missing = Vec::new();
    for target in ["/boom", "/echo-header?value=a%0D%0AX-Injected:%201"] {
        let (response, _) = exchange(
            &server,
            request("GET", target, "test", "").as_bytes(),
            false,
        );
        assert_status(&response, 500, target);
        if response.header("x-lesson") != Some("05") {
            missing.push((target, response.headers));
        }
    }
    assert!(
        missing.is_empty(),
        "500 responses without X-Lesson: 05: {missing:#?}"
    );
}

#[test]
fn the_access_log_middleware_writes_one_line_per_request() {
    let server = gateway();
    get_ok(&server, "/hello", "test", "");
    server.wait_for_stderr("[access] GET /hello -> 200 in ", IO_TIMEOUT);
    exchange(
        &server,
        request("GET", "/boom", "test", "").as_bytes(),
        false,
    );
    server.wait_for_stderr("[access] GET /boom -> 500 in ", IO_TIMEOUT);
    exchange(
        &server,
        request("HEAD", "/hello/you", "test", "").as_bytes(),
        true,
    );
    server.wait_for_stderr("[access] HEAD /hello/you -> 200 in ", IO_TIMEOUT);
    let mut post = request("POST", "/posted", "test", "Content-Length: 2\r\n");
    post.push_str("hi");
    exchange(&server, post.as_bytes(), false);
    server.wait_for_stderr("[access] POST /posted -> 200 in ", IO_TIMEOUT);
    // A decoded line break in the path cannot start a forged log line: it is written `\n`.
    get_ok(&server, "/hello/a%0A%5Baccess%5D%20forged", "test", "");
    let log = server.wait_for_stderr(
        "[access] GET /hello/a\\n[access] forged -> 200 in ",
        IO_TIMEOUT,
    );
    assert!(
        !log.lines().any(|line| line.starts_with("[access] forged")),
        "a forged log line:\n{log}"
    );
}

#[test]
fn a_requests_own_log_lines_come_just_before_its_access_line() {
    // The middleware's line and the server's line of one request are written together,
    // even with four clients at once.
    let server = gateway();
    std::thread::scope(|scope| {
        for client in 0..4 {
            let server = &server;
            scope.spawn(move || {
                for index in 0..10 {
                    get_ok(server, &format!("/hello/c{client}r{index}"), "test", "");
                }
            });
        }
    });
    let last = "\"GET /hello/c3r9 HTTP/1.1\" 200";
    server.wait_for_stderr(last, IO_TIMEOUT);
    let log = server.wait_for_stderr("\"GET /hello/c0r9 HTTP/1.1\" 200", IO_TIMEOUT);
    let lines: Vec<&str> = log.lines().collect();
    for client in 0..4 {
        for index in 0..10 {
            let path = format!("/hello/c{client}r{index}");
            let at = lines
                .iter()
                .position(|line| line.starts_with(&format!("[access] GET {path} -> 200 in ")))
                .unwrap_or_else(|| panic!("no [access] line for {path}:\n{log}"));
            let next = lines.get(at + 1).copied().unwrap_or_default();
            assert!(
                next.contains(&format!("\"GET {path} HTTP/1.1\" 200 ")),
                "after the [access] line of {path} comes {next:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// start_response refuses a header it cannot send safely
// ---------------------------------------------------------------------------------------

#[test]
fn a_header_injection_through_start_response_is_a_500_and_injects_nothing() {
    let server = gateway();
    let attempts = [
        "a%0D%0ASet-Cookie:%20evil=1",
        "a%0ASet-Cookie:%20evil=1",
        "a%0DSet-Cookie:%20evil=1",
        "a%00Set-Cookie:%20evil=1",
        "a%0D%0A%0D%0A<html>evil</html>",
        "a%7FSet-Cookie:%20evil=1",
    ];
    for value in attempts {
        let target = format!("/echo-header?value={value}");
        let (response, bytes) = exchange(
            &server,
            request("GET", &target, "test", "").as_bytes(),
            false,
        );
        assert_status(&response, 500, &target);
        let everything = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        for injected in ["set-cookie", "x-echo", "evil"] {
            assert!(
                !everything.contains(injected),
                "{target}: {injected:?} reached the client:\n{everything}"
            );
        }
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{target}"
        );
        assert!(
            response.text().contains("Internal Server Error"),
            "{target}:\n{}",
            response.text()
        );
    }
    server.wait_for_stderr(
        "[error] GET /echo-header: the value of header \\\"X-Echo\\\" holds a line break",
        IO_TIMEOUT,
    );

    // A clean value is sent as it is.
    let (response, bytes) = exchange(
        &server,
        request("GET", "/echo-header?value=hi", "test", "").as_bytes(),
        false,
    );
    assert_status(&response, 200, "/echo-header?value=hi");
    assert_eq!(response.header("x-echo"), Some("hi"));
    assert!(
        end_to_end::find(&bytes, b"\r\nX-Echo: hi\r\n").is_some(),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(response.text(), "Look at the X-Echo header.\n");
    // Spaces and a tab are valid inside a header value.
    let (response, bytes) = exchange(
        &server,
        request("GET", "/echo-header?value=two+words%09tab", "test", "").as_bytes(),
        false,
    );
    assert_status(&response, 200, "a value with a space and a tab");
    assert!(
        end_to_end::find(&bytes, b"\r\nX-Echo: two words\ttab\r\n").is_some(),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
}

// ---------------------------------------------------------------------------------------
// Bodies, keep-alive, pipelining, HEAD
// ---------------------------------------------------------------------------------------

#[test]
fn a_post_body_and_a_chunked_post_reach_the_application_with_their_length() {
    let server = gateway();
    let mut conn = Conn::open(&server);
    // A body with a Content-Length.
    conn.send(
        b"POST /form?via=length HTTP/1.1\r\nHost: test\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\n\
          name=value!",
    );
    let response = conn.response(false);
    assert_status(&response, 200, "a POST with a Content-Length");
    let page = EnvPage::of(&response);
    assert_eq!(page.shown("Method"), "POST");
    assert_eq!(page.var("CONTENT_LENGTH"), Some("11"));
    assert_eq!(
        page.var("CONTENT_TYPE"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(page.var("HTTP_CONTENT_LENGTH"), None);

    // A chunked body on the same connection: the server counts it first (5 + 6 + 12 bytes).
    conn.send(
        b"POST /form?via=chunks HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n\
          Transfer-Encoding: chunked\r\n\r\n\
          5\r\nhello\r\n6\r\n, dear\r\nc\r\n chunky body\r\n0\r\n\r\n",
    );
    let response = conn.response(false);
    assert_status(&response, 200, "a chunked POST");
    let page = EnvPage::of(&response);
    assert_eq!(page.shown("Query string"), "via=chunks");
    assert_eq!(page.var("CONTENT_LENGTH"), Some("23"));
    assert_eq!(page.var("CONTENT_TYPE"), Some("text/plain"));
    assert_eq!(page.var("HTTP_TRANSFER_ENCODING"), None);

    // The unread bodies were not taken for requests: the next one is answered as sent.
    conn.send(keep_alive_get("/after?x=1").as_bytes());
    let page = EnvPage::of(&conn.response(false));
    assert_eq!(page.shown("Method"), "GET");
    assert_eq!(page.shown("Path"), "/after");
    assert_eq!(page.var("CONTENT_LENGTH"), None);
    assert_eq!(page.var("CONTENT_TYPE"), None);

    // And through a real client.
    let mut response = agent()
        .post(&server.url("/via-ureq"))
        .header("Content-Type", "text/plain")
        .send("twelve bytes")
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.body_mut().read_to_string().unwrap();
    assert!(
        html.contains("<tr><th>CONTENT_LENGTH</th><td>12</td></tr>"),
        "{html}"
    );
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = gateway();
    let mut conn = Conn::open(&server);
    let mut client_ports = Vec::new();
    for (i, target) in ["/one", "/hello", "/two?n=2", "/boom", "/three"]
        .iter()
        .enumerate()
    {
        conn.send(keep_alive_get(target).as_bytes());
        let response = conn.response(false);
        assert_ne!(
            response.header("connection"),
            Some("close"),
            "request {i} ({target}) closed the connection"
        );
        match *target {
            "/hello" => assert!(response.text().contains("Hello, world!")),
            "/boom" => assert_status(&response, 500, target),
            _ => {
                let page = EnvPage::of(&response);
                assert_eq!(page.shown("Path"), target.split('?').next().unwrap());
                client_ports.push(page.var("REMOTE_PORT").unwrap().to_string());
            }
        }
    }
    client_ports.dedup();
    assert_eq!(
        client_ports.len(),
        1,
        "every request came from one connection: {client_ports:?}"
    );
    conn.send(request("GET", "/last", "test", "").as_bytes());
    let bytes = conn.rest_until_close();
    let responses = parse_responses(&bytes);
    assert_eq!(responses.len(), 1, "{:?}", String::from_utf8_lossy(&bytes));
    assert_eq!(responses[0].header("connection"), Some("close"));
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = gateway();
    let mut conn = Conn::open(&server);
    let mut batch = String::new();
    batch.push_str(&keep_alive_get("/first?n=1"));
    batch.push_str(&keep_alive_get("/hello/second"));
    batch.push_str("POST /third HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nabcde");
    batch.push_str("HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n");
    batch.push_str(&request("GET", "/fifth", "test", ""));
    conn.send(batch.as_bytes());

    let first = EnvPage::of(&conn.response(false));
    assert_eq!(first.shown("Path"), "/first");
    assert_eq!(first.shown("Query string"), "n=1");
    let second = conn.response(false);
    assert!(
        second.text().contains("<h1>Hello, second!</h1>"),
        "{}",
        second.text()
    );
    let third = EnvPage::of(&conn.response(false));
    assert_eq!(third.shown("Method"), "POST");
    assert_eq!(third.var("CONTENT_LENGTH"), Some("5"));
    let fourth = conn.response(true);
    assert_status(&fourth, 200, "the pipelined HEAD");
    let fifth_bytes = conn.rest_until_close();
    let fifth = parse_responses(&fifth_bytes);
    assert_eq!(
        fifth.len(),
        1,
        "the last response, right after the HEAD's head: {:?}",
        String::from_utf8_lossy(&fifth_bytes)
    );
    assert_eq!(EnvPage::of(&fifth[0]).shown("Path"), "/fifth");
}

#[test]
fn head_gets_the_headers_and_no_body() {
    let server = gateway();
    let mut conn = Conn::open(&server);
    conn.send(keep_alive_get("/hello").as_bytes());
    let get = conn.response(false);
    assert_status(&get, 200, "GET /hello");
    conn.send(b"HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n");
    let head = conn.response(true);
    assert_status(&head, 200, "HEAD /hello");
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_str()),
        "the HEAD announces the GET's length"
    );
    assert_eq!(head.header("content-type"), get.header("content-type"));
    // No body bytes follow the head: the next response starts right after it.
    conn.send(request("GET", "/hello/next", "test", "").as_bytes());
    let rest = conn.rest_until_close();
    assert!(
        rest.starts_with(b"HTTP/1.1 200"),
        "bytes between the HEAD and the next response: {:?}",
        String::from_utf8_lossy(&rest)
    );
    let next = parse_responses(&rest);
    assert!(
        next[0].text().contains("Hello, next!"),
        "{}",
        next[0].text()
    );

    // A HEAD of the 500 page: headers, no body.
    let (head, bytes) = exchange(
        &server,
        request("HEAD", "/boom", "test", "").as_bytes(),
        true,
    );
    assert_status(&head, 500, "HEAD /boom");
    let end = end_to_end::find(&bytes, b"\r\n\r\n").unwrap();
    assert_eq!(
        &bytes[end + 4..],
        b"",
        "a body after the HEAD's headers: {:?}",
        String::from_utf8_lossy(&bytes)
    );
}

// ---------------------------------------------------------------------------------------
// The environ is the CGI environment
// ---------------------------------------------------------------------------------------

/// Names only a CGI script gets: the script's file, `PATH_TRANSLATED` (with extra path), and
/// the allow-list lesson 03 copies from the server's own environment so that `#!/usr/bin/env
/// python3` finds its interpreter (`PATH`, the locale, `TZ`; Python itself may add
/// `LC_CTYPE`, PEP 538). An in-process application has no file and no environment of its own.
const CGI_ONLY: &[&str] = &[
    "SCRIPT_FILENAME",
    "PATH_TRANSLATED",
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
];
/// Names only the gateway's environ has (PATH_INFO is also in it when the CGI request has
/// no extra path).
const GATEWAY_ONLY: &[&str] = &["wsgi.url_scheme", "PATH_INFO"];
/// Names in both whose values differ, and why:
/// - `SCRIPT_NAME`, `PATH_INFO`: the script is mounted at `/cgi-bin/env`, the application at
///   the root, so the same path splits differently — `SCRIPT_NAME + PATH_INFO` is the same;
/// - `SERVER_PORT`, `REMOTE_PORT`: two servers, two connections;
/// - `SERVER_SOFTWARE`: each server names itself.
const DIFFERENT_VALUES: &[&str] = &[
    "SCRIPT_NAME",
    "PATH_INFO",
    "SERVER_PORT",
    "REMOTE_PORT",
    "SERVER_SOFTWARE",
];

/// The rows of `cgi-bin/env`'s table: `<tr><td><code>NAME</code></td><td><code>VALUE</code>`.
fn cgi_env_vars(html: &str) -> BTreeMap<String, String> {
    html.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("<tr><td><code>")?;
            let (name, rest) = rest.split_once("</code></td><td><code>")?;
            let (value, _) = rest.split_once("</code></td>")?;
            Some((unescape(name), unescape(value)))
        })
        .collect()
}

/// Starts `lesson03-cgi 0` in the workspace root, where the repository's `cgi-bin/env` is.
fn cgi_server() -> ServerProcess {
    let script = end_to_end::workspace_root().join("cgi-bin/env");
    assert!(script.exists(), "{} does not exist", script.display());
    end_to_end::start("lesson03-cgi", &["0"])
}

#[test]
fn the_environ_holds_the_same_variables_a_cgi_script_gets() {
    let cgi = cgi_server();
    let gateway = gateway();
    let headers = "User-Agent: same-agent/1.0\r\nAccept: text/html\r\n\
                   X-Probe: <i>\"p\"</i> & 'q'\r\nCookie: a=1\r\nCookie: b=2\r\n";
    let requests = [
        // The script's own path.
        request(
            "GET",
            "/cgi-bin/env?x=1&y=%3Cb%3E",
            "example.test:8000",
            headers,
        ),
        // With extra path: the CGI host splits it into SCRIPT_NAME and PATH_INFO.
        request(
            "GET",
            "/cgi-bin/env/extra/path?who=me",
            "example.test:8000",
            headers,
        ),
        // With a body.
        format!(
            "POST /cgi-bin/env?posted=1 HTTP/1.1\r\nHost: example.test\r\n{headers}\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\
             Connection: close\r\n\r\nname=me"
        ),
    ];
    for request in requests {
        let first_line = request.lines().next().unwrap().to_string();
        let (cgi_response, _) = exchange(&cgi, request.as_bytes(), false);
        assert_status(&cgi_response, 200, &format!("cgi-bin/env: {first_line}"));
        let from_cgi = cgi_env_vars(&cgi_response.text());
        assert!(
            from_cgi.contains_key("REQUEST_METHOD"),
            "no table in cgi-bin/env's page:\n{}",
            cgi_response.text()
        );
        let (gateway_response, _) = exchange(&gateway, request.as_bytes(), false);
        assert_status(&gateway_response, 200, &format!("lesson05: {first_line}"));
        let from_gateway = EnvPage::of(&gateway_response).vars();

        // Names in one and not the other: only the expected ones.
        let only_cgi: Vec<&String> = from_cgi
            .keys()
            .filter(|k| !from_gateway.contains_key(*k))
            .collect();
        let only_gateway: Vec<&String> = from_gateway
            .keys()
            .filter(|k| !from_cgi.contains_key(*k))
            .collect();
        for name in &only_cgi {
            assert!(
                CGI_ONLY.contains(&name.as_str()),
                "{first_line}: {name} reached the CGI script but not the application"
            );
        }
        for name in &only_gateway {
            assert!(
                GATEWAY_ONLY.contains(&name.as_str()),
                "{first_line}: {name} reached the application but not the CGI script"
            );
        }
        assert!(only_cgi.iter().any(|n| *n == "SCRIPT_FILENAME"));
        assert!(only_cgi.iter().any(|n| *n == "PATH"));
        assert!(only_gateway.iter().any(|n| *n == "wsgi.url_scheme"));
        assert_eq!(from_gateway["wsgi.url_scheme"], "http");

        // Every name in both: the same value, but for the differences explained above.
        let mut same = Vec::new();
        for (name, value) in &from_gateway {
            let Some(cgi_value) = from_cgi.get(name) else {
                continue;
            };
            if DIFFERENT_VALUES.contains(&name.as_str()) {
                continue;
            }
            assert_eq!(
                value, cgi_value,
                "{first_line}: {name} differs between the gateway and CGI"
            );
            same.push(name.as_str());
        }
        for name in [
            "GATEWAY_INTERFACE",
            "QUERY_STRING",
            "REMOTE_ADDR",
            "REMOTE_HOST",
            "REQUEST_METHOD",
            "REQUEST_URI",
            "SERVER_NAME",
            "SERVER_PROTOCOL",
            "HTTP_ACCEPT",
            "HTTP_COOKIE",
            "HTTP_HOST",
            "HTTP_USER_AGENT",
            "HTTP_X_PROBE",
        ] {
            assert!(
                same.contains(&name),
                "{first_line}: {name} is not in both with one value: {same:?}"
            );
        }
        assert_eq!(from_gateway["HTTP_COOKIE"], "a=1; b=2");
        assert_eq!(from_gateway["HTTP_X_PROBE"], "<i>\"p\"</i> & 'q'");
        if first_line.starts_with("POST") {
            for name in ["CONTENT_LENGTH", "CONTENT_TYPE"] {
                assert!(same.contains(&name), "{first_line}: {name}: {same:?}");
            }
            assert_eq!(from_gateway["CONTENT_LENGTH"], "7");
        }

        // The expected differences.
        let script_name = |vars: &BTreeMap<String, String>| {
            format!(
                "{}{}",
                vars.get("SCRIPT_NAME").map_or("", String::as_str),
                vars.get("PATH_INFO").map_or("", String::as_str)
            )
        };
        assert_eq!(
            from_gateway["SCRIPT_NAME"], "",
            "the application is mounted at the root"
        );
        assert_eq!(from_cgi["SCRIPT_NAME"], "/cgi-bin/env");
        assert_eq!(
            script_name(&from_gateway),
            script_name(&from_cgi),
            "{first_line}: SCRIPT_NAME + PATH_INFO is the same path"
        );
        assert_eq!(from_gateway["SERVER_PORT"], gateway.addr.port().to_string());
        assert_eq!(from_cgi["SERVER_PORT"], cgi.addr.port().to_string());
        assert!(
            from_gateway["SERVER_SOFTWARE"].starts_with("lesson05-gateway/"),
            "{}",
            from_gateway["SERVER_SOFTWARE"]
        );
        assert!(
            from_cgi["SERVER_SOFTWARE"].starts_with("lesson03-cgi/"),
            "{}",
            from_cgi["SERVER_SOFTWARE"]
        );
        for vars in [&from_gateway, &from_cgi] {
            assert!(
                vars["REMOTE_PORT"].parse::<u16>().is_ok(),
                "{:?}",
                vars["REMOTE_PORT"]
            );
        }
    }
}
