//! Lesson 08's black-box checks: HTTPS — the TLS handshake, HTTP inside it, and plain HTTP
//! sent to the HTTPS port.
//!
//! Start the server with `cargo run -p lesson08-tls -- 8443 --write-cert /tmp/lesson08.pem`
//! and check it with `--url https://127.0.0.1:8443/ --cacert /tmp/lesson08.pem`: the checker
//! trusts that certificate and no other. Any HTTPS server passes that does what the lesson
//! asks (the lesson's contract):
//!
//! - a client speaking only TLS 1.3 and a client speaking only TLS 1.2 both complete the
//!   handshake (TLS 1.2 is the minimum, RFC 8996; TLS 1.3 is RFC 8446), and each gets an
//!   answer to `GET /` over it;
//! - ALPN (RFC 7301): a client offering `http/1.1` gets `http/1.1` agreed;
//! - `GET /` answers `200` (a listing, an index page: any page), and an HTTP/1.1 server keeps
//!   the TLS connection open for more requests, as over plain TCP;
//! - plain HTTP sent to the HTTPS port gets a `4xx` answer (a hint to use `https://`), or the
//!   connection is closed (a TLS alert first is fine), within a few seconds — never a hang —
//!   and the server goes on serving HTTPS.
//!
//! What is left free: the certificate (any the client trusts and that names the URL's host),
//! the cipher suites, the page at `/`. Python's `http.server`, wrapped in an `ssl` context with
//! `minimum_version = TLSv1_2` and `set_alpn_protocols(["http/1.1"])`, passes too (its
//! keep-alive check is skipped unless its `protocol_version` is `HTTP/1.1`).

use super::client::{Framing, Response, Sign, Target, Via};
use super::failure::Failure;
use super::tls::{HTTP_1_1, TlsVersions};
use super::{Check, Group, Passed, Server, exercise_hint};
use crate::catalog::Lesson;

/// How many requests the keep-alive check sends on one connection.
const REQUESTS_ON_ONE_CONNECTION: usize = 3;

/// The checks of lesson 08, grouped by what they are about.
pub fn groups(lesson: &Lesson, target: &Target) -> Vec<Group> {
    vec![
        Group {
            name: "TLS handshake",
            hint: exercise_hint(lesson, "server_config"),
            checks: vec![
                version_check(target, TlsVersions::Only13),
                version_check(target, TlsVersions::Only12),
                alpn_check(),
            ],
        },
        Group {
            name: "HTTP over TLS",
            hint: Some(
                "Once the handshake is done, the TLS stream is read and written like the TCP \
                 stream of the earlier lessons: the same HTTP/1.1 loop runs on it, request \
                 after request, until either side closes.",
            ),
            checks: vec![
                Check::exchange(target.simple("GET", "/"), |response| {
                    response.expect_status(200)
                })
                .noting("over TLS"),
                keep_alive_check(target),
            ],
        },
        Group {
            name: "plain HTTP on the HTTPS port",
            hint: Some(
                "A TLS connection starts with a handshake record, whose first byte is 22; a \
                 plain HTTP request starts with a letter. Look at the first byte before the \
                 handshake: answer plain HTTP with a short 400 saying to use https://, or \
                 close the connection, and never wait for a handshake that will not come.",
            ),
            checks: vec![plain_http_check(target)],
        },
    ]
}

/// A client speaking only one TLS version completes the handshake, agrees on that version,
/// and gets `GET /` answered over it.
fn version_check(target: &Target, versions: TlsVersions) -> Check {
    let request = target.simple("GET", "/");
    let version = versions.only().unwrap_or("TLS");
    let name = format!("{version} only: handshake, then GET {}", target.path("/"));
    Check::custom(name, move |server| {
        let mut connection = server.connect_via(Via::Tls(versions))?;
        let (agreed, suite) = connection
            .tls()
            .map(|negotiated| (negotiated.version.clone(), negotiated.cipher_suite.clone()))
            .unwrap_or_default();
        if agreed != version {
            return Err(Failure::comparing(
                format!("the version agreed with {}", versions.client()),
                version,
                agreed,
            ));
        }
        connection.send(&request)?;
        connection
            .read_response(false)
            .and_then(|response| response.expect_status(200))
            .map_err(|failure| failure.in_context(&format!("GET / over {version} ({suite})")))?;
        Ok(Passed::Yes)
    })
}

/// A client offering `http/1.1` by ALPN gets it agreed.
fn alpn_check() -> Check {
    Check::custom(format!("ALPN: the client offers {HTTP_1_1}"), |server| {
        let connection = server.connect()?;
        let agreed = connection
            .tls()
            .and_then(|negotiated| negotiated.alpn.clone());
        expect_alpn(agreed.as_deref())?;
        Ok(Passed::Yes)
    })
}

/// The protocol agreed by ALPN is `http/1.1`.
fn expect_alpn(agreed: Option<&str>) -> Result<(), Failure> {
    match agreed {
        Some(HTTP_1_1) => Ok(()),
        Some(other) => Err(Failure::comparing(
            format!(
                "the client offered {HTTP_1_1} only, so the server may agree on nothing else \
                 (RFC 7301)"
            ),
            HTTP_1_1,
            other,
        )),
        None => Err(Failure::comparing(
            format!(
                "the server agreed on no protocol by ALPN: it must pick {HTTP_1_1} when the \
                 client offers it, so the client knows to speak HTTP/1.1 (rustls: \
                 config.alpn_protocols; Python's ssl: context.set_alpn_protocols)"
            ),
            HTTP_1_1,
            "no protocol agreed",
        )),
    }
}

/// Several requests on one TLS connection, all answered — when the server keeps connections
/// open (an HTTP/1.0 answer or `Connection: close` skips the check, as in lesson 02).
fn keep_alive_check(target: &Target) -> Check {
    let open = target.request(&format!("GET {} HTTP/1.1", target.path("/")), &[], b"");
    let last = target.simple("GET", "/");
    let name = format!(
        "GET {} {REQUESTS_ON_ONE_CONNECTION} times on one TLS connection",
        target.path("/")
    );
    Check::custom(name, move |server| {
        let mut connection = server.connect()?;
        for number in 1..=REQUESTS_ON_ONE_CONNECTION {
            let last_one = number == REQUESTS_ON_ONE_CONNECTION;
            let context = match number {
                1 => "the first request".to_string(),
                _ => format!(
                    "request {number} on the same TLS connection (the answers before were \
                     HTTP/1.1 without Connection: close, so the connection must stay open)"
                ),
            };
            connection
                .send(if last_one { &last } else { &open })
                .map_err(|failure| failure.in_context(&context))?;
            let response = connection
                .read_response(false)
                .and_then(|response| response.expect_status(200).map(|()| response))
                .map_err(|failure| failure.in_context(&context))?;
            if number == 1 {
                if let Some(skipped) = keeps_connections(&response)? {
                    return Ok(Passed::Skipped(skipped));
                }
            }
        }
        Ok(Passed::Yes)
    })
}

/// Whether the first response of the keep-alive check lets more follow on its connection:
/// `Some(why not)` when the server closes after each response, which is allowed.
fn keeps_connections(response: &Response) -> Result<Option<String>, Failure> {
    if response.version != "HTTP/1.1" {
        return Ok(Some(format!(
            "skipped: the server answered {}, whose connections close after each response \
             (Python's http.server does this unless its protocol_version is HTTP/1.1)",
            response.version
        )));
    }
    if response.has_token("connection", "close") {
        return Ok(Some(
            "skipped: the server answers with Connection: close, so it serves one request per \
             connection (allowed, but each request then costs a whole TLS handshake)"
                .to_string(),
        ));
    }
    if response.framing == Framing::UntilClose {
        return Err(Failure::new(
            "the first response has neither Content-Length nor chunked encoding, so its end is \
             the end of the connection, yet it did not say Connection: close",
        ));
    }
    Ok(None)
}

/// Plain HTTP sent to the HTTPS port: a 4xx answer or a close, soon; then HTTPS still works.
fn plain_http_check(target: &Target) -> Check {
    let plain = target.simple("GET", "/");
    let tls = target.simple("GET", "/");
    let name = format!(
        "GET {} in plain HTTP to the HTTPS port, then over TLS",
        target.path("/")
    );
    Check::custom(name, move |server| {
        let outcome = plain_answer(server, &plain)?;
        let response = server.exchange(&tls).map_err(|failure| {
            failure.in_context(
                "after the plain HTTP request, the server must go on serving HTTPS, but GET / \
                 over TLS failed",
            )
        })?;
        response.expect_status(200).map_err(|failure| {
            failure.in_context("GET / over TLS, after the plain HTTP request")
        })?;
        Ok(outcome)
    })
}

/// What a server did with plain HTTP on its HTTPS port: fine (a 4xx, a close, a reset, a TLS
/// alert then a close), or the failure saying what was wrong.
fn plain_answer(server: &mut Server, request: &[u8]) -> Result<Passed, Failure> {
    let mut connection = server.connect_via(Via::PlainTcp)?;
    connection.send(request)?;
    match connection.first_sign() {
        Sign::Closed => return Ok(Passed::Yes),
        Sign::Failed(error) => return closed_by_reset(error),
        Sign::Silent => return Err(silent()),
        Sign::Bytes => {}
    }
    if connection.unread().first() == Some(&TLS_ALERT) {
        // A TLS server that read the request as a broken record says so with an alert.
        return match connection.wait_for_close() {
            Sign::Closed => Ok(Passed::Yes),
            Sign::Failed(error) => closed_by_reset(error),
            Sign::Silent | Sign::Bytes => Err(Failure::new(format!(
                "the server answered the plain HTTP request with a TLS alert, then kept the \
                 connection open for {} seconds: after a fatal alert it must close",
                super::client::RESPONSE_TIMEOUT.as_secs()
            ))),
        };
    }
    let start = &connection.unread()[..connection.unread().len().min(5)];
    if !b"HTTP/".starts_with(start) {
        return Err(Failure::new(format!(
            "the server answered the plain HTTP request with bytes that are neither an HTTP \
             response nor a TLS alert (they start with {:?}): answer with a 4xx, or close",
            String::from_utf8_lossy(start)
        )));
    }
    let response = connection.read_response(false)?;
    expect_refusal(&response)?;
    Ok(Passed::Yes)
}

/// The first byte of a TLS alert record.
const TLS_ALERT: u8 = 21;

/// A plain HTTP request answered in plain HTTP: with a 4xx, saying it was not understood.
fn expect_refusal(response: &Response) -> Result<(), Failure> {
    response.expect_status_in(
        |status| (400..500).contains(&status),
        "a 4xx, such as 400 with a hint to use https://",
        "a plain HTTP request to the HTTPS port is the client's mistake: answer it with a 4xx \
         (or close the connection), never serve it as if it had come over TLS",
    )
}

/// A connection the server reset instead of answering: a close all the same.
fn closed_by_reset(error: std::io::Error) -> Result<Passed, Failure> {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
    ) {
        return Ok(Passed::Yes);
    }
    Err(Failure::new(format!(
        "reading the answer to the plain HTTP request failed: {error}"
    )))
}

/// The failure for a server that neither answered plain HTTP nor closed.
fn silent() -> Failure {
    Failure::new(format!(
        "the server neither answered the plain HTTP request nor closed the connection within {} \
         seconds: it is waiting for a TLS handshake that will never come, and the client waits \
         too. Look at the first byte: a TLS handshake starts with 22, an HTTP request with a \
         letter",
        super::client::RESPONSE_TIMEOUT.as_secs()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(
        version: &str,
        status: u16,
        headers: &[(&str, &str)],
        framing: Framing,
    ) -> Response {
        Response {
            version: version.to_string(),
            status,
            reason: "Reason".to_string(),
            headers: headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            body: Vec::new(),
            framing,
        }
    }

    #[test]
    fn alpn_must_agree_on_http_1_1() {
        assert_eq!(expect_alpn(Some("http/1.1")), Ok(()));
        let none = expect_alpn(None).unwrap_err();
        assert!(none.message.contains("no protocol"), "{none:?}");
        assert_eq!(none.expected.as_deref(), Some("http/1.1"));
        let h2 = expect_alpn(Some("h2")).unwrap_err();
        assert_eq!(h2.got.as_deref(), Some("h2"));
    }

    #[test]
    fn plain_http_must_get_a_4xx() {
        for status in [400, 403, 421, 497] {
            let answer = response("HTTP/1.1", status, &[], Framing::Length(0));
            assert_eq!(expect_refusal(&answer), Ok(()), "{status}");
        }
        for status in [200, 301, 500] {
            let answer = response("HTTP/1.1", status, &[], Framing::Length(0));
            assert!(expect_refusal(&answer).is_err(), "{status}");
        }
    }

    #[test]
    fn resets_count_as_closes_and_other_errors_do_not() {
        use std::io::{Error, ErrorKind};
        assert_eq!(
            closed_by_reset(Error::from(ErrorKind::ConnectionReset)),
            Ok(Passed::Yes)
        );
        assert!(closed_by_reset(Error::from(ErrorKind::PermissionDenied)).is_err());
        assert!(silent().message.contains("22"));
    }

    #[test]
    fn keep_alive_is_skipped_only_when_the_server_says_so() {
        let kept = response("HTTP/1.1", 200, &[], Framing::Length(3));
        assert_eq!(keeps_connections(&kept), Ok(None));
        let old = response("HTTP/1.0", 200, &[], Framing::Length(3));
        assert!(
            keeps_connections(&old)
                .unwrap()
                .unwrap()
                .starts_with("skipped:")
        );
        let closing = response(
            "HTTP/1.1",
            200,
            &[("connection", "close")],
            Framing::UntilClose,
        );
        assert!(
            keeps_connections(&closing)
                .unwrap()
                .unwrap()
                .starts_with("skipped:")
        );
        let unframed = response("HTTP/1.1", 200, &[], Framing::UntilClose);
        assert!(keeps_connections(&unframed).is_err());
    }
}
