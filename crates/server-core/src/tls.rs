//! HTTPS: the same HTTP/1.1 server, inside TLS (lesson 08).
//!
//! What it teaches: TLS is a layer *under* HTTP. After the TCP connection is accepted, client
//! and server run a handshake — agree on a protocol version and a cipher suite, the server
//! proves it holds the key of its certificate, both derive session keys — and from then on
//! every byte is encrypted. HTTP does not change at all: the connection loop of chapter 2 runs
//! unchanged on a [`TlsStream`] instead of a `TcpStream`, so static files, CGI scripts and
//! gateway applications are served over HTTPS without knowing it. Chapter 8
//! (`book/src/ch08-tls.md`) draws the handshake and shows it with `openssl s_client`.
//!
//! The TLS is `rustls` 0.23 with the `ring` crypto provider (the one provider of the whole
//! build: two would make rustls refuse to pick one at run time).
//!
//! Choices made here:
//! - **Certificates** come from PEM files as `mkcert` or `openssl` write them — a chain of
//!   `CERTIFICATE` blocks and a key in PKCS#8, PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE
//!   KEY`) form, read with rustls' own PEM parser. Without files, a self-signed certificate is
//!   made at start with `rcgen` for the bind host, `localhost`, `127.0.0.1` and `::1`.
//! - **Refused at start, in one sentence each**: an unreadable file, a file with no
//!   certificate or no key, a key that does not belong to the certificate, and a certificate
//!   that has expired or is not valid yet (read with `x509-parser`). A browser would refuse
//!   the last two anyway, with a far less helpful message.
//! - **TLS 1.3 and 1.2 only** (RFC 8996 deprecated 1.0 and 1.1), with rustls' default cipher
//!   suites, which are all AEAD with forward secrecy; the client's preference decides between
//!   1.3 and 1.2, and every modern client prefers 1.3. ALPN offers `http/1.1` only: there is
//!   no HTTP/2 here.
//! - **Plain HTTP on the TLS port** is detected by its first byte (a TLS connection starts with
//!   a handshake record, byte 22): the client gets a short plain-text 400 saying to use
//!   `https://`, and the connection closes. The server carries on.
//! - **The handshake is bounded** by the header timeout, as one deadline for the whole
//!   handshake: a client that connects and sends nothing, stalls mid-handshake or trickles
//!   its hello byte by byte is cut off like a slow request head.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use sha2::{Digest, Sha256};

use crate::connection::Transport;

/// What a TLS connection negotiated, for logs, the request dump and CGI's `HTTPS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// The protocol version: `TLSv1.3` or `TLSv1.2`.
    pub protocol: String,
    /// The cipher suite: `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: String,
    /// The ALPN protocol agreed, if the client offered one we speak (`http/1.1`).
    pub alpn: Option<String>,
    /// The host name the client asked for (SNI), if it sent one.
    pub server_name: Option<String>,
}

/// Why TLS could not be set up; each prints one sentence and a suggestion.
#[derive(Debug)]
pub enum TlsError {
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file holds no certificate, or PEM that cannot be read.
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// A file holds no private key in a form rustls reads.
    NoKey {
        /// The file.
        path: PathBuf,
    },
    /// The key does not belong to the certificate.
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// The certificate has expired, or is not valid yet.
    OutOfDate {
        /// The certificate file.
        path: PathBuf,
        /// Its validity period, as written in it.
        period: String,
    },
    /// The certificate is not a certificate rustls or x509-parser can use.
    BadCertificate {
        /// The file (or `self-signed`).
        path: PathBuf,
        /// What was wrong.
        why: String,
    },
    /// Making the self-signed certificate failed.
    Generate(String),
    /// `--write-cert` could not write its file.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let try_files = "try: --cert cert.pem --key key.pem with files from mkcert or openssl, \
                         or leave both out for a self-signed certificate";
        match self {
            TlsError::Read { path, source } => write!(
                f,
                "cannot read '{}' ({source}).\n  {try_files}",
                path.display()
            ),
            TlsError::NoCertificate { path } => write!(
                f,
                "'{}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).\n  {try_files}",
                path.display()
            ),
            TlsError::NoKey { path } => write!(
                f,
                "'{}' holds no PEM private key (PKCS#8, RSA or EC).\n  {try_files}",
                path.display()
            ),
            TlsError::KeyMismatch { cert, key } => write!(
                f,
                "the key in '{}' does not belong to the certificate in '{}'.\n  try: give the \
                 key file that was made together with this certificate",
                key.display(),
                cert.display()
            ),
            TlsError::OutOfDate { path, period } => write!(
                f,
                "the certificate in '{}' is not valid today (valid {period}).\n  try: make a new \
                 one (mkcert localhost 127.0.0.1 ::1), or leave out --cert and --key",
                path.display()
            ),
            TlsError::BadCertificate { path, why } => write!(
                f,
                "the certificate in '{}' cannot be used: {why}.\n  {try_files}",
                path.display()
            ),
            TlsError::Generate(why) => write!(
                f,
                "cannot make a self-signed certificate: {why}.\n  {try_files}"
            ),
            TlsError::Write { path, source } => write!(
                f,
                "cannot write the certificate to '{}' ({source}).\n  try: --write-cert \
                 /tmp/lesson08-cert.pem",
                path.display()
            ),
        }
    }
}

impl std::error::Error for TlsError {}

/// Where a certificate came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Read from these files.
    Files {
        /// The certificate chain.
        cert: PathBuf,
        /// The private key.
        key: PathBuf,
    },
    /// Made at start for these names.
    SelfSigned {
        /// The subject alternative names.
        names: Vec<String>,
    },
}

/// A certificate chain with its private key, ready to configure a server.
#[derive(Debug)]
pub struct Certificate {
    /// The chain, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    key: PrivateKeyDer<'static>,
    /// The chain as PEM text, for `curl --cacert` or a browser's certificate import.
    pem: String,
    /// Where it came from.
    pub origin: Origin,
}

// ANCHOR: load
impl Certificate {
    /// Reads a PEM certificate chain and its PEM private key, and checks that they belong
    /// together and that the certificate is valid today.
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<Certificate, TlsError> {
        let cert_pem = read(cert_path)?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, pem::Error>>()
            .ok()
            .filter(|chain| !chain.is_empty())
            .ok_or_else(|| TlsError::NoCertificate {
                path: cert_path.to_path_buf(),
            })?;
        let key = PrivateKeyDer::from_pem_slice(&read(key_path)?).map_err(|_| TlsError::NoKey {
            path: key_path.to_path_buf(),
        })?;
        let certificate = Certificate {
            chain,
            key,
            pem: String::from_utf8_lossy(&cert_pem).into_owned(),
            origin: Origin::Files {
                cert: cert_path.to_path_buf(),
                key: key_path.to_path_buf(),
            },
        };
        certificate.check_validity()?;
        certificate.server_config()?;
        Ok(certificate)
    }
    // ANCHOR_END: load

    // ANCHOR: self_signed
    /// Makes a self-signed certificate for `names` (host names and IP addresses).
    pub fn self_signed(names: Vec<String>) -> Result<Certificate, TlsError> {
        let made = rcgen::generate_simple_self_signed(names.clone())
            .map_err(|error| TlsError::Generate(error.to_string()))?;
        let key = PrivateKeyDer::try_from(made.signing_key.serialize_der())
            .map_err(|error| TlsError::Generate(error.to_string()))?;
        Ok(Certificate {
            chain: vec![made.cert.der().clone()],
            key,
            pem: made.cert.pem(),
            origin: Origin::SelfSigned { names },
        })
    }
    // ANCHOR_END: self_signed

    /// The SHA-256 fingerprint of the leaf certificate, as `openssl x509 -fingerprint
    /// -sha256` and browsers show it: `AB:12:...`.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.chain[0].as_ref());
        digest
            .iter()
            .map(|byte| format!("{byte:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// The chain as PEM text, for `curl --cacert` or a browser's certificate import.
    pub fn chain_pem(&self) -> &str {
        &self.pem
    }

    /// Writes [`Certificate::chain_pem`] to `path` (`--write-cert`).
    pub fn write_chain(&self, path: &Path) -> Result<(), TlsError> {
        fs::write(path, self.chain_pem()).map_err(|source| TlsError::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    // ANCHOR: server_config
    /// The rustls configuration: TLS 1.3 and 1.2, the ring provider, ALPN `http/1.1`.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let versions: &[&rustls::SupportedProtocolVersion] =
            &[&rustls::version::TLS13, &rustls::version::TLS12];
        let builder = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .map_err(|error| self.bad(error.to_string()))?;
        let mut config = builder
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|error| match (&error, &self.origin) {
                (rustls::Error::InconsistentKeys(_), Origin::Files { cert, key }) => {
                    TlsError::KeyMismatch {
                        cert: cert.clone(),
                        key: key.clone(),
                    }
                }
                _ => self.bad(error.to_string()),
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
    // ANCHOR_END: server_config

    /// Refuses a leaf certificate that is not valid today.
    fn check_validity(&self) -> Result<(), TlsError> {
        let (_, parsed) = x509_parser::parse_x509_certificate(self.chain[0].as_ref())
            .map_err(|error| self.bad(error.to_string()))?;
        let validity = parsed.validity();
        if validity.is_valid() {
            return Ok(());
        }
        Err(TlsError::OutOfDate {
            path: self.path(),
            period: format!("from {} to {}", validity.not_before, validity.not_after),
        })
    }

    /// The certificate's file, or `self-signed`.
    fn path(&self) -> PathBuf {
        match &self.origin {
            Origin::Files { cert, .. } => cert.clone(),
            Origin::SelfSigned { .. } => PathBuf::from("self-signed"),
        }
    }

    fn bad(&self, why: String) -> TlsError {
        TlsError::BadCertificate {
            path: self.path(),
            why,
        }
    }
}

/// Reads a whole file.
fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

// ANCHOR: names_for
/// The names a self-signed certificate is made for: the bind host (unless it is an
/// "every interface" address) and the loopback names a local browser or curl would use.
pub fn names_for(bind_host: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bind = bind_host.trim_start_matches('[').trim_end_matches(']');
    if !bind.is_empty() && bind != "0.0.0.0" && bind != "::" {
        names.push(bind.to_string());
    }
    for name in ["localhost", "127.0.0.1", "::1"] {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_string());
        }
    }
    names
}
// ANCHOR_END: names_for

/// A TLS connection over TCP, on which the HTTP connection loop runs unchanged.
pub struct TlsStream {
    /// rustls' state and the socket under it.
    inner: StreamOwned<ServerConnection, TcpStream>,
    /// What the handshake agreed.
    info: TlsInfo,
}

impl TlsStream {
    /// What the handshake agreed.
    pub fn info(&self) -> &TlsInfo {
        &self.info
    }
}

// ANCHOR: tls_read
impl Read for TlsStream {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(out) {
            // A client that closes without a close_notify alert (most do, after their last
            // response) has simply gone: the same as end of file on plain TCP.
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
            other => other,
        }
    }
}
// ANCHOR_END: tls_read

impl Write for TlsStream {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.inner.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Transport for TlsStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.sock.set_read_timeout(timeout)
    }

    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.sock.set_write_timeout(timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.inner.conn.send_close_notify();
        let _ = self.inner.flush();
        self.inner.sock.shutdown(Shutdown::Write)
    }

    fn tls_info(&self) -> Option<TlsInfo> {
        Some(self.info.clone())
    }

    fn has_buffered_input(&self) -> bool {
        // rustls stops wanting TLS bytes while it holds decrypted ones (or after the client's
        // close_notify, which a read then reports as the end).
        !self.inner.conn.wants_read()
    }

    fn nothing_to_read(&self) -> bool {
        !self.has_buffered_input() && crate::server::nothing_to_read(&self.inner.sock)
    }
}

impl std::os::fd::AsFd for TlsStream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.inner.sock.as_fd()
    }
}

/// Why a connection did not become a TLS connection.
#[derive(Debug)]
pub enum AcceptError {
    /// The client spoke plain HTTP; it was told to use `https://`.
    PlainHttp,
    /// The client went away, stalled, or the handshake failed (the text says how).
    Handshake(String),
}

impl fmt::Display for AcceptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AcceptError::PlainHttp => f.write_str("plain HTTP on the HTTPS port; answered 400"),
            AcceptError::Handshake(why) => write!(f, "TLS handshake failed: {why}"),
        }
    }
}

/// What a plain-HTTP client on the TLS port is told.
const PLAIN_HTTP_HINT: &str =
    "This port speaks HTTPS: use https:// instead of http:// in the URL.\n";

// ANCHOR: accept
/// Turns an accepted TCP connection into a TLS one: waits (at most `timeout`) for the
/// client's first byte, answers plain HTTP with a hint, else runs the handshake.
pub fn accept(
    socket: TcpStream,
    config: &Arc<ServerConfig>,
    timeout: Duration,
) -> Result<TlsStream, AcceptError> {
    let failed = |error: io::Error| AcceptError::Handshake(error.to_string());
    socket.set_read_timeout(Some(timeout)).map_err(failed)?;
    socket.set_write_timeout(Some(timeout)).map_err(failed)?;
    let mut first = [0u8; 1];
    if socket.peek(&mut first).map_err(failed)? == 0 {
        return Err(AcceptError::Handshake("the client closed at once".into()));
    }
    // 22 is a TLS handshake record; an HTTP request starts with a method's letter.
    if first[0] != 22 {
        answer_plain_http(socket);
        return Err(AcceptError::PlainHttp);
    }
    let connection = ServerConnection::new(Arc::clone(config))
        .map_err(|error| AcceptError::Handshake(error.to_string()))?;
    let mut inner = StreamOwned::new(connection, socket);
    // A deadline for the whole handshake, not a timeout per read: a client trickling one
    // byte at a time (slowloris) would otherwise hold the connection for ever. So the
    // handshake is driven one read at a time (rustls' `complete_io` would keep reading).
    let deadline = Instant::now() + timeout;
    while inner.conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(AcceptError::Handshake(format!(
                "the client did not finish the handshake within {timeout:?}"
            )));
        }
        inner.sock.set_read_timeout(Some(left)).map_err(failed)?;
        inner.sock.set_write_timeout(Some(left)).map_err(failed)?;
        handshake_step(&mut inner)?;
    }
    while inner.conn.wants_write() {
        inner.conn.write_tls(&mut inner.sock).map_err(failed)?;
    }
    let info = negotiated(&inner.conn);
    Ok(TlsStream { inner, info })
}
// ANCHOR_END: accept

/// One step of the handshake: send what rustls has to say, read one batch of bytes, and
/// process them. A refusal (a version or suite we do not speak) is sent as an alert first.
fn handshake_step(inner: &mut StreamOwned<ServerConnection, TcpStream>) -> Result<(), AcceptError> {
    let failed = |error: io::Error| AcceptError::Handshake(error.to_string());
    while inner.conn.wants_write() {
        inner.conn.write_tls(&mut inner.sock).map_err(failed)?;
    }
    if !inner.conn.wants_read() {
        return Ok(());
    }
    if crate::server::nothing_to_read(&inner.sock) {
        // The client's next flight is on its way: let other connections be served meanwhile.
        crate::server::about_to_wait();
    }
    if inner.conn.read_tls(&mut inner.sock).map_err(failed)? == 0 {
        return Err(AcceptError::Handshake(
            "the client closed the connection".into(),
        ));
    }
    if let Err(error) = inner.conn.process_new_packets() {
        // rustls queued an alert saying why; the client deserves to read it.
        let _ = inner.conn.write_tls(&mut inner.sock);
        return Err(AcceptError::Handshake(error.to_string()));
    }
    Ok(())
}

/// Tells a plain-HTTP client to use `https://`, then closes without resetting.
fn answer_plain_http(mut socket: TcpStream) {
    let answer = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{PLAIN_HTTP_HINT}",
        PLAIN_HTTP_HINT.len()
    );
    let _ = socket.write_all(answer.as_bytes());
    let _ = socket.shutdown(Shutdown::Write);
    // Read what the client sent, briefly, so the close does not turn into a reset that
    // could destroy the answer before the client reads it.
    let _ = socket.set_read_timeout(Some(Duration::from_millis(200)));
    let mut scratch = [0u8; 4096];
    for _ in 0..16 {
        match socket.read(&mut scratch) {
            Ok(n) if n > 0 => continue,
            _ => break,
        }
    }
}

/// What the finished handshake agreed.
fn negotiated(connection: &ServerConnection) -> TlsInfo {
    let protocol = match connection.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_string(),
    };
    let cipher_suite = connection
        .negotiated_cipher_suite()
        .map(|suite| format!("{:?}", suite.suite()))
        .unwrap_or_else(|| "unknown".to_string());
    TlsInfo {
        protocol,
        cipher_suite,
        alpn: connection
            .alpn_protocol()
            .map(|protocol| String::from_utf8_lossy(protocol).into_owned()),
        server_name: connection.server_name().map(str::to_string),
    }
}

#[cfg(test)]
mod tests;
