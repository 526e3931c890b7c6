//! The CGI meta-variables: the request, rewritten as environment variables (RFC 3875 §4.1).
//!
//! What it teaches: a CGI script learns about its request from nothing but its environment —
//! `REQUEST_METHOD`, `QUERY_STRING`, `HTTP_COOKIE` and the rest — and its standard input,
//! which carries the body. Chapter 3 prints the table [`meta_variables`] builds.
//!
//! [`meta_variables`] is a pure function: the same request always gives the same list, in the
//! same order, and nothing is read from the server's own environment except the short
//! allow-list captured once in [`CgiOptions::inherited`]. The host uses the list as the whole
//! environment of each script (`env_clear` first); lesson 05's in-process gateway
//! (`crate::gateway`) uses the very same list as its `environ`.
//!
//! Choices made here, with the RFC section each one follows:
//! - §4.1.1 `AUTH_TYPE` and §4.1.11 `REMOTE_USER` are not set: this server authenticates
//!   nobody. §4.1.10 `REMOTE_IDENT` is not set (nobody runs identd).
//! - §4.1.2, §4.1.3 `CONTENT_LENGTH` and `CONTENT_TYPE` are set only when the request has a
//!   body. The length is the length of the body the script will read: a chunked body is
//!   de-chunked and counted by the host before the script starts, because the RFC has no way
//!   to say "length unknown".
//! - §4.1.5, §4.1.6 `PATH_INFO` (decoded) and `PATH_TRANSLATED` (`PATH_INFO` mapped into the
//!   served directory, whether or not that file exists) are set only when there is path info.
//! - §4.1.7 `QUERY_STRING` is always set, empty when there is no query, still URL-encoded;
//!   a `#fragment` a client forgot to remove is cut off.
//! - §4.1.9 `REMOTE_HOST` is the client's address: the RFC allows it in place of a name, and
//!   a DNS lookup per request would be slow and attacker-influenced.
//! - §4.1.13 `SCRIPT_NAME` is the decoded path of the script, always in its canonical
//!   spelling (`/cgi-bin/env`, even when the client wrote `/CGI-BIN/env`).
//! - §4.1.14 `SERVER_NAME` is the `Host` header without its port (IPv6 keeps its brackets);
//!   without a `Host` (HTTP/1.0), it is the address of our socket. §4.1.15 `SERVER_PORT` is the
//!   socket's port, which is the port the client really reached.
//! - §4.1.18 `HTTP_*`: one variable per request header, the name upper-cased with `-` turned
//!   into `_`. Repeated headers are joined with `, ` (`; ` for `Cookie`, the separator that
//!   header uses). These are left out:
//!   - headers whose name holds anything but letters, digits and `-` — above all `_`: a
//!     client could otherwise send `X_Forwarded_For` to forge what a proxy put in
//!     `X-Forwarded-For`, since both become `HTTP_X_FORWARDED_FOR`;
//!   - `Proxy`, always: a script that believes `HTTP_PROXY` would send its own outgoing
//!     requests through the client's proxy ("httpoxy", a family of CVEs from 2016, one per
//!     affected implementation: CVE-2016-5385 for PHP, 5386 Go, 5387 Apache httpd, 5388
//!     Tomcat, 1000109 HHVM, 1000110 Python);
//!   - `Authorization` and `Proxy-Authorization`: credentials stay with the server unless the
//!     operator passes `Authorization` on purpose ([`CgiOptions::pass_authorization`]);
//!   - `Content-Type` and `Content-Length` (already `CONTENT_TYPE` and `CONTENT_LENGTH`), and
//!     `Transfer-Encoding` (the script reads a plain, de-chunked body).
//! - Extensions that common servers also set: `REMOTE_PORT`, `REQUEST_URI` (the target as
//!   sent), `SCRIPT_FILENAME` (the script's file), `REQUEST_SCHEME` (`http` or `https`) and,
//!   over TLS only, `HTTPS=on`.
//! - Inherited from the server's own environment, and nothing else: `PATH` (so that
//!   `#!/usr/bin/env python3` finds its interpreter; a standard value when the server has
//!   none), and `LANG`, `LC_ALL`, `LC_CTYPE` and `TZ` when set — they choose how interpreters
//!   decode text and print times, and carry no secrets. Anything else the server's
//!   environment holds (tokens, passwords, `LD_PRELOAD`) never reaches a script.
//!
//! Values are bytes, not text: header values are passed exactly as the client sent them
//! ([`crate::Header::value_bytes`]), even when they are not UTF-8.

use std::ffi::OsString;
use std::net::{IpAddr, SocketAddr};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::CgiOptions;
use crate::Request;

/// The interface version every script is told (§4.1.4).
pub const GATEWAY_INTERFACE: &str = "CGI/1.1";

/// The variables copied from the server's own environment when it has them.
pub const INHERITED_VARIABLES: &[&str] = &["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"];

/// The `PATH` a script gets when the server itself has none.
pub const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// One meta-variable: its name and its value as bytes.
pub type MetaVariable = (String, Vec<u8>);

/// The script a request resolved to, and what is left of its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptTarget {
    /// The URL path of the script, decoded and canonical: `/cgi-bin/env` (`SCRIPT_NAME`).
    pub script_name: String,
    /// The script's file on disk, canonical: the program that is run (`SCRIPT_FILENAME`).
    /// Empty for an application that runs inside the server (lesson 05's gateway).
    pub script_file: PathBuf,
    /// What follows the script's name in the path, decoded: `/a/b` (`PATH_INFO`).
    pub path_info: Option<String>,
    /// `PATH_INFO` mapped into the served directory (`PATH_TRANSLATED`).
    pub path_translated: Option<PathBuf>,
}

// ANCHOR: meta_variables
/// Builds every meta-variable of one request, in a fixed order: the RFC's variables
/// (alphabetically), the common extensions, the `HTTP_*` headers in the order received, and
/// the inherited allow-list. `content_length` is `Some` exactly when the request has a body.
pub fn meta_variables(
    request: &Request,
    script: &ScriptTarget,
    content_length: Option<u64>,
    options: &CgiOptions,
) -> Vec<MetaVariable> {
    let mut vars = Vars::default();
    if let Some(length) = content_length {
        vars.set("CONTENT_LENGTH", length.to_string());
        if let Some(content_type) = request.headers.iter().find(|h| is(&h.name, "content-type")) {
            vars.set("CONTENT_TYPE", content_type.value_bytes());
        }
    }
    vars.set("GATEWAY_INTERFACE", GATEWAY_INTERFACE);
    if let Some(path_info) = &script.path_info {
        vars.set("PATH_INFO", path_info.as_str());
    }
    if let Some(translated) = &script.path_translated {
        vars.set("PATH_TRANSLATED", translated.as_os_str().as_bytes());
    }
    vars.set("QUERY_STRING", query_string(request));
    let client = canonical_ip(request.peer.ip());
    vars.set("REMOTE_ADDR", client.to_string());
    vars.set("REMOTE_HOST", client.to_string());
    vars.set("REQUEST_METHOD", request.method.as_str());
    vars.set("SCRIPT_NAME", script.script_name.as_str());
    vars.set("SERVER_NAME", server_name(request));
    vars.set("SERVER_PORT", request.local.port().to_string());
    vars.set("SERVER_PROTOCOL", request.version.as_str());
    vars.set("SERVER_SOFTWARE", options.server_software.as_str());
    vars.set("REMOTE_PORT", request.peer.port().to_string());
    // Over TLS (lesson 08): the variables Apache and nginx set, which scripts test.
    if request.tls.is_some() {
        vars.set("HTTPS", "on");
    }
    vars.set("REQUEST_SCHEME", request.scheme());
    vars.set("REQUEST_URI", request.target.as_str());
    // An in-process gateway application has no file: an empty path sets no variable.
    if !script.script_file.as_os_str().is_empty() {
        vars.set("SCRIPT_FILENAME", script.script_file.as_os_str().as_bytes());
    }
    let mut vars = vars.0;
    vars.extend(header_variables(request, options.pass_authorization));
    vars.extend(options.inherited.iter().cloned());
    vars
}
// ANCHOR_END: meta_variables

/// An ordered list of variables being built.
#[derive(Default)]
struct Vars(Vec<MetaVariable>);

impl Vars {
    fn set(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.0.push((name.to_string(), value.into()));
    }
}

/// Case-insensitive comparison of a header name with a lower-case name.
fn is(name: &str, lower: &str) -> bool {
    name.eq_ignore_ascii_case(lower)
}

/// The query string without a stray `#fragment`.
fn query_string(request: &Request) -> &str {
    let query = request.query();
    query.split('#').next().unwrap_or(query)
}

/// An IPv4 client reached through an IPv6 socket (`::ffff:1.2.3.4`) is shown as `1.2.3.4`.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

// ANCHOR: server_name
/// `SERVER_NAME`: the host the client asked for, without its port.
fn server_name(request: &Request) -> String {
    match request.header("host") {
        Some(host) if !host.is_empty() => host_without_port(host).to_string(),
        _ => address_as_host(request.local),
    }
}

/// `example.org:8000` → `example.org`; `[::1]:8000` → `[::1]`; `[::1]` → `[::1]`.
pub fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    host.split(':').next().unwrap_or(host)
}

/// The socket's own address as a host name: `127.0.0.1`, or `[::1]` for IPv6.
fn address_as_host(local: SocketAddr) -> String {
    match canonical_ip(local.ip()) {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    }
}
// ANCHOR_END: server_name

// ANCHOR: header_variables
/// The `HTTP_*` variables, merged and filtered as the module docs describe.
fn header_variables(request: &Request, pass_authorization: bool) -> Vec<MetaVariable> {
    let mut merged: Vec<MetaVariable> = Vec::new();
    for header in &request.headers {
        if !is_exported(&header.name, pass_authorization) {
            continue;
        }
        let name = format!(
            "HTTP_{}",
            header.name.to_ascii_uppercase().replace('-', "_")
        );
        let separator: &[u8] = if is(&header.name, "cookie") {
            b"; "
        } else {
            b", "
        };
        match merged.iter_mut().find(|(existing, _)| *existing == name) {
            Some((_, value)) => {
                value.extend_from_slice(separator);
                value.extend_from_slice(&header.value_bytes());
            }
            None => merged.push((name, header.value_bytes())),
        }
    }
    merged
}

/// Whether a request header becomes an `HTTP_*` variable.
pub fn is_exported(name: &str, pass_authorization: bool) -> bool {
    let plain_name =
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let never = [
        "proxy",
        "proxy-authorization",
        "content-type",
        "content-length",
        "transfer-encoding",
    ];
    plain_name
        && !never.iter().any(|n| is(name, n))
        && (pass_authorization || !is(name, "authorization"))
}
// ANCHOR_END: header_variables

/// The allow-listed variables of an environment (normally the server's own, `std::env::vars_os`),
/// with [`DEFAULT_PATH`] when it has no `PATH`.
pub fn inherited_variables(
    environment: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<MetaVariable> {
    let environment: Vec<(OsString, OsString)> = environment.into_iter().collect();
    let mut inherited = Vec::new();
    for name in INHERITED_VARIABLES {
        let value = environment
            .iter()
            .find(|(key, _)| key.as_bytes() == name.as_bytes())
            .map(|(_, value)| value.as_bytes().to_vec());
        match value {
            Some(value) => inherited.push((name.to_string(), value)),
            None if *name == "PATH" => inherited.push((name.to_string(), DEFAULT_PATH.into())),
            None => {}
        }
    }
    inherited
}

// ANCHOR: search_arguments
/// The command-line arguments of an "indexed" query (RFC 3875 §4.4): for a GET or HEAD whose
/// query has no `=`, the words between `+` signs, each URL-decoded. Any other request gets
/// none, and so does a query with an empty word (the RFC: when any part of the list cannot be
/// made, no list at all).
pub fn search_arguments(request: &Request) -> Vec<OsString> {
    let query = query_string(request);
    let indexed = matches!(request.method.as_str(), "GET" | "HEAD")
        && !query.is_empty()
        && !query.contains('=');
    if !indexed {
        return Vec::new();
    }
    let words: Vec<Vec<u8>> = query
        .split('+')
        .map(|word| percent_encoding::percent_decode_str(word).collect())
        .collect();
    if words.iter().any(|w| w.is_empty() || w.contains(&0)) {
        return Vec::new();
    }
    words
        .into_iter()
        .map(std::os::unix::ffi::OsStringExt::from_vec)
        .collect()
}
// ANCHOR_END: search_arguments

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cgi::RunAs;
    use crate::config::Limits;
    use crate::request::parse_head;
    use pretty_assertions::assert_eq;

    /// A request from 192.0.2.7:51000 to our socket 127.0.0.1:8000.
    fn request(head: &str) -> Request {
        request_between(head, "192.0.2.7:51000", "127.0.0.1:8000")
    }

    fn request_between(head: &str, peer: &str, local: &str) -> Request {
        let head = parse_head(head.as_bytes(), &Limits::default()).expect("a valid head");
        Request {
            head,
            peer: peer.parse().unwrap(),
            local: local.parse().unwrap(),
            tls: None,
        }
    }

    fn target() -> ScriptTarget {
        ScriptTarget {
            script_name: "/cgi-bin/env".into(),
            script_file: "/srv/site/cgi-bin/env".into(),
            path_info: None,
            path_translated: None,
        }
    }

    fn options() -> CgiOptions {
        CgiOptions {
            server_software: "test-server/1.0".into(),
            run_as: RunAs::ServerUser,
            inherited: vec![("PATH".into(), b"/usr/bin:/bin".to_vec())],
            ..CgiOptions::default()
        }
    }

    fn vars(head: &str) -> Vec<MetaVariable> {
        meta_variables(&request(head), &target(), None, &options())
    }

    fn get<'a>(vars: &'a [MetaVariable], name: &str) -> Option<&'a [u8]> {
        vars.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    fn text(vars: &[MetaVariable], name: &str) -> Option<String> {
        get(vars, name).map(|v| String::from_utf8_lossy(v).into_owned())
    }

    #[test]
    fn over_tls_a_script_is_told_https() {
        let mut request = request("GET /cgi-bin/env HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!(
            text(
                &meta_variables(&request, &target(), None, &options()),
                "HTTPS"
            ),
            None
        );
        request.tls = Some(std::sync::Arc::new(crate::tls::TlsInfo {
            protocol: "TLSv1.3".into(),
            cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
            alpn: Some("http/1.1".into()),
            server_name: None,
        }));
        let vars = meta_variables(&request, &target(), None, &options());
        assert_eq!(text(&vars, "HTTPS").as_deref(), Some("on"));
        assert_eq!(text(&vars, "REQUEST_SCHEME").as_deref(), Some("https"));
    }

    #[test]
    fn a_simple_get_gets_every_required_variable() {
        let vars = vars("GET /cgi-bin/env?a=1&b=2 HTTP/1.1\r\nHost: example.org:9000\r\n\r\n");
        let expected = [
            ("GATEWAY_INTERFACE", "CGI/1.1"),
            ("QUERY_STRING", "a=1&b=2"),
            ("REMOTE_ADDR", "192.0.2.7"),
            ("REMOTE_HOST", "192.0.2.7"),
            ("REQUEST_METHOD", "GET"),
            ("SCRIPT_NAME", "/cgi-bin/env"),
            ("SERVER_NAME", "example.org"),
            // The port of our socket, not the one the Host header claims.
            ("SERVER_PORT", "8000"),
            ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("SERVER_SOFTWARE", "test-server/1.0"),
            ("REMOTE_PORT", "51000"),
            ("REQUEST_SCHEME", "http"),
            ("REQUEST_URI", "/cgi-bin/env?a=1&b=2"),
            ("SCRIPT_FILENAME", "/srv/site/cgi-bin/env"),
            ("HTTP_HOST", "example.org:9000"),
            ("PATH", "/usr/bin:/bin"),
        ];
        let names: Vec<&str> = vars.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, expected.iter().map(|(n, _)| *n).collect::<Vec<_>>());
        for (name, value) in expected {
            assert_eq!(text(&vars, name).as_deref(), Some(value), "{name}");
        }
    }

    #[test]
    fn the_query_string_is_always_set_and_loses_a_fragment() {
        let none = vars("GET /cgi-bin/env HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!(text(&none, "QUERY_STRING").as_deref(), Some(""));
        let fragment = vars("GET /cgi-bin/env?x=%41+b#top HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!(text(&fragment, "QUERY_STRING").as_deref(), Some("x=%41+b"));
    }

    #[test]
    fn content_variables_appear_only_with_a_body() {
        let head = "POST /cgi-bin/env HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n\
                    Content-Length: 5\r\n\r\n";
        let with_body = meta_variables(&request(head), &target(), Some(5), &options());
        assert_eq!(text(&with_body, "CONTENT_LENGTH").as_deref(), Some("5"));
        assert_eq!(
            text(&with_body, "CONTENT_TYPE").as_deref(),
            Some("text/plain")
        );
        // Never duplicated as HTTP_* variables.
        assert_eq!(get(&with_body, "HTTP_CONTENT_TYPE"), None);
        assert_eq!(get(&with_body, "HTTP_CONTENT_LENGTH"), None);

        let without =
            vars("GET /cgi-bin/env HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n\r\n");
        assert_eq!(get(&without, "CONTENT_LENGTH"), None);
        assert_eq!(get(&without, "CONTENT_TYPE"), None);
    }

    #[test]
    fn a_chunked_body_is_announced_with_its_counted_length() {
        let head = "POST /cgi-bin/env HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
        let vars = meta_variables(&request(head), &target(), Some(42), &options());
        assert_eq!(text(&vars, "CONTENT_LENGTH").as_deref(), Some("42"));
        assert_eq!(get(&vars, "HTTP_TRANSFER_ENCODING"), None);
    }

    #[test]
    fn path_info_and_path_translated_come_together() {
        let script = ScriptTarget {
            path_info: Some("/a b/c".into()),
            path_translated: Some("/srv/site/a b/c".into()),
            ..target()
        };
        let request = request("GET /cgi-bin/env/a%20b/c HTTP/1.1\r\nHost: h\r\n\r\n");
        let with_info = meta_variables(&request, &script, None, &options());
        assert_eq!(text(&with_info, "PATH_INFO").as_deref(), Some("/a b/c"));
        assert_eq!(
            text(&with_info, "PATH_TRANSLATED").as_deref(),
            Some("/srv/site/a b/c")
        );
        let plain = vars("GET /cgi-bin/env HTTP/1.1\r\nHost: h\r\n\r\n");
        assert_eq!(get(&plain, "PATH_INFO"), None);
        assert_eq!(get(&plain, "PATH_TRANSLATED"), None);
    }

    #[test]
    fn server_name_drops_the_port_and_keeps_ipv6_brackets() {
        assert_eq!(host_without_port("example.org:8000"), "example.org");
        assert_eq!(host_without_port("example.org"), "example.org");
        assert_eq!(host_without_port("[::1]:8000"), "[::1]");
        assert_eq!(host_without_port("[::1]"), "[::1]");
        let vars = vars("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n");
        assert_eq!(text(&vars, "SERVER_NAME").as_deref(), Some("[2001:db8::1]"));
    }

    #[test]
    fn without_a_host_server_name_is_our_own_address() {
        let head = "GET /cgi-bin/env HTTP/1.0\r\n\r\n";
        let vars = meta_variables(&request(head), &target(), None, &options());
        assert_eq!(text(&vars, "SERVER_NAME").as_deref(), Some("127.0.0.1"));
        assert_eq!(text(&vars, "SERVER_PROTOCOL").as_deref(), Some("HTTP/1.0"));
        let v6 = request_between(head, "[::1]:40000", "[::1]:8000");
        let vars = meta_variables(&v6, &target(), None, &options());
        assert_eq!(text(&vars, "SERVER_NAME").as_deref(), Some("[::1]"));
        assert_eq!(text(&vars, "REMOTE_ADDR").as_deref(), Some("::1"));
    }

    #[test]
    fn an_ipv4_client_on_an_ipv6_socket_is_shown_as_ipv4() {
        let request = request_between(
            "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
            "[::ffff:192.0.2.9]:1234",
            "[::]:8000",
        );
        let vars = meta_variables(&request, &target(), None, &options());
        assert_eq!(text(&vars, "REMOTE_ADDR").as_deref(), Some("192.0.2.9"));
    }

    #[test]
    fn repeated_headers_are_merged_and_cookies_use_semicolons() {
        let vars = vars(
            "GET / HTTP/1.1\r\nHost: h\r\nAccept: text/html\r\nCookie: a=1\r\n\
             X-Trace: one\r\naccept: */*\r\nCOOKIE: b=2\r\n\r\n",
        );
        assert_eq!(
            text(&vars, "HTTP_ACCEPT").as_deref(),
            Some("text/html, */*")
        );
        assert_eq!(text(&vars, "HTTP_COOKIE").as_deref(), Some("a=1; b=2"));
        assert_eq!(text(&vars, "HTTP_X_TRACE").as_deref(), Some("one"));
        // One variable per name, at the place of the first header.
        let names: Vec<&str> = vars
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.starts_with("HTTP_"))
            .collect();
        assert_eq!(
            names,
            ["HTTP_HOST", "HTTP_ACCEPT", "HTTP_COOKIE", "HTTP_X_TRACE"]
        );
    }

    #[test]
    fn underscores_cannot_forge_a_dashed_header() {
        let vars = vars(
            "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.1\r\n\
             X_Forwarded_For: 6.6.6.6\r\nX.Dotted: 1\r\n\r\n",
        );
        assert_eq!(
            text(&vars, "HTTP_X_FORWARDED_FOR").as_deref(),
            Some("10.0.0.1")
        );
        assert!(!vars.iter().any(|(n, _)| n.contains('.')));
        assert!(!is_exported("X_Forwarded_For", true));
        assert!(!is_exported("", true));
    }

    #[test]
    fn proxy_is_never_exported_httpoxy() {
        let vars = vars("GET / HTTP/1.1\r\nHost: h\r\nProxy: http://evil.example:1\r\n\r\n");
        assert_eq!(get(&vars, "HTTP_PROXY"), None);
        assert!(!is_exported("proxy", true));
    }

    #[test]
    fn credentials_stay_with_the_server_unless_passed_on_purpose() {
        let head = "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dTpw\r\n\
                    Proxy-Authorization: Basic eDp5\r\n\r\n";
        let vars = vars(head);
        assert_eq!(get(&vars, "HTTP_AUTHORIZATION"), None);
        assert_eq!(get(&vars, "HTTP_PROXY_AUTHORIZATION"), None);
        assert_eq!(get(&vars, "AUTH_TYPE"), None);
        let passing = CgiOptions {
            pass_authorization: true,
            ..options()
        };
        let vars = meta_variables(&request(head), &target(), None, &passing);
        assert_eq!(
            text(&vars, "HTTP_AUTHORIZATION").as_deref(),
            Some("Basic dTpw")
        );
        assert_eq!(get(&vars, "HTTP_PROXY_AUTHORIZATION"), None);
    }

    #[test]
    fn header_values_keep_their_exact_bytes() {
        let mut head = b"GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf".to_vec();
        head.extend_from_slice(&[0xe9, 0xff]);
        head.extend_from_slice(b"\r\n\r\n");
        let head = parse_head(&head, &Limits::default()).unwrap();
        let request = Request {
            head,
            peer: "192.0.2.7:1".parse().unwrap(),
            local: "127.0.0.1:8000".parse().unwrap(),
            tls: None,
        };
        let vars = meta_variables(&request, &target(), None, &options());
        assert_eq!(get(&vars, "HTTP_X_NAME"), Some(&b"caf\xe9\xff"[..]));
    }

    #[test]
    fn only_the_allow_list_is_inherited() {
        let environment = [
            ("PATH", "/opt/bin"),
            ("SECRET_TOKEN", "hunter2"),
            ("LANG", "C.UTF-8"),
            ("LD_PRELOAD", "/tmp/evil.so"),
            ("HOME", "/root"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let inherited = inherited_variables(environment);
        assert_eq!(
            inherited,
            vec![
                ("PATH".to_string(), b"/opt/bin".to_vec()),
                ("LANG".to_string(), b"C.UTF-8".to_vec())
            ]
        );
        assert_eq!(
            inherited_variables([]),
            vec![("PATH".to_string(), DEFAULT_PATH.as_bytes().to_vec())]
        );
    }

    #[test]
    fn names_are_unique_and_values_hold_no_nul() {
        let vars =
            vars("GET /x?q HTTP/1.1\r\nHost: h\r\nA: 1\r\na: 2\r\nB-C: 3\r\nCookie: x\r\n\r\n");
        let mut names: Vec<&str> = vars.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
        assert!(vars.iter().all(|(_, v)| !v.contains(&0)));
    }

    #[test]
    fn an_indexed_query_becomes_command_line_words() {
        let words = |head: &str| search_arguments(&request(head));
        assert_eq!(
            words("GET /cgi-bin/s?rust+web%20server HTTP/1.1\r\nHost: h\r\n\r\n"),
            vec![OsString::from("rust"), OsString::from("web server")]
        );
        assert!(words("GET /cgi-bin/s?a=1 HTTP/1.1\r\nHost: h\r\n\r\n").is_empty());
        assert!(words("GET /cgi-bin/s HTTP/1.1\r\nHost: h\r\n\r\n").is_empty());
        assert!(words("GET /cgi-bin/s?a++b HTTP/1.1\r\nHost: h\r\n\r\n").is_empty());
        assert!(words("GET /cgi-bin/s?a%00 HTTP/1.1\r\nHost: h\r\n\r\n").is_empty());
        let post = "POST /cgi-bin/s?word HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n";
        assert!(words(post).is_empty());
    }
}
