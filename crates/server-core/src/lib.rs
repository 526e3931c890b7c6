//! The shared core of the web-server workbench.
//!
//! Every lesson binary is a thin `main.rs` on top of this crate; each module here teaches one
//! idea and names the chapter of the book that explains it.
//!
//! # Layout
//!
//! - [`cli`] — the command line all lessons share (`[PORT] -b ADDR -d DIR` plus limits), and
//!   start-up errors as one plain sentence with a suggestion.
//! - [`config`] — the limits and timeouts, with the reason for each default.
//! - [`request`] — parsing a request head (RFC 9112): request line, header fields, framing.
//! - [`body`] — reading a request body: Content-Length, chunked, `100-continue`.
//! - [`response`] — building a response with validated headers, and its body kinds.
//! - [`handler`] — the [`Handler`] trait: what the server loop asks of a lesson.
//! - [`connection`] — one connection's loop: keep-alive, pipelining, timeouts, writing.
//! - [`server`] — the accept loop, idle connections parked in `epoll`, a pool of worker
//!   threads that grows when requests are slow, the connection cap, Ctrl-C.
//! - [`dump`] — `--dump`: a response showing what was parsed (and what TLS negotiated).
//! - [`access_log`] — one escaped log line per request, like `python3 -m http.server`.
//! - [`html`] — HTML escaping and the shared error page.
//! - [`memory`] — a connection in memory, for tests, fuzzing and exercises.
//! - [`panics`] — a panicking handler becomes a 500 and one log line (`--backtrace` for more).
//! - [`static_files`] — serving a directory safely, with listings (lesson 02).
//! - [`cgi`] — a CGI/1.1 host: scripts in `cgi-bin/` run as child processes (lesson 03).
//! - [`cgi_program`] — the CGI program's side of the gateway (lesson 03): the request from
//!   environment variables and standard input, a checked header block on standard output.
//! - [`form`] — one interface over the query string and urlencoded or multipart bodies, with
//!   uploads streamed to disk (lesson 04).
//! - [`cookies`] — reading `Cookie` and writing `Set-Cookie` safely (lessons 03–04).
//! - [`tls`] — HTTPS with rustls: certificates from PEM files or made at start, the
//!   handshake, and the same connection loop on a TLS stream (lesson 08).
//! - [`gateway`] — a Rust WSGI: applications called in-process with the CGI variables as
//!   their environ, middleware, and a regex router (lessons 05–07).
//!
//! # Where this differs from a production server
//!
//! Inside a request everything blocks: reads and writes wait, with deadlines, on a worker
//! thread, and only idle connections are parked in `epoll`. nginx makes every read and write
//! non-blocking and writes its handlers as state machines; this crate keeps a handler a plain
//! function a learner can read top to bottom, and pays with a thread per request in progress.
//! It keeps everything in the standard library where it can, and favours clear refusals (400,
//! 501) over the leniency real servers grow over decades. Each module's documentation names
//! its choices.

pub mod access_log;
pub mod body;
pub mod cgi;
pub mod cgi_program;
pub mod cli;
pub mod config;
pub mod connection;
pub mod cookies;
pub mod dump;
pub mod form;
pub mod gateway;
pub mod handler;
pub mod html;
pub mod memory;
pub mod panics;
pub mod request;
pub mod response;
pub mod server;
pub mod static_files;
pub mod tls;

// ANCHOR: allocator
/// The memory allocator of every program built on this crate: mimalloc, not glibc's malloc.
///
/// A server allocates and frees small blocks on every request (header names, the environ of
/// a gateway application, log lines) from several threads. In `perf`, glibc's allocator took
/// a sixth of lesson05's time: its free lists are shared between threads behind locks, and
/// an allocation over 1 KiB first tidies ("consolidates") every freed small block. mimalloc
/// keeps free lists per thread and per page, so a block freed by the thread that allocated
/// it is reused without a lock. Measured on lesson05's hello page: 12-15% less processor
/// time per request. The price is memory held in reserve: lesson02's resident size idle went
/// from about 3.5 to 7.6 MiB, and with 256 open connections from 7 to 18 MiB (chapter
/// "Measuring"). Building without the `fast-alloc` feature brings glibc's allocator back; the
/// fuzz targets do, so that the sanitizers see every allocation.
#[cfg(feature = "fast-alloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
// ANCHOR_END: allocator

pub use body::RequestBody;
pub use config::{Limits, ServerConfig, Timeouts};
pub use handler::{Handler, Request};
pub use request::{Header, RequestError, RequestHead, Version};
pub use response::{Body, InvalidHeader, Response};
pub use server::{Server, ShutdownHandle};
