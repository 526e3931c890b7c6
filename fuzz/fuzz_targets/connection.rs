//! Fuzz target: a whole connection — `serve_connection` — fed the fuzz input as the bytes a
//! client sends.
//!
//! This reaches what `parse_head` alone cannot: finding the end of each head, pipelining,
//! `Expect: 100-continue`, the Content-Length and chunked body decoders (sizes, extensions,
//! trailers, limits), skipping unread bodies, and writing responses.
//!
//! The input's first byte chooses how many bytes each read returns (so lines and chunks
//! arrive split at every place) and whether the limits are the defaults or small ones; the
//! rest is the client's byte stream. The handler reads all, part or none of each body. The
//! output must be responses: empty, or starting with `HTTP/1.1 `, and never a 500 (the
//! handler does not panic, so a 500 would mean something under it did — though libFuzzer's
//! panic hook aborts on any panic first).

#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use server_core::memory::{connection_from_fuzz_input, serve_in_memory};
use server_core::{Request, RequestBody, Response};

/// Reads all, some or none of the body, as the path's length decides; answers 200.
fn reading_handler(request: &Request, body: &mut RequestBody<'_>) -> Response {
    let _ = match request.path().len() % 3 {
        0 => body.read_to_vec(1 << 20).map(|_| ()),
        1 => body.read_exact(&mut [0; 3]),
        _ => Ok(()),
    };
    Response::new(200)
}

fuzz_target!(|data: &[u8]| {
    let Some((mut transport, config)) = connection_from_fuzz_input(data) else {
        return;
    };
    let output = &serve_in_memory(&mut transport, &config, &reading_handler);
    assert!(
        output.is_empty() || output.starts_with(b"HTTP/1.1 "),
        "the output does not start with a status line: {}",
        output.escape_ascii()
    );
    assert!(
        !output.starts_with(b"HTTP/1.1 500 ")
            && !output.windows(14).any(|w| w == b"\nHTTP/1.1 500 "),
        "a 500 was answered: {}",
        output.escape_ascii()
    );
});
