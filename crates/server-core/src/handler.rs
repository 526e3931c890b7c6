//! The contract between the server loop and the code that answers requests.
//!
//! What it teaches: the server loop knows HTTP — framing, keep-alive, limits — and nothing
//! about files or scripts; a [`Handler`] knows what to answer and nothing about sockets.
//! Every lesson from 02 on is a different handler on the same loop (chapter 2).
//!
//! A handler gets the parsed [`Request`] and its [`RequestBody`] and returns a
//! [`Response`]. A handler that panics costs its client a 500 (and the connection); the
//! server and every other client carry on.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use crate::body::RequestBody;
use crate::request::RequestHead;
use crate::response::Response;
use crate::tls::TlsInfo;

/// A parsed request, together with where it came from.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request line and header fields.
    pub head: RequestHead,
    /// The client's address (REMOTE_ADDR and REMOTE_PORT in CGI terms).
    pub peer: SocketAddr,
    /// Our own address on this connection (SERVER_PORT in CGI terms).
    pub local: SocketAddr,
    /// What TLS negotiated, when the request came over HTTPS (lesson 08); `None` over HTTP.
    pub tls: Option<Arc<TlsInfo>>,
}

impl Request {
    /// `https` over TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }
}

/// `request.method`, `request.path()` and friends read through to the head.
impl Deref for Request {
    type Target = RequestHead;

    fn deref(&self) -> &RequestHead {
        &self.head
    }
}

// ANCHOR: handler_trait
/// Answers requests. Implemented for any `Fn(&Request, &mut RequestBody) -> Response`.
pub trait Handler: Send + Sync + 'static {
    /// Produces the response to one request. Reading `body` is optional: unread body bytes
    /// are skipped (or the connection closed) by the server.
    fn handle(&self, request: &Request, body: &mut RequestBody<'_>) -> Response;
}
// ANCHOR_END: handler_trait

impl<F> Handler for F
where
    F: Fn(&Request, &mut RequestBody<'_>) -> Response + Send + Sync + 'static,
{
    fn handle(&self, request: &Request, body: &mut RequestBody<'_>) -> Response {
        self(request, body)
    }
}
