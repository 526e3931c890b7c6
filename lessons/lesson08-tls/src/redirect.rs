//! `--redirect-from PORT`: plain HTTP on a second port, answered with a redirect to HTTPS.
//!
//! A browser given `localhost:8080` tries plain HTTP. This listener answers every request
//! with `301 Moved Permanently` and `Location: https://HOST:HTTPS_PORT/same/path?query`, the
//! way sites move their visitors to HTTPS. The host is the one the client asked for (its
//! `Host` header without the port, checked to be a plain host name or address), else the
//! address this listener is bound to.

use std::net::{SocketAddr, TcpListener};

use server_core::cgi::env::host_without_port;
use server_core::cli::{self, ListenArgs};
use server_core::{Request, RequestBody, Response, Server, ServerConfig};

/// The plain-HTTP listener and the HTTPS port it points to.
pub struct Redirect {
    /// Where plain HTTP arrives.
    listener: TcpListener,
    /// The port of the HTTPS server.
    https_port: u16,
}

/// Binds the plain-HTTP port (or exits with one sentence).
pub fn listen(tls_listen: &ListenArgs, port: u16, https_port: u16) -> Redirect {
    let args = ListenArgs {
        port,
        bind: tls_listen.bind.clone(),
    };
    let listener = cli::bind(&args, env!("CARGO_PKG_NAME")).unwrap_or_else(|e| cli::exit_with(e));
    Redirect {
        listener,
        https_port,
    }
}

/// Serves the redirects on their own thread for as long as the process runs.
pub fn start(redirect: Redirect, config: ServerConfig) {
    cli::announce(&redirect.listener, "HTTP (redirecting to HTTPS)", "http");
    let https_port = redirect.https_port;
    let fallback = redirect
        .listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let handler = move |request: &Request, _: &mut RequestBody<'_>| {
        redirect_response(request, fallback, https_port)
    };
    let server = Server::new(redirect.listener, config, handler);
    std::thread::spawn(move || server.run());
}

// ANCHOR: redirect
/// `301` to the same path and query on the HTTPS port.
pub fn redirect_response(request: &Request, fallback: SocketAddr, https_port: u16) -> Response {
    let host = request
        .header("Host")
        .map(host_without_port)
        .filter(|host| is_plain_host(host))
        .map(str::to_string)
        .unwrap_or_else(|| match fallback.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        });
    let target = if request.target.starts_with('/') {
        request.target.as_str()
    } else {
        "/"
    };
    let location = format!("https://{host}:{https_port}{target}");
    Response::html(
        301,
        format!(
            "<p>This site moved to <a href=\"{0}\">{0}</a>.</p>\n",
            server_core::html::escape(&location)
        ),
    )
    .with_header("Location", location)
    .unwrap_or_else(|_| Response::error_page(400, "The request cannot be redirected"))
}
// ANCHOR_END: redirect

/// Letters, digits, `.`, `-`, `:` and brackets only: a name or an address, nothing that
/// could turn the `Location` into a link to somewhere else.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}
