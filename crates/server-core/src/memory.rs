//! A connection in memory: the client's bytes are fixed in advance, the server's are collected.
//!
//! What it is for: driving [`serve_connection`] — the whole request loop, with keep-alive,
//! pipelining, bodies and error responses — without a socket. The robustness tests, the fuzz
//! target and the homework exercises use it to see, byte for byte, what a server sends back
//! for any input, with no port, no thread and no timing involved.
//!
//! Reads return at most `piece` bytes at a time, so a test can make every line and every
//! chunk arrive split at every position, as a slow network would deliver them. Timeouts
//! mean nothing here: a read never waits, and when the input is used up the client has
//! simply closed its side.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use crate::config::{Limits, ServerConfig};
use crate::connection::{NoHooks, Transport, serve_connection};
use crate::handler::Handler;

/// The client's end of a connection, in memory.
#[derive(Debug, Clone)]
pub struct MemoryTransport {
    /// Everything the client sends.
    input: Vec<u8>,
    /// How much of `input` the server has read.
    read_at: usize,
    /// Most bytes one read returns.
    piece: usize,
    /// Everything the server sent.
    output: Vec<u8>,
}

impl MemoryTransport {
    /// A client that sends `input` and then closes its side; reads are not split.
    pub fn new(input: impl Into<Vec<u8>>) -> Self {
        MemoryTransport {
            input: input.into(),
            read_at: 0,
            piece: usize::MAX,
            output: Vec::new(),
        }
    }

    /// Makes every read return at most `piece` bytes (at least one).
    pub fn in_pieces_of(mut self, piece: usize) -> Self {
        self.piece = piece.max(1);
        self
    }

    /// What the server has sent so far.
    pub fn output(&self) -> &[u8] {
        &self.output
    }
}

impl Read for MemoryTransport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = &self.input[self.read_at..];
        let n = rest.len().min(buf.len()).min(self.piece);
        buf[..n].copy_from_slice(&rest[..n]);
        self.read_at += n;
        Ok(n)
    }
}

impl Write for MemoryTransport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Borrowed, so the caller keeps the transport and can read its output afterwards.
impl Transport for &mut MemoryTransport {
    fn set_read_timeout(&self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
    fn set_write_timeout(&self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
    fn shutdown_write(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Serves one in-memory connection to its end and returns every byte the server sent.
pub fn serve_in_memory(
    transport: &mut MemoryTransport,
    config: &ServerConfig,
    handler: &dyn Handler,
) -> Vec<u8> {
    let peer: SocketAddr = ([127, 0, 0, 1], 40000).into();
    let local: SocketAddr = ([127, 0, 0, 1], 8000).into();
    serve_connection(&mut *transport, peer, local, config, handler, &NoHooks);
    transport.output.clone()
}

/// Decodes one input of the `connection` fuzz target (fuzz/fuzz_targets/connection.rs): the
/// first byte chooses the size of each read (its low 3 bits) and small limits (bit 3); the
/// rest is what the client sends. The robustness test replays fuzz inputs through this same
/// function, so a crash found by the fuzzer reproduces there byte for byte.
/// Returns `None` for an empty input.
pub fn connection_from_fuzz_input(data: &[u8]) -> Option<(MemoryTransport, ServerConfig)> {
    let (&settings, input) = data.split_first()?;
    let piece = [1, 2, 3, 7, 16, 64, 512, 8192][usize::from(settings & 7)];
    let mut config = ServerConfig::default();
    if settings & 8 != 0 {
        config.limits = Limits {
            max_request_line: 64,
            max_header_bytes: 256,
            max_headers: 8,
            max_body: 64,
        };
    }
    Some((MemoryTransport::new(input).in_pieces_of(piece), config))
}
