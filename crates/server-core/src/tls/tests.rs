//! Tests of TLS: certificates from PEM, the start-up refusals, and real handshakes on
//! loopback with a rustls client that trusts the certificate.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;

use super::*;
use crate::config::ServerConfig as HttpConfig;
use crate::handler::Request;
use crate::response::Response;
use crate::server::Server;

/// A temporary folder with a certificate and key written as PEM.
fn pem_files(cert_pem: &str, key_pem: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    fs::write(&cert, cert_pem).unwrap();
    fs::write(&key, key_pem).unwrap();
    (dir, cert, key)
}

fn made(names: &[&str]) -> rcgen::CertifiedKey<rcgen::KeyPair> {
    rcgen::generate_simple_self_signed(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap()
}

#[test]
fn a_pkcs8_pair_from_files_loads_and_configures() {
    let pair = made(&["localhost"]);
    let (_dir, cert, key) = pem_files(&pair.cert.pem(), &pair.signing_key.serialize_pem());
    let loaded = Certificate::load(&cert, &key).unwrap();
    assert_eq!(loaded.chain.len(), 1);
    assert_eq!(loaded.fingerprint().len(), 32 * 3 - 1);
    assert!(
        loaded
            .chain_pem()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    let config = loaded.server_config().unwrap();
    assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
}

#[test]
fn every_bad_file_is_one_clear_refusal() {
    let pair = made(&["localhost"]);
    let other = made(&["localhost"]);
    let (_d1, cert, key) = pem_files(&pair.cert.pem(), &other.signing_key.serialize_pem());
    let mismatch = Certificate::load(&cert, &key).unwrap_err();
    assert!(
        matches!(mismatch, TlsError::KeyMismatch { .. }),
        "{mismatch:?}"
    );
    assert!(
        mismatch.to_string().contains("does not belong"),
        "{mismatch}"
    );

    let (_d2, cert, key) = pem_files("not a certificate", &pair.signing_key.serialize_pem());
    assert!(matches!(
        Certificate::load(&cert, &key),
        Err(TlsError::NoCertificate { .. })
    ));
    let (_d3, cert, key) = pem_files(&pair.cert.pem(), &pair.cert.pem());
    assert!(matches!(
        Certificate::load(&cert, &key),
        Err(TlsError::NoKey { .. })
    ));
    let missing = Certificate::load(Path::new("/nonexistent/cert.pem"), &key).unwrap_err();
    assert!(matches!(missing, TlsError::Read { .. }));
    for error in [mismatch, missing] {
        let text = error.to_string();
        assert_eq!(
            text.lines().count(),
            2,
            "a sentence and a suggestion: {text}"
        );
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .trim_start()
                .starts_with("try:"),
            "{text}"
        );
    }
}

#[test]
fn an_expired_certificate_is_refused() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    let (_dir, cert_path, key_path) = pem_files(&cert.pem(), &key.serialize_pem());
    let error = Certificate::load(&cert_path, &key_path).unwrap_err();
    assert!(matches!(error, TlsError::OutOfDate { .. }), "{error:?}");
    assert!(error.to_string().contains("2021"), "{error}");
}

#[test]
fn names_cover_the_bind_host_and_loopback() {
    assert_eq!(names_for("127.0.0.1"), ["127.0.0.1", "localhost", "::1"]);
    assert_eq!(names_for("0.0.0.0"), ["localhost", "127.0.0.1", "::1"]);
    assert_eq!(names_for("[::1]"), ["::1", "localhost", "127.0.0.1"]);
    assert_eq!(
        names_for("example.test"),
        ["example.test", "localhost", "127.0.0.1", "::1"]
    );
}

/// Answers with what TLS negotiated, as the request saw it.
fn tls_echo(request: &Request, _: &mut crate::RequestBody<'_>) -> Response {
    let info = request.tls.as_deref();
    Response::text(
        200,
        format!(
            "{} {} {} {}",
            request.scheme(),
            info.map_or("-", |i| i.protocol.as_str()),
            info.map_or("-", |i| i.cipher_suite.as_str()),
            info.and_then(|i| i.alpn.as_deref()).unwrap_or("-"),
        ),
    )
}

/// A TLS server on a free loopback port, serving [`tls_echo`] with a fresh certificate.
fn tls_server() -> (std::net::SocketAddr, Certificate) {
    let certificate = Certificate::self_signed(names_for("127.0.0.1")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let config = certificate.server_config().unwrap();
    let mut http = HttpConfig::default();
    http.timeouts.header = Duration::from_secs(2);
    let server = Server::new(listener, http, tls_echo).with_tls(config);
    std::thread::spawn(move || server.run());
    (addr, certificate)
}

/// A rustls client trusting only `certificate`.
fn client_config(
    certificate: &Certificate,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certificate.chain[0].clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// One HTTPS GET; the whole response as text.
fn https_get(
    addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
) -> std::io::Result<String> {
    let name = ServerName::try_from("localhost").unwrap();
    let connection = rustls::ClientConnection::new(config, name).unwrap();
    let socket = TcpStream::connect(addr)?;
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut stream = rustls::StreamOwned::new(connection, socket);
    stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut response = Vec::new();
    match stream.read_to_end(&mut response) {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof && !response.is_empty() => {
        }
        Err(error) => return Err(error),
    }
    Ok(String::from_utf8_lossy(&response).into_owned())
}

#[test]
fn a_trusting_client_gets_https_with_tls13_and_alpn() {
    let (addr, certificate) = tls_server();
    let all = client_config(&certificate, rustls::DEFAULT_VERSIONS);
    let response = https_get(addr, all).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.ends_with("https TLSv1.3 TLS13_AES_256_GCM_SHA384 http/1.1"),
        "{response}"
    );
    let tls12 = client_config(&certificate, &[&rustls::version::TLS12]);
    let response = https_get(addr, tls12).unwrap();
    assert!(
        response.contains("https TLSv1.2 TLS_ECDHE_ECDSA_WITH_"),
        "{response}"
    );
}

#[test]
fn a_client_that_does_not_trust_the_certificate_fails() {
    let (addr, _) = tls_server();
    let stranger = Certificate::self_signed(names_for("127.0.0.1")).unwrap();
    let error = https_get(addr, client_config(&stranger, rustls::DEFAULT_VERSIONS)).unwrap_err();
    assert!(error.to_string().contains("certificate"), "{error}");
}

#[test]
fn plain_http_on_the_tls_port_gets_a_hint_and_the_server_carries_on() {
    let (addr, certificate) = tls_server();
    let mut socket = TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with("use https:// instead of http:// in the URL.\n"),
        "{answer}"
    );
    let response = https_get(addr, client_config(&certificate, rustls::DEFAULT_VERSIONS)).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
}

#[test]
fn a_tls_1_1_client_hello_is_refused() {
    let (addr, certificate) = tls_server();
    // A minimal TLS 1.1 ClientHello: legacy version 3.2 and no supported_versions extension.
    let mut hello = vec![0x03, 0x02];
    hello.extend([7u8; 32]); // random
    hello.push(0); // no session id
    hello.extend([0x00, 0x02, 0xC0, 0x2B]); // one suite: ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    hello.extend([0x01, 0x00]); // compression: null
    let mut handshake = vec![0x01, 0x00, 0x00, hello.len() as u8];
    handshake.extend(&hello);
    let mut record = vec![0x16, 0x03, 0x01, 0x00, handshake.len() as u8];
    record.extend(&handshake);
    let mut socket = TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket.write_all(&record).unwrap();
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer);
    // A fatal alert record: type 21, level 2, then protocol_version (70) or, when rustls
    // finds another reason first (this hello offers no TLS 1.2 extensions either),
    // handshake_failure (40). Never a ServerHello (22).
    assert_eq!(
        answer.first(),
        Some(&21),
        "an alert, not a handshake: {answer:?}"
    );
    assert_eq!(answer.get(5), Some(&2), "fatal: {answer:?}");
    assert!(matches!(answer.get(6), Some(70 | 40)), "{answer:?}");
    let response = https_get(addr, client_config(&certificate, rustls::DEFAULT_VERSIONS)).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200 OK"),
        "the server carries on: {response}"
    );
}

#[test]
fn a_handshake_trickled_byte_by_byte_is_cut_off_at_the_deadline() {
    let (addr, certificate) = tls_server();
    let mut socket = TcpStream::connect(addr).unwrap();
    // A handshake record header, then one byte every 300 ms: each read succeeds in time,
    // but the whole handshake cannot finish within the server's 2 s.
    let started = std::time::Instant::now();
    let mut closed = false;
    for byte in [0x16u8, 0x03, 0x01, 0x02, 0x00]
        .iter()
        .chain(std::iter::repeat(&0u8))
        .take(40)
    {
        if socket.write_all(&[*byte]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
        socket
            .set_read_timeout(Some(Duration::from_millis(1)))
            .unwrap();
        let mut probe = [0u8; 64];
        match socket.read(&mut probe) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {}
            Err(error)
                if error.kind() == std::io::ErrorKind::WouldBlock
                    || error.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    assert!(closed, "the trickling client was never cut off");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "cut off late: {:?}",
        started.elapsed()
    );
    let response = https_get(addr, client_config(&certificate, rustls::DEFAULT_VERSIONS)).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200 OK"),
        "the server carries on: {response}"
    );
}
