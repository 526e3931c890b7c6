//! Robustness: whatever bytes a client sends, the parser and the connection loop answer with
//! a status and never panic.
//!
//! A small seeded pseudo-random generator (no dependency, and the same cases on every run)
//! produces arbitrary bytes and mutations of valid requests — flipped, inserted and deleted
//! bytes, duplicated slices, tricky field lines — and feeds them to [`parse_head`], to
//! [`parse_chunk_size`], and through [`serve_connection`] to the chunked body decoder.
//! Every refusal must carry a status in 400..=505.
//!
//! This is the `cargo test` cousin of the fuzz targets in `fuzz/`: far fewer cases, but run
//! on every change. To explore more cases locally, raise the counts or change the seeds below.

use std::io::Read;
use std::process::{Command, Stdio};

use server_core::body::parse_chunk_size;
use server_core::memory::{MemoryTransport, connection_from_fuzz_input, serve_in_memory};
use server_core::request::parse_head;
use server_core::{Limits, Request, RequestBody, RequestError, Response, ServerConfig};

/// Cases per test. Each parser case is a few microseconds; a connection case a little more.
const PARSER_CASES: usize = 50_000;
const CONNECTION_CASES: usize = 10_000;

/// xorshift64*: a tiny pseudo-random generator, plenty for choosing mutations.
struct Rng(u64);

impl Rng {
    /// A generator whose sequence is fixed by `seed` (the seed may be any value but 0).
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (not empty), chosen at random.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Valid requests to start mutating from: every framing, version and target form.
const VALID_REQUESTS: &[&[u8]] = &[
    b"GET /index.html?lang=en HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"GET / HTTP/1.1\nHost: a\n\n",
    b"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
      4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: yes\r\n\r\n",
    b"PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
    b"POST /c HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n\
      3\r\nabc\r\n0\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET http://example.com/p?q HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    // Pipelined: the second request waits in the buffer while the first is answered.
    b"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST /skip HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
      a\r\n0123456789\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
];

/// Bytes that matter to HTTP's grammar, inserted more often than chance would.
const TRICKY_BYTES: &[u8] = b" \t\r\n:;,/?*%\"=0123456789aAfFxX\x00\x01\x1b\x7f\x80\xe9\xff";

/// Field lines that exercise every framing and validation rule.
const TRICKY_FIELD_LINES: &[&[u8]] = &[
    b"Content-Length: 5\r\n",
    b"Content-Length: 5, 6\r\n",
    b"Content-Length: 0\r\n",
    b"Content-Length: 99999999999999999999999\r\n",
    b"Content-Length: 18446744073709551615\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Transfer-Encoding: chunked, gzip\r\n",
    b"Transfer-Encoding: \r\n",
    b"Expect: 100-continue\r\n",
    b"Expect: nothing\r\n",
    b"Connection: close\r\n",
    b"Connection: keep-alive, Upgrade\r\n",
    b"Host: a b\r\n",
    b"Host: second\r\n",
    b" folded continuation\r\n",
    b"Space : before colon\r\n",
    b"X-Nul: a\x00b\r\n",
    b"X-Latin-1: caf\xe9\r\n",
    b"No colon at all\r\n",
    b": empty name\r\n",
    b"\r\n",
];

/// Chunk-size lines, valid and not, for the body decoder.
const CHUNK_SIZE_LINES: &[&[u8]] = &[
    b"0",
    b"1",
    b"a",
    b"F",
    b"10",
    b"ffffffffffffffff",
    b"10000000000000000",
    b"1;x=y",
    b"1 ;x",
    b"1;\x00",
    b"-1",
    b"",
    b" 1",
    b"zz",
    b"0x1",
];

/// Up to `max_len` bytes, half of them from [`TRICKY_BYTES`].
fn arbitrary_bytes(rng: &mut Rng, max_len: usize) -> Vec<u8> {
    let len = rng.below(max_len + 1);
    (0..len)
        .map(|_| {
            if rng.chance(50) {
                rng.pick(TRICKY_BYTES)
            } else {
                rng.next_u64() as u8
            }
        })
        .collect()
}

/// Applies one to eight random edits to `bytes`.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(7) {
            0 if at < bytes.len() => bytes[at] ^= 1 << rng.below(8),
            1 if at < bytes.len() => bytes[at] = rng.pick(TRICKY_BYTES),
            2 => bytes.insert(at, rng.pick(TRICKY_BYTES)),
            3 if at < bytes.len() => {
                let end = (at + 1 + rng.below(16)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 if at < bytes.len() => {
                let end = (at + 1 + rng.below(32)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            5 => {
                // A field line goes after a line feed, where the parser expects one.
                let after_lf = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |lf| lf + 1);
                let line = rng.pick(TRICKY_FIELD_LINES);
                bytes.splice(after_lf..after_lf, line.iter().copied());
            }
            _ => bytes.truncate(at),
        }
    }
}

/// An input for a parser: arbitrary bytes, or a valid request with mutations.
fn parser_input(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(25) {
        return arbitrary_bytes(rng, 200);
    }
    let mut bytes = rng.pick(VALID_REQUESTS).to_vec();
    mutate(rng, &mut bytes);
    bytes
}

/// Limits small enough that random inputs cross them.
fn small_limits() -> Limits {
    Limits {
        max_request_line: 40,
        max_header_bytes: 120,
        max_headers: 4,
        max_body: 16,
    }
}

/// Checks that a refusal has an error status and a message.
fn assert_is_a_proper_refusal(error: &RequestError, input: &[u8]) {
    assert!(
        (400..=505).contains(&error.status()),
        "{error:?} has status {} for b\"{}\"",
        error.status(),
        input.escape_ascii()
    );
    assert!(!error.to_string().is_empty(), "{error:?}");
}

/// Parses `input` with each set of limits and checks whatever comes back.
fn check_parse(input: &[u8]) {
    for limits in [Limits::default(), small_limits()] {
        match parse_head(input, &limits) {
            Ok(head) => {
                // Accepted heads are usable: every accessor works on them.
                assert!(!head.method.is_empty() && !head.target.is_empty());
                let _ = (head.path(), head.query(), head.request_line());
                for field in &head.headers {
                    assert_eq!(field.value_bytes().len(), field.value.chars().count());
                }
            }
            Err(error) => assert_is_a_proper_refusal(&error, input),
        }
    }
}

/// Inputs of the `parse_head` fuzz target worth replaying on every run: add each crash here
/// (see fuzz/README.md), next to an exact test of its expected answer in `parse_head.rs`.
const PARSE_HEAD_REGRESSIONS: &[&[u8]] = &[
    b"GET /index.html?lang=en HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
    b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
    b"GET / HTTP/1.0\nConnection: keep-alive\n\n",
    b"1a;name=value",
];

#[test]
fn parse_head_never_panics_on_arbitrary_or_mutated_bytes() {
    for input in PARSE_HEAD_REGRESSIONS {
        check_parse(input);
    }
    let mut rng = Rng::new(0x5eed_0001);
    for _ in 0..PARSER_CASES {
        let mut input = parser_input(&mut rng);
        check_parse(&input);
        // The connection only hands over heads that end with an empty line: try that too.
        input.extend_from_slice(b"\r\n\r\n");
        check_parse(&input);
    }
}

#[test]
fn parse_chunk_size_never_panics() {
    let mut rng = Rng::new(0x5eed_0002);
    for _ in 0..PARSER_CASES {
        let mut line = if rng.chance(25) {
            arbitrary_bytes(&mut rng, 40)
        } else {
            rng.pick(CHUNK_SIZE_LINES).to_vec()
        };
        mutate(&mut rng, &mut line);
        match parse_chunk_size(&line) {
            Ok(size) if line.iter().all(u8::is_ascii_hexdigit) => {
                assert_eq!(
                    size,
                    u64::from_str_radix(&String::from_utf8_lossy(&line), 16).unwrap()
                )
            }
            Ok(_) => {}
            Err(error) => assert_is_a_proper_refusal(&error, &line),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Through the connection loop, to reach the body decoder
// ---------------------------------------------------------------------------------------

/// Reads all, some or none of the body (chosen by the path's length, so each input decides)
/// and answers 200 with an empty body. It never panics itself: a 500 means the body did.
fn reading_handler(request: &Request, body: &mut RequestBody<'_>) -> Response {
    let _ = match request.path().len() % 3 {
        0 => body.read_to_vec(1 << 20).map(|_| ()),
        1 => body.read_exact(&mut [0; 3]),
        _ => Ok(()),
    };
    Response::new(200)
}

/// A chunked body with random sizes, extensions, data and trailers, mostly well-formed.
fn chunked_body(rng: &mut Rng) -> Vec<u8> {
    let mut body = Vec::new();
    for _ in 0..rng.below(4) {
        let data = arbitrary_bytes(rng, 20);
        let size = if rng.chance(90) {
            format!("{:x}", data.len())
        } else {
            format!("{:X}", data.len() + rng.below(3))
        };
        body.extend_from_slice(size.as_bytes());
        if rng.chance(20) {
            body.extend_from_slice(b";name=\"value\"");
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n");
    if rng.chance(30) {
        body.extend_from_slice(b"Trailer-Field: value\r\n");
    }
    body.extend_from_slice(b"\r\n");
    body
}

/// A connection's worth of input: mutated requests, chunked bodies, or arbitrary bytes.
fn connection_input(rng: &mut Rng) -> Vec<u8> {
    match rng.below(4) {
        0 => arbitrary_bytes(rng, 300),
        1 => {
            let mut bytes =
                b"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            bytes.extend(chunked_body(rng));
            if rng.chance(50) {
                mutate(rng, &mut bytes);
            }
            bytes
        }
        _ => {
            let mut bytes = Vec::new();
            for _ in 0..1 + rng.below(3) {
                bytes.extend_from_slice(rng.pick(VALID_REQUESTS));
            }
            mutate(rng, &mut bytes);
            bytes
        }
    }
}

/// The status codes of every response in `output`: each status line starts a line, because
/// the handler's bodies are empty and the error pages end with a line feed.
fn statuses(output: &[u8]) -> Vec<u16> {
    output
        .split(|&b| b == b'\n')
        .filter_map(|line| line.strip_prefix(b"HTTP/1.1 "))
        .map(|rest| {
            let code = std::str::from_utf8(&rest[..3.min(rest.len())]).unwrap_or("");
            code.parse()
                .unwrap_or_else(|_| panic!("bad status line in b\"{}\"", output.escape_ascii()))
        })
        .collect()
}

/// Serves one connection over `input` and checks every response.
fn check_connection(mut transport: MemoryTransport, input: &[u8], config: &ServerConfig) {
    let output = &serve_in_memory(&mut transport, config, &reading_handler);
    if output.is_empty() {
        return; // nothing but empty lines, or nothing at all, was sent
    }
    assert!(
        output.starts_with(b"HTTP/1.1 "),
        "input b\"{}\" gave output b\"{}\"",
        input.escape_ascii(),
        output.escape_ascii()
    );
    for status in statuses(output) {
        assert!(
            status == 100 || status == 200 || ((400..=505).contains(&status) && status != 500),
            "status {status} for input b\"{}\"; output b\"{}\"",
            input.escape_ascii(),
            output.escape_ascii()
        );
    }
}

/// Serves a connection exactly as the `connection` fuzz target does (the same decoding, from
/// `server_core::memory`), so that a fuzz input replays here unchanged.
fn check_connection_input(data: &[u8]) {
    if let Some((transport, config)) = connection_from_fuzz_input(data) {
        check_connection(transport, &data[1..], &config);
    }
}

/// Inputs of the `connection` fuzz target worth replaying on every run, in its format (the
/// first byte is the settings byte): add each crash here (see fuzz/README.md).
const CONNECTION_REGRESSIONS: &[&[u8]] = &[
    b"\x05POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
    b"\x02POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n\
      4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: 1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"\x0fPUT /big HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n",
];

/// Set in the child process that runs the connection cases.
const IN_CHILD: &str = "SERVER_CORE_ROBUSTNESS_CHILD";
const CONNECTION_TEST: &str = "the_connection_loop_and_body_decoder_never_panic";

#[test]
fn the_connection_loop_and_body_decoder_never_panic() {
    // The connection writes an access-log line per request straight to stderr, which the
    // test harness cannot capture; so the cases run in a child copy of this test binary
    // whose stderr is kept aside, and shown only if the cases fail.
    if std::env::var_os(IN_CHILD).is_none() {
        let child = Command::new(std::env::current_exe().unwrap())
            .args([CONNECTION_TEST, "--exact", "--test-threads=1"])
            .env(IN_CHILD, "1")
            .stdin(Stdio::null())
            .output()
            .expect("the test binary can run itself");
        let stdout = String::from_utf8_lossy(&child.stdout);
        let stderr = String::from_utf8_lossy(&child.stderr);
        let stderr_tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        assert!(
            child.status.success() && stdout.contains("1 passed"),
            "the connection cases failed:\n{stdout}\nlast lines of their log:\n{}",
            stderr_tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
        return;
    }

    for data in CONNECTION_REGRESSIONS {
        check_connection_input(data);
    }
    let mut rng = Rng::new(0x5eed_0003);
    for _ in 0..CONNECTION_CASES {
        let mut data = vec![rng.next_u64() as u8];
        data.extend(connection_input(&mut rng));
        check_connection_input(&data);
    }
}
