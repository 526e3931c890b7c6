//! Choosing the certificate: the files given with `--cert` and `--key`, or one made at start.
//!
//! A self-signed certificate is made for the bind address and the loopback names, so
//! `https://localhost:PORT/`, `https://127.0.0.1:PORT/` and `https://[::1]:PORT/` all match
//! it. Nobody vouches for it, so browsers warn and curl refuses — until told to trust it:
//! `--write-cert FILE` saves it, and `curl --cacert FILE` (or a browser's certificate
//! import) trusts exactly that certificate. Its SHA-256 fingerprint is printed at start, to
//! compare with what a browser shows. A new one is made on every start.

use std::path::PathBuf;

use server_core::tls::{Certificate, Origin, TlsError, names_for};

// ANCHOR: choose
/// The certificate to serve: loaded, or made; saved when `write_to` is given. Exits with
/// one sentence when that fails.
pub fn choose(
    cert: &Option<PathBuf>,
    key: &Option<PathBuf>,
    bind: &str,
    write_to: &Option<PathBuf>,
) -> Certificate {
    let certificate = match (cert, key) {
        (Some(cert), Some(key)) => Certificate::load(cert, key),
        _ => Certificate::self_signed(names_for(bind)),
    }
    .unwrap_or_else(|e| exit_with(e));
    if let Some(path) = write_to {
        certificate
            .write_chain(path)
            .unwrap_or_else(|e| exit_with(e));
    }
    certificate
}
// ANCHOR_END: choose

/// Prints where the certificate came from, its fingerprint, and how to trust it.
pub fn describe(certificate: &Certificate, written_to: &Option<PathBuf>) {
    match &certificate.origin {
        Origin::Files { cert, .. } => println!("Certificate: {}", cert.display()),
        Origin::SelfSigned { names } => {
            println!("Certificate: self-signed, for {}", names.join(", "));
        }
    }
    println!("  SHA-256 fingerprint: {}", certificate.fingerprint());
    match written_to {
        Some(path) => println!(
            "  saved to {}: trust it with  curl --cacert {} https://localhost:PORT/",
            path.display(),
            path.display()
        ),
        None if matches!(certificate.origin, Origin::SelfSigned { .. }) => {
            println!(
                "  browsers will warn; --write-cert FILE saves it to trust it (curl --cacert FILE)"
            );
        }
        None => {}
    }
}

/// Prints a TLS start-up error as `error: <sentence>` and exits with status 1.
pub fn exit_with(error: TlsError) -> ! {
    eprintln!("error: {error}");
    std::process::exit(1)
}
