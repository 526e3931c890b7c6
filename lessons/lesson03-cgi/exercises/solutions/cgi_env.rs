//! Exercise `cgi_env`: turn a request into the environment of a CGI script.
//!
//! A CGI script learns about its request from nothing but its environment variables and its
//! standard input, which carries the body (RFC 3875 §4). Chapter 3 (`book/src/ch03-cgi.md`)
//! prints the table the server builds; here you build a smaller one from a request that has
//! already been taken apart into a [`SimpleRequest`].
//!
//! You write [`cgi_environment`]: the meta-variables, as `(name, value)` pairs sorted by name.
//!
//! - Always: `GATEWAY_INTERFACE` (`CGI/1.1`), `REQUEST_METHOD`, `SCRIPT_NAME`,
//!   `QUERY_STRING` (§4.1.7: set even when there is no query, to the empty string),
//!   `SERVER_NAME`, `SERVER_PORT`, `SERVER_PROTOCOL`, `REMOTE_ADDR` and `REMOTE_PORT`.
//! - `PATH_INFO` (§4.1.5) only when the request has path info.
//! - `CONTENT_LENGTH` and `CONTENT_TYPE` (§4.1.2, §4.1.3) only when the request has a body,
//!   that is a `body_length` above 0; `CONTENT_TYPE` only if a `Content-Type` header was sent.
//! - `SERVER_NAME` (§4.1.14) is the first `Host` header without its port; an IPv6 host keeps
//!   its brackets (`[::1]:8080` gives `[::1]`). Without a `Host`, it is `server_addr`.
//! - One `HTTP_*` variable per request header (§4.1.18): `HTTP_` and the name upper-cased
//!   with each `-` turned into `_`. Header names are case-insensitive, so `Accept` and
//!   `accept` are the same header. A header sent several times becomes one variable, the
//!   values joined in order with `, ` — or with `; ` for `Cookie`, the separator that header
//!   uses. Left out:
//!   - a header whose name is empty or holds anything but ASCII letters, digits and `-` —
//!     above all `_`: `X_Forwarded_For` would otherwise forge what a proxy put in
//!     `X-Forwarded-For`, since both become `HTTP_X_FORWARDED_FOR`;
//!   - `Proxy`, always: a script that believes `HTTP_PROXY` sends its own requests through
//!     the client's proxy ("httpoxy", a family of CVEs: CVE-2016-5385 for PHP and one
//!     each for Go, Apache httpd, Tomcat, HHVM and Python);
//!   - `Authorization` and `Proxy-Authorization`: credentials stay with the server;
//!   - `Content-Type` and `Content-Length` (they are `CONTENT_TYPE` and `CONTENT_LENGTH`), and
//!     `Transfer-Encoding` (the script reads a plain body).
//!
//! Values are copied as they are: nothing is decoded, trimmed or checked.

// ANCHOR: exercise
/// A request, already taken apart by the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimpleRequest<'a> {
    /// The method: `POST`.
    pub method: &'a str,
    /// The URL path of the script: `/cgi-bin/env`.
    pub script_name: &'a str,
    /// What follows the script's name in the path: `Some("/a/b")`; `None` when nothing does.
    pub path_info: Option<&'a str>,
    /// The query, still URL-encoded: `Some("q=rust")`; `None` without a `?`.
    pub query: Option<&'a str>,
    /// The version of the request: `HTTP/1.1`.
    pub protocol: &'a str,
    /// The header fields, `(name, value)`, in the order they were sent.
    pub headers: &'a [(&'a str, &'a str)],
    /// The client's address: `127.0.0.1`.
    pub remote_addr: &'a str,
    /// The client's port.
    pub remote_port: u16,
    /// The address of the server's socket: `127.0.0.1`.
    pub server_addr: &'a str,
    /// The port of the server's socket.
    pub server_port: u16,
    /// The length of the body in bytes; 0 when there is none.
    pub body_length: usize,
}

/// The meta-variables of `request`, `(name, value)`, sorted by name.
pub fn cgi_environment(request: &SimpleRequest) -> Vec<(String, String)> {
    // ANCHOR: solution stub: todo!("set the fixed variables, then add one HTTP_ variable per header that may pass")
    use std::collections::BTreeMap;

    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let mut set = |name: &str, value: &str| env.insert(name.to_string(), value.to_string());
    set("GATEWAY_INTERFACE", "CGI/1.1");
    set("REQUEST_METHOD", request.method);
    set("SCRIPT_NAME", request.script_name);
    if let Some(path_info) = request.path_info {
        set("PATH_INFO", path_info);
    }
    set("QUERY_STRING", request.query.unwrap_or(""));
    set("SERVER_PROTOCOL", request.protocol);
    set("SERVER_PORT", &request.server_port.to_string());
    set("REMOTE_ADDR", request.remote_addr);
    set("REMOTE_PORT", &request.remote_port.to_string());

    let header = |wanted: &str| {
        request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|&(_, value)| value)
    };
    let server_name = match header("Host") {
        Some(host) if host.starts_with('[') => match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        },
        Some(host) => host.split(':').next().unwrap_or(host),
        None => request.server_addr,
    };
    set("SERVER_NAME", server_name);

    if request.body_length > 0 {
        set("CONTENT_LENGTH", &request.body_length.to_string());
        if let Some(content_type) = header("Content-Type") {
            set("CONTENT_TYPE", content_type);
        }
    }

    const LEFT_OUT: [&str; 6] = [
        "proxy",
        "authorization",
        "proxy-authorization",
        "content-type",
        "content-length",
        "transfer-encoding",
    ];
    for &(name, value) in request.headers {
        let well_formed =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !well_formed || LEFT_OUT.iter().any(|left| name.eq_ignore_ascii_case(left)) {
            continue;
        }
        let variable = format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_"));
        let separator = if variable == "HTTP_COOKIE" {
            "; "
        } else {
            ", "
        };
        env.entry(variable)
            .and_modify(|joined| {
                joined.push_str(separator);
                joined.push_str(value);
            })
            .or_insert_with(|| value.to_string());
    }
    env.into_iter().collect()
    // ANCHOR_END: solution
}
// ANCHOR_END: exercise
