//! Tests of the black-box checks against small canned servers: threads on loopback ports
//! that answer with fixed bytes, so each way a server can go wrong is tried on purpose.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use super::*;
use crate::catalog::find_lesson;

/// Starts a server on a free loopback port that answers every request with `answer(request)`
/// and keeps the connection open for the next request unless the request or the answer
/// closes it. Returns its URL. The thread lives until the test process ends.
fn canned(answer: impl Fn(&[u8]) -> Vec<u8> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            serve(&mut stream, &answer);
            let _ = stream.shutdown(Shutdown::Write);
        }
    });
    url
}

/// Answers the requests of one connection with `answer`, until the client goes or either side
/// says the connection closes.
fn serve(stream: &mut (impl Read + Write), answer: &dyn Fn(&[u8]) -> Vec<u8>) {
    while let Some(request) = read_request_from(stream) {
        let response = answer(&request);
        if stream.write_all(&response).is_err() {
            break;
        }
        let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
        let answer_text = String::from_utf8_lossy(&response).to_ascii_lowercase();
        if text.contains("connection: close")
            || answer_text.contains("connection: close")
            || !answer_text.starts_with("http/1.1")
        {
            break;
        }
    }
}

/// Reads one request head and its Content-Length body; `None` when the client is gone.
fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    read_request_from(stream)
}

/// [`read_request`] from any stream (TLS too), whose timeouts are already set.
fn read_request_from(stream: &mut impl Read) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(end) = client::find(&request, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                return Some(request);
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) => return None,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// A correct lesson-01 answer.
const HELLO_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\
    Content-Length: 13\r\nConnection: close\r\n\r\nHello, World!";

fn lesson(id: &str) -> &'static Lesson {
    find_lesson(id).unwrap()
}

/// [`super::check_url`] for an `http://` URL: no certificate to trust.
fn check_url(lesson: &Lesson, url: &str) -> Report {
    super::check_url(lesson, url, None)
}

fn failures(report: &Report) -> Vec<&CheckResult> {
    report
        .groups
        .iter()
        .flat_map(|group| &group.checks)
        .filter(|check| !check.passed)
        .collect()
}

#[test]
fn a_correct_hello_server_passes_lesson01() {
    let url = canned(|_| HELLO_RESPONSE.to_vec());
    let report = check_url(lesson("lesson01"), &url);
    assert_eq!(report.failed, 0, "{report:#?}");
    assert_eq!(report.passed, 3);
    assert!(report.all_passed());
    assert_eq!(report.mode, "url");
    let names: Vec<&str> = report.groups[0]
        .checks
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["GET /", "GET /any/path?x=1", "POST /"]);
}

#[test]
fn a_chunked_body_is_decoded() {
    let url = canned(|_| {
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
          7\r\nHello, \r\n6;ext=1\r\nWorld!\r\n0\r\nTrailer: x\r\n\r\n"
            .to_vec()
    });
    let report = check_url(lesson("lesson01"), &url);
    assert_eq!(report.failed, 0, "{report:#?}");
}

#[test]
fn a_failure_shows_the_bytes_sent_and_received() {
    let url = canned(|_| {
        b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\nConnection: close\r\n\r\nHello, World!".to_vec()
    });
    let report = check_url(lesson("lesson01"), &url);
    assert_eq!(report.failed, 3);
    let check = &report.groups[0].checks[0];
    let message = check.message.as_deref().unwrap();
    assert!(
        message.contains("after 13 of the 20 body bytes"),
        "{message}"
    );
    let authority = url.trim_start_matches("http://").trim_end_matches('/');
    let sent =
        format!("GET / HTTP/1.1\\r\\n\nHost: {authority}\\r\\n\nConnection: close\\r\\n\n\\r\\n\n");
    assert_eq!(check.sent.as_deref(), Some(sent.as_str()));
    let received = check.received.as_deref().unwrap();
    assert!(
        received.starts_with("HTTP/1.1 200 OK\\r\\n\nContent-Length: 20"),
        "{received}"
    );
    assert!(received.ends_with("Hello, World!"), "{received}");
}

#[test]
fn bytes_after_the_announced_length_are_a_failure() {
    let url = canned(|_| {
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nHello, World!".to_vec()
    });
    let report = check_url(lesson("lesson01"), &url);
    let message = report.groups[0].checks[0].message.clone().unwrap();
    assert!(
        message.contains("8 more bytes arrived after the 5-byte body"),
        "{message}"
    );
}

#[test]
fn a_head_with_bare_line_feeds_is_named_as_such() {
    let url = canned(|_| b"HTTP/1.1 200 OK\nContent-Length: 13\n\nHello, World!".to_vec());
    let report = check_url(lesson("lesson01"), &url);
    let message = report.groups[0].checks[0].message.clone().unwrap();
    assert!(message.contains("bare \\n"), "{message}");
}

#[test]
fn an_answer_without_a_status_line_is_named_as_such() {
    let url = canned(|_| b"<html>Error code: 505</html>".to_vec());
    let report = check_url(lesson("lesson01"), &url);
    assert_eq!(report.failed, 3);
    let check = &report.groups[0].checks[0];
    assert!(
        check.message.as_deref().unwrap().contains("HTTP/0.9"),
        "{check:?}"
    );
    assert_eq!(
        check.received.as_deref(),
        Some("<html>Error code: 505</html>")
    );
}

#[test]
fn a_wrong_body_fails_with_expected_and_got() {
    let url = canned(|_| {
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nConnection: close\r\n\r\nNope!".to_vec()
    });
    let report = check_url(lesson("lesson01"), &url);
    let check = &report.groups[0].checks[0];
    assert_eq!(check.message.as_deref(), Some("wrong status code"));
    assert_eq!(check.expected.as_deref(), Some("200"));
    assert_eq!(check.got.as_deref(), Some("404 Not Found"));
}

#[test]
fn a_server_that_is_not_running_fails_every_check_at_once() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let started = Instant::now();
    let lesson = lesson("lesson02");
    let report = check_url(lesson, &format!("http://127.0.0.1:{port}/"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(report.passed, 0);
    assert!(report.failed > 10);
    for check in failures(&report) {
        let message = check.message.as_deref().unwrap();
        assert!(
            message.starts_with(&format!("could not connect to 127.0.0.1:{port}")),
            "{message}"
        );
        assert!(message.contains("is the server running?"), "{message}");
        assert!(message.ends_with(lesson.serve_hint), "{message}");
        assert_eq!((&check.sent, &check.received), (&None, &None));
    }
}

#[test]
fn a_lesson_without_black_box_checks_says_so() {
    let lesson = Lesson {
        id: "lesson99",
        package: "lesson99-none",
        title: "none",
        chapter: "none.md",
        exercises: &[],
        serve_hint: "",
    };
    let report = check_url(&lesson, "http://127.0.0.1:1/");
    assert_eq!((report.passed, report.failed), (0, 1));
    let message = failures(&report)[0].message.clone().unwrap();
    assert!(
        message.contains("lesson99 has no black-box checks"),
        "{message}"
    );
}

#[test]
fn an_unusable_url_fails_with_the_reason() {
    let report = check_url(lesson("lesson02"), "https://127.0.0.1:8443/");
    assert_eq!((report.passed, report.failed), (0, 1));
    let message = failures(&report)[0].message.clone().unwrap();
    assert!(message.contains("needs --cacert FILE"), "{message}");
    assert!(message.contains("--write-cert"), "{message}");
}

/// A tiny file server for the keep-alive check: `/hello.txt` and `/docs/`, answered with the
/// status line `version` and `extra` header lines.
fn keep_alive_server(version: &'static str, extra: &'static str) -> String {
    canned(move |request| {
        let line =
            String::from_utf8_lossy(&request[..request.iter().position(|&b| b == b'\r').unwrap()])
                .into_owned();
        let body: &[u8] = if line.contains("/docs/") {
            include_bytes!("../../fixtures/lesson02/docs/index.html")
        } else {
            include_bytes!("../../fixtures/lesson02/hello.txt")
        };
        let mut response = format!(
            "{version} 200 OK\r\nContent-Length: {}\r\n{extra}\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(body);
        response
    })
}

fn keep_alive_result(url: &str) -> CheckResult {
    let report = check_url(lesson("lesson02"), url);
    let group = report
        .groups
        .iter()
        .find(|g| g.name == "connections")
        .unwrap();
    group.checks[0].clone()
}

#[test]
fn keep_alive_is_checked_when_the_server_offers_it() {
    let check = keep_alive_result(&keep_alive_server("HTTP/1.1", ""));
    assert!(check.passed, "{check:#?}");
    assert_eq!(check.message, None);
    assert_eq!(check.sent.as_deref().unwrap().matches("GET ").count(), 2);
    assert_eq!(
        check.received.as_deref().unwrap().matches("200 OK").count(),
        2
    );
}

#[test]
fn keep_alive_is_skipped_for_http_1_0_and_connection_close() {
    for (version, extra) in [("HTTP/1.0", ""), ("HTTP/1.1", "Connection: close\r\n")] {
        let check = keep_alive_result(&keep_alive_server(version, extra));
        assert!(check.passed, "{check:#?}");
        assert!(
            check.message.as_deref().unwrap().starts_with("skipped:"),
            "{check:#?}"
        );
    }
}

#[test]
fn keep_alive_fails_when_an_open_connection_is_closed() {
    // It answers HTTP/1.1 without Connection: close, then closes the connection anyway.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            if read_request(&mut stream).is_some() {
                let hello = include_bytes!("../../fixtures/lesson02/hello.txt");
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", hello.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(hello);
            }
        }
    });
    let check = keep_alive_result(&url);
    assert!(!check.passed, "{check:#?}");
    let message = check.message.unwrap();
    assert!(
        message.starts_with("the second request on the same connection"),
        "{message}"
    );
}

#[test]
fn a_silent_server_times_out_with_a_clear_message() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let target = Target::parse(&url).unwrap();
    let mut transcript = Transcript::default();
    let mut connection = client::connect_via(&target, Via::Url, &mut transcript).unwrap();
    connection.send(&target.simple("GET", "/")).unwrap();
    let started = Instant::now();
    let failure = connection.read_response(false).unwrap_err();
    let waited = started.elapsed();
    assert!(
        waited >= client::RESPONSE_TIMEOUT - Duration::from_millis(50),
        "{waited:?}"
    );
    assert!(
        waited < client::RESPONSE_TIMEOUT + Duration::from_secs(2),
        "{waited:?}"
    );
    assert!(failure.message.contains("sent nothing"), "{failure:?}");
    drop(listener);
}

#[test]
fn check_names_are_the_request_lines() {
    assert_eq!(
        name_of(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"),
        "GET /hello.txt"
    );
    assert_eq!(name_of(b"GET / HTTP/2.0\r\n\r\n"), "GET / HTTP/2.0");
    assert_eq!(
        name_of(b"GET /files/a b.txt HTTP/1.1\r\n\r\n"),
        "GET /files/a b.txt HTTP/1.1"
    );
}

/// The course's two forms, as a lesson-04 server serves them at `/`.
const LESSON04_PAGE: &str = "<!DOCTYPE html><html><body>\
    <form method=\"post\" action=\"/foo/bar?hi=john%20doe\">\
    <input name=\"user\"><input name=\"user2\">\
    <input type=\"radio\" name=\"vote\" value=\"Y\" checked>\
    <input type=\"radio\" name=\"vote\" value=\"N\">\
    <input type=\"checkbox\" name=\"pets\" value=\"dog\" checked>\
    <input type=\"checkbox\" name=\"pets\" value=\"cat\" checked>\
    <input type=\"checkbox\" name=\"pets\" value=\"fish\">\
    <textarea name=\"comments\"></textarea><input type=\"submit\" value=\"OK\"></form>\
    <form method=\"post\" action=\"/foo/bar\" enctype=\"multipart/form-data\">\
    <input type=\"file\" name=\"myfile\" multiple><input type=\"submit\" value=\"OK\"></form>\
    </body></html>";

/// A canned lesson-04 server: the right answer to each request the checks send, looked up by
/// its request line and body. With `lenient`, it accepts malformed multipart bodies.
fn lesson04_server(lenient: bool) -> String {
    canned(move |request| {
        let text = String::from_utf8_lossy(request).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or("").to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(": "))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
            .collect();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(field, _)| field == name)
                .map_or("", |(_, value)| value.as_str())
        };
        let mut words = request_line.split(' ');
        let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let answer = |status: &str, content_type: &str, body: &str| {
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        };
        let json =
            |value: serde_json::Value| answer("200 OK", "application/json", &value.to_string());
        if target.starts_with("/json/") || header("accept") == "application/json" {
            return json(if target.contains("login") {
                serde_json::json!({
                    "path": "/login",
                    "query_data": {"failed": "true", "lang": "en"},
                    "post_data": body,
                    "form_data": {"username": "jdoe", "password": "s3cret"},
                    "cookies": {"session": "d7f2cf106764", "eu_cookie_consent": "true"},
                })
            } else {
                serde_json::json!({
                    "path": "/prefs", "query_data": {"q": "b"}, "post_data": "",
                    "form_data": {}, "cookies": {"theme": "dark", "visits": "3"},
                })
            });
        }
        if method == "GET" && target == "/" {
            return answer("200 OK", "text/html; charset=utf-8", LESSON04_PAGE);
        }
        let content_type = header("content-type");
        let malformed = content_type.starts_with("multipart/form-data")
            && (!content_type.contains("boundary=")
                || !body.contains("--\r\n")
                || body.contains("no empty line"));
        if malformed && !lenient {
            return answer("400 Bad Request", "text/html", "<p>Bad form</p>");
        }
        let sha_text = "19811408248c655422aa08aed46d59d3ec66e282f711c61afce26c06722847d0";
        let sha_bytes = "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880";
        let (form, files): (&[&str], Vec<String>) = match target {
            "/foo?x=42&y=10" => (&["y ['10']", "x ['42']"], vec![]),
            "/foo?q=caf%C3%A9+au+lait&q=th%C3%A9&empty=" => {
                (&["q ['café au lait', 'thé']", "empty ['']"], vec![])
            }
            "/foo?quote=O%27Brien&both=%27%22&crlf=a%0D%0Ab&back=a%5Cb" => (
                &[
                    "quote [\"O'Brien\"]",
                    "both ['\\'\"']",
                    "crlf ['a\\r\\nb']",
                    "back ['a\\\\b']",
                ],
                vec![],
            ),
            "/foo?after=1" => (&["after ['1']"], vec![]),
            "/foo/bar?hi=john%20doe" => (
                &[
                    "hi ['john doe']",
                    "user ['James & Nancy Kirk']",
                    "user2 ['']",
                    "vote ['Y']",
                    "pets ['dog', 'cat']",
                    "comments ['']",
                ],
                vec![],
            ),
            "/foo/bar?a=0" => (&["a ['1', '2', '0']"], vec![]),
            "/foo" => (&["name ['élève']"], vec![]),
            _ => {
                let mut files = Vec::new();
                if body.contains("\"text1\"") {
                    files.push(format!(
                        "myfile 'text1' 35 bytes sha256 {sha_text} saved as 'text1'"
                    ));
                }
                if body.contains("\"bytes.bin\"") {
                    files.push(format!(
                        "myfile 'bytes.bin' 256 bytes sha256 {sha_bytes} saved as 'bytes.bin'"
                    ));
                }
                let form: &[&str] = if body.contains("\"note\"") {
                    &["note ['every byte value']", "myfile [<file 'bytes.bin'>]"]
                } else {
                    &[]
                };
                (form, files)
            }
        };
        let mut printout = format!(
            "Client address: 127.0.0.1:50000\nrequestline: {request_line}\ncommand: {method}\n\
             path: {target}\nrequest_version: HTTP/1.1\nHeaders:\n"
        );
        for (name, value) in &headers {
            printout.push_str(&format!("{name}: '{value}'\n"));
        }
        printout.push_str("Form:\n");
        for line in form {
            printout.push_str(&format!("{line}\n"));
        }
        if !files.is_empty() {
            printout.push_str("Files:\n");
            for line in &files {
                printout.push_str(&format!("{line}\n"));
            }
        }
        answer("200 OK", "text/plain; charset=utf-8", &printout)
    })
}

#[test]
fn a_correct_lesson04_server_passes_every_check() {
    let report = check_url(lesson("lesson04"), &lesson04_server(false));
    assert_eq!(report.failed, 0, "{report:#?}");
    assert_eq!(report.passed, 18);
    let groups: Vec<&str> = report.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        groups,
        [
            "form pages",
            "query strings",
            "urlencoded forms",
            "uploads",
            "JSON view",
            "malformed forms"
        ]
    );
}

#[test]
fn a_lesson04_server_that_accepts_malformed_uploads_fails_those_checks() {
    let report = check_url(lesson("lesson04"), &lesson04_server(true));
    let failed: Vec<&str> = failures(&report)
        .iter()
        .map(|check| check.name.as_str())
        .collect();
    assert_eq!(failed.len(), 3, "{failed:#?}");
    assert!(failures(&report).iter().all(|check| {
        check.expected.as_deref() == Some("400") && check.got.as_deref() == Some("200 OK")
    }));
    assert!(
        report
            .groups
            .iter()
            .all(|group| group.passed == (group.name != "malformed forms"))
    );
}

/// The request line and headers of a canned server's request: `(method, target, headers)`,
/// header names in lower case.
fn request_parts(request: &[u8]) -> (String, String, Vec<(String, String)>) {
    let text = String::from_utf8_lossy(request).into_owned();
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.split("\r\n");
    let mut words = lines.next().unwrap_or("").split(' ');
    let method = words.next().unwrap_or("").to_string();
    let target = words.next().unwrap_or("").to_string();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    (method, target, headers)
}

/// A whole response that closes the connection.
fn answer(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// `%XX` decoded (enough for the paths the checks send).
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut decoded = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let hex = bytes
            .get(at + 1..at + 3)
            .and_then(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok());
        match (bytes[at], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                at += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// HTML escaping, or not, for the canned servers.
fn escape_if(escape: bool, text: &str) -> String {
    if escape {
        page::escaped(text)
    } else {
        text.to_string()
    }
}

/// What a canned lesson 05 server gets wrong.
#[derive(Clone, Copy, PartialEq)]
enum EnvironmentFault {
    None,
    NoEscaping,
    Unsorted,
}

/// A canned lesson 05 server: the environment page of each request.
fn lesson05_server(fault: EnvironmentFault) -> String {
    canned(move |request| {
        let (method, target, headers) = request_parts(request);
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let host = headers
            .iter()
            .find(|(name, _)| name == "host")
            .map_or("", |(_, value)| value.as_str())
            .to_string();
        let port = host.rsplit(':').next().unwrap_or("").to_string();
        let mut environ = vec![
            ("SERVER_NAME", "localhost".to_string()),
            ("SERVER_PORT", port),
            ("REMOTE_ADDR", "127.0.0.1".to_string()),
            ("REQUEST_METHOD", method),
            ("PATH_INFO", percent_decoded(path)),
            ("QUERY_STRING", query.to_string()),
            ("SERVER_PROTOCOL", "HTTP/1.1".to_string()),
            ("HTTP_HOST", host),
            ("wsgi.url_scheme", "http".to_string()),
            ("SCRIPT_NAME", String::new()),
        ];
        let escape = fault != EnvironmentFault::NoEscaping;
        let labels = [
            "Server name",
            "Server port",
            "Client address",
            "Method",
            "Path",
            "Query string",
            "Protocol",
            "Host header",
            "URL scheme",
        ];
        let mut html = String::from("<!DOCTYPE html>\n<title>env</title><table>\n");
        for (label, (_, value)) in labels.iter().zip(&environ) {
            let shown = if value.is_empty() {
                "<i>(not set)</i>".to_string()
            } else {
                escape_if(escape, value)
            };
            html.push_str(&format!("<tr><th>{label}</th><td>{shown}</td></tr>\n"));
        }
        html.push_str("</table>\n<h2>Every variable</h2>\n<table>\n");
        if fault == EnvironmentFault::Unsorted {
            environ.reverse();
        } else {
            environ.sort();
        }
        for (key, value) in &environ {
            html.push_str(&format!(
                "<tr><th>{key}</th><td>{}</td></tr>\n",
                escape_if(escape, value)
            ));
        }
        html.push_str("</table>\n");
        answer("200 OK", "text/html; charset=utf-8", &html)
    })
}

#[test]
fn a_correct_lesson05_server_passes_every_check() {
    let report = check_url(lesson("lesson05"), &lesson05_server(EnvironmentFault::None));
    assert_eq!(report.failed, 0, "{report:#?}");
    assert_eq!(report.passed, 4);
    let names: Vec<&str> = report
        .groups
        .iter()
        .flat_map(|group| &group.checks)
        .map(|check| check.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "GET /",
            "GET /some/path?x=1&y=<b>",
            "GET /some/path?x=1&y=<b> (every variable)",
            "GET /%3Cb%3Emarkup%3C/b%3E%22%27%26",
        ]
    );
}

#[test]
fn a_lesson05_server_that_does_not_escape_fails_every_page_with_markup() {
    let report = check_url(
        lesson("lesson05"),
        &lesson05_server(EnvironmentFault::NoEscaping),
    );
    let failed: Vec<&str> = failures(&report)
        .iter()
        .map(|check| check.name.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "GET /some/path?x=1&y=<b>",
            "GET /some/path?x=1&y=<b> (every variable)",
            "GET /%3Cb%3Emarkup%3C/b%3E%22%27%26",
        ]
    );
    let markup = failures(&report)[2];
    assert!(
        markup.message.as_deref().unwrap().contains("HTML-escaped"),
        "{markup:#?}"
    );
}

#[test]
fn a_lesson05_server_with_an_unsorted_table_fails_that_check_only() {
    let report = check_url(
        lesson("lesson05"),
        &lesson05_server(EnvironmentFault::Unsorted),
    );
    let failed = failures(&report);
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert!(
        failed[0].message.as_deref().unwrap().contains("sorted"),
        "{:#?}",
        failed[0]
    );
}

/// What a canned lesson 06 server gets wrong.
#[derive(Clone, Copy, PartialEq)]
enum BooksFault {
    None,
    NoEscaping,
    TrailingSlash,
}

/// A canned lesson 06 server: the list and the pages of `wsgi/books.json`.
fn lesson06_server(fault: BooksFault) -> String {
    let books = lesson06::books().unwrap();
    canned(move |request| {
        let (_, target, _) = request_parts(request);
        let escape = |text: &str| escape_if(fault != BooksFault::NoEscaping, text);
        let page = |title: &str, body: &str| {
            format!(
                "<!DOCTYPE html>\n<html><head><title>{}</title></head><body>\n{body}\n</body></html>\n",
                escape(title)
            )
        };
        if target == "/" {
            let items: String = books
                .iter()
                .map(|book| {
                    format!(
                        "<li><a href=\"/book/{}\">{}</a></li>\n",
                        book.id,
                        escape(book.title())
                    )
                })
                .collect();
            let body = format!("<h1>My Bookshelf</h1>\n<ul>\n{items}</ul>");
            return answer("200 OK", "text/html", &page("My Bookshelf", &body));
        }
        let id = target.strip_prefix("/book/").unwrap_or("");
        let id = match fault {
            BooksFault::TrailingSlash => id.trim_end_matches('/'),
            _ => id,
        };
        match books.iter().find(|book| book.id == id) {
            Some(book) => {
                let [title, isbn, publisher, author] = book.fields.clone().map(|f| escape(&f));
                let body = format!(
                    "<h1>{title}</h1>\n<table>\n<tr><th>Title</th><td>{title}</td></tr>\n\
                     <tr><th>ISBN</th><td>{isbn}</td></tr>\n\
                     <tr><th>Publisher</th><td>{publisher}</td></tr>\n\
                     <tr><th>Author</th><td>{author}</td></tr>\n</table>\n\
                     <p><a href=\"/\">Back to the list</a></p>"
                );
                answer("200 OK", "text/html", &page(book.title(), &body))
            }
            None => answer(
                "404 Not Found",
                "text/html",
                &page("Not Found", "<h1>Not Found</h1>"),
            ),
        }
    })
}

#[test]
fn a_correct_lesson06_server_passes_every_check() {
    let report = check_url(lesson("lesson06"), &lesson06_server(BooksFault::None));
    assert_eq!(report.failed, 0, "{report:#?}");
    assert_eq!(report.passed, 9);
    let groups: Vec<&str> = report.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(groups, ["book list", "book pages", "not found"]);
}

#[test]
fn a_lesson06_server_that_does_not_escape_fails_the_page_of_o_reilly() {
    let report = check_url(lesson("lesson06"), &lesson06_server(BooksFault::NoEscaping));
    let failed = failures(&report);
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert_eq!(failed[0].name, "GET /book/id4");
    assert_eq!(failed[0].got.as_deref(), Some("O'Reilly Media"));
}

#[test]
fn a_lesson06_server_that_ignores_a_trailing_slash_fails_its_404() {
    let report = check_url(
        lesson("lesson06"),
        &lesson06_server(BooksFault::TrailingSlash),
    );
    let failed = failures(&report);
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert_eq!(failed[0].name, "GET /book/id3/");
    assert_eq!(failed[0].expected.as_deref(), Some("404"));
}

/// What a canned lesson 07 server gets wrong.
#[derive(Clone, Copy, PartialEq)]
enum CalculatorFault {
    None,
    /// Inexact quotients as floats, like Python's `a / b`.
    Floats,
    /// Results outside 64 bits wrap around.
    Wrapping,
}

/// A canned lesson 07 server: the calculator's rules, in 128-bit arithmetic.
fn lesson07_server(fault: CalculatorFault) -> String {
    canned(move |request| {
        let (_, target, _) = request_parts(request);
        let text = |status: &str, body: &str| answer(status, "text/plain; charset=utf-8", body);
        if target == "/" {
            let home = "<!DOCTYPE html><p><a href=\"/add/23/42\">a</a> <a href=/subtract/23/42>s</a> \
                        <a href='/multiply/3/5'>m</a> <A HREF=\"/divide/22/11\">d</A></p>";
            return answer("200 OK", "text/html", home);
        }
        let parts: Vec<&str> = target.trim_start_matches('/').split('/').collect();
        let known = ["add", "subtract", "multiply", "divide"];
        if parts.len() != 3 || !known.contains(&parts[0]) {
            return text("404 Not Found", "Not Found: no such page\n");
        }
        let operand = |text: &str| {
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            let shaped =
                (1..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
            shaped.then(|| text.parse::<i64>().ok()).flatten()
        };
        let (Some(a), Some(b)) = (operand(parts[1]), operand(parts[2])) else {
            return text("400 Bad Request", "Bad Request: not a number\n");
        };
        let (a, b) = (i128::from(a), i128::from(b));
        if parts[0] == "divide" && b == 0 {
            return text("400 Bad Request", "Bad Request: division by zero\n");
        }
        let result = match parts[0] {
            "add" => a + b,
            "subtract" => a - b,
            "multiply" => a * b,
            _ if a % b == 0 => a / b,
            _ if fault == CalculatorFault::Floats => {
                return text("200 OK", &format!("{}\n", a as f64 / b as f64));
            }
            _ => {
                let negative = (a < 0) != (b < 0);
                let scaled = (a.abs() * 10_000_000_000 * 2 / b.abs() + 1) / 2;
                let (whole, fraction) = (scaled / 10_000_000_000, scaled % 10_000_000_000);
                let fraction = format!("{fraction:010}");
                let fraction = fraction.trim_end_matches('0');
                let sign = if negative && scaled != 0 { "-" } else { "" };
                let dot = if fraction.is_empty() { "" } else { "." };
                return text("200 OK", &format!("{sign}{whole}{dot}{fraction}\n"));
            }
        };
        match i64::try_from(result) {
            Ok(result) => text("200 OK", &format!("{result}\n")),
            Err(_) if fault == CalculatorFault::Wrapping => {
                text("200 OK", &format!("{}\n", result as i64))
            }
            Err(_) => text("400 Bad Request", "Bad Request: too large\n"),
        }
    })
}

#[test]
fn a_correct_lesson07_server_passes_every_check() {
    let report = check_url(lesson("lesson07"), &lesson07_server(CalculatorFault::None));
    assert_eq!(report.failed, 0, "{report:#?}");
    assert_eq!(report.passed, 26);
    let groups: Vec<&str> = report.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        groups,
        [
            "home page",
            "examples",
            "operands",
            "division",
            "bad requests",
            "not found"
        ]
    );
}

#[test]
fn a_lesson07_server_answering_floats_fails_the_inexact_divisions() {
    let report = check_url(
        lesson("lesson07"),
        &lesson07_server(CalculatorFault::Floats),
    );
    let failed: Vec<&str> = failures(&report)
        .iter()
        .map(|check| check.name.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "GET /divide/1/3",
            "GET /divide/-2/3",
            "GET /divide/1/30000",
            "GET /divide/9223372036854775807/2",
        ]
    );
    let check = failures(&report)[0];
    assert_eq!(check.expected.as_deref(), Some("0.3333333333\\n\n"));
    assert_eq!(check.got.as_deref(), Some("0.3333333333333333\\n\n"));
}

#[test]
fn a_lesson07_server_that_wraps_around_fails_every_overflow() {
    let report = check_url(
        lesson("lesson07"),
        &lesson07_server(CalculatorFault::Wrapping),
    );
    let failed: Vec<&str> = failures(&report)
        .iter()
        .map(|check| check.name.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "GET /add/9223372036854775807/1",
            "GET /subtract/-9223372036854775808/1",
            "GET /multiply/9223372036854775807/2",
            "GET /divide/-9223372036854775808/-1",
        ]
    );
    assert!(
        failures(&report)
            .iter()
            .all(|check| check.expected.as_deref() == Some("400")),
        "{report:#?}"
    );
}

/// What a canned HTTPS server does with plain HTTP sent to its port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlainHttp {
    /// Answers `400` with a hint, and closes.
    Answers400,
    /// Closes the connection without a word.
    Closes,
    /// Sends a fatal TLS alert, as a TLS library reading the request as a record does, and
    /// closes.
    Alerts,
    /// Serves it as if it had come over TLS: wrong.
    Serves,
    /// Waits for a handshake that never comes, longer than the checker waits.
    Hangs,
}

/// How a canned HTTPS server is set up.
#[derive(Debug, Clone, Copy)]
struct Https {
    /// The TLS versions it speaks.
    versions: &'static [&'static rustls::SupportedProtocolVersion],
    /// Whether it agrees on `http/1.1` by ALPN.
    alpn: bool,
    /// What it does with plain HTTP.
    plain: PlainHttp,
}

/// What a correct lesson-08 server does.
const CORRECT: Https = Https {
    versions: &[&rustls::version::TLS13, &rustls::version::TLS12],
    alpn: true,
    plain: PlainHttp::Answers400,
};

/// A PEM file in the temporary directory, removed when dropped.
struct PemFile(std::path::PathBuf);

impl PemFile {
    fn new(pem: &str) -> PemFile {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "homework-test-{}-{}.pem",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, pem).unwrap();
        PemFile(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for PemFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost.
fn certificate() -> rcgen::CertifiedKey<rcgen::KeyPair> {
    rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
}

/// Starts an HTTPS server set up as `https` on a free loopback port, answering every request
/// with `answer(request)`, each connection on its own thread. Returns its URL and its
/// certificate, to trust with `--cacert`.
fn canned_https(
    https: Https,
    answer: impl Fn(&[u8]) -> Vec<u8> + Send + Sync + 'static,
) -> (String, PemFile) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let made = certificate();
    let chain = vec![CertificateDer::from(made.cert.der().to_vec())];
    let key = PrivateKeyDer::try_from(made.signing_key.serialize_der()).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(https.versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    if https.alpn {
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    let config = std::sync::Arc::new(config);
    let answer = std::sync::Arc::new(answer);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (config, answer) = (config.clone(), answer.clone());
            thread::spawn(move || serve_https(stream, https.plain, config, &*answer));
        }
    });
    (url, PemFile::new(&made.cert.pem()))
}

/// One connection of [`canned_https`].
fn serve_https(
    mut stream: TcpStream,
    plain: PlainHttp,
    config: std::sync::Arc<rustls::ServerConfig>,
    answer: &dyn Fn(&[u8]) -> Vec<u8>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut first = [0u8; 1];
    if !matches!(stream.peek(&mut first), Ok(1)) {
        return;
    }
    if first[0] != 22 {
        match plain {
            PlainHttp::Answers400 => {
                let _ = read_request_from(&mut stream);
                let _ = stream.write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 25\r\nConnection: close\r\n\r\n\
                      This port speaks HTTPS.\r\n",
                );
                let _ = stream.shutdown(Shutdown::Write);
            }
            PlainHttp::Closes => {}
            // A fatal (2) unexpected_message (10) alert in a TLS 1.2 record.
            PlainHttp::Alerts => {
                let _ = stream.write_all(&[21, 3, 3, 0, 2, 2, 10]);
            }
            PlainHttp::Serves => {
                let _ = read_request_from(&mut stream);
                let _ = stream.write_all(&page(b""));
            }
            PlainHttp::Hangs => thread::sleep(client::RESPONSE_TIMEOUT + Duration::from_secs(2)),
        }
        return;
    }
    let connection = rustls::ServerConnection::new(config).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, stream);
    serve(&mut tls, answer);
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// A page for any request, with a Content-Length.
fn page(_request: &[u8]) -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nHello\n".to_vec()
}

/// Checks lesson 08 against `url`, trusting `cacert`.
fn check_https(url: &str, cacert: &PemFile) -> Report {
    super::check_url(lesson("lesson08"), url, Some(cacert.path()))
}

#[test]
fn a_correct_https_server_passes_every_lesson08_check() {
    let (url, cacert) = canned_https(CORRECT, page);
    let report = check_https(&url, &cacert);
    assert_eq!(report.failed, 0, "{report:#?}");
    let names: Vec<&str> = report
        .groups
        .iter()
        .flat_map(|group| &group.checks)
        .map(|check| check.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "TLS 1.3 only: handshake, then GET /",
            "TLS 1.2 only: handshake, then GET /",
            "ALPN: the client offers http/1.1",
            "GET / (over TLS)",
            "GET / 3 times on one TLS connection",
            "GET / in plain HTTP to the HTTPS port, then over TLS",
        ]
    );
    let keep_alive = &report.groups[1].checks[1];
    assert_eq!(keep_alive.message, None, "not skipped: {keep_alive:#?}");
    // The report shows the HTTP inside TLS.
    assert_eq!(
        keep_alive
            .received
            .as_deref()
            .unwrap()
            .matches("200 OK")
            .count(),
        3
    );
}

#[test]
fn a_server_without_tls_1_2_fails_that_check_only() {
    static ONLY_13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];
    let only_13 = Https {
        versions: ONLY_13,
        ..CORRECT
    };
    let (url, cacert) = canned_https(only_13, page);
    let report = check_https(&url, &cacert);
    let failed = failures(&report);
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert_eq!(failed[0].name, "TLS 1.2 only: handshake, then GET /");
    let message = failed[0].message.as_deref().unwrap();
    assert!(
        message.contains("a client speaking only TLS 1.2"),
        "{message}"
    );
}

#[test]
fn a_server_without_alpn_fails_that_check_only() {
    let no_alpn = Https {
        alpn: false,
        ..CORRECT
    };
    let (url, cacert) = canned_https(no_alpn, page);
    let report = check_https(&url, &cacert);
    let failed = failures(&report);
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert_eq!(failed[0].name, "ALPN: the client offers http/1.1");
    assert_eq!(failed[0].got.as_deref(), Some("no protocol agreed"));
}

#[test]
fn plain_http_to_the_https_port_may_be_closed_but_not_left_hanging() {
    let closes = Https {
        plain: PlainHttp::Closes,
        ..CORRECT
    };
    let (url, cacert) = canned_https(closes, page);
    assert_eq!(check_https(&url, &cacert).failed, 0);
    let alerts = Https {
        plain: PlainHttp::Alerts,
        ..CORRECT
    };
    let (url, cacert) = canned_https(alerts, page);
    assert_eq!(check_https(&url, &cacert).failed, 0);

    let serves = Https {
        plain: PlainHttp::Serves,
        ..CORRECT
    };
    let (url, cacert) = canned_https(serves, page);
    let report = check_https(&url, &cacert);
    let failed = failures(&report);
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert_eq!(failed[0].got.as_deref(), Some("200 OK"), "{report:#?}");

    let hangs = Https {
        plain: PlainHttp::Hangs,
        ..CORRECT
    };
    let (url, cacert) = canned_https(hangs, page);
    let started = Instant::now();
    let report = check_https(&url, &cacert);
    assert!(
        started.elapsed() < client::RESPONSE_TIMEOUT + Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let failed = failures(&report);
    assert_eq!(failed.len(), 1, "{report:#?}");
    let message = failed[0].message.as_deref().unwrap();
    assert!(message.contains("neither answered"), "{message}");
    assert!(
        failed[0]
            .sent
            .as_deref()
            .unwrap()
            .starts_with("GET / HTTP/1.1")
    );
}

#[test]
fn a_certificate_that_is_not_the_trusted_one_fails_every_check_at_once() {
    let (url, _) = canned_https(CORRECT, page);
    let other = PemFile::new(&certificate().cert.pem());
    let started = Instant::now();
    let report = check_https(&url, &other);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(report.passed, 0);
    for check in failures(&report) {
        let message = check.message.as_deref().unwrap();
        assert!(
            message.starts_with("the server's certificate is not the one in"),
            "{message}"
        );
        assert!(message.contains("--write-cert"), "{message}");
    }
}

#[test]
fn lesson08_needs_an_https_url() {
    let url = canned(page);
    let report = check_url(lesson("lesson08"), &url);
    assert_eq!((report.passed, report.failed), (0, 1));
    let message = failures(&report)[0].message.clone().unwrap();
    assert!(message.contains("https:// URL"), "{message}");
    assert!(message.contains("--cacert"), "{message}");
}

#[test]
fn every_lesson_s_checks_run_over_https_too() {
    let (url, cacert) = canned_https(CORRECT, |_| HELLO_RESPONSE.to_vec());
    let report = super::check_url(lesson("lesson01"), &url, Some(cacert.path()));
    assert_eq!((report.passed, report.failed), (3, 0), "{report:#?}");
    let sent = report.groups[0].checks[0].sent.as_deref().unwrap();
    assert!(sent.starts_with("GET / HTTP/1.1"), "{sent}");
}

#[test]
fn a_plain_http_server_checked_over_https_is_named_as_such() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.write_all(b"HTTP/1.0 400 Bad request\r\nConnection: close\r\n\r\n");
            let _ = stream.shutdown(Shutdown::Write);
        }
    });
    let cacert = PemFile::new(&certificate().cert.pem());
    let report = super::check_url(lesson("lesson01"), &url, Some(cacert.path()));
    assert_eq!(report.passed, 0);
    let message = failures(&report)[0].message.clone().unwrap();
    assert!(
        message.contains("in plain HTTP (\"HTTP/1.0 400 Bad request\")"),
        "{message}"
    );
}
