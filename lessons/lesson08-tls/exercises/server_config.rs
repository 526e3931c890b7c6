//! Exercise `server_config`: the TLS configuration of an HTTPS server, from PEM files.
//!
//! An HTTPS server needs three things before its first handshake: the certificate chain it
//! shows to clients, the private key that proves the certificate is its own, and the rules of
//! the conversation — which TLS versions, which cryptography, which application protocol. In
//! rustls all three make one [`ServerConfig`], shared by every connection. The core builds it
//! in `server_core::tls::Certificate::server_config`; chapter 8 (`book/src/ch08-tls.md`) walks
//! through the handshake it drives. Here you build it yourself, from the bytes of the two PEM
//! files that `mkcert` or `openssl` write.
//!
//! You write [`server_config`]:
//!
//! 1. The chain is every `-----BEGIN CERTIFICATE-----` block of `cert_pem`, in order, leaf
//!    first; keep them all, since a certificate from a real authority only verifies with the
//!    intermediate certificate after it. Read them with rustls' own PEM parser:
//!    [`PemObject::pem_slice_iter`] on [`CertificateDer`]. No certificate at all, or PEM that
//!    cannot be read (broken base64), is [`ConfigError::NoCertificate`].
//! 2. The key is the first private key of `key_pem`, in any of the three forms tools write:
//!    PKCS#8 (`PRIVATE KEY`, what `mkcert` and `rcgen` write), PKCS#1 (`RSA PRIVATE KEY`) and
//!    SEC1 (`EC PRIVATE KEY`, both from `openssl`). [`PemObject::from_pem_slice`] on
//!    [`PrivateKeyDer`] reads all three. None is [`ConfigError::NoKey`]. The two may come
//!    from the same file, as when a certificate and its key are concatenated.
//! 3. The cryptography is the `ring` provider, named explicitly:
//!    [`ServerConfig::builder_with_provider`] with `rustls::crypto::ring::default_provider()`.
//!    (`ServerConfig::builder()` would pick the process-wide default, and refuses to guess
//!    when a build holds two providers.)
//! 4. The versions are TLS 1.3 and TLS 1.2, and nothing else:
//!    `with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])`.
//!    TLS 1.0 and 1.1 are deprecated (RFC 8996) and rustls never speaks them; TLS 1.3
//!    (RFC 8446) is what every modern client prefers, and TLS 1.2 keeps older ones working.
//!    The client's preference decides between the two.
//! 5. No client certificates ([`rustls::ConfigBuilder::with_no_client_auth`]), and the chain
//!    with its key as the one certificate ([`rustls::ConfigBuilder::with_single_cert`]).
//!    rustls checks there that the key belongs to the certificate: its
//!    `Error::InconsistentKeys` is [`ConfigError::KeyMismatch`]; anything else rustls refuses
//!    is [`ConfigError::Other`] with rustls' own words.
//! 6. ALPN (RFC 7301) lets the client and the server agree on the protocol spoken inside TLS
//!    during the handshake. This server speaks HTTP/1.1 only, so
//!    [`ServerConfig::alpn_protocols`] is exactly `http/1.1`: a client that offers `h2` and
//!    `http/1.1` then knows to speak HTTP/1.1.
//!
//! The rustls documentation explains each step: <https://docs.rs/rustls/0.23/rustls/> (the
//! `ConfigBuilder` page for the order of the calls, `pki_types::pem::PemObject` for PEM).

// ANCHOR: exercise
use std::fmt;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why there is no configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The certificate PEM holds no certificate, or cannot be read.
    NoCertificate,
    /// The key PEM holds no private key in a form rustls reads.
    NoKey,
    /// The key does not belong to the certificate.
    KeyMismatch,
    /// rustls refused the configuration for another reason, given in its words.
    Other(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NoCertificate => f.write_str(
                "no certificate: the file must hold at least one -----BEGIN CERTIFICATE----- \
                 block (the certificate file from mkcert or openssl, not the key)",
            ),
            ConfigError::NoKey => f.write_str(
                "no private key: the file must hold a -----BEGIN PRIVATE KEY----- block (or \
                 RSA PRIVATE KEY, or EC PRIVATE KEY): the key file made with the certificate",
            ),
            ConfigError::KeyMismatch => f.write_str(
                "the private key does not belong to the certificate: give the key that was \
                 made together with it",
            ),
            ConfigError::Other(why) => write!(f, "rustls refused the configuration: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The ALPN protocol this server speaks inside TLS.
pub const HTTP_1_1: &[u8] = b"http/1.1";

/// The configuration of an HTTPS server showing the chain of `cert_pem` with the key of
/// `key_pem`: the ring provider, TLS 1.3 and 1.2, no client certificates, ALPN `http/1.1`.
pub fn server_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ServerConfig>, ConfigError> {
    todo!("read the chain and the key, then build it: ring, TLS 1.3 and 1.2, one cert, ALPN")
}
// ANCHOR_END: exercise
