//! End-to-end tests of lesson 01: the raw TCP server that prints requests, and `--echo`.
//!
//! Each test starts the real `lesson01-echo` binary on port 0 and talks to it with ureq (for
//! the greeting a browser would see) or a raw `TcpStream` (for bytes no HTTP client sends).
//! What the server printed is read back from its stdout, polling with a deadline.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use end_to_end::{ServerProcess, agent, run_to_exit, start};
use pretty_assertions::assert_eq;

/// How long the server may take to print a request it has answered.
const PRINT_TIMEOUT: Duration = Duration::from_secs(10);

/// Waits until the server's stdout contains `needle`; returns all of it, or panics.
fn wait_for_stdout(server: &ServerProcess, needle: &str) -> String {
    server.wait_for_stdout(needle, PRINT_TIMEOUT)
}

/// Reads until the server closes the connection or `timeout` passes; returns what came.
/// A read interrupted by a signal is tried again: with a read timeout set, Linux fails
/// socket reads with EINTR whenever any signal handler runs in the test process.
fn read_to_close(stream: &mut TcpStream, timeout: Duration) -> Vec<u8> {
    let deadline = Instant::now() + timeout;
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return received;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => return received,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(err) => panic!("the connection failed: {err}, after {received:?}"),
        }
    }
}

#[test]
fn a_get_is_answered_hello_world_and_its_bytes_are_printed() {
    let server = start("lesson01-echo", &["0"]);
    let mut response = agent().get(&server.url("/hello?x=1")).call().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"].to_str().unwrap(), "13");
    assert_eq!(
        response.body_mut().read_to_string().unwrap(),
        "Hello, World!"
    );

    let printed = wait_for_stdout(&server, "END REQUEST");
    let begin = printed.find("BEGIN REQUEST\n").expect("BEGIN REQUEST line");
    let request = &printed[begin..printed.find("END REQUEST").unwrap()];
    assert!(
        request.starts_with("BEGIN REQUEST\nGET /hello?x=1 HTTP/1.1\n"),
        "{printed}"
    );
    let host = format!("host: {}\n", server.addr);
    assert!(request.to_ascii_lowercase().contains(&host), "{printed}");
    assert!(
        printed.contains(&format!("Server address: {}\n", server.addr)),
        "{printed}"
    );
    assert!(printed.contains("Client address: 127.0.0.1:"), "{printed}");
}

#[test]
fn a_post_body_appears_in_the_printout() {
    let server = start("lesson01-echo", &["0"]);
    let mut response = agent()
        .post(&server.url("/form"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("name=Ada&lang=Rust")
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.body_mut().read_to_string().unwrap(),
        "Hello, World!"
    );
    let printed = wait_for_stdout(&server, "END REQUEST");
    assert!(printed.contains("POST /form HTTP/1.1\n"), "{printed}");
    assert!(
        printed.contains("\n\nname=Ada&lang=Rust\nEND REQUEST\n"),
        "{printed}"
    );
}

#[test]
fn unprintable_bytes_are_escaped_so_the_terminal_is_safe() {
    let server = start("lesson01-echo", &["0"]);
    let mut stream = server.connect();
    let request =
        "POST /\x1b[31mred HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\ncafé\\\r\x00\x7f\u{9b}";
    stream.write_all(request.as_bytes()).unwrap();
    let answer = read_to_close(&mut stream, Duration::from_secs(10));
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
    let printed = wait_for_stdout(&server, "END REQUEST");
    assert!(!printed.contains('\x1b'), "{printed:?}");
    assert!(!printed.contains('\r'), "{printed:?}");
    assert!(
        printed.contains("POST /\\x1b[31mred HTTP/1.1\n"),
        "{printed}"
    );
    assert!(
        printed.contains("\ncaf\\xc3\\xa9\\\\\\x0d\\x00\\x7f\\xc2\\x9b\nEND REQUEST"),
        "{printed}"
    );
}

#[test]
fn half_a_head_is_printed_but_not_answered() {
    let server = start("lesson01-echo", &["0"]);
    let mut stream = server.connect();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let answer = read_to_close(&mut stream, Duration::from_secs(10));
    assert_eq!(String::from_utf8_lossy(&answer), "");
    let printed = wait_for_stdout(&server, "END REQUEST");
    assert!(
        printed.contains("GET / HTTP/1.1\nHost: x\nEND REQUEST\n"),
        "{printed}"
    );
    assert!(printed.contains("the client closed its side"), "{printed}");
}

#[test]
fn echo_mode_sends_every_byte_back() {
    let server = start("lesson01-echo", &["--echo", "0"]);
    let mut stream = server.connect();
    let every_byte: Vec<u8> = (0..=255).collect();
    let mut echoed = Vec::new();
    for piece in every_byte.chunks(100) {
        stream.write_all(piece).unwrap();
        // Read the echo of this piece before sending the next: it comes back as sent.
        let mut got = vec![0; piece.len()];
        stream.read_exact(&mut got).unwrap();
        echoed.extend_from_slice(&got);
    }
    assert_eq!(echoed, every_byte);
    stream.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_close(&mut stream, Duration::from_secs(10)), b"");

    let client = stream.local_addr().unwrap();
    let printed = wait_for_stdout(&server, "Disconnected");
    assert!(
        printed.contains(&format!("Connected: {client}\n")),
        "{printed}"
    );
    assert!(
        printed.contains(&format!(
            "Disconnected: {client} (256 bytes echoed; the client closed the connection)"
        )),
        "{printed}"
    );
}

#[test]
fn a_silent_client_is_dropped_after_the_deadline_while_others_are_served() {
    let server = start("lesson01-echo", &["0"]);
    let started = Instant::now();
    let mut silent = server.connect();

    // The silent client holds one thread; another client is served meanwhile.
    let mut response = agent().get(&server.url("/")).call().unwrap();
    assert_eq!(
        response.body_mut().read_to_string().unwrap(),
        "Hello, World!"
    );

    let answer = read_to_close(&mut silent, Duration::from_secs(30));
    let waited = started.elapsed();
    assert_eq!(answer, b"", "a client that asked nothing gets no answer");
    assert!(
        waited >= Duration::from_secs(8) && waited < Duration::from_secs(20),
        "closed after {waited:?}; the deadline is 10 s"
    );
    let printed = wait_for_stdout(&server, "deadline passed");
    assert!(
        printed.contains("BEGIN REQUEST\nEND REQUEST\n(0 bytes;"),
        "{printed}"
    );
}

#[test]
fn a_port_in_use_is_one_error_sentence_with_a_suggestion() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let finished = run_to_exit(
        "lesson01-echo",
        &[&port.to_string()],
        Duration::from_secs(30),
    );
    assert!(!finished.status.success(), "{:?}", finished.status);
    let stderr = finished.stderr;
    let suggested = if port == 8080 { 8081 } else { 8080 };
    assert_eq!(
        stderr,
        format!(
            "error: port {port} on 127.0.0.1 is already in use by another program.\n  \
             try: cargo run -p lesson01-echo -- {suggested}\n"
        )
    );
    drop(taken);
}
