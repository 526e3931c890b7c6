//! Checks of the `server_config` exercise: a rustls `ServerConfig` from PEM bytes.
//!
//! The configuration is tried for real: a rustls client and a server made from it run a whole
//! TLS handshake in memory, each handing its bytes to the other through a buffer — no socket,
//! no port, nothing that can hang. Certificates are made at run time with `rcgen` (PKCS#8
//! keys); the PKCS#1 and SEC1 keys that `openssl` writes come from `tests/fixtures/`.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/server_config.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/server_config.rs"
)]
#[allow(unused_variables, unused_imports, dead_code)]
mod code;

use std::io::{Read, Write};
use std::sync::Arc;

use code::{ConfigError, server_config};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
    generate_simple_self_signed,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, Connection, ProtocolVersion, RootCertStore, ServerConfig,
    ServerConnection, SupportedProtocolVersion,
};

/// A certificate made by `openssl` for an RSA key in PKCS#1 form (`RSA PRIVATE KEY`).
const RSA_CERT: &[u8] = include_bytes!("../fixtures/rsa.crt");
/// That RSA key.
const RSA_PKCS1_KEY: &[u8] = include_bytes!("../fixtures/rsa-pkcs1.key");
/// A certificate made by `openssl` for a P-256 key in SEC1 form (`EC PRIVATE KEY`).
const EC_CERT: &[u8] = include_bytes!("../fixtures/ec.crt");
/// That EC key.
const EC_SEC1_KEY: &[u8] = include_bytes!("../fixtures/ec-sec1.key");

/// Both versions a client may speak.
const BOTH: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13, &rustls::version::TLS12];
/// A client that speaks TLS 1.3 only.
const ONLY_1_3: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
/// A client that speaks TLS 1.2 only, as an older browser or library does.
const ONLY_1_2: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];

/// A self-signed certificate for `localhost` and its key, both PEM; the key is PKCS#8.
fn self_signed() -> (String, String) {
    let made = generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    (made.cert.pem(), made.signing_key.serialize_pem())
}

/// `server_config`, which must succeed here.
#[track_caller]
fn config_of(cert_pem: &[u8], key_pem: &[u8], what: &str) -> Arc<ServerConfig> {
    match server_config(cert_pem, key_pem) {
        Ok(config) => config,
        Err(error) => panic!("server_config({what}) must succeed, but it failed: {error}"),
    }
}

/// A client that trusts only the certificates of `trusted_pem`, speaks `versions`, and offers
/// the ALPN protocols `alpn`.
fn client(
    trusted_pem: &[u8],
    versions: &[&'static SupportedProtocolVersion],
    alpn: &[&[u8]],
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(trusted_pem) {
        roots.add(certificate.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    Arc::new(config)
}

/// Moves every byte `from` wants to send into `to`, and lets `to` process them.
fn transfer(from: &mut Connection, to: &mut Connection) -> Result<(), rustls::Error> {
    let mut wire = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut wire).unwrap();
    }
    let mut unread = &wire[..];
    while !unread.is_empty() {
        to.read_tls(&mut unread).unwrap();
        to.process_new_packets()?;
    }
    Ok(())
}

/// Runs a whole TLS handshake between a client using `client` and a server using `server`,
/// for the name `localhost`. The error says which side gave up, and why.
fn handshake(
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
) -> Result<(ClientConnection, ServerConnection), String> {
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = Connection::Client(ClientConnection::new(client, name).unwrap());
    let mut server = Connection::Server(ServerConnection::new(server).unwrap());
    for _ in 0..10 {
        if !client.is_handshaking() && !server.is_handshaking() {
            break;
        }
        transfer(&mut client, &mut server)
            .map_err(|error| format!("the server refused the client's handshake: {error}"))?;
        transfer(&mut server, &mut client)
            .map_err(|error| format!("the client refused the server's handshake: {error}"))?;
    }
    match (client, server) {
        (Connection::Client(client), Connection::Server(server))
            if !client.is_handshaking() && !server.is_handshaking() =>
        {
            Ok((client, server))
        }
        _ => Err("the handshake did not finish".to_string()),
    }
}

/// The handshake, which must succeed here.
#[track_caller]
fn connected(
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
    what: &str,
) -> (ClientConnection, ServerConnection) {
    match handshake(server, client) {
        Ok(connections) => connections,
        Err(why) => panic!("{what}: {why}"),
    }
}

/// The ALPN protocol a connection agreed, as text.
fn alpn(connection: &ClientConnection) -> Option<String> {
    connection
        .alpn_protocol()
        .map(|protocol| String::from_utf8_lossy(protocol).into_owned())
}

/// The result without the configuration (which cannot be compared), to compare the error.
fn outcome(result: Result<Arc<ServerConfig>, ConfigError>) -> Result<(), ConfigError> {
    result.map(|_| ())
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn a_pkcs8_certificate_and_key_make_a_config() {
    let (cert, key) = self_signed();
    assert_eq!(
        outcome(server_config(cert.as_bytes(), key.as_bytes())),
        Ok(()),
        "server_config(a certificate made by rcgen, its PKCS#8 key)"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn alpn_offers_http_1_1_and_nothing_else() {
    let (cert, key) = self_signed();
    let config = config_of(cert.as_bytes(), key.as_bytes(), "a PKCS#8 pair");
    assert_eq!(
        config.alpn_protocols,
        vec![b"http/1.1".to_vec()],
        "config.alpn_protocols (as bytes: http/1.1 is [104, 116, 116, 112, 47, 49, 46, 49])"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn a_tls_1_3_client_completes_the_handshake() {
    let (cert, key) = self_signed();
    let server = config_of(cert.as_bytes(), key.as_bytes(), "a PKCS#8 pair");
    let offers: &[&[u8]] = &[b"http/1.1"];
    let (client, _) = connected(
        server,
        client(cert.as_bytes(), ONLY_1_3, offers),
        "a client speaking TLS 1.3 only",
    );
    assert_eq!(
        client.protocol_version(),
        Some(ProtocolVersion::TLSv1_3),
        "the version a TLS 1.3 client agreed"
    );
    assert_eq!(
        alpn(&client).as_deref(),
        Some("http/1.1"),
        "the ALPN protocol agreed with a client offering http/1.1"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn a_client_limited_to_tls_1_2_completes_the_handshake() {
    let (cert, key) = self_signed();
    let server = config_of(cert.as_bytes(), key.as_bytes(), "a PKCS#8 pair");
    let offers: &[&[u8]] = &[b"http/1.1"];
    let (client, _) = connected(
        server,
        client(cert.as_bytes(), ONLY_1_2, offers),
        "a client speaking TLS 1.2 only (TLS 1.2 is the minimum, so it must be accepted)",
    );
    assert_eq!(
        client.protocol_version(),
        Some(ProtocolVersion::TLSv1_2),
        "the version a TLS 1.2 client agreed"
    );
    assert_eq!(
        alpn(&client).as_deref(),
        Some("http/1.1"),
        "the ALPN protocol agreed over TLS 1.2"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn a_client_offering_h2_and_http_1_1_gets_http_1_1() {
    let (cert, key) = self_signed();
    let server = config_of(cert.as_bytes(), key.as_bytes(), "a PKCS#8 pair");
    let offers: &[&[u8]] = &[b"h2", b"http/1.1"];
    let (client, _) = connected(
        server,
        client(cert.as_bytes(), BOTH, offers),
        "a client offering h2 and http/1.1, as browsers do",
    );
    assert_eq!(
        alpn(&client).as_deref(),
        Some("http/1.1"),
        "the ALPN protocol agreed with a client offering h2 then http/1.1"
    );
    assert_eq!(
        client.protocol_version(),
        Some(ProtocolVersion::TLSv1_3),
        "the version agreed with a client speaking both: 1.3 is preferred"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn http_bytes_pass_through_the_connection() {
    let (cert, key) = self_signed();
    let server = config_of(cert.as_bytes(), key.as_bytes(), "a PKCS#8 pair");
    let offers: &[&[u8]] = &[b"http/1.1"];
    let (client, server) = connected(server, client(cert.as_bytes(), BOTH, offers), "a client");
    let (mut client, mut server) = (Connection::Client(client), Connection::Server(server));
    let request = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    client.writer().write_all(request).unwrap();
    transfer(&mut client, &mut server).unwrap();
    let mut received = vec![0u8; request.len()];
    server.reader().read_exact(&mut received).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&received),
        String::from_utf8_lossy(request),
        "the request as the server read it, decrypted"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn an_rsa_key_in_pkcs1_form_is_read() {
    let server = config_of(
        RSA_CERT,
        RSA_PKCS1_KEY,
        "an openssl RSA certificate, its PKCS#1 key",
    );
    for (versions, what) in [(ONLY_1_3, "TLS 1.3"), (ONLY_1_2, "TLS 1.2")] {
        let offers: &[&[u8]] = &[b"http/1.1"];
        connected(
            Arc::clone(&server),
            client(RSA_CERT, versions, offers),
            &format!("a {what} client, with the RSA certificate"),
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn an_ec_key_in_sec1_form_is_read() {
    let server = config_of(
        EC_CERT,
        EC_SEC1_KEY,
        "an openssl EC certificate, its SEC1 key",
    );
    for (versions, what) in [(ONLY_1_3, "TLS 1.3"), (ONLY_1_2, "TLS 1.2")] {
        let offers: &[&[u8]] = &[b"http/1.1"];
        connected(
            Arc::clone(&server),
            client(EC_CERT, versions, offers),
            &format!("a {what} client, with the EC certificate"),
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn a_certificate_and_its_key_may_share_one_file() {
    let (cert, key) = self_signed();
    let both = format!("{key}{cert}");
    assert_eq!(
        outcome(server_config(both.as_bytes(), both.as_bytes())),
        Ok(()),
        "server_config(a file holding the key then the certificate, the same file)"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn a_key_that_does_not_belong_to_the_certificate_is_a_mismatch() {
    let (cert, _) = self_signed();
    let (_, other_key) = self_signed();
    assert_eq!(
        outcome(server_config(cert.as_bytes(), other_key.as_bytes())),
        Err(ConfigError::KeyMismatch),
        "server_config(a certificate, the key of another certificate)"
    );
    assert_eq!(
        outcome(server_config(RSA_CERT, EC_SEC1_KEY)),
        Err(ConfigError::KeyMismatch),
        "server_config(an RSA certificate, an EC key)"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn pem_without_a_certificate_is_no_certificate() {
    let (_, key) = self_signed();
    let broken = "-----BEGIN CERTIFICATE-----\nthis is not base64!\n-----END CERTIFICATE-----\n";
    for (cert, what) in [
        ("", "an empty file"),
        ("hello, world\n", "a file without PEM"),
        (key.as_str(), "the key file given as the certificate"),
        (broken, "a CERTIFICATE block that is not base64"),
    ] {
        assert_eq!(
            outcome(server_config(cert.as_bytes(), key.as_bytes())),
            Err(ConfigError::NoCertificate),
            "server_config({what}, a good key)"
        );
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn pem_without_a_key_is_no_key() {
    let (cert, _) = self_signed();
    for (key, what) in [
        ("", "an empty file"),
        ("hello, world\n", "a file without PEM"),
        (cert.as_str(), "the certificate file given as the key"),
    ] {
        assert_eq!(
            outcome(server_config(cert.as_bytes(), key.as_bytes())),
            Err(ConfigError::NoKey),
            "server_config(a good certificate, {what})"
        );
    }
}

/// A certificate authority for `name`, signed by `issuer` (self-signed without one).
fn authority<'a>(
    name: &str,
    issuer: Option<&CertifiedIssuer<'a, KeyPair>>,
) -> CertifiedIssuer<'a, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    match issuer {
        Some(issuer) => CertifiedIssuer::signed_by(params, key, issuer).unwrap(),
        None => CertifiedIssuer::self_signed(params, key).unwrap(),
    }
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson08"]
fn a_chain_of_two_certificates_keeps_both() {
    // root → intermediate → leaf, as a real authority issues them. The client trusts the
    // root only, so it can verify the leaf only with the intermediate the server sends.
    let root = authority("Test root", None);
    let intermediate = authority("Test intermediate", Some(&root));
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = params.signed_by(&leaf_key, &intermediate).unwrap();
    let chain = format!("{}{}", leaf.pem(), intermediate.pem());
    let server = config_of(
        chain.as_bytes(),
        leaf_key.serialize_pem().as_bytes(),
        "a leaf and its intermediate",
    );
    let offers: &[&[u8]] = &[b"http/1.1"];
    let (client, _) = connected(
        server,
        client(root.pem().as_bytes(), BOTH, offers),
        "a client trusting only the root (it needs the intermediate to verify the leaf)",
    );
    assert_eq!(
        client.peer_certificates().map(<[_]>::len),
        Some(2),
        "how many certificates the server sent (the leaf, then the intermediate)"
    );
}
