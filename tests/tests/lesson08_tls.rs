//! Lesson 08's HTTPS server, end to end: the real `lesson08-tls` binary on a loopback port,
//! asked over TLS by clients that trust exactly the certificate the server made (written with
//! `--write-cert`) or was given (`--cert`/`--key`), and by clients that must be refused.
//!
//! Two TLS clients are used, both rustls on the ring provider (the one provider of the whole
//! build): `ureq`, as a real HTTP client, and a bare rustls connection ([`TlsClient`]) where
//! the test must choose the TLS versions or ALPN, see what was negotiated, or keep one
//! connection for several requests. Where a TLS client must *not* get in (TLS 1.1, plain
//! HTTP), raw bytes go over a `TcpStream`: a hand-made ClientHello, an HTTP request.
//!
//! What is proven here (issue 7):
//! - static files (bytes equal, 404, a directory listing), CGI scripts (they see `HTTPS=on`
//!   and `REQUEST_SCHEME=https`; the repository's `cgi-bin/env` shows both) and lesson 05's
//!   gateway application (URL scheme `https`) are served over TLS unchanged;
//! - seed 000's failure, as a regression test: a CGI script's whole output (223 KiB) arrives
//!   over HTTPS, byte for byte, and a 300 KiB request body reaches a script whole;
//! - `--dump` shows seed 002's `Cipher:` line: the suite and version the client negotiated
//!   (TLSv1.3, or TLSv1.2 for a TLS 1.2-only client), ALPN `http/1.1` and SNI `localhost`;
//!   ALPN never picks h2;
//! - refusals that leave the server serving: a client that does not trust the certificate,
//!   a client asking for a name the certificate is not for, plain HTTP on the TLS port (a
//!   short plain-text 400), ClientHellos limited to TLS 1.1, 1.0 or SSL 3 (and `curl
//!   --tls-max 1.1`), a client that connects and stalls the handshake;
//! - certificates from files: rcgen's (ECDSA P-256 and P-384, Ed25519, a leaf with its CA)
//!   and openssl's (EC keys in SEC1 form, an RSA key in PKCS#1 form, PKCS#8 keys) each load
//!   and serve over TLS 1.3 and 1.2 (openssl's default `req -x509` certificate, marked as a
//!   CA, is served and trusted by curl, but refused by rustls clients);
//! - refusals at start (a key of another certificate, a missing file, a file without a
//!   certificate or a key, an expired or not-yet-valid certificate, an unwritable
//!   `--write-cert`) are exit status 1 with exactly one `error:` sentence and one `try:` line;
//! - the fingerprint printed at start is the SHA-256 of the certificate written by
//!   `--write-cert` and of the one presented in the handshake (and what `openssl x509
//!   -fingerprint` says of a certificate from files);
//! - `--redirect-from PORT` answers plain HTTP with a 301 to the same path and query on
//!   HTTPS, with the client's host when it is a plain name, else the bind address (a Host
//!   with bytes no host has, such as `/`, a space or `@`, is a 400 before any redirect);
//! - keep-alive and pipelining: several requests on one TLS connection, and ureq reusing its
//!   connection.
//!
//! The `openssl` and `curl` commands are used when they exist; a test that needs one prints
//! a note and checks the rest without it. Every wait is bounded by a deadline or a count; no
//! test sleeps for a fixed time.
#![cfg(unix)]

use std::fs;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use end_to_end::{
    RawResponse, ServerProcess, TempDir, is_retryable, parse_response, parse_responses,
    read_until_close,
};
use pretty_assertions::assert_eq;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, RootCertStore, StreamOwned, SupportedProtocolVersion,
};
use sha2::{Digest, Sha256};

/// The binary under test.
const BIN: &str = "lesson08-tls";
/// How long one exchange may take before the test fails.
const IO_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a line may take to appear in the server's output or log.
const LOG_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a start-up that must fail may take.
const EXIT_TIMEOUT: Duration = Duration::from_secs(60);
/// The answer's body for plain HTTP on the TLS port, as the issue describes it: a hint.
const PLAIN_HTTP_HINT: &str =
    "This port speaks HTTPS: use https:// instead of http:// in the URL.\n";
/// What the server's log says when a connection did not become TLS.
const HANDSHAKE_FAILED: &str = "TLS handshake failed";

// ---------------------------------------------------------------------------------------
// Starting servers
// ---------------------------------------------------------------------------------------

/// A running `lesson08-tls` and the certificate it serves (as PEM).
struct Https {
    server: ServerProcess,
    /// The certificate file: written by `--write-cert`, or given with `--cert`.
    cert_path: PathBuf,
    /// Its PEM text.
    pem: Vec<u8>,
    /// The folder of the written certificate (removed on drop); none for `--cert` files.
    _certs: Option<TempDir>,
}

impl Https {
    /// Starts `lesson08-tls 0 --write-cert <tmp>/cert.pem ARGS...` in the workspace root.
    fn start(args: &[&str]) -> Https {
        let certs = TempDir::new("lesson08-cert");
        let cert_path = certs.path().join("written.pem");
        let mut all = vec!["0", "--write-cert", cert_path.to_str().expect("UTF-8 path")];
        all.extend_from_slice(args);
        let server = end_to_end::start(BIN, &all);
        // The file is written before the start-up line is printed.
        let pem = fs::read(&cert_path).expect("--write-cert wrote the certificate");
        Https {
            server,
            cert_path,
            pem,
            _certs: Some(certs),
        }
    }

    /// Starts the server with `--cert CERT --key KEY ARGS...` (and no `--write-cert`).
    fn with_files(cert: &Path, key: &Path, args: &[&str]) -> Https {
        let mut all = vec![
            "0",
            "--cert",
            cert.to_str().expect("UTF-8 path"),
            "--key",
            key.to_str().expect("UTF-8 path"),
        ];
        all.extend_from_slice(args);
        let server = end_to_end::start(BIN, &all);
        Https {
            server,
            cert_path: cert.to_path_buf(),
            pem: fs::read(cert).expect("the certificate file"),
            _certs: None,
        }
    }

    fn port(&self) -> u16 {
        self.server.addr.port()
    }

    /// `https://localhost:PORT` + `path`: the name the certificate is made for.
    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port())
    }

    /// The certificates of the PEM file.
    fn certificates(&self) -> Vec<CertificateDer<'static>> {
        certificates_of(&self.pem)
    }

    /// A ureq agent trusting exactly this server's certificate file.
    fn agent(&self) -> ureq::Agent {
        trusting_agent(&self.pem)
    }

    /// A bare rustls connection to the server, trusting its certificate, asking for
    /// `localhost` with ALPN `http/1.1`.
    fn connect(&self, versions: &[&'static SupportedProtocolVersion]) -> TlsClient {
        let config = client_config(&self.certificates(), versions, &["http/1.1"]);
        TlsClient::connect(self.server.addr, config, "localhost")
            .unwrap_or_else(|e| panic!("TLS to {}: {e}; log:\n{}", self.server.addr, self.log()))
    }

    /// The server's stderr (its access log).
    fn log(&self) -> String {
        self.server.stderr()
    }

    /// The fingerprint printed at start.
    fn printed_fingerprint(&self) -> String {
        let out = self
            .server
            .wait_for_stdout("SHA-256 fingerprint: ", LOG_TIMEOUT);
        out.lines()
            .find_map(|line| line.trim().strip_prefix("SHA-256 fingerprint: "))
            .expect("a fingerprint line")
            .to_string()
    }

    /// How many lines of the log say a handshake failed.
    fn handshake_failures(&self) -> usize {
        self.log().matches(HANDSHAKE_FAILED).count()
    }

    /// Waits until the log holds more than `before` handshake failures.
    fn wait_for_handshake_failure(&self, before: usize) {
        let deadline = Instant::now() + LOG_TIMEOUT;
        while self.handshake_failures() <= before {
            assert!(
                Instant::now() < deadline,
                "no new {HANDSHAKE_FAILED:?} line in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// One GET through a trusting ureq agent; asserts 200 and returns the body.
    fn get_ok(&self, path: &str) -> Vec<u8> {
        let mut response = self
            .agent()
            .get(&self.url(path))
            .call()
            .unwrap_or_else(|e| panic!("GET {path} over TLS: {e}; log:\n{}", self.log()));
        assert_eq!(response.status(), 200, "GET {path}; log:\n{}", self.log());
        response
            .body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_vec()
            .expect("the whole body")
    }

    /// Proves the server still serves: a fresh TLS 1.3 connection gets a 200.
    fn assert_still_serving(&self) {
        let mut client = self.connect(&[&rustls::version::TLS13]);
        client.send(&get("/", "localhost", true));
        let response = client.response(false);
        assert_eq!(response.status, 200, "{}", response.text());
    }
}

/// The ring crypto provider: the one provider of the whole build.
fn ring() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificates in a PEM text.
fn certificates_of(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .expect("PEM certificates");
    assert!(!certificates.is_empty(), "no certificate in the PEM");
    certificates
}

/// A ureq agent (rustls, ring) whose only trusted roots are the certificates of `pem`.
fn trusting_agent(pem: &[u8]) -> ureq::Agent {
    use ureq::tls::{PemItem, RootCerts, TlsConfig, TlsProvider};
    let roots: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(pem)
        .filter_map(|item| match item.expect("readable PEM") {
            PemItem::Certificate(certificate) => Some(certificate),
            _ => None,
        })
        .collect();
    assert!(!roots.is_empty(), "no certificate to trust");
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::new_with_certs(&roots))
        .unversioned_rustls_crypto_provider(ring())
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(IO_TIMEOUT))
        .max_redirects(0)
        .build()
        .into()
}

/// A rustls client configuration: these roots only, these versions, this ALPN list.
fn client_config(
    roots: &[CertificateDer<'static>],
    versions: &[&'static SupportedProtocolVersion],
    alpn: &[&str],
) -> Arc<ClientConfig> {
    let mut store = RootCertStore::empty();
    for root in roots {
        store.add(root.clone()).expect("a usable root certificate");
    }
    let mut config = ClientConfig::builder_with_provider(ring())
        .with_protocol_versions(versions)
        .expect("versions the provider supports")
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Arc::new(config)
}

/// `GET TARGET HTTP/1.1` with `Host: HOST`, and `Connection: close` when `close`.
fn get(target: &str, host: &str, close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n{connection}\r\n").into_bytes()
}

/// `AB:12:...`, as the server and `openssl x509 -fingerprint -sha256` print it.
fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The rustls error inside an I/O error, if there is one.
fn rustls_error(error: &io::Error) -> Option<&rustls::Error> {
    error.get_ref()?.downcast_ref::<rustls::Error>()
}

/// The deterministic bytes of a test file: every byte value, in a pattern that does not
/// repeat with a short period.
fn pattern(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// A bare rustls client
// ---------------------------------------------------------------------------------------

/// One TLS connection kept open across requests: responses are read one by one.
struct TlsClient {
    stream: StreamOwned<ClientConnection, TcpStream>,
    /// Plaintext received and not yet parsed as a response.
    pending: Vec<u8>,
}

impl TlsClient {
    /// Connects and completes the handshake (bounded: each round trip progresses, fails,
    /// or times out on the socket; at most 32 of them).
    fn connect(addr: SocketAddr, config: Arc<ClientConfig>, name: &str) -> io::Result<TlsClient> {
        let socket = end_to_end::connect(addr);
        let name = ServerName::try_from(name.to_string()).map_err(io::Error::other)?;
        let connection = ClientConnection::new(config, name).map_err(io::Error::other)?;
        let mut stream = StreamOwned::new(connection, socket);
        for _ in 0..32 {
            if !stream.conn.is_handshaking() {
                return Ok(TlsClient {
                    stream,
                    pending: Vec::new(),
                });
            }
            stream.conn.complete_io(&mut stream.sock)?;
        }
        Err(io::Error::other(
            "the handshake took more than 32 round trips",
        ))
    }

    /// The negotiated version as the dump names it.
    fn version(&self) -> &'static str {
        match self.stream.conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            other => panic!("an unexpected version: {other:?}"),
        }
    }

    /// The negotiated cipher suite as the dump names it (`TLS13_AES_256_GCM_SHA384`).
    fn suite(&self) -> String {
        let suite = self
            .stream
            .conn
            .negotiated_cipher_suite()
            .expect("a suite after the handshake");
        format!("{:?}", suite.suite())
    }

    /// The ALPN protocol agreed, if any.
    fn alpn(&self) -> Option<String> {
        self.stream
            .conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// The certificate the server presented (the leaf).
    fn peer_certificate(&self) -> Vec<u8> {
        self.stream
            .conn
            .peer_certificates()
            .and_then(|chain| chain.first())
            .expect("the server's certificate")
            .as_ref()
            .to_vec()
    }

    /// The client's own address (the dump's `Client address`).
    fn local_addr(&self) -> SocketAddr {
        self.stream.sock.local_addr().expect("a local address")
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("request sent over TLS");
        self.stream.flush().expect("request flushed");
    }

    /// Reads more plaintext; `Ok(false)` at a clean end (the server's close_notify).
    fn read_more(&mut self) -> io::Result<bool> {
        let mut buf = [0u8; 16 * 1024];
        match self.stream.read(&mut buf) {
            Ok(0) => Ok(false),
            Ok(n) => {
                self.pending.extend_from_slice(&buf[..n]);
                Ok(true)
            }
            Err(error) => Err(error),
        }
    }

    /// Reads the next whole response (bounded by [`IO_TIMEOUT`]).
    fn response(&mut self, is_head: bool) -> RawResponse {
        let deadline = Instant::now() + IO_TIMEOUT;
        loop {
            if let Some((response, used)) = parse_response(&self.pending, is_head, false) {
                self.pending.drain(..used);
                return response;
            }
            assert!(
                Instant::now() < deadline,
                "no whole response within {IO_TIMEOUT:?}; got {:?}",
                String::from_utf8_lossy(&self.pending)
            );
            match self.read_more() {
                Ok(true) => {}
                Ok(false) => {
                    let (response, used) = parse_response(&self.pending, is_head, true)
                        .unwrap_or_else(|| {
                            panic!(
                                "the server closed mid-response: {:?}",
                                String::from_utf8_lossy(&self.pending)
                            )
                        });
                    self.pending.drain(..used);
                    return response;
                }
                Err(error) if is_retryable(&error) => {}
                Err(error) => panic!(
                    "reading over TLS: {error}; got {:?}",
                    String::from_utf8_lossy(&self.pending)
                ),
            }
        }
    }

    /// Reads until the server ends the connection; true when it ended TLS cleanly
    /// (close_notify), false when the TCP connection just closed.
    fn read_to_end(&mut self) -> bool {
        let deadline = Instant::now() + IO_TIMEOUT;
        while Instant::now() < deadline {
            match self.read_more() {
                Ok(true) => {}
                Ok(false) => return true,
                Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return false,
                Err(error) if is_retryable(&error) => {}
                Err(error) => panic!("reading over TLS: {error}"),
            }
        }
        panic!("the server did not close within {IO_TIMEOUT:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Static files over TLS
// ---------------------------------------------------------------------------------------

/// A served folder: `file.bin` (300 KiB of varied bytes), `hello.txt`, `sub/` with two files.
fn static_tree() -> (TempDir, Vec<u8>) {
    let dir = TempDir::new("lesson08-static");
    let bytes = pattern(300 * 1024);
    fs::write(dir.path().join("file.bin"), &bytes).unwrap();
    fs::write(dir.path().join("hello.txt"), "Hello over TLS!\n").unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("sub").join("first.txt"), "1").unwrap();
    fs::write(dir.path().join("sub").join("second file.txt"), "2").unwrap();
    (dir, bytes)
}

#[test]
fn static_files_over_tls_arrive_byte_for_byte_with_404_and_a_listing() {
    let (dir, bytes) = static_tree();
    let https = Https::start(&["-d", dir.path().to_str().unwrap()]);
    let agent = https.agent();

    let body = https.get_ok("/file.bin");
    assert_eq!(body.len(), bytes.len(), "the whole file arrived");
    assert!(body == bytes, "the file's bytes arrived unchanged");
    assert_eq!(https.get_ok("/hello.txt"), b"Hello over TLS!\n");

    let mut missing = agent.get(&https.url("/no-such-file")).call().unwrap();
    assert_eq!(missing.status(), 404);
    let text = missing.body_mut().read_to_string().unwrap();
    assert!(text.contains("404"), "{text}");

    let mut listing = agent.get(&https.url("/sub/")).call().unwrap();
    assert_eq!(listing.status(), 200);
    let page = listing.body_mut().read_to_string().unwrap();
    assert!(page.contains("Directory listing for /sub/"), "{page}");
    assert!(page.contains("href=\"first.txt\""), "{page}");
    assert!(page.contains("href=\"second%20file.txt\""), "{page}");

    // The server logs requests over TLS like any others.
    let log = https
        .server
        .wait_for_stderr("\"GET /sub/ HTTP/1.1\" 200", LOG_TIMEOUT);
    assert!(log.contains("\"GET /file.bin HTTP/1.1\" 200"), "{log}");
    assert!(log.contains("\"GET /no-such-file HTTP/1.1\" 404"), "{log}");
}

#[test]
fn a_head_request_and_a_redirect_to_the_directory_slash_work_over_tls() {
    let (dir, bytes) = static_tree();
    let https = Https::start(&["-d", dir.path().to_str().unwrap()]);
    let mut client = https.connect(&[&rustls::version::TLS13]);
    client.send(b"HEAD /file.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let head = client.response(true);
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(bytes.len().to_string().as_str())
    );
    assert!(head.body.is_empty());
    client.send(&get("/sub", "localhost", true));
    let moved = client.response(false);
    assert_eq!(moved.status, 301, "{moved:?}");
    let location = moved.header("location").expect("a Location");
    assert!(location.ends_with("/sub/"), "{location}");
    assert!(
        !location.starts_with("http://"),
        "a redirect over HTTPS must not send the client to plain HTTP: {location}"
    );
}

// ---------------------------------------------------------------------------------------
// CGI over TLS
// ---------------------------------------------------------------------------------------

/// The variables a script sees that say how it was reached.
const TLS_ENV: &str = r#"#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
printf 'HTTPS=%s\n' "${HTTPS-unset}"
printf 'REQUEST_SCHEME=%s\n' "${REQUEST_SCHEME-unset}"
printf 'SERVER_PORT=%s\n' "${SERVER_PORT-unset}"
printf 'SERVER_NAME=%s\n' "${SERVER_NAME-unset}"
printf 'HTTP_HOST=%s\n' "${HTTP_HOST-unset}"
printf 'QUERY_STRING=%s\n' "${QUERY_STRING-unset}"
"#;

/// The numbers 1 to 40000, one a line: 228,894 bytes (about 223 KiB).
const BIG: &str = r#"#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
exec seq 1 40000
"#;

/// Echoes its request body.
const CAT: &str = r#"#!/bin/sh
printf 'Content-Type: application/octet-stream\r\n\r\n'
exec cat
"#;

/// What [`BIG`] prints after its header.
fn big_output() -> Vec<u8> {
    (1..=40000)
        .map(|n| format!("{n}\n"))
        .collect::<String>()
        .into_bytes()
}

/// A served folder with `cgi-bin/{tls-env,big,cat}` and a static `hello.txt`.
fn cgi_tree() -> TempDir {
    let dir = TempDir::new("lesson08-cgi");
    let bin = dir.path().join("cgi-bin");
    fs::create_dir(&bin).unwrap();
    for (name, text) in [("tls-env", TLS_ENV), ("big", BIG), ("cat", CAT)] {
        let path = bin.join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::write(dir.path().join("hello.txt"), "static next to CGI\n").unwrap();
    dir
}

/// `NAME=value` lines as pairs.
fn variables(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[test]
fn a_cgi_script_over_tls_is_told_https_on_and_the_scheme() {
    let dir = cgi_tree();
    let https = Https::start(&["--cgi", "-d", dir.path().to_str().unwrap()]);
    let body = https.get_ok("/cgi-bin/tls-env?x=1");
    let text = String::from_utf8(body).unwrap();
    let port = https.port().to_string();
    let host = format!("localhost:{port}");
    let expected: Vec<(String, String)> = [
        ("HTTPS", "on"),
        ("REQUEST_SCHEME", "https"),
        ("SERVER_PORT", port.as_str()),
        ("SERVER_NAME", "localhost"),
        ("HTTP_HOST", host.as_str()),
        ("QUERY_STRING", "x=1"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    assert_eq!(variables(&text), expected);
    // Static files are still served next to the scripts.
    assert_eq!(https.get_ok("/hello.txt"), b"static next to CGI\n");
}

#[test]
fn seed_000_a_cgi_script_over_https_returns_its_whole_output() {
    let dir = cgi_tree();
    let https = Https::start(&["--cgi", "-d", dir.path().to_str().unwrap()]);
    let expected = big_output();
    assert!(expected.len() > 200 * 1024, "{} bytes", expected.len());

    // Through ureq, as a real client.
    let body = https.get_ok("/cgi-bin/big");
    assert_eq!(
        body.len(),
        expected.len(),
        "every byte of the output arrived"
    );
    assert!(body == expected, "the output arrived unchanged");

    // Through a bare TLS connection, twice on one connection: the framing is right, and
    // the connection is still usable after the whole output.
    let mut client = https.connect(&[&rustls::version::TLS13]);
    for _ in 0..2 {
        client.send(&get("/cgi-bin/big", "localhost", false));
        let response = client.response(false);
        assert_eq!(response.status, 200, "{:?}", response.headers);
        assert_eq!(response.body.len(), expected.len());
        assert!(response.body == expected, "the output arrived unchanged");
    }
    // And over TLS 1.2.
    let mut client = https.connect(&[&rustls::version::TLS12]);
    client.send(&get("/cgi-bin/big", "localhost", true));
    let response = client.response(false);
    assert!(response.body == expected, "the output arrived unchanged");
}

#[test]
fn a_large_request_body_reaches_a_cgi_script_whole_over_tls() {
    let dir = cgi_tree();
    let https = Https::start(&["--cgi", "-d", dir.path().to_str().unwrap()]);
    let upload = pattern(300 * 1024);
    let mut response = https
        .agent()
        .post(&https.url("/cgi-bin/cat"))
        .send(&upload[..])
        .unwrap();
    assert_eq!(response.status(), 200);
    let echoed = response
        .body_mut()
        .with_config()
        .limit(16 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    assert_eq!(echoed.len(), upload.len());
    assert!(echoed == upload, "the body came back unchanged");
}

#[test]
fn the_repository_env_script_over_tls_shows_https_on() {
    let https = Https::start(&["--cgi", "-d", "."]);
    let page = String::from_utf8(https.get_ok("/cgi-bin/env")).unwrap();
    assert!(
        page.contains("<code>HTTPS</code></td><td><code>on</code>"),
        "no HTTPS=on row in:\n{page}"
    );
    assert!(
        page.contains("<code>REQUEST_SCHEME</code></td><td><code>https</code>"),
        "no REQUEST_SCHEME=https row in:\n{page}"
    );
}

// ---------------------------------------------------------------------------------------
// The gateway application over TLS
// ---------------------------------------------------------------------------------------

/// The cell of `<tr><th>LABEL</th><td>...</td></tr>` in the environment page.
fn row<'a>(page: &'a str, label: &str) -> Option<&'a str> {
    let start = format!("<tr><th>{label}</th><td>");
    page.lines()
        .find_map(|line| line.strip_prefix(start.as_str()))
        .and_then(|rest| rest.strip_suffix("</td></tr>"))
}

#[test]
fn the_gateway_environment_page_over_tls_shows_the_https_scheme() {
    let https = Https::start(&["--gateway"]);
    let page = String::from_utf8(https.get_ok("/")).unwrap();
    let port = https.port().to_string();
    assert_eq!(row(&page, "URL scheme"), Some("https"), "{page}");
    assert_eq!(row(&page, "Server port"), Some(port.as_str()), "{page}");
    assert_eq!(row(&page, "Server name"), Some("localhost"), "{page}");
    assert_eq!(
        row(&page, "Host header"),
        Some(format!("localhost:{port}").as_str()),
        "{page}"
    );
    assert_eq!(row(&page, "wsgi.url_scheme"), Some("https"), "{page}");
    assert_eq!(row(&page, "HTTPS"), Some("on"), "{page}");
    // Another route of the application.
    let hello = String::from_utf8(https.get_ok("/hello/tls")).unwrap();
    assert!(hello.contains("tls"), "{hello}");
}

// ---------------------------------------------------------------------------------------
// --dump: what TLS negotiated
// ---------------------------------------------------------------------------------------

/// The `Cipher:` line of a dump.
fn cipher_line(dump: &str) -> &str {
    dump.lines()
        .find(|line| line.starts_with("Cipher: "))
        .unwrap_or_else(|| panic!("no Cipher: line in:\n{dump}"))
}

/// One GET over a fresh connection with these versions and ALPN; the client and the dump.
fn dump_over(
    https: &Https,
    versions: &[&'static SupportedProtocolVersion],
    alpn: &[&str],
    name: &str,
) -> (TlsClient, String) {
    let config = client_config(&https.certificates(), versions, alpn);
    let mut client = TlsClient::connect(https.server.addr, config, name)
        .unwrap_or_else(|e| panic!("TLS: {e}; log:\n{}", https.log()));
    client.send(&get("/seen?by=dump", "localhost", true));
    let response = client.response(false);
    assert_eq!(response.status, 200);
    (client, response.text())
}

#[test]
fn dump_shows_tls13_the_suite_alpn_and_sni() {
    let https = Https::start(&["--dump"]);
    let (client, dump) = dump_over(&https, rustls::DEFAULT_VERSIONS, &["http/1.1"], "localhost");
    assert_eq!(client.version(), "TLSv1.3");
    assert_eq!(client.alpn().as_deref(), Some("http/1.1"));
    let expected = format!(
        "Cipher: {} TLSv1.3 (ALPN: http/1.1, SNI: localhost)",
        client.suite()
    );
    assert_eq!(cipher_line(&dump), expected);
    assert!(client.suite().starts_with("TLS13_"), "{}", client.suite());
    // Seed 002's SSL server printed the cipher on its terminal: so does the dump.
    https.server.wait_for_stdout(&expected, LOG_TIMEOUT);
    assert!(
        dump.contains("Request line: GET /seen?by=dump HTTP/1.1"),
        "{dump}"
    );
}

#[test]
fn dump_names_the_suite_the_client_chose() {
    let https = Https::start(&["--dump"]);
    // A client offering one TLS 1.3 suite only: the dump names that one.
    for suite in [
        rustls::crypto::ring::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256,
    ] {
        let mut provider = rustls::crypto::ring::default_provider();
        provider.cipher_suites = vec![suite];
        let mut store = RootCertStore::empty();
        store.add(https.certificates()[0].clone()).unwrap();
        let mut config = ClientConfig::builder_with_provider(Arc::new(provider))
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_root_certificates(store)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let mut client =
            TlsClient::connect(https.server.addr, Arc::new(config), "localhost").unwrap();
        client.send(&get("/", "localhost", true));
        let dump = client.response(false).text();
        let name = format!("{:?}", suite.suite());
        assert_eq!(
            cipher_line(&dump),
            format!("Cipher: {name} TLSv1.3 (ALPN: http/1.1, SNI: localhost)")
        );
    }
}

#[test]
fn dump_shows_tls12_for_a_tls12_only_client() {
    let https = Https::start(&["--dump"]);
    let (client, dump) = dump_over(
        &https,
        &[&rustls::version::TLS12],
        &["http/1.1"],
        "localhost",
    );
    assert_eq!(client.version(), "TLSv1.2");
    let suite = client.suite();
    // The self-signed certificate has an ECDSA key; TLS 1.2 suites name the key exchange.
    assert!(suite.starts_with("TLS_ECDHE_ECDSA_WITH_"), "{suite}");
    assert_eq!(
        cipher_line(&dump),
        format!("Cipher: {suite} TLSv1.2 (ALPN: http/1.1, SNI: localhost)")
    );
}

#[test]
fn dump_shows_no_alpn_and_no_sni_when_the_client_sends_none() {
    let https = Https::start(&["--dump"]);
    // No ALPN offered; asking by address, which sends no SNI (the certificate names
    // 127.0.0.1, so the client still trusts it).
    let (client, dump) = dump_over(&https, rustls::DEFAULT_VERSIONS, &[], "127.0.0.1");
    assert_eq!(client.alpn(), None);
    assert_eq!(
        cipher_line(&dump),
        format!("Cipher: {} TLSv1.3 (ALPN: none, SNI: none)", client.suite())
    );
}

#[test]
fn alpn_agrees_on_http11_and_never_on_h2() {
    let https = Https::start(&["--dump"]);
    let (client, dump) = dump_over(
        &https,
        rustls::DEFAULT_VERSIONS,
        &["h2", "http/1.1"],
        "localhost",
    );
    assert_eq!(client.alpn().as_deref(), Some("http/1.1"));
    assert!(cipher_line(&dump).contains("(ALPN: http/1.1,"), "{dump}");
    // A client that speaks h2 only cannot agree with a server that does not serve it:
    // the handshake fails (RFC 7301's no_application_protocol), it is not served h2.
    let before = https.handshake_failures();
    let config = client_config(&https.certificates(), rustls::DEFAULT_VERSIONS, &["h2"]);
    let refused = TlsClient::connect(https.server.addr, config, "localhost");
    let error = refused.err().expect("an h2-only client is refused");
    assert!(
        matches!(
            rustls_error(&error),
            Some(rustls::Error::AlertReceived(
                rustls::AlertDescription::NoApplicationProtocol
            ))
        ),
        "{error:?}"
    );
    https.wait_for_handshake_failure(before);
    https.assert_still_serving();
}

// ---------------------------------------------------------------------------------------
// Refusals that leave the server serving
// ---------------------------------------------------------------------------------------

#[test]
fn a_client_that_does_not_trust_the_certificate_fails_and_the_server_carries_on() {
    let https = Https::start(&["--dump"]);
    // ureq trusting another certificate (made the same way, for the same names).
    let stranger = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let before = https.handshake_failures();
    let error = trusting_agent(stranger.cert.pem().as_bytes())
        .get(&https.url("/"))
        .call()
        .expect_err("a client that does not trust the certificate must fail");
    let text = error.to_string();
    assert!(
        text.contains("UnknownIssuer") || text.contains("certificate"),
        "{text}"
    );
    https.wait_for_handshake_failure(before);

    // A bare rustls client with no roots at all fails the same way.
    let before = https.handshake_failures();
    let config = client_config(&[], rustls::DEFAULT_VERSIONS, &["http/1.1"]);
    let error = TlsClient::connect(https.server.addr, config, "localhost")
        .err()
        .expect("a client with no roots must fail");
    assert!(
        matches!(
            rustls_error(&error),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        ),
        "{error:?}"
    );
    https.wait_for_handshake_failure(before);

    // The same agent that trusts the written certificate is served.
    let dump = String::from_utf8(https.get_ok("/after")).unwrap();
    assert!(dump.contains("Request line: GET /after HTTP/1.1"), "{dump}");
}

#[test]
fn a_client_asking_for_a_name_the_certificate_is_not_for_fails() {
    let https = Https::start(&["--dump"]);
    let config = client_config(
        &https.certificates(),
        rustls::DEFAULT_VERSIONS,
        &["http/1.1"],
    );
    let error = TlsClient::connect(https.server.addr, config, "example.test")
        .err()
        .expect("the certificate is for localhost and the loopback addresses only");
    assert!(
        matches!(
            rustls_error(&error),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. }
            ))
        ),
        "{error:?}"
    );
    https.assert_still_serving();
}

#[test]
fn plain_http_on_the_tls_port_gets_a_short_plain_text_400_and_the_server_carries_on() {
    let https = Https::start(&["--dump"]);
    let bytes = end_to_end::raw_exchange(
        https.server.addr,
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert!(bytes.len() < 512, "a short answer: {} bytes", bytes.len());
    let head_end = end_to_end::find(&bytes, b"\r\n\r\n").expect("a response head") + 4;
    let (head, sent_body) = (&bytes[..head_end], &bytes[head_end..]);
    let (answer, _) = parse_response(head, true, true).expect("a parsable head");
    assert_eq!(answer.status, 400, "{:?}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(answer.header("connection"), Some("close"));
    // Everything after the head, up to the close, is the hint ...
    assert_eq!(String::from_utf8_lossy(sent_body), PLAIN_HTTP_HINT);
    // ... and Content-Length counts exactly those bytes, so a client that frames the body
    // by its length (as every client does) reads the whole hint and nothing else.
    assert_eq!(
        answer.header("content-length"),
        Some(sent_body.len().to_string().as_str()),
        "Content-Length must count the body that was sent"
    );
    https
        .server
        .wait_for_stderr("plain HTTP on the HTTPS port", LOG_TIMEOUT);

    // A real client that typed http:// sees the same 400 and the hint.
    let mut response = end_to_end::agent()
        .get(&format!("http://127.0.0.1:{}/page", https.port()))
        .call()
        .expect("a plain-HTTP answer");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.body_mut().read_to_string().unwrap(),
        PLAIN_HTTP_HINT
    );

    https.assert_still_serving();
}

/// A ClientHello offering `client_version` (with `supported_versions`, when given, listing
/// those versions), the suites a TLS 1.1-era client offers, SNI `localhost`, and the
/// signature_algorithms extension when `signature_algorithms` (TLS 1.1 clients do not send
/// it; TLS 1.2 clients must).
fn client_hello(
    client_version: u16,
    supported_versions: Option<&[u16]>,
    signature_algorithms: bool,
) -> Vec<u8> {
    fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
        out.extend(kind.to_be_bytes());
        out.extend((data.len() as u16).to_be_bytes());
        out.extend(data);
    }
    let mut body = Vec::new();
    body.extend(client_version.to_be_bytes());
    body.extend([0x5a; 32]); // random
    body.push(0); // no session id
    // ECDHE_ECDSA/RSA with AES-128-GCM (TLS 1.2), and the CBC suites of TLS 1.0 and 1.1.
    let suites: [u16; 6] = [0xC02B, 0xC02F, 0xC009, 0xC013, 0x002F, 0x0035];
    body.extend(((suites.len() * 2) as u16).to_be_bytes());
    for suite in suites {
        body.extend(suite.to_be_bytes());
    }
    body.extend([1, 0]); // compression: null only
    let mut extensions = Vec::new();
    let name = b"localhost";
    let mut sni = Vec::new();
    sni.extend(((name.len() + 3) as u16).to_be_bytes());
    sni.push(0); // host_name
    sni.extend((name.len() as u16).to_be_bytes());
    sni.extend(name);
    extension(&mut extensions, 0x0000, &sni);
    extension(&mut extensions, 0x000a, &[0, 4, 0, 0x1d, 0, 0x17]); // x25519, P-256
    extension(&mut extensions, 0x000b, &[1, 0]); // uncompressed points
    if signature_algorithms {
        // ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256
        extension(&mut extensions, 0x000d, &[0, 6, 4, 3, 8, 4, 4, 1]);
    }
    if let Some(versions) = supported_versions {
        let mut list = vec![(versions.len() * 2) as u8];
        for version in versions {
            list.extend(version.to_be_bytes());
        }
        extension(&mut extensions, 0x002b, &list);
    }
    body.extend((extensions.len() as u16).to_be_bytes());
    body.extend(extensions);
    let mut handshake = vec![1]; // ClientHello
    handshake.extend(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01]; // handshake record, as clients write it
    record.extend((handshake.len() as u16).to_be_bytes());
    record.extend(handshake);
    record
}

/// Sends `hello` on a raw connection and returns everything the server sent until it
/// closed.
fn answer_to(addr: SocketAddr, hello: &[u8]) -> Vec<u8> {
    let mut socket = end_to_end::connect(addr);
    socket.write_all(hello).expect("hello sent");
    read_until_close(&mut socket, IO_TIMEOUT).closed_by_server("the answer to a hello")
}

/// Alert descriptions of RFC 8446 §6.
const HANDSHAKE_FAILURE: u8 = 40;
const PROTOCOL_VERSION: u8 = 70;

#[test]
fn clients_limited_to_tls11_or_older_are_refused_with_an_alert() {
    let https = Https::start(&["--dump"]);
    let cases: [(&str, Vec<u8>, Option<u8>); 5] = [
        // Offering TLS 1.1, 1.0 or SSL 3 in the legacy version field, with the extensions
        // that let the server reach its version check: protocol_version.
        (
            "TLS 1.1",
            client_hello(0x0302, None, true),
            Some(PROTOCOL_VERSION),
        ),
        (
            "TLS 1.0",
            client_hello(0x0301, None, true),
            Some(PROTOCOL_VERSION),
        ),
        (
            "SSL 3.0",
            client_hello(0x0300, None, true),
            Some(PROTOCOL_VERSION),
        ),
        // The modern way to offer versions, listing 1.1 and 1.0 only.
        (
            "supported_versions 1.1, 1.0",
            client_hello(0x0303, Some(&[0x0302, 0x0301]), true),
            Some(PROTOCOL_VERSION),
        ),
        // A TLS 1.1 hello as OpenSSL's TLS 1.1 client writes it, without
        // signature_algorithms: refused too (rustls notices that first).
        (
            "TLS 1.1 without signature_algorithms",
            client_hello(0x0302, None, false),
            None,
        ),
    ];
    for (what, hello, expected) in cases {
        let before = https.handshake_failures();
        let answer = answer_to(https.server.addr, &hello);
        // One fatal alert record (type 21, 2 bytes: level 2 and a description) and the
        // close; never a ServerHello (a handshake record, type 22).
        assert_eq!(answer.len(), 7, "{what}: one alert record only: {answer:?}");
        assert_eq!(answer[0], 21, "{what}: an alert record: {answer:?}");
        assert_eq!(&answer[3..5], &[0, 2], "{what}: {answer:?}");
        assert_eq!(answer[5], 2, "{what}: a fatal alert: {answer:?}");
        match expected {
            Some(description) => assert_eq!(answer[6], description, "{what}: {answer:?}"),
            None => assert!(
                matches!(answer[6], HANDSHAKE_FAILURE | PROTOCOL_VERSION),
                "{what}: {answer:?}"
            ),
        }
        https.wait_for_handshake_failure(before);
    }
    // The same hello offering TLS 1.2 instead is answered with a ServerHello: the refusals
    // above are about the version, not about a malformed hello.
    // (Only its first record header is read: the server then waits for the client.)
    let mut socket = end_to_end::connect(https.server.addr);
    socket
        .write_all(&client_hello(0x0303, None, true))
        .expect("hello sent");
    let mut header = [0u8; 5];
    socket
        .read_exact(&mut header)
        .expect("a record from the server");
    assert_eq!(
        header[0], 22,
        "a TLS 1.2 hello gets a handshake record: {header:?}"
    );
    drop(socket);
    https.assert_still_serving();
}

/// True when `program --version` runs.
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
        || Command::new(program)
            .arg("version")
            .output()
            .is_ok_and(|out| out.status.success())
}

#[test]
fn curl_trusts_the_written_certificate_and_cannot_go_below_tls12() {
    if !have("curl") {
        end_to_end::skip_unless_ci("no curl here to try the written certificate with");
        return;
    }
    let (dir, _) = static_tree();
    let https = Https::start(&["-d", dir.path().to_str().unwrap()]);
    let cacert = https.cert_path.to_str().unwrap().to_string();
    let curl = |extra: &[&str]| {
        let mut command = Command::new("curl");
        command
            .args(["--silent", "--show-error", "--max-time", "15"])
            .args(["--cacert", &cacert])
            .args(extra)
            .arg(https.url("/hello.txt"));
        end_to_end::run_command(command, IO_TIMEOUT)
    };
    // What the start-up message suggests: curl --cacert FILE https://localhost:PORT/.
    let ok = curl(&[]);
    assert!(ok.status.success(), "curl --cacert failed: {}", ok.stderr);
    assert_eq!(ok.stdout, "Hello over TLS!\n");
    let tls12 = curl(&["--tlsv1.2", "--tls-max", "1.2"]);
    assert!(
        tls12.status.success(),
        "curl over TLS 1.2: {}",
        tls12.stderr
    );
    assert_eq!(tls12.stdout, "Hello over TLS!\n");

    let before = https.handshake_failures();
    let tls11 = curl(&["--tlsv1.1", "--tls-max", "1.1"]);
    assert!(
        !tls11.status.success(),
        "curl --tls-max 1.1 was served: {}",
        tls11.stdout
    );
    assert_eq!(tls11.stdout, "", "nothing served over TLS 1.1");
    // The local OpenSSL may refuse TLS 1.1 itself, before anything reaches the server.
    if https.handshake_failures() > before {
        eprintln!(
            "note: the server refused curl's TLS 1.1 hello: {}",
            tls11.stderr.trim()
        );
    } else {
        eprintln!(
            "note: curl's TLS 1.1 attempt may have been refused locally: {}",
            tls11.stderr.trim()
        );
    }

    // Without --cacert curl trusts only the system's CAs, not the self-signed
    // certificate: exit 60, "SSL certificate problem".
    let mut command = Command::new("curl");
    command
        .args(["--silent", "--show-error", "--max-time", "15"])
        .arg(https.url("/hello.txt"));
    let untrusted = end_to_end::run_command(command, IO_TIMEOUT);
    assert_eq!(
        untrusted.status.code(),
        Some(60),
        "curl without --cacert: {}",
        untrusted.stderr
    );
    assert_eq!(untrusted.stdout, "");
    https.assert_still_serving();
}

#[test]
fn a_stalled_handshake_is_cut_off_and_does_not_hold_up_other_clients() {
    let https = Https::start(&["--dump", "--header-timeout", "1"]);
    // One client connects and sends nothing; another sends half a record header.
    let mut silent = https.server.connect();
    let mut half = https.server.connect();
    half.write_all(&[0x16, 0x03, 0x01]).unwrap();
    // Meanwhile others are served.
    https.assert_still_serving();
    // Both are closed by the server, without an answer, not left open: the read is bounded
    // by IO_TIMEOUT, long past the 1 s header timeout, and must end by the server's close.
    for (what, socket) in [("silent", &mut silent), ("half a record", &mut half)] {
        let rest = read_until_close(socket, IO_TIMEOUT).closed_by_server(what);
        assert!(
            rest.is_empty() || rest[0] == 21,
            "{what}: only an alert, if anything: {rest:?}"
        );
    }
    let deadline = Instant::now() + LOG_TIMEOUT;
    while https.handshake_failures() < 2 {
        assert!(Instant::now() < deadline, "log:\n{}", https.log());
        std::thread::sleep(Duration::from_millis(10));
    }
    https.assert_still_serving();
}

// ---------------------------------------------------------------------------------------
// The certificate printed, written and presented
// ---------------------------------------------------------------------------------------

#[test]
fn the_printed_fingerprint_is_the_sha256_of_the_written_and_served_certificate() {
    let https = Https::start(&["--dump"]);
    let written = https.certificates();
    assert_eq!(written.len(), 1, "one self-signed certificate");
    let printed = https.printed_fingerprint();
    assert_eq!(printed, fingerprint(written[0].as_ref()));
    assert_eq!(printed.len(), 32 * 3 - 1, "{printed}");

    // The certificate in the handshake is the one written.
    let client = https.connect(rustls::DEFAULT_VERSIONS);
    assert_eq!(fingerprint(&client.peer_certificate()), printed);

    // The file holds the certificate only, never the private key.
    let text = String::from_utf8(https.pem.clone()).unwrap();
    assert!(text.starts_with("-----BEGIN CERTIFICATE-----"), "{text}");
    assert!(
        !text.contains("PRIVATE KEY"),
        "the key was written:\n{text}"
    );

    // The start-up lines say what it is and how to trust it.
    let out = https.server.stdout();
    assert!(
        out.contains("Certificate: self-signed, for 127.0.0.1, localhost, ::1\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("curl --cacert {}", https.cert_path.display())),
        "{out}"
    );

    // A new certificate is made on every start.
    let again = Https::start(&["--dump"]);
    assert_ne!(again.printed_fingerprint(), printed);
}

#[test]
fn the_fingerprint_matches_openssl_for_the_written_certificate() {
    if !have("openssl") {
        end_to_end::skip_unless_ci("no openssl here; the fingerprint is checked against sha2 only");
        return;
    }
    let https = Https::start(&["--dump"]);
    let out = openssl(&[
        "x509",
        "-in",
        https.cert_path.to_str().unwrap(),
        "-noout",
        "-fingerprint",
        "-sha256",
    ]);
    // "sha256 Fingerprint=AB:12:..." (older versions: "SHA256 Fingerprint=...").
    let theirs = out
        .trim()
        .split_once('=')
        .map(|(_, value)| value.to_string())
        .expect("openssl's fingerprint line");
    assert_eq!(theirs, https.printed_fingerprint());
}

// ---------------------------------------------------------------------------------------
// Certificates from files
// ---------------------------------------------------------------------------------------

/// Writes `cert.pem` and `key.pem` into a new temporary folder.
fn pem_files(label: &str, cert: &str, key: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new(label);
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    fs::write(&cert_path, cert).unwrap();
    fs::write(&key_path, key).unwrap();
    (dir, cert_path, key_path)
}

/// A certificate for localhost and 127.0.0.1 with a key of `algorithm`, as PEM.
fn rcgen_pair(algorithm: &'static rcgen::SignatureAlgorithm) -> (String, String) {
    let key = rcgen::KeyPair::generate_for(algorithm).unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// Serves `--dump` with these files and checks: the start-up lines name the file and print
/// its fingerprint; a client trusting `trusted_pem` gets TLS 1.3 through ureq and TLS 1.2
/// through rustls, with a TLS 1.2 suite for `kind` of key (`ECDSA` or `RSA`).
fn assert_serves_from_files(what: &str, cert: &Path, key: &Path, trusted_pem: &[u8], kind: &str) {
    let https = Https::with_files(cert, key, &["--dump"]);
    let out = https
        .server
        .wait_for_stdout("SHA-256 fingerprint", LOG_TIMEOUT);
    assert!(
        out.contains(&format!("Certificate: {}\n", cert.display())),
        "{what}: {out}"
    );
    let leaf = https.certificates()[0].clone();
    assert_eq!(
        https.printed_fingerprint(),
        fingerprint(leaf.as_ref()),
        "{what}"
    );
    assert!(
        !out.contains("browsers will warn"),
        "{what}: the self-signed advice is for made certificates: {out}"
    );

    let mut response = trusting_agent(trusted_pem)
        .get(&https.url("/from-files"))
        .call()
        .unwrap_or_else(|e| panic!("{what}: TLS 1.3 through ureq: {e}; log:\n{}", https.log()));
    assert_eq!(response.status(), 200, "{what}");
    let dump = response.body_mut().read_to_string().unwrap();
    assert!(
        cipher_line(&dump).contains(" TLSv1.3 (ALPN: none, SNI: localhost)"),
        "{what}: {dump}"
    );

    let config = client_config(
        &certificates_of(trusted_pem),
        &[&rustls::version::TLS12],
        &["http/1.1"],
    );
    let mut client = TlsClient::connect(https.server.addr, config, "localhost")
        .unwrap_or_else(|e| panic!("{what}: TLS 1.2: {e}; log:\n{}", https.log()));
    assert_eq!(fingerprint(&client.peer_certificate()), fingerprint(&leaf));
    client.send(&get("/", "localhost", true));
    let dump = client.response(false).text();
    let suite = client.suite();
    assert!(
        suite.starts_with(&format!("TLS_ECDHE_{kind}_WITH_")),
        "{what}: {suite}"
    );
    assert_eq!(
        cipher_line(&dump),
        format!("Cipher: {suite} TLSv1.2 (ALPN: http/1.1, SNI: localhost)"),
        "{what}"
    );
}

#[test]
fn rcgen_certificates_with_pkcs8_keys_load_and_serve() {
    for (what, algorithm) in [
        ("ECDSA P-256", &rcgen::PKCS_ECDSA_P256_SHA256),
        ("ECDSA P-384", &rcgen::PKCS_ECDSA_P384_SHA384),
        ("Ed25519", &rcgen::PKCS_ED25519),
    ] {
        let (cert, key) = rcgen_pair(algorithm);
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
        let (_dir, cert_path, key_path) = pem_files("lesson08-rcgen", &cert, &key);
        assert_serves_from_files(what, &cert_path, &key_path, cert.as_bytes(), "ECDSA");
    }
}

#[test]
fn python_314_names_tls_cert_and_tls_key_load_the_same_files() {
    // `python3.14 -m http.server --tls-cert cert.pem --tls-key key.pem` spells the two flags
    // this way; lesson 08 takes both spellings. (`--write-cert` saves only a certificate,
    // never a key, so the pair comes from rcgen, as mkcert would make it.)
    let (cert, key) = rcgen_pair(&rcgen::PKCS_ECDSA_P256_SHA256);
    let (dir, cert_path, key_path) = pem_files("lesson08-tls-names", &cert, &key);
    let written = dir.path().join("written.pem");
    let path = |path: &Path| path.to_str().expect("UTF-8 path").to_string();
    let server = end_to_end::start(
        BIN,
        &[
            "0",
            "--tls-cert",
            &path(&cert_path),
            "--tls-key",
            &path(&key_path),
            "--write-cert",
            &path(&written),
            "--dump",
        ],
    );
    let https = Https {
        server,
        cert_path: cert_path.clone(),
        pem: cert.clone().into_bytes(),
        _certs: None,
    };
    let out = https
        .server
        .wait_for_stdout("SHA-256 fingerprint", LOG_TIMEOUT);
    assert!(
        out.contains(&format!("Certificate: {}\n", cert_path.display())),
        "{out}"
    );
    assert_eq!(
        certificates_of(&fs::read(&written).expect("--write-cert wrote the chain")),
        https.certificates(),
        "the served certificate is the one given with --tls-cert"
    );
    let dump = String::from_utf8(https.get_ok("/python-names")).unwrap();
    assert!(dump.contains("Path: /python-names"), "{dump}");

    // Like --cert and --key, one without the other is refused before anything starts.
    let mut alone = Command::new(end_to_end::binary(BIN));
    alone.args(["0", "--tls-cert", &path(&cert_path)]);
    let finished = end_to_end::run_command(alone, EXIT_TIMEOUT);
    assert!(!finished.status.success(), "{}", finished.stderr);
    assert!(finished.stderr.contains("--key"), "{}", finished.stderr);
}

#[test]
fn a_chain_from_files_is_served_whole_to_a_client_that_trusts_only_the_ca() {
    // A CA, and a leaf for localhost signed by it (what mkcert makes).
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "lesson08 test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();

    // The certificate file holds the leaf, then the CA; the client trusts the CA only.
    let chain = format!("{}{}", leaf.pem(), ca_cert.pem());
    let (_dir, cert_path, key_path) =
        pem_files("lesson08-chain", &chain, &leaf_key.serialize_pem());
    assert_serves_from_files(
        "leaf and CA",
        &cert_path,
        &key_path,
        ca_cert.pem().as_bytes(),
        "ECDSA",
    );

    // The whole chain is sent in the handshake.
    let https = Https::with_files(&cert_path, &key_path, &["--dump"]);
    let config = client_config(
        &certificates_of(ca_cert.pem().as_bytes()),
        rustls::DEFAULT_VERSIONS,
        &["http/1.1"],
    );
    let client = TlsClient::connect(https.server.addr, config, "localhost").unwrap();
    let sent: Vec<Vec<u8>> = client
        .stream
        .conn
        .peer_certificates()
        .unwrap()
        .iter()
        .map(|c| c.as_ref().to_vec())
        .collect();
    assert_eq!(sent, vec![leaf.der().to_vec(), ca_cert.der().to_vec()]);
}

/// Runs `openssl ARGS`; its stdout. Panics with its stderr when it fails.
fn openssl(args: &[&str]) -> String {
    let mut command = Command::new("openssl");
    command.args(args);
    let done = end_to_end::run_command(command, EXIT_TIMEOUT);
    assert!(
        done.status.success(),
        "openssl {args:?} failed: {}",
        done.stderr
    );
    done.stdout
}

/// openssl's settings for a server certificate (a leaf, like mkcert's) for localhost and
/// 127.0.0.1. Without them `openssl req -x509` marks the certificate as a CA (its default
/// configuration's `v3_ca`), which rustls clients refuse as a server's certificate: see
/// [`openssl_default_ca_certificates_are_served_but_rustls_clients_refuse_them`].
const OPENSSL_LEAF_CONFIG: &str = "\
[req]
distinguished_name = subject
x509_extensions = leaf
prompt = no
[subject]
CN = localhost
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
";

/// Makes a self-signed server certificate for `key` with `openssl req -x509`, valid 7 days.
fn openssl_certificate(key: &Path, cert: &Path) {
    let config = cert.with_extension("cnf");
    fs::write(&config, OPENSSL_LEAF_CONFIG).unwrap();
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
        "-days",
        "7",
        "-config",
        config.to_str().unwrap(),
    ]);
}

#[test]
fn openssl_default_ca_certificates_are_served_but_rustls_clients_refuse_them() {
    if !have("openssl") {
        end_to_end::skip_unless_ci(
            "no openssl here; openssl's default certificates are not checked",
        );
        return;
    }
    // The one-line recipe: `openssl req -x509 -newkey ... -subj ... -addext subjectAltName=...`
    let dir = TempDir::new("lesson08-openssl-ca");
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
        "-days",
        "7",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ]);
    let text = openssl(&["x509", "-in", cert.to_str().unwrap(), "-noout", "-text"]);
    if !text.contains("CA:TRUE") {
        eprintln!("note: this openssl does not make CA certificates by default; nothing to check");
        return;
    }
    // The server loads it (it is a valid certificate with a matching key) ...
    let https = Https::with_files(&cert, &key, &["--dump"]);
    // ... curl, trusting it with --cacert, is served ...
    if !have("curl") {
        end_to_end::skip_unless_ci("no curl here to be served with an openssl certificate");
    } else {
        let mut command = Command::new("curl");
        command
            .args(["--silent", "--show-error", "--max-time", "15"])
            .args(["--cacert", cert.to_str().unwrap()])
            .arg(https.url("/curl"));
        let done = end_to_end::run_command(command, IO_TIMEOUT);
        assert!(done.status.success(), "curl: {}", done.stderr);
        assert!(
            done.stdout.contains("Request line: GET /curl HTTP/1.1"),
            "{}",
            done.stdout
        );
    }
    // ... but a rustls client refuses a CA certificate as the server's own.
    let error = https
        .agent()
        .get(&https.url("/ureq"))
        .call()
        .expect_err("webpki refuses a CA certificate as an end entity");
    assert!(error.to_string().contains("CaUsedAsEndEntity"), "{error}");
    https.server.wait_for_stderr(HANDSHAKE_FAILED, LOG_TIMEOUT);
}

#[test]
fn openssl_certificates_with_sec1_pkcs1_and_pkcs8_keys_load_and_serve() {
    if !have("openssl") {
        end_to_end::skip_unless_ci("no openssl here; keys from openssl are not checked");
        return;
    }
    // (what, how to make the key, the PEM label it must have, the TLS 1.2 suite's key kind)
    let cases: [(&str, Vec<Vec<&str>>, &str, &str); 6] = [
        (
            "EC P-256, SEC1",
            vec![vec!["ecparam", "-genkey", "-name", "prime256v1", "-noout"]],
            "EC PRIVATE KEY",
            "ECDSA",
        ),
        (
            "EC P-384, SEC1",
            vec![vec!["ecparam", "-genkey", "-name", "secp384r1", "-noout"]],
            "EC PRIVATE KEY",
            "ECDSA",
        ),
        (
            "RSA 2048, PKCS#1",
            vec![
                vec![
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                ],
                vec!["rsa", "-traditional"],
            ],
            "RSA PRIVATE KEY",
            "RSA",
        ),
        (
            "RSA 2048, PKCS#8",
            vec![vec![
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ]],
            "PRIVATE KEY",
            "RSA",
        ),
        (
            "EC P-256, PKCS#8",
            vec![vec![
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ]],
            "PRIVATE KEY",
            "ECDSA",
        ),
        (
            "Ed25519, PKCS#8",
            vec![vec!["genpkey", "-algorithm", "ED25519"]],
            "PRIVATE KEY",
            "ECDSA",
        ),
    ];
    'cases: for (what, steps, label, kind) in cases {
        let dir = TempDir::new("lesson08-openssl");
        let key = dir.path().join("key.pem");
        let cert = dir.path().join("cert.pem");
        let key_str = key.to_str().unwrap();
        for (index, step) in steps.iter().enumerate() {
            let mut args = step.clone();
            if index > 0 {
                // A conversion step reads the key and writes it back in another form.
                args.extend(["-in", key_str]);
            }
            let out = dir.path().join(format!("step{index}.pem"));
            args.extend(["-out", out.to_str().unwrap()]);
            let made = {
                let mut command = Command::new("openssl");
                command.args(&args);
                end_to_end::run_command(command, EXIT_TIMEOUT)
            };
            if !made.status.success() {
                eprintln!(
                    "note: this openssl cannot run `openssl {}`; {what} is not checked: {}",
                    args.join(" "),
                    made.stderr.trim()
                );
                continue 'cases;
            }
            fs::rename(&out, &key).unwrap();
        }
        let text = fs::read_to_string(&key).unwrap();
        assert!(
            text.starts_with(&format!("-----BEGIN {label}-----")),
            "{what}: the key is not in the form under test:\n{text}"
        );
        openssl_certificate(&key, &cert);
        let pem = fs::read(&cert).unwrap();
        assert_serves_from_files(what, &cert, &key, &pem, kind);

        // openssl's own fingerprint of the file agrees with the printed one.
        let https = Https::with_files(&cert, &key, &["--dump"]);
        let theirs = openssl(&[
            "x509",
            "-in",
            cert.to_str().unwrap(),
            "-noout",
            "-fingerprint",
            "-sha256",
        ]);
        assert_eq!(
            theirs.trim().split_once('=').map(|(_, v)| v),
            Some(https.printed_fingerprint().as_str()),
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Refusals at start
// ---------------------------------------------------------------------------------------

/// Runs `lesson08-tls 0 ARGS` (with RUST_BACKTRACE=1, to catch a panic's backtrace) and
/// checks it refused to start: exit status 1, nothing on stdout, and on stderr exactly
/// `error: <one sentence>` and `  try: <a suggestion>`. Returns the error line.
fn assert_refused(what: &str, args: &[&str]) -> String {
    let mut command = Command::new(end_to_end::binary(BIN));
    command
        .arg("0")
        .args(args)
        .current_dir(end_to_end::workspace_root())
        .env("RUST_BACKTRACE", "1");
    let done = end_to_end::run_command(command, EXIT_TIMEOUT);
    assert_eq!(
        done.status.code(),
        Some(1),
        "{what}: exit status; stderr:\n{}",
        done.stderr
    );
    assert_eq!(done.stdout, "", "{what}: nothing is announced");
    let lines: Vec<&str> = done.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "{what}: an error line and a try line:\n{}",
        done.stderr
    );
    let error = lines[0];
    assert!(error.starts_with("error: "), "{what}: {error}");
    assert!(error.ends_with('.'), "{what}: one sentence: {error}");
    assert_eq!(
        error.matches(". ").count(),
        0,
        "{what}: one sentence: {error}"
    );
    assert!(
        lines[1].trim_start().starts_with("try: "),
        "{what}: {}",
        lines[1]
    );
    for word in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(!done.stderr.contains(word), "{what}:\n{}", done.stderr);
    }
    error.to_string()
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused_at_start() {
    let (cert, _) = rcgen_pair(&rcgen::PKCS_ECDSA_P256_SHA256);
    let (_, other_key) = rcgen_pair(&rcgen::PKCS_ECDSA_P256_SHA256);
    let (_dir, cert_path, key_path) = pem_files("lesson08-mismatch", &cert, &other_key);
    let error = assert_refused(
        "a key of another certificate",
        &[
            "--cert",
            cert_path.to_str().unwrap(),
            "--key",
            key_path.to_str().unwrap(),
        ],
    );
    assert!(error.contains("does not belong"), "{error}");
    assert!(error.contains(key_path.to_str().unwrap()), "{error}");

    // A key of another kind (P-384 for a P-256 certificate) is refused the same way.
    let (_, p384_key) = rcgen_pair(&rcgen::PKCS_ECDSA_P384_SHA384);
    let (_dir2, cert_path, key_path) = pem_files("lesson08-mismatch", &cert, &p384_key);
    let error = assert_refused(
        "a key of another kind",
        &[
            "--cert",
            cert_path.to_str().unwrap(),
            "--key",
            key_path.to_str().unwrap(),
        ],
    );
    assert!(error.contains("does not belong"), "{error}");
}

#[test]
fn missing_unreadable_and_wrong_files_are_refused_at_start() {
    let (cert, key) = rcgen_pair(&rcgen::PKCS_ECDSA_P256_SHA256);
    let (dir, cert_path, key_path) = pem_files("lesson08-files", &cert, &key);
    let cert_arg = cert_path.to_str().unwrap();
    let key_arg = key_path.to_str().unwrap();
    let missing = dir.path().join("missing.pem");
    let missing_arg = missing.to_str().unwrap();
    let garbage = dir.path().join("garbage.pem");
    fs::write(&garbage, "this is not PEM at all\n").unwrap();
    let broken = dir.path().join("broken.pem");
    fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let garbage_arg = garbage.to_str().unwrap();
    let broken_arg = broken.to_str().unwrap();
    let dir_arg = dir.path().to_str().unwrap();

    let cases: [(&str, [&str; 4], &str, &str); 7] = [
        (
            "a missing certificate file",
            ["--cert", missing_arg, "--key", key_arg],
            "cannot read",
            missing_arg,
        ),
        (
            "a missing key file",
            ["--cert", cert_arg, "--key", missing_arg],
            "cannot read",
            missing_arg,
        ),
        (
            "a folder as the certificate",
            ["--cert", dir_arg, "--key", key_arg],
            "cannot read",
            dir_arg,
        ),
        (
            "a certificate file holding only a key",
            ["--cert", key_arg, "--key", key_arg],
            "holds no PEM certificate",
            key_arg,
        ),
        (
            "a certificate file that is not PEM",
            ["--cert", garbage_arg, "--key", key_arg],
            "holds no PEM certificate",
            garbage_arg,
        ),
        (
            "a certificate file with broken PEM",
            ["--cert", broken_arg, "--key", key_arg],
            "holds no PEM certificate",
            broken_arg,
        ),
        (
            "a key file holding only a certificate",
            ["--cert", cert_arg, "--key", cert_arg],
            "holds no PEM private key",
            cert_arg,
        ),
    ];
    for (what, args, says, names) in cases {
        let error = assert_refused(what, &args);
        assert!(error.contains(says), "{what}: {error}");
        assert!(error.contains(names), "{what}: {error}");
    }
}

#[test]
fn an_expired_or_not_yet_valid_certificate_is_refused_at_start() {
    for (what, not_before, not_after, year) in [
        (
            "expired",
            rcgen::date_time_ymd(2020, 1, 1),
            rcgen::date_time_ymd(2021, 1, 1),
            "2021",
        ),
        (
            "not valid yet",
            rcgen::date_time_ymd(2090, 1, 1),
            rcgen::date_time_ymd(2091, 1, 1),
            "2090",
        ),
    ] {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.not_before = not_before;
        params.not_after = not_after;
        let cert = params.self_signed(&key).unwrap();
        let (_dir, cert_path, key_path) =
            pem_files("lesson08-dates", &cert.pem(), &key.serialize_pem());
        let error = assert_refused(
            what,
            &[
                "--cert",
                cert_path.to_str().unwrap(),
                "--key",
                key_path.to_str().unwrap(),
            ],
        );
        assert!(error.contains("is not valid today"), "{what}: {error}");
        assert!(error.contains(year), "{what}: the period is shown: {error}");
    }
}

#[test]
fn an_unwritable_write_cert_path_is_refused_at_start() {
    let error = assert_refused(
        "--write-cert into a missing folder",
        &["--write-cert", "/nonexistent-lesson08/cert.pem"],
    );
    assert!(error.contains("cannot write"), "{error}");
    assert!(error.contains("/nonexistent-lesson08/cert.pem"), "{error}");
}

// ---------------------------------------------------------------------------------------
// --redirect-from
// ---------------------------------------------------------------------------------------

/// A server with `--redirect-from` on a port that was free a moment ago; another is tried
/// (at most 5 times) when something took it in between — and only then: any other failure
/// to start is this test's failure, not a reason to try again.
fn with_redirect(args: &[&str]) -> (Https, u16) {
    for _ in 0..5 {
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0").expect("a free port");
            probe.local_addr().unwrap().port()
        };
        let port_arg = port.to_string();
        let mut all = vec!["--redirect-from", port_arg.as_str()];
        all.extend_from_slice(args);
        // A taken port makes the server exit before its start-up line, which `start`
        // reports by panicking.
        match std::panic::catch_unwind(|| Https::start(&all)) {
            Ok(https) => {
                https.server.wait_for_stdout(
                    &format!("Serving HTTP (redirecting to HTTPS) on 127.0.0.1 port {port} "),
                    LOG_TIMEOUT,
                );
                return (https, port);
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("");
                if !message.contains("is already in use") {
                    std::panic::resume_unwind(panic);
                }
            }
        }
    }
    panic!("no free port for --redirect-from in 5 tries");
}

/// One plain-HTTP request to the redirect port; its response.
fn ask_plain(port: u16, request: &[u8]) -> RawResponse {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let bytes = end_to_end::raw_exchange(addr, request);
    let mut responses = parse_responses(&bytes);
    assert_eq!(
        responses.len(),
        1,
        "one response to {:?}: {:?}",
        String::from_utf8_lossy(request),
        String::from_utf8_lossy(&bytes)
    );
    responses.remove(0)
}

#[test]
fn redirect_from_answers_plain_http_with_301_to_the_same_path_on_https() {
    let (https, port) = with_redirect(&["--dump"]);
    let response = ask_plain(
        port,
        format!("GET /a/b?c=d HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(response.status, 301);
    let expected = format!("https://localhost:{}/a/b?c=d", https.port());
    assert_eq!(response.header("location"), Some(expected.as_str()));
    assert!(response.text().contains(&expected), "{}", response.text());

    // The Location works: a trusting client following it is served.
    let mut followed = https.agent().get(&expected).call().unwrap();
    assert_eq!(followed.status(), 200);
    let dump = followed.body_mut().read_to_string().unwrap();
    assert!(
        dump.contains("Request line: GET /a/b?c=d HTTP/1.1"),
        "{dump}"
    );

    // A client that follows redirects gets from http:// to the HTTPS page by itself.
    let agent: ureq::Agent = {
        use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
        let roots: Vec<ureq::tls::Certificate<'static>> = https
            .certificates()
            .iter()
            .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        ureq::Agent::config_builder()
            .tls_config(
                TlsConfig::builder()
                    .provider(TlsProvider::Rustls)
                    .root_certs(RootCerts::new_with_certs(&roots))
                    .unversioned_rustls_crypto_provider(ring())
                    .build(),
            )
            .timeout_global(Some(IO_TIMEOUT))
            .max_redirects(3)
            .build()
            .into()
    };
    let mut response = agent
        .get(&format!("http://localhost:{port}/via/redirect?x=1"))
        .call()
        .unwrap();
    assert_eq!(response.status(), 200);
    let dump = response.body_mut().read_to_string().unwrap();
    assert!(
        dump.contains("Request line: GET /via/redirect?x=1 HTTP/1.1"),
        "{dump}"
    );
    assert!(dump.contains("Cipher: "), "served over TLS: {dump}");
}

#[test]
fn redirect_from_keeps_a_plain_host_and_falls_back_to_the_bind_address_for_a_hostile_one() {
    let (https, port) = with_redirect(&["--dump"]);
    let https_port = https.port();
    let location = |host_line: &str, version: &str| {
        let request = format!("GET /a/b?c=d {version}\r\n{host_line}Connection: close\r\n\r\n");
        let response = ask_plain(port, request.as_bytes());
        assert_eq!(
            response.status,
            301,
            "{request:?}: {}; log:\n{}",
            response.text(),
            https.log()
        );
        response
            .header("location")
            .unwrap_or_else(|| panic!("{request:?}: no Location"))
            .to_string()
    };
    let fallback = format!("https://127.0.0.1:{https_port}/a/b?c=d");
    let kept = |host: &str| format!("https://{host}:{https_port}/a/b?c=d");

    // Plain names and addresses are kept (without the plain-HTTP port).
    for (host, expected) in [
        (format!("localhost:{port}"), kept("localhost")),
        ("localhost".to_string(), kept("localhost")),
        (format!("127.0.0.1:{port}"), kept("127.0.0.1")),
        (format!("[::1]:{port}"), kept("[::1]")),
        ("example.test".to_string(), kept("example.test")),
    ] {
        assert_eq!(
            location(&format!("Host: {host}\r\n"), "HTTP/1.1"),
            expected,
            "Host: {host}"
        );
    }
    // A Host the HTTP layer accepts (RFC 3986 reg-name bytes) but that is not a plain name
    // or address falls back to the bind address: the Location cannot be steered by it.
    for host in [
        "evil.example%2F",
        "evil.example%2F%2Fattacker.example",
        "evil.example;x",
        "a=b",
        "a,b",
        "(x)",
        "a_b",
        "",
    ] {
        assert_eq!(
            location(&format!("Host: {host}\r\n"), "HTTP/1.1"),
            fallback,
            "Host: {host:?}"
        );
    }
    // A Host with bytes no host can have (a slash, a space, `@`, a backslash, quotes and
    // angle brackets) never reaches the redirect: the HTTP layer answers 400 to an invalid
    // Host, as RFC 9112 §3.2 requires, and nothing points anywhere.
    for host in [
        "evil.example/x",
        "evil.example x",
        "a@b",
        "evil.example\\x",
        "\"><script>",
    ] {
        let request = format!("GET /a/b?c=d HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let response = ask_plain(port, request.as_bytes());
        assert_eq!(response.status, 400, "Host: {host:?}: {}", response.text());
        assert_eq!(response.header("location"), None, "Host: {host:?}");
        assert!(
            response.text().contains("Host"),
            "Host: {host:?}: {}",
            response.text()
        );
    }
    // No Host at all (HTTP/1.0).
    assert_eq!(location("", "HTTP/1.0"), fallback, "no Host");
}

// ---------------------------------------------------------------------------------------
// Keep-alive over TLS
// ---------------------------------------------------------------------------------------

/// The `Client address:` of a dump.
fn client_address(dump: &str) -> String {
    dump.lines()
        .find_map(|line| line.strip_prefix("Client address: "))
        .unwrap_or_else(|| panic!("no Client address in:\n{dump}"))
        .to_string()
}

#[test]
fn several_requests_share_one_tls_connection() {
    let https = Https::start(&["--dump"]);
    let mut client = https.connect(rustls::DEFAULT_VERSIONS);
    let me = client.local_addr().to_string();
    for n in 1..=5 {
        client.send(&get(&format!("/request/{n}"), "localhost", false));
        let response = client.response(false);
        assert_eq!(response.status, 200);
        let dump = response.text();
        assert!(
            dump.contains(&format!("Request line: GET /request/{n} HTTP/1.1")),
            "{dump}"
        );
        assert_eq!(client_address(&dump), me, "the same connection");
    }
    // Pipelined: three requests written at once, answered in order.
    let mut batch = Vec::new();
    for n in 6..=8 {
        batch.extend(get(&format!("/pipelined/{n}"), "localhost", false));
    }
    client.send(&batch);
    for n in 6..=8 {
        let dump = client.response(false).text();
        assert!(
            dump.contains(&format!("Request line: GET /pipelined/{n} HTTP/1.1")),
            "{dump}"
        );
    }
    // The last one closes; the server ends TLS cleanly (close_notify), not by cutting TCP.
    client.send(&get("/last", "localhost", true));
    let last = client.response(false);
    assert_eq!(last.header("connection"), Some("close"));
    assert!(
        client.read_to_end(),
        "the server closed without a close_notify"
    );
    assert!(client.pending.is_empty(), "{:?}", client.pending);
}

#[test]
fn ureq_reuses_its_tls_connection() {
    let https = Https::start(&["--dump"]);
    let agent = https.agent();
    let mut seen = Vec::new();
    for n in 0..3 {
        let mut response = agent.get(&https.url(&format!("/ureq/{n}"))).call().unwrap();
        assert_eq!(response.status(), 200);
        seen.push(client_address(
            &response.body_mut().read_to_string().unwrap(),
        ));
    }
    assert!(
        seen.iter().all(|addr| *addr == seen[0]),
        "one connection for all three: {seen:?}"
    );
}
