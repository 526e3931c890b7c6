//! End-to-end tests of the HTTP/1.1 core, through `lesson02-http --dump`.
//!
//! The dump handler answers every request with what the parser understood (request line,
//! headers, `Body: N bytes`), so these tests see the core's work from outside: keep-alive,
//! pipelining, body framing, limits, timeouts, refusals, the access log, start-up errors,
//! graceful shutdown and IPv6. Normal traffic goes through ureq, as a real client would send
//! it; malformed or hostile bytes go over a raw `TcpStream`.
//!
//! Tests that need a limit or a timeout to trip start their server with a small value for
//! just that flag (`--max-body 1000`, `--header-timeout 0.5`, ...), so a failure shows up in
//! well under a second and the other flags keep their defaults. Every wait is bounded.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use end_to_end::{Finished, RawResponse, ServerProcess, agent, find, parse_responses, start};
use pretty_assertions::assert_eq;

/// The longest any single exchange in these tests may take.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// A short timeout, in seconds, for the tests that make one trip.
const SHORT: &str = "0.5";
/// Within this, a timeout of [`SHORT`] must have tripped (generous for a loaded machine).
const SHORT_BOUND: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Starts `lesson02-http --dump` on a free port, with extra flags such as `--max-body 1000`.
fn dump_server(flags: &[&str]) -> ServerProcess {
    let mut args = vec!["--dump"];
    args.extend_from_slice(flags);
    args.push("0");
    start("lesson02-http", &args)
}

/// Reads until the server closes the connection. Every server here ends a connection with
/// a clean close, so a reset, another error, or no close within [`IO_TIMEOUT`] fails the test
/// with the server's log in the message.
fn read_to_close(server: &ServerProcess, stream: &mut TcpStream) -> Vec<u8> {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut received = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            connection_failed(server, "the server did not close in time", &received);
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => return received,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            // A read timeout, or a signal (with a timeout set, even SA_RESTART handlers make
            // socket reads fail with EINTR): try again, the deadline still holds.
            Err(err) if is_retryable(&err) => {}
            Err(err) => {
                let what = format!("the connection failed: {err} ({:?})", err.kind());
                connection_failed(server, &what, &received);
            }
        }
    }
}

/// True for errors after which a read should simply be tried again.
fn is_retryable(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

/// Fails the test with what went wrong, what had arrived, and the server's log.
fn connection_failed(server: &ServerProcess, what: &str, received: &[u8]) -> ! {
    // The log is collected by a thread of the harness: give it a moment to catch up.
    thread::sleep(Duration::from_millis(200));
    panic!(
        "{what}, after receiving {:?}; the server's stderr:\n{}",
        String::from_utf8_lossy(received),
        server.stderr()
    );
}

/// Sends `request` on a fresh connection, half-closes, and returns everything that came back.
fn exchange_bytes(server: &ServerProcess, request: &[u8]) -> Vec<u8> {
    let mut stream = server.connect();
    stream.write_all(request).expect("the request is sent");
    stream.shutdown(Shutdown::Write).unwrap();
    read_to_close(server, &mut stream)
}

/// Like [`exchange_bytes`], parsed into responses.
fn exchange(server: &ServerProcess, request: &[u8]) -> Vec<RawResponse> {
    parse_responses(&exchange_bytes(server, request))
}

/// The status of the one response a request got; panics if it got none or several.
fn status_of(server: &ServerProcess, request: &[u8]) -> u16 {
    let responses = exchange(server, request);
    assert_eq!(
        responses.len(),
        1,
        "expected exactly one response to {:?}, got {responses:?}; the server's stderr:\n{}",
        String::from_utf8_lossy(request),
        server.stderr()
    );
    responses[0].status
}

/// How many whole responses `bytes` hold: the last one may still lack part of its body.
fn complete_responses(bytes: &[u8]) -> usize {
    let responses = parse_responses(bytes);
    let last_is_partial = responses.last().is_some_and(|last| {
        last.header("content-length")
            .and_then(|value| value.parse::<usize>().ok())
            .is_some_and(|length| last.body.len() < length)
    });
    responses.len() - usize::from(last_is_partial)
}

/// Reads from an open connection until `count` whole responses have arrived.
fn read_responses(stream: &mut TcpStream, count: usize) -> Vec<RawResponse> {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut received = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    while complete_responses(&received) < count {
        let left = deadline.saturating_duration_since(Instant::now());
        let so_far = String::from_utf8_lossy(&received).into_owned();
        assert!(!left.is_zero(), "{count} responses never came: {so_far:?}");
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => panic!("the server closed before {count} responses: {so_far:?}"),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(err) if is_retryable(&err) => {}
            Err(err) => panic!("reading failed ({err}) after {so_far:?}"),
        }
    }
    parse_responses(&received)
}

/// Sends `bytes` on an open connection and reads until the server closes; returns the
/// responses and how long the close took.
fn send_and_wait_for_close(
    server: &ServerProcess,
    stream: &mut TcpStream,
    bytes: &[u8],
) -> (Vec<RawResponse>, Duration) {
    let started = Instant::now();
    stream.write_all(bytes).unwrap();
    let received = read_to_close(server, stream);
    (parse_responses(&received), started.elapsed())
}

/// Asserts the statuses of `responses`, in order; on failure shows the server's log too.
fn assert_statuses(
    server: &ServerProcess,
    responses: &[RawResponse],
    expected: &[u16],
    what: &str,
) {
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        expected,
        "{what}; the responses: {responses:?}; the server's stderr:\n{}",
        server.stderr()
    );
}

/// The `Client address:` line of a dump, which tells connections apart.
fn client_line(response: &RawResponse) -> String {
    let text = response.text();
    let line = text.lines().find(|l| l.starts_with("Client address:"));
    line.unwrap_or_else(|| panic!("no client address in {text}"))
        .to_string()
}

/// Asserts the dump's text contains `needle`.
fn assert_dump_contains(response: &RawResponse, needle: &str) {
    let text = response.text();
    assert!(text.contains(needle), "{needle:?} not in:\n{text}");
}

/// A request for `path` with a Host header and nothing else.
fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n")
}

// ---------------------------------------------------------------------------------------
// Persistent connections and pipelining (RFC 9112 §9)
// ---------------------------------------------------------------------------------------

#[test]
fn two_requests_share_one_keep_alive_connection() {
    let server = dump_server(&[]);
    let mut stream = server.connect();
    stream.write_all(get("/one").as_bytes()).unwrap();
    let first = read_responses(&mut stream, 1).remove(0);
    stream.write_all(get("/two").as_bytes()).unwrap();
    let second = read_responses(&mut stream, 1).remove(0);

    assert_eq!((first.status, second.status), (200, 200));
    assert_dump_contains(&first, "Request line: GET /one HTTP/1.1");
    assert_dump_contains(&second, "Request line: GET /two HTTP/1.1");
    assert_eq!(first.header("connection"), None);
    assert_eq!(second.header("connection"), None);
}

#[test]
fn idle_keep_alive_connections_hold_no_thread_and_are_served_again() {
    // A connection waiting for its next request is parked: no thread waits for it.
    let server = dump_server(&[]);
    let mut idle = Vec::new();
    for index in 0..100 {
        let mut stream = server.connect();
        stream
            .write_all(get(&format!("/first/{index}")).as_bytes())
            .unwrap();
        assert_eq!(read_responses(&mut stream, 1)[0].status, 200);
        idle.push(stream);
    }
    let held = end_to_end::procfs::threads(server.pid());
    assert!(held < 20, "{held} threads for 100 idle connections");
    // Each is still alive, in whatever order its client speaks again.
    for (index, stream) in idle.iter_mut().enumerate().rev() {
        stream
            .write_all(get(&format!("/again/{index}")).as_bytes())
            .unwrap();
        let again = read_responses(stream, 1).remove(0);
        assert_dump_contains(
            &again,
            &format!("Request line: GET /again/{index} HTTP/1.1"),
        );
    }
}

#[test]
fn a_client_library_reuses_the_kept_alive_connection() {
    let server = dump_server(&[]);
    let agent = agent();
    let mut clients = Vec::new();
    for path in ["/first", "/second"] {
        let mut response = agent.get(&server.url(path)).call().unwrap();
        assert_eq!(response.status(), 200);
        let text = response.body_mut().read_to_string().unwrap();
        clients.push(text.lines().next().unwrap_or_default().to_string());
    }
    assert!(clients[0].starts_with("Client address: 127.0.0.1:"));
    assert_eq!(clients[0], clients[1], "one connection, so one client port");
}

#[test]
fn http10_closes_after_the_response_by_default() {
    let server = dump_server(&["--keep-alive-timeout", "30"]);
    let mut stream = server.connect();
    let (responses, took) =
        send_and_wait_for_close(&server, &mut stream, b"GET /old HTTP/1.0\r\n\r\n");
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].status, 200);
    assert_eq!(responses[0].header("connection"), Some("close"));
    assert!(took < SHORT_BOUND, "closed only after {took:?}");
}

#[test]
fn http10_keeps_the_connection_alive_when_asked() {
    let server = dump_server(&[]);
    let mut stream = server.connect();
    let request = b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    stream.write_all(request).unwrap();
    let first = read_responses(&mut stream, 1).remove(0);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("connection"), Some("keep-alive"));

    let (second, _) = send_and_wait_for_close(&server, &mut stream, b"GET /b HTTP/1.0\r\n\r\n");
    assert_eq!(second.len(), 1);
    assert_dump_contains(&second[0], "Request line: GET /b HTTP/1.0");
    assert_eq!(second[0].header("connection"), Some("close"));
}

#[test]
fn connection_close_is_honoured() {
    let server = dump_server(&["--keep-alive-timeout", "30"]);
    let mut stream = server.connect();
    // The second request is pipelined after the close: it must not be answered.
    let request = b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n\
                    GET /ignored HTTP/1.1\r\nHost: test\r\n\r\n";
    let (responses, took) = send_and_wait_for_close(&server, &mut stream, request);
    assert_eq!(responses.len(), 1, "{responses:?}");
    assert_eq!(responses[0].status, 200);
    assert_eq!(responses[0].header("connection"), Some("close"));
    assert!(took < SHORT_BOUND, "closed only after {took:?}");
}

/// Half-closing is how `exchange` says "that is all"; make sure a complete request
/// sent that way is still answered (the server must not mistake it for an abort).
#[test]
fn a_client_that_half_closes_after_its_request_is_answered() {
    let server = dump_server(&[]);
    let mut stream = server.connect();
    stream.write_all(get("/half").as_bytes()).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let responses = parse_responses(&read_to_close(&server, &mut stream));
    assert_eq!(responses.len(), 1);
    assert_dump_contains(&responses[0], "Path: /half");
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = dump_server(&[]);
    let pipeline = "GET /one HTTP/1.1\r\nHost: test\r\n\r\n\
                    POST /two HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello\
                    GET /three HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    let mut stream = server.connect();
    let (responses, _) = send_and_wait_for_close(&server, &mut stream, pipeline.as_bytes());

    assert_statuses(
        &server,
        &responses,
        &[200, 200, 200],
        "three pipelined requests",
    );
    assert_dump_contains(&responses[0], "Request line: GET /one HTTP/1.1");
    assert_dump_contains(&responses[1], "Request line: POST /two HTTP/1.1");
    assert_dump_contains(&responses[1], "Body: 5 bytes\nhello\n");
    assert_dump_contains(&responses[2], "Request line: GET /three HTTP/1.1");
    assert_eq!(responses[2].header("connection"), Some("close"));
    assert_eq!(client_line(&responses[0]), client_line(&responses[2]));
}

// ---------------------------------------------------------------------------------------
// Request bodies (RFC 9112 §6–§7, RFC 9110 §10.1.1)
// ---------------------------------------------------------------------------------------

#[test]
fn a_chunked_body_is_decoded_and_the_next_request_follows_it() {
    let server = dump_server(&[]);
    let request = "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n\
                   4;ext=1\r\nWiki\r\n5;name=\"quoted value\"\r\npedia\r\n\
                   0\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n\
                   GET /after HTTP/1.1\r\nHost: test\r\n\r\n";
    let responses = exchange(&server, request.as_bytes());
    assert_eq!(
        responses.len(),
        2,
        "{responses:?}; stderr:\n{}",
        server.stderr()
    );
    assert_eq!(responses[0].status, 200);
    assert_dump_contains(&responses[0], "Body: 9 bytes\nWikipedia\n");
    assert_dump_contains(&responses[1], "Request line: GET /after HTTP/1.1");
}

#[test]
fn expect_100_continue_gets_a_go_ahead_before_the_final_response() {
    let server = dump_server(&[]);
    let mut stream = server.connect();
    let head = "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\
                Expect: 100-continue\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&interim),
        "HTTP/1.1 100 Continue\r\n\r\n"
    );

    stream.write_all(b"hello").unwrap();
    let response = read_responses(&mut stream, 1).remove(0);
    assert_eq!(response.status, 200);
    assert_dump_contains(&response, "Body: 5 bytes\nhello\n");
}

#[test]
fn a_declared_body_over_the_limit_is_413_before_it_is_sent() {
    let server = dump_server(&["--max-body", "1000"]);
    for expect in ["Expect: 100-continue\r\n", ""] {
        let mut stream = server.connect();
        let head =
            format!("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n{expect}\r\n");
        // Only the head is sent: the refusal must not wait for the body.
        let (responses, took) = send_and_wait_for_close(&server, &mut stream, head.as_bytes());
        assert_statuses(&server, &responses, &[413], &format!("with {expect:?}"));
        assert!(took < SHORT_BOUND, "413 took {took:?}");
    }
}

#[test]
fn a_chunked_body_over_the_limit_is_413() {
    let server = dump_server(&["--max-body", "1000"]);
    let mut request =
        b"POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..20 {
        request.extend_from_slice(b"64\r\n");
        request.extend_from_slice(&[b'x'; 100]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(status_of(&server, &request), 413);
}

#[test]
fn a_chunk_announced_over_the_limit_is_413_before_any_of_its_data() {
    // The client announces an enormous chunk and then sends nothing more: the refusal comes
    // from the size line alone, and the server goes on serving.
    let server = dump_server(&["--max-body", "1000"]);
    let mut stream = server.connect();
    let request = b"POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n\
                    ffffffffffffffff\r\n";
    let (responses, took) = send_and_wait_for_close(&server, &mut stream, request);
    assert_statuses(&server, &responses, &[413], "a chunk of 2^64 - 1 bytes");
    assert_eq!(responses[0].header("connection"), Some("close"));
    // Long before the body deadline (20 s): nothing had to arrive first.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(
        status_of(&server, b"GET /after HTTP/1.1\r\nHost: test\r\n\r\n"),
        200
    );
}

#[test]
fn head_gets_the_length_but_no_body() {
    let server = dump_server(&[]);
    let pipeline = "HEAD /page HTTP/1.1\r\nHost: test\r\n\r\n\
                    GET /page HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    let received = exchange_bytes(&server, pipeline.as_bytes());
    let head_end = find(&received, b"\r\n\r\n").expect("a response head") + 4;
    let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|v| v.parse::<usize>().ok());
    assert!(length.is_some_and(|n| n > 0), "{head}");
    // No body bytes: the GET's response follows the HEAD's head directly.
    let rest = String::from_utf8_lossy(&received[head_end..]).into_owned();
    assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{rest}");

    let response = agent().head(&server.url("/page")).call().unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("content-length"));
}

// ---------------------------------------------------------------------------------------
// Size limits: 414 and 431
// ---------------------------------------------------------------------------------------

#[test]
fn a_request_line_over_the_limit_is_414() {
    let server = dump_server(&["--max-request-line", "100", "--header-timeout", "30"]);
    let long_path = format!("/{}", "a".repeat(200));
    assert_eq!(status_of(&server, get(&long_path).as_bytes()), 414);

    // Refused as soon as the limit is passed, without waiting for the rest of the head:
    // both before the line has ended and once it has.
    for partial in [
        format!("GET {long_path}"),
        format!("GET {long_path} HTTP/1.1\r\n"),
    ] {
        let mut stream = server.connect();
        let (responses, took) = send_and_wait_for_close(&server, &mut stream, partial.as_bytes());
        assert_statuses(&server, &responses, &[414], &format!("for {partial:?}"));
        assert!(took < SHORT_BOUND, "414 took {took:?}");
    }
}

#[test]
fn a_header_section_over_the_limit_is_431() {
    let server = dump_server(&["--max-header-bytes", "500", "--header-timeout", "30"]);
    let big_headers: String = (0..10)
        .map(|i| format!("X-Field-{i}: {}\r\n", "v".repeat(50)))
        .collect();
    let request = format!("GET / HTTP/1.1\r\nHost: test\r\n{big_headers}\r\n");
    assert_eq!(status_of(&server, request.as_bytes()), 431);

    // Refused while the head is still arriving, not at its end.
    let mut stream = server.connect();
    let partial = format!("GET / HTTP/1.1\r\nHost: test\r\n{big_headers}");
    let (responses, took) = send_and_wait_for_close(&server, &mut stream, partial.as_bytes());
    assert_statuses(&server, &responses, &[431], "a head still arriving");
    assert!(took < SHORT_BOUND, "431 took {took:?}");
}

#[test]
fn requests_exactly_at_the_limits_are_served_and_one_byte_more_is_refused() {
    let server = dump_server(&[
        "--max-request-line",
        "100",
        "--max-header-bytes",
        "500",
        "--max-body",
        "1000",
    ]);
    // `GET /aaa... HTTP/1.1`: 4 + target + 9 bytes, CRLF not counted.
    let line = |target_len: usize| format!("GET /{} HTTP/1.1", "a".repeat(target_len - 1));
    let at_limit = format!("{}\r\nHost: test\r\n\r\n", line(87));
    assert_eq!(status_of(&server, at_limit.as_bytes()), 200);
    let over = format!("{}\r\nHost: test\r\n\r\n", line(88));
    assert_eq!(status_of(&server, over.as_bytes()), 414);

    // The header section counts every field line and the empty line: 12 + 7 + pad + 2 + 2.
    let fields = |pad: usize| format!("Host: test\r\nX-Pad: {}\r\n\r\n", "p".repeat(pad));
    assert_eq!(fields(477).len(), 500);
    let at_limit = format!("GET / HTTP/1.1\r\n{}", fields(477));
    assert_eq!(status_of(&server, at_limit.as_bytes()), 200);
    let over = format!("GET / HTTP/1.1\r\n{}", fields(478));
    assert_eq!(status_of(&server, over.as_bytes()), 431);

    for (length, status) in [(1000, 200), (1001, 413)] {
        let mut request =
            format!("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n\r\n")
                .into_bytes();
        request.extend(std::iter::repeat_n(b'b', length));
        assert_eq!(
            status_of(&server, &request),
            status,
            "Content-Length {length}"
        );

        let mut chunked =
            b"POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        chunked.extend(format!("{length:x}\r\n").bytes());
        chunked.extend(std::iter::repeat_n(b'c', length));
        chunked.extend_from_slice(b"\r\n0\r\n\r\n");
        assert_eq!(
            status_of(&server, &chunked),
            status,
            "{length} bytes in one chunk"
        );
    }
}

#[test]
fn a_large_head_within_the_default_limits_is_served() {
    let server = dump_server(&[]);
    // Larger than the connection's first 8 KiB buffer, smaller than the 32 KiB limit.
    let cookie = "c".repeat(20_000);
    let request = format!("GET /big HTTP/1.1\r\nHost: test\r\nCookie: {cookie}\r\n\r\n");
    let responses = exchange(&server, request.as_bytes());
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].status, 200);
    assert_dump_contains(&responses[0], &cookie);
}

#[test]
fn too_many_header_fields_is_431() {
    let server = dump_server(&["--max-headers", "5"]);
    let five = "GET / HTTP/1.1\r\nHost: test\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
    assert_eq!(status_of(&server, five.as_bytes()), 200);
    let six = "GET / HTTP/1.1\r\nHost: test\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n";
    assert_eq!(status_of(&server, six.as_bytes()), 431);
}

// ---------------------------------------------------------------------------------------
// Malformed requests: always an answer, and the server carries on
// ---------------------------------------------------------------------------------------

/// Requests that break the grammar, each with what is wrong with it.
const BAD_REQUESTS: &[(&str, &str)] = &[
    ("bad version", "GET / HTTP/1.x1\r\nHost: test\r\n\r\n"),
    ("lower-case version", "GET / http/1.1\r\nHost: test\r\n\r\n"),
    (
        "method not a token",
        "GE(T / HTTP/1.1\r\nHost: test\r\n\r\n",
    ),
    ("space in target", "GET /a b HTTP/1.1\r\nHost: test\r\n\r\n"),
    (
        "control byte in target",
        "GET /a\x01b HTTP/1.1\r\nHost: test\r\n\r\n",
    ),
    (
        "DEL in target",
        "GET /a\x7fb HTTP/1.1\r\nHost: test\r\n\r\n",
    ),
    ("two spaces", "GET  / HTTP/1.1\r\nHost: test\r\n\r\n"),
    (
        "target not a path",
        "GET index.html HTTP/1.1\r\nHost: test\r\n\r\n",
    ),
    ("missing Host in 1.1", "GET / HTTP/1.1\r\n\r\n"),
    (
        "duplicate Host",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    ),
    ("Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"),
    (
        "Content-Length abc",
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: abc\r\n\r\n",
    ),
    (
        "Content-Length -1",
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: -1\r\n\r\n",
    ),
    (
        "Content-Length +5",
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: +5\r\n\r\n",
    ),
    (
        "conflicting Content-Lengths",
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    ),
    (
        "conflicting Content-Length list",
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5, 6\r\n\r\nhello!",
    ),
    (
        "Content-Length with Transfer-Encoding",
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    (
        "Transfer-Encoding in HTTP/1.0",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    (
        "chunked not last",
        "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
    ),
    (
        "bad chunk size",
        "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    ),
    (
        "chunk longer than its size",
        "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n",
    ),
    (
        "NUL in a header value",
        "GET / HTTP/1.1\r\nHost: test\r\nX-A: a\x00b\r\n\r\n",
    ),
    (
        "bare CR in a header value",
        "GET / HTTP/1.1\r\nHost: test\r\nX-A: a\rb\r\n\r\n",
    ),
    (
        "obs-fold line",
        "GET / HTTP/1.1\r\nHost: test\r\nX-A: a\r\n  folded\r\n\r\n",
    ),
    (
        "space before the colon",
        "GET / HTTP/1.1\r\nHost: test\r\nX-A : b\r\n\r\n",
    ),
    (
        "field line without colon",
        "GET / HTTP/1.1\r\nHost: test\r\nno colon here\r\n\r\n",
    ),
    (
        "body shorter than declared",
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc",
    ),
    ("head cut short", "GET / HTTP/1.1\r\nHost: te"),
];

#[test]
fn malformed_requests_get_400_and_the_server_carries_on() {
    let server = dump_server(&[]);
    let mut wrong = Vec::new();
    for (what, request) in BAD_REQUESTS {
        let responses = exchange(&server, request.as_bytes());
        let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
        if statuses != [400] {
            wrong.push(format!("{what}: got {statuses:?}"));
        }
    }
    assert_eq!(
        wrong,
        Vec::<String>::new(),
        "every one should get exactly one 400; the server's stderr:\n{}",
        server.stderr()
    );
    let mut response = agent().get(&server.url("/still-here")).call().unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("Path: /still-here")
    );
}

/// Requests a lenient parser would accept, and that two parsers may read two ways: the
/// stuff of request smuggling. Each is refused with 400 (and the connection closed).
const AMBIGUOUS_REQUESTS: &[(&str, &str)] = &[
    (
        "chunk-size line ended by a bare LF",
        "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
    ),
    (
        "chunk data ended by a bare LF",
        "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n",
    ),
    (
        "last chunk ended by a bare LF",
        "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\n\r\n",
    ),
    (
        "userinfo in an absolute-form target",
        "GET http://user@test/ HTTP/1.1\r\nHost: test\r\n\r\n",
    ),
    (
        "userinfo hiding the real host",
        "GET http://trusted.example:80@test/ HTTP/1.1\r\nHost: test\r\n\r\n",
    ),
    (
        "non-numeric port in an absolute-form target",
        "GET http://test:x/ HTTP/1.1\r\nHost: test\r\n\r\n",
    ),
    (
        "empty host in an absolute-form target",
        "GET http:///path HTTP/1.1\r\nHost: test\r\n\r\n",
    ),
];

#[test]
fn framing_and_targets_that_invite_smuggling_are_400() {
    let server = dump_server(&[]);
    let mut wrong = Vec::new();
    for (what, request) in AMBIGUOUS_REQUESTS {
        // A second request follows each one: after a 400 the server must not answer it,
        // since where it would begin is exactly what the two readings disagree about.
        let pipelined = format!("{request}GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n");
        let responses = exchange(&server, pipelined.as_bytes());
        let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
        if statuses != [400] {
            wrong.push(format!("{what}: got {statuses:?}"));
        }
    }
    assert_eq!(
        wrong,
        Vec::<String>::new(),
        "every one should get exactly one 400; the server's stderr:\n{}",
        server.stderr()
    );
    // The well-formed spellings still work.
    let fine = exchange(
        &server,
        b"POST http://test:80/ok HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\
          Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    assert_eq!(fine.len(), 1);
    assert_eq!(fine[0].status, 200);
    assert_dump_contains(&fine[0], "Path: /ok");
}

#[test]
fn unimplemented_codings_and_methods_are_501() {
    let server = dump_server(&[]);
    let gzip = "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(status_of(&server, gzip.as_bytes()), 501);
    let brew = "BREW /pot HTTP/1.1\r\nHost: test\r\n\r\n";
    assert_eq!(status_of(&server, brew.as_bytes()), 501);
    // Methods are case-sensitive: `get` is not GET.
    let lower = "get / HTTP/1.1\r\nHost: test\r\n\r\n";
    assert_eq!(status_of(&server, lower.as_bytes()), 501);
    assert_eq!(status_of(&server, get("/").as_bytes()), 200);
}

#[test]
fn http2_on_a_plain_connection_is_505() {
    let server = dump_server(&[]);
    assert_eq!(
        status_of(&server, b"GET / HTTP/2.0\r\nHost: test\r\n\r\n"),
        505
    );
    // The preface an HTTP/2 client sends when it assumes the server speaks HTTP/2.
    assert_eq!(status_of(&server, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505);
    // A later 1.x minor version is answered as 1.1 (RFC 9110 §6.2).
    assert_eq!(
        status_of(&server, b"GET / HTTP/1.7\r\nHost: test\r\n\r\n"),
        200
    );
}

// ---------------------------------------------------------------------------------------
// Time limits: slowloris, idle keep-alive, stalled bodies
// ---------------------------------------------------------------------------------------

#[test]
fn a_stalled_head_gets_408_while_other_clients_are_served() {
    let server = dump_server(&["--header-timeout", SHORT]);
    let started = Instant::now();
    let mut slow = server.connect();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: te").unwrap();

    let mut response = agent().get(&server.url("/meanwhile")).call().unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .body_mut()
            .read_to_string()
            .unwrap()
            .contains("Path: /meanwhile")
    );

    let responses = parse_responses(&read_to_close(&server, &mut slow));
    let took = started.elapsed();
    assert_statuses(&server, &responses, &[408], "a stalled head");
    assert_eq!(responses[0].header("connection"), Some("close"));
    assert!(took < SHORT_BOUND, "408 took {took:?}");
}

#[test]
fn a_trickling_head_is_cut_off_at_its_deadline() {
    let server = dump_server(&["--header-timeout", SHORT]);
    let started = Instant::now();
    let mut slow = server.connect();
    slow.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    // One header byte every 50 ms: always busy, never finished (a slowloris client).
    let trickle = b"GET / HTTP/1.1\r\nHost: test\r\nX-Slow: "
        .iter()
        .chain([b'a'; 200].iter());
    for &byte in trickle {
        if started.elapsed() > IO_TIMEOUT || slow.write_all(&[byte]).is_err() {
            break;
        }
        match slow.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(_) => {} // nothing yet
        }
    }
    received.extend(read_to_close(&server, &mut slow));
    let took = started.elapsed();
    let responses = parse_responses(&received);
    assert_statuses(&server, &responses, &[408], "a trickling head");
    assert!(took < SHORT_BOUND, "408 took {took:?}");
}

#[test]
fn an_idle_keep_alive_connection_is_closed_quietly() {
    let server = dump_server(&["--keep-alive-timeout", SHORT]);
    let mut stream = server.connect();
    stream.write_all(get("/").as_bytes()).unwrap();
    assert_eq!(read_responses(&mut stream, 1)[0].status, 200);

    let idle_since = Instant::now();
    let after = read_to_close(&server, &mut stream);
    let idle = idle_since.elapsed();
    assert_eq!(
        String::from_utf8_lossy(&after),
        "",
        "an idle close sends nothing"
    );
    assert!(
        idle >= Duration::from_millis(400) && idle < SHORT_BOUND,
        "closed after {idle:?}"
    );
}

#[test]
fn a_stalled_body_is_cut_off_with_408() {
    let server = dump_server(&["--body-timeout", SHORT]);
    let mut stream = server.connect();
    let partial = "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nonly ten b";
    let (responses, took) = send_and_wait_for_close(&server, &mut stream, partial.as_bytes());
    assert_statuses(&server, &responses, &[408], "a stalled body");
    assert!(took < SHORT_BOUND, "408 took {took:?}");
}

#[test]
fn past_the_connection_cap_a_client_gets_503() {
    let server = dump_server(&[
        "--max-connections",
        "2",
        "--header-timeout",
        "30",
        "--keep-alive-timeout",
        "30",
    ]);
    // Two idle connections fill the cap: one between requests, one that has sent nothing.
    let mut kept_alive = server.connect();
    kept_alive.write_all(get("/").as_bytes()).unwrap();
    assert_eq!(read_responses(&mut kept_alive, 1)[0].status, 200);
    let silent = server.connect();

    let mut third = server.connect();
    let responses = parse_responses(&read_to_close(&server, &mut third));
    assert_statuses(&server, &responses, &[503], "a third connection");
    assert_eq!(responses[0].header("retry-after"), Some("1"));
    server.wait_for_stderr("refused with 503", IO_TIMEOUT);

    // Once a place is free, new clients are served again.
    drop(kept_alive);
    drop(silent);
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        let request = b"GET /again HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
        let responses = exchange(&server, request);
        if responses.first().is_some_and(|r| r.status == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {responses:?}");
        thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------
// The access log
// ---------------------------------------------------------------------------------------

/// True for `21/Nov/2026 14:36:55`.
fn is_log_date(date: &str) -> bool {
    let shape = "00/Aaa/0000 00:00:00";
    date.len() == shape.len()
        && date.chars().zip(shape.chars()).all(|(c, s)| match s {
            '0' => c.is_ascii_digit(),
            'A' => c.is_ascii_uppercase(),
            'a' => c.is_ascii_lowercase(),
            _ => c == s,
        })
}

/// Finds the one log line for `quoted_request` and checks it against
/// `127.0.0.1 - - [21/Nov/2026 14:36:55] "GET / HTTP/1.1" 200 1234`; a `size` of `None`
/// accepts any positive number. Lines are looked up, not taken in order: the core logs a
/// request just after answering it, so lines of two connections may come in either order.
fn assert_logged(lines: &[String], quoted_request: &str, status: u16, size: Option<&str>) {
    let needle = format!("] \"{quoted_request}\" ");
    let matching: Vec<&String> = lines.iter().filter(|l| l.contains(&needle)).collect();
    assert_eq!(
        matching.len(),
        1,
        "one line for {quoted_request:?} in {lines:#?}"
    );
    let line = matching[0];
    let rest = line.strip_prefix("127.0.0.1 - - [");
    let date = rest.and_then(|r| r.get(..20));
    assert!(date.is_some_and(is_log_date), "bad log line: {line:?}");
    let logged_size = line.rsplit(' ').next().unwrap_or_default();
    match size {
        Some(size) => assert_eq!(logged_size, size, "in {line:?}"),
        None => assert!(logged_size.parse::<u64>().is_ok_and(|n| n > 0), "{line:?}"),
    }
    let expected = format!("{needle}{status} {logged_size}");
    assert_eq!(&rest.unwrap()[20..], expected, "in {line:?}");
}

/// Waits until stderr has `count` lines; returns them.
fn log_lines(server: &ServerProcess, count: usize) -> Vec<String> {
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        let lines: Vec<String> = server.stderr().lines().map(str::to_string).collect();
        if lines.len() >= count {
            return lines;
        }
        assert!(
            Instant::now() < deadline,
            "only {} log lines: {lines:#?}",
            lines.len()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_access_log_has_one_line_per_request_in_the_python_shape() {
    let server = dump_server(&[]);
    let agent = agent();
    let mut sizes = Vec::new();
    for path in ["/", "/docs?page=2"] {
        let response = agent.get(&server.url(path)).call().unwrap();
        sizes.push(
            response.headers()["content-length"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(
        status_of(&server, b"BREW /pot HTTP/1.1\r\nHost: test\r\n\r\n"),
        501
    );

    let lines = log_lines(&server, 3);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_logged(&lines, "GET / HTTP/1.1", 200, Some(&sizes[0]));
    assert_logged(&lines, "GET /docs?page=2 HTTP/1.1", 200, Some(&sizes[1]));
    assert_logged(&lines, "BREW /pot HTTP/1.1", 501, None);
}

#[test]
fn concurrent_connections_log_every_request_once_and_whole() {
    // Eight connections, 60 keep-alive requests each, at the same time: the log is written
    // in batches under load, and must still hold every line, whole, each once.
    let server = dump_server(&[]);
    let (clients, requests) = (8, 60);
    let workers: Vec<_> = (0..clients)
        .map(|client| {
            let base = server.url("/");
            thread::spawn(move || {
                let agent = agent();
                for request in 0..requests {
                    let path = format!("{base}c{client}/r{request}");
                    assert_eq!(agent.get(&path).call().unwrap().status(), 200);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let lines = log_lines(&server, clients * requests);
    assert_eq!(lines.len(), clients * requests);
    for client in 0..clients {
        for request in 0..requests {
            assert_logged(
                &lines,
                &format!("GET /c{client}/r{request} HTTP/1.1"),
                200,
                None,
            );
        }
    }
}

#[test]
fn hostile_request_lines_are_escaped_in_the_log() {
    let server = dump_server(&[]);
    // (raw request line, how the log must show it, status)
    let cases: &[(&[u8], &str, u16)] = &[
        (
            b"GET /say\"hi\"\\now HTTP/1.1",
            r#"GET /say\"hi\"\\now HTTP/1.1"#,
            200,
        ),
        (b"GET /caf%C3%A9 HTTP/1.1", "GET /caf%C3%A9 HTTP/1.1", 200),
        (
            b"GET /\x1b[31mred HTTP/1.1",
            r"GET /\x1b[31mred HTTP/1.1",
            400,
        ),
        (
            b"GET /caf\xc3\xa9 HTTP/1.1",
            r"GET /caf\xc3\xa9 HTTP/1.1",
            400,
        ),
        (
            b"GET /a\r127.0.0.1 - - [01/Jan/1970 00:00:00] \"GET /forged HTTP/1.1\" 200 - HTTP/1.1",
            r#"GET /a\x0d127.0.0.1 - - [01/Jan/1970 00:00:00] \"GET /forged HTTP/1.1\" 200 - HTTP/1.1"#,
            400,
        ),
    ];
    for (line, _, status) in cases {
        let mut request = line.to_vec();
        request.extend_from_slice(b"\r\nHost: test\r\n\r\n");
        assert_eq!(
            status_of(&server, &request),
            *status,
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
    // A line feed ends the request line, so text after it never reaches the log.
    let forged =
        b"GET /a\n127.0.0.1 - - [01/Jan/1970 00:00:00] \"GET /forged HTTP/1.1\" 200 -\r\n\r\n";
    assert_eq!(status_of(&server, forged), 400);

    let lines = log_lines(&server, cases.len() + 1);
    assert_eq!(lines.len(), cases.len() + 1, "{lines:#?}");
    for (_, shown, status) in cases {
        assert_logged(&lines, shown, *status, None);
    }
    assert_logged(&lines, "GET /a", 400, None);
    let stderr = server.stderr();
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\r'),
        "{stderr:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Start-up errors
// ---------------------------------------------------------------------------------------

/// Runs `lesson02-http` with `args`, expecting it to exit by itself. Name resolution for
/// `-b some.name` may take a few seconds on a machine without DNS.
fn run_to_exit(args: &[&str]) -> Finished {
    end_to_end::run_to_exit("lesson02-http", args, Duration::from_secs(30))
}

/// Asserts a failed start: exit status 1, and exactly `error: ...` then `  try: ...`.
fn assert_startup_error(finished: &Finished, error: &str, suggestion: &str) {
    assert_eq!(finished.status.code(), Some(1), "{}", finished.stderr);
    assert!(!finished.stderr.contains("panicked"), "{}", finished.stderr);
    assert_eq!(
        finished.stderr,
        format!("error: {error}\n  try: {suggestion}\n")
    );
}

#[test]
fn a_port_in_use_is_one_error_sentence_with_a_suggestion() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let finished = run_to_exit(&["--dump", &port.to_string()]);
    let other = if port == 8080 { 8081 } else { 8080 };
    assert_startup_error(
        &finished,
        &format!("port {port} on 127.0.0.1 is already in use by another program."),
        &format!("cargo run -p lesson02-http -- {other}"),
    );
    drop(taken);
}

#[test]
fn a_bad_bind_address_is_one_error_sentence() {
    let finished = run_to_exit(&["--dump", "-b", "not-an-address.invalid", "0"]);
    assert_startup_error(
        &finished,
        "'not-an-address.invalid' is not an IP address or a host name this machine can resolve.",
        "-b 127.0.0.1, -b ::1 or -b localhost",
    );
}

#[test]
fn an_address_of_another_machine_is_one_error_sentence() {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
    let finished = run_to_exit(&["--dump", "-b", "192.0.2.1", "0"]);
    assert_startup_error(
        &finished,
        "192.0.2.1 is not an address of this machine, so the server cannot listen on it.",
        "-b 127.0.0.1 (this machine only) or -b 0.0.0.0 (every interface)",
    );
}

#[test]
fn a_privileged_port_is_one_error_sentence() {
    let unprivileged_start =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    if unprivileged_start.is_ok_and(|n| n.trim().parse().is_ok_and(|n: u16| n <= 80)) {
        end_to_end::skip_unless_ci("this system lets anyone listen on port 80");
        return;
    }
    let finished = if end_to_end::running_as_root() {
        // Root may listen on port 80, so the server runs as `nobody`, as a learner's would:
        // from a copy of the binary in a temporary directory, which `nobody` may enter even
        // when the checkout is under a private home directory.
        let dir = end_to_end::TempDir::new("privileged-port");
        let copy = dir.path().join("lesson02-http");
        std::fs::copy(end_to_end::binary("lesson02-http"), &copy).unwrap();
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&copy)
            .args(["--dump", "80"])
            .current_dir(dir.path());
        end_to_end::run_command(command, Duration::from_secs(30))
    } else {
        run_to_exit(&["--dump", "80"])
    };
    assert_startup_error(
        &finished,
        "port 80 is below 1024, and only the administrator may listen there.",
        "cargo run -p lesson02-http -- 8080",
    );
}

// ---------------------------------------------------------------------------------------
// Graceful shutdown and IPv6
// ---------------------------------------------------------------------------------------

#[test]
fn ctrl_c_lets_a_request_in_flight_finish_frees_the_port_and_exits_0() {
    let mut server = dump_server(&[]);
    let mut stream = server.connect();
    let head = "POST /slow HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\
                Expect: 100-continue\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    // `100 Continue` proves the handler is reading the body: the request is in flight.
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"hello").unwrap();

    server.interrupt();
    server.wait_for_stderr("Keyboard interrupt received", IO_TIMEOUT);
    // The listening socket closes at once, while the request is still in flight.
    let deadline = Instant::now() + IO_TIMEOUT;
    while let Err(err) = TcpListener::bind(server.addr) {
        assert!(Instant::now() < deadline, "the port stayed taken: {err}");
        thread::sleep(Duration::from_millis(10));
    }
    assert!(
        server.wait_exit(Duration::ZERO).is_none(),
        "exited with a request in flight"
    );

    let (responses, _) = send_and_wait_for_close(&server, &mut stream, b"world");
    assert_eq!(responses.len(), 1, "{responses:?}");
    assert_eq!(responses[0].status, 200);
    assert_dump_contains(&responses[0], "Body: 10 bytes\nhelloworld\n");
    let status = server
        .wait_exit(IO_TIMEOUT)
        .expect("exits once the request is done");
    assert_eq!(status.code(), Some(0));
    let stderr = server.stderr();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Waits until the server has read every byte sent on `stream`: Linux shows the receive
/// queue of each socket in `/proc/net/tcp`. Elsewhere it waits a moment instead.
fn wait_until_server_has_read(server: &ServerProcess, stream: &TcpStream) {
    let server_end = format!(":{:04X}", server.addr.port());
    let client_end = format!(":{:04X}", stream.local_addr().unwrap().port());
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
            thread::sleep(Duration::from_millis(200));
            return;
        };
        // Columns: sl, local_address, rem_address, st, tx_queue:rx_queue, ...
        let unread = table.lines().find_map(|line| {
            let columns: Vec<&str> = line.split_whitespace().collect();
            let ours =
                columns.get(1)?.ends_with(&server_end) && columns.get(2)?.ends_with(&client_end);
            let rx_queue = columns.get(4)?.split(':').nth(1)?;
            ours.then(|| rx_queue.trim_start_matches('0').to_string())
        });
        if unread.as_deref() == Some("") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server never read: {unread:?}"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn ctrl_c_lets_a_request_whose_head_is_still_arriving_finish() {
    let mut server = dump_server(&[]);
    let mut stream = server.connect();
    stream.write_all(b"GET /late HTTP/1.1\r\nHost: te").unwrap();
    wait_until_server_has_read(&server, &stream);

    server.interrupt();
    // Once the port is free, shutdown has already closed the connections that were idle.
    let deadline = Instant::now() + IO_TIMEOUT;
    while TcpListener::bind(server.addr).is_err() {
        assert!(Instant::now() < deadline, "the port stayed taken");
        thread::sleep(Duration::from_millis(10));
    }
    let (responses, _) = send_and_wait_for_close(&server, &mut stream, b"st\r\n\r\n");
    assert_statuses(&server, &responses, &[200], "a head finished after Ctrl-C");
    assert_dump_contains(&responses[0], "Path: /late");
    let status = server
        .wait_exit(IO_TIMEOUT)
        .expect("exits after the request");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn ipv6_loopback_is_served() {
    if TcpListener::bind("[::1]:0").is_err() {
        end_to_end::skip_unless_ci("this machine has no IPv6 loopback (::1)");
        return;
    }
    let server = dump_server(&["-b", "::1"]);
    assert!(server.addr.is_ipv6(), "{}", server.addr);
    let mut response = agent().get(&server.url("/six")).call().unwrap();
    assert_eq!(response.status(), 200);
    let text = response.body_mut().read_to_string().unwrap();
    assert!(text.contains("Client address: [::1]:"), "{text}");
    assert!(
        text.contains(&format!("Server address: {}", server.addr)),
        "{text}"
    );
    let log = server.wait_for_stderr("\"GET /six HTTP/1.1\" 200", IO_TIMEOUT);
    assert!(log.starts_with("::1 - - ["), "{log}");
}
