//! TLS for the black-box client: `https://` URLs, trusting only the certificate of `--cacert`.
//!
//! The checker trusts exactly the PEM file given with `--cacert FILE` — the server's own
//! certificate (what `lesson08-tls --write-cert FILE` saves) or the authority that signed it
//! (mkcert's `rootCA.pem`) — and never the system's authorities: a check must say whether
//! *this* server shows *this* certificate. The TLS is rustls with the `ring` provider, named
//! explicitly, like the lessons' servers.
//!
//! The handshake is run step by step rather than by `complete_io`, for two reasons: every wait
//! is bounded by a deadline, and the errors come out as rustls' own values, to be explained in
//! plain words: an untrusted certificate, a name the certificate does not hold, a version the
//! server refuses, a server answering in plain HTTP.

use std::fmt;
use std::fs;
use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, ClientConnection, RootCertStore, StreamOwned,
    SupportedProtocolVersion,
};

/// The only application protocol the checker offers by ALPN: it speaks HTTP/1.1.
pub const HTTP_1_1: &str = "http/1.1";

/// How a server that writes its certificate for `--cacert` is started (lesson 08's binary).
pub const WRITE_CERT_HINT: &str =
    "cargo run -p lesson08-tls -- 8443 --write-cert /tmp/lesson08.pem";

/// Which TLS versions a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersions {
    /// TLS 1.3 and 1.2, like every modern client: the server picks (1.3, if it can).
    Both,
    /// TLS 1.3 only.
    Only13,
    /// TLS 1.2 only, like an older client.
    Only12,
}

impl TlsVersions {
    /// All three, in the order of [`Trust`]'s configurations.
    const ALL: [TlsVersions; 3] = [TlsVersions::Both, TlsVersions::Only13, TlsVersions::Only12];

    /// The rustls versions.
    fn versions(self) -> &'static [&'static SupportedProtocolVersion] {
        static BOTH: &[&SupportedProtocolVersion] =
            &[&rustls::version::TLS13, &rustls::version::TLS12];
        static ONLY_13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
        static ONLY_12: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];
        match self {
            TlsVersions::Both => BOTH,
            TlsVersions::Only13 => ONLY_13,
            TlsVersions::Only12 => ONLY_12,
        }
    }

    /// For messages: `a client speaking only TLS 1.2`.
    pub fn client(self) -> &'static str {
        match self {
            TlsVersions::Both => "a client speaking TLS 1.3 and 1.2",
            TlsVersions::Only13 => "a client speaking only TLS 1.3",
            TlsVersions::Only12 => "a client speaking only TLS 1.2",
        }
    }

    /// The version a handshake of such a client must agree on, when there is only one.
    pub fn only(self) -> Option<&'static str> {
        match self {
            TlsVersions::Both => None,
            TlsVersions::Only13 => Some("TLS 1.3"),
            TlsVersions::Only12 => Some("TLS 1.2"),
        }
    }
}

/// The certificates of `--cacert`, and the client configurations trusting only them.
pub struct Trust {
    /// The file, for messages.
    file: String,
    /// How many certificates it holds.
    count: usize,
    /// One configuration per [`TlsVersions`], in the order of [`TlsVersions::ALL`]; sharing
    /// one lets later connections resume the session of an earlier one, as browsers do.
    configs: [Arc<ClientConfig>; 3],
}

impl fmt::Debug for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trust")
            .field("file", &self.file)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl Trust {
    /// Reads `--cacert FILE`. The error says what is wrong and how to get the right file.
    pub fn load(path: &Path) -> Result<Trust, String> {
        let pem = fs::read(path).map_err(|error| {
            format!(
                "cannot read the --cacert file {} ({error}). Save the server's certificate \
                 with --write-cert FILE (start it with: {WRITE_CERT_HINT}), then give that \
                 file: --cacert /tmp/lesson08.pem",
                path.display()
            )
        })?;
        Trust::from_pem(&pem, &path.display().to_string())
    }

    /// The trust of the PEM text `pem`, read from `file`.
    pub fn from_pem(pem: &[u8], file: &str) -> Result<Trust, String> {
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| format!("the --cacert file {file} is not readable PEM ({error})"))?;
        if certificates.is_empty() {
            return Err(format!(
                "the --cacert file {file} holds no certificate (-----BEGIN CERTIFICATE-----): \
                 give the certificate the server shows, as --write-cert saves it ({WRITE_CERT_HINT}), \
                 not its key"
            ));
        }
        let mut roots = RootCertStore::empty();
        let count = certificates.len();
        for certificate in certificates {
            roots.add(certificate).map_err(|error| {
                format!("a certificate in the --cacert file {file} cannot be trusted: {error}")
            })?;
        }
        let roots = Arc::new(roots);
        let configs = TlsVersions::ALL.map(|versions| client_config(&roots, versions));
        Ok(Trust {
            file: file.to_string(),
            count,
            configs,
        })
    }

    /// The client configuration for `versions`.
    fn config(&self, versions: TlsVersions) -> Arc<ClientConfig> {
        let index = TlsVersions::ALL
            .iter()
            .position(|known| *known == versions)
            .unwrap_or(0);
        Arc::clone(&self.configs[index])
    }
}

/// A client configuration: the ring provider, `versions`, `roots` only, ALPN `http/1.1`.
fn client_config(roots: &Arc<RootCertStore>, versions: TlsVersions) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions.versions())
        .expect("the ring provider speaks TLS 1.3 and 1.2")
        .with_root_certificates(Arc::clone(roots))
        .with_no_client_auth();
    config.alpn_protocols = vec![HTTP_1_1.as_bytes().to_vec()];
    Arc::new(config)
}

/// The name the certificate must hold: the URL's host (a DNS name or an IP address).
pub fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.to_string())
        .map_err(|_| format!("{host:?} is neither a host name nor an IP address TLS can check"))
}

/// What a handshake agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// `TLS 1.3` or `TLS 1.2`.
    pub version: String,
    /// The ALPN protocol agreed, if any: `http/1.1`.
    pub alpn: Option<String>,
    /// The cipher suite: `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: String,
}

impl Negotiated {
    /// What `connection` agreed.
    fn of(connection: &ClientConnection) -> Negotiated {
        let version = match connection.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
            Some(other) => format!("{other:?}"),
            None => "none".to_string(),
        };
        Negotiated {
            version,
            alpn: connection
                .alpn_protocol()
                .map(|protocol| String::from_utf8_lossy(protocol).into_owned()),
            cipher_suite: connection
                .negotiated_cipher_suite()
                .map(|suite| format!("{:?}", suite.suite()))
                .unwrap_or_default(),
        }
    }
}

/// Why a handshake failed, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeError {
    /// What went wrong and what to do.
    pub message: String,
    /// True when every later connection would fail the same way (the certificate is not
    /// trusted, or does not name the host): the checks then stop at once with this message.
    pub lasting: bool,
}

impl HandshakeError {
    /// A failure of this handshake only.
    fn once(message: impl Into<String>) -> HandshakeError {
        HandshakeError {
            message: message.into(),
            lasting: false,
        }
    }
}

/// A TLS connection over TCP, read and written like the socket.
pub struct TlsStream {
    /// rustls' state and the socket under it.
    inner: StreamOwned<ClientConnection, TcpStream>,
    /// What the handshake agreed.
    negotiated: Negotiated,
}

impl TlsStream {
    /// The TCP socket underneath, where the timeouts are set.
    pub fn socket(&self) -> &TcpStream {
        &self.inner.sock
    }

    /// What the handshake agreed.
    pub fn negotiated(&self) -> &Negotiated {
        &self.negotiated
    }
}

impl Read for TlsStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buffer) {
            // A server that closes without a close_notify alert has closed all the same: the
            // HTTP framing (Content-Length, chunks) says whether the response was whole.
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => Ok(0),
            other => other,
        }
    }
}

impl Write for TlsStream {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.inner.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The socket, remembering the first bytes the server sent: when a handshake fails, they tell
/// a server speaking plain HTTP (`HTTP/1.1 400 ...`) from one speaking broken TLS.
struct Recording<'a> {
    /// The socket.
    socket: &'a mut TcpStream,
    /// The first bytes received, at most [`Recording::KEEP`].
    first: &'a mut Vec<u8>,
}

impl Recording<'_> {
    /// How many of the first bytes are kept.
    const KEEP: usize = 64;
}

impl Read for Recording<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.socket.read(buffer)?;
        let room = Recording::KEEP.saturating_sub(self.first.len());
        self.first.extend_from_slice(&buffer[..read.min(room)]);
        Ok(read)
    }
}

/// Runs the TLS handshake on `socket` as `versions` would, for `host`, trusting `trust`,
/// waiting until `deadline` at most.
pub fn handshake(
    mut socket: TcpStream,
    host: &str,
    trust: &Trust,
    versions: TlsVersions,
    timeout: Duration,
) -> Result<TlsStream, HandshakeError> {
    let deadline = Instant::now() + timeout;
    let name = server_name(host).map_err(|message| HandshakeError {
        message,
        lasting: true,
    })?;
    let mut connection = ClientConnection::new(trust.config(versions), name)
        .map_err(|error| HandshakeError::once(format!("TLS could not start: {error}")))?;
    let mut first = Vec::new();
    let failed_io = |error: io::Error, first: &[u8]| {
        HandshakeError::once(if looks_like_http(first) {
            plain_http_answer(first)
        } else {
            format!(
                "the connection failed during the TLS handshake ({error}): is the server \
                 speaking TLS on this port?"
            )
        })
    };
    loop {
        while connection.wants_write() {
            connection
                .write_tls(&mut socket)
                .map_err(|error| failed_io(error, &first))?;
        }
        if !connection.is_handshaking() {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HandshakeError::once(format!(
                "the server accepted the connection but did not finish the TLS handshake within \
                 {} seconds{}",
                timeout.as_secs(),
                if first.is_empty() {
                    ": it sent nothing back. Is it a plain HTTP server waiting for a request?"
                } else {
                    ""
                }
            )));
        }
        socket
            .set_read_timeout(Some(left))
            .map_err(|error| failed_io(error, &first))?;
        let mut recording = Recording {
            socket: &mut socket,
            first: &mut first,
        };
        match connection.read_tls(&mut recording) {
            Ok(0) => {
                return Err(HandshakeError::once(if looks_like_http(&first) {
                    plain_http_answer(&first)
                } else {
                    "the server closed the connection during the TLS handshake: is it \
                     speaking TLS on this port? Its log may say why"
                        .to_string()
                }));
            }
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::Interrupted | ErrorKind::WouldBlock | ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(error) => return Err(failed_io(error, &first)),
        }
        if let Err(error) = connection.process_new_packets() {
            // Send the alert rustls has queued, so the server learns why.
            let _ = connection.write_tls(&mut socket);
            return Err(explain(&error, host, trust, versions, &first));
        }
    }
    let negotiated = Negotiated::of(&connection);
    Ok(TlsStream {
        inner: StreamOwned::new(connection, socket),
        negotiated,
    })
}

/// True when the server's first bytes are an HTTP response, not a TLS record.
fn looks_like_http(first: &[u8]) -> bool {
    first.starts_with(b"HTTP/")
}

/// The message for a server that answered the handshake in plain HTTP.
fn plain_http_answer(first: &[u8]) -> String {
    let line_end = first
        .iter()
        .position(|&byte| byte == b'\r' || byte == b'\n')
        .unwrap_or(first.len());
    format!(
        "the server answered the TLS handshake in plain HTTP ({:?}): it does not speak TLS on \
         this port. Check it with an http:// URL, or start it with TLS",
        String::from_utf8_lossy(&first[..line_end])
    )
}

/// A rustls error of the handshake, in plain words.
fn explain(
    error: &rustls::Error,
    host: &str,
    trust: &Trust,
    versions: TlsVersions,
    first: &[u8],
) -> HandshakeError {
    let file = &trust.file;
    let lasting = |message: String| HandshakeError {
        message,
        lasting: true,
    };
    match error {
        _ if looks_like_http(first) => HandshakeError::once(plain_http_answer(first)),
        rustls::Error::InvalidCertificate(problem) => match problem {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => lasting(format!(
                "the server's certificate is not the one in {file}, nor signed by it: the \
                 checker trusts that file only. A server that makes a new self-signed \
                 certificate at each start (lesson08-tls does) needs --write-cert again after \
                 a restart: save it again, and check with the new file"
            )),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                lasting(format!(
                    "the server's certificate does not name {host:?}, the host of the URL \
                     ({error}). Use a URL with a name the certificate holds (lesson08-tls's \
                     self-signed one names localhost, 127.0.0.1 and ::1), or make the \
                     certificate for this name"
                ))
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => lasting(format!(
                "the server's certificate is not valid today ({error}): make a new one"
            )),
            _ => lasting(format!("the server's certificate was refused: {error}")),
        },
        rustls::Error::AlertReceived(alert) => {
            let refused = match versions.only() {
                Some(version) => format!(
                    " It refused {}: {version} must be accepted (TLS 1.2 is the minimum, \
                     TLS 1.3 is preferred)",
                    versions.client()
                ),
                None => String::new(),
            };
            let what = match alert {
                AlertDescription::ProtocolVersion => "it speaks none of the client's versions",
                AlertDescription::HandshakeFailure => {
                    "it found no version or cipher suite in common with the client"
                }
                AlertDescription::NoApplicationProtocol => {
                    "it shares no ALPN protocol with the client, which offers http/1.1"
                }
                _ => "it gave up",
            };
            HandshakeError::once(format!(
                "the server ended the handshake with the alert {alert:?}: {what}.{refused}"
            ))
        }
        rustls::Error::PeerIncompatible(_) | rustls::Error::PeerMisbehaved(_) => {
            HandshakeError::once(format!(
                "the server's handshake does not work with {}: {error}",
                versions.client()
            ))
        }
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            HandshakeError::once(format!(
                "the server did not answer with a TLS handshake ({error}): is it speaking TLS \
                 on this port?"
            ))
        }
        _ => HandshakeError::once(format!("the TLS handshake failed: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate for `names`, as PEM.
    fn certificate(names: &[&str]) -> String {
        let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        rcgen::generate_simple_self_signed(names)
            .unwrap()
            .cert
            .pem()
    }

    #[test]
    fn a_cacert_file_must_hold_a_certificate() {
        let trust = Trust::from_pem(certificate(&["localhost"]).as_bytes(), "cert.pem").unwrap();
        assert_eq!(trust.count, 1);
        let both = certificate(&["a"]) + &certificate(&["b"]);
        assert_eq!(Trust::from_pem(both.as_bytes(), "x").unwrap().count, 2);
        for bad in [
            "",
            "hello",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            let error = Trust::from_pem(bad.as_bytes(), "key.pem").unwrap_err();
            assert!(error.contains("holds no certificate"), "{error}");
            assert!(error.contains("--write-cert"), "{error}");
        }
        let broken = "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n";
        let error = Trust::from_pem(broken.as_bytes(), "bad.pem").unwrap_err();
        assert!(error.contains("not readable PEM"), "{error}");
    }

    #[test]
    fn a_missing_cacert_file_says_how_to_get_one() {
        let error = Trust::load(Path::new("/nonexistent/lesson08.pem")).unwrap_err();
        assert!(
            error.starts_with("cannot read the --cacert file"),
            "{error}"
        );
        assert!(error.contains(WRITE_CERT_HINT), "{error}");
    }

    #[test]
    fn the_write_cert_hint_is_lesson08_s_serve_hint() {
        let lesson = crate::catalog::find_lesson("lesson08").unwrap();
        assert_eq!(WRITE_CERT_HINT, lesson.serve_hint);
    }

    #[test]
    fn host_names_and_addresses_are_server_names() {
        for host in ["localhost", "127.0.0.1", "::1", "example.org"] {
            assert!(server_name(host).is_ok(), "{host}");
        }
        assert!(server_name("not a name").is_err());
    }

    #[test]
    fn handshake_errors_are_explained() {
        let trust = Trust::from_pem(certificate(&["localhost"]).as_bytes(), "/tmp/l8.pem").unwrap();
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let explained = explain(&unknown, "localhost", &trust, TlsVersions::Both, b"");
        assert!(explained.lasting);
        assert!(explained.message.contains("/tmp/l8.pem"), "{explained:?}");
        assert!(explained.message.contains("--write-cert"), "{explained:?}");

        let name = rustls::Error::InvalidCertificate(CertificateError::NotValidForName);
        let explained = explain(&name, "127.0.0.2", &trust, TlsVersions::Both, b"");
        assert!(explained.lasting);
        assert!(explained.message.contains("\"127.0.0.2\""), "{explained:?}");

        let version = rustls::Error::AlertReceived(AlertDescription::ProtocolVersion);
        let explained = explain(&version, "localhost", &trust, TlsVersions::Only12, b"");
        assert!(!explained.lasting);
        assert!(
            explained.message.contains("a client speaking only TLS 1.2"),
            "{explained:?}"
        );

        let garbage = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        let explained = explain(
            &garbage,
            "localhost",
            &trust,
            TlsVersions::Both,
            b"HTTP/1.0 400 Bad request\r\n",
        );
        assert!(
            explained
                .message
                .contains("in plain HTTP (\"HTTP/1.0 400 Bad request\")"),
            "{explained:?}"
        );
    }
}
