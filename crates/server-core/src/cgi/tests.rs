//! The host as a whole: real scripts (tiny shell scripts in a temporary folder), driven
//! through the real connection loop in memory, or through the handler directly.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;

use super::*;
use crate::config::{Limits, ServerConfig};
use crate::memory::{MemoryTransport, serve_in_memory};
use crate::request::parse_head;

/// A served folder with an `index.html`, a `cgi-bin/` of scripts, and the host serving it.
struct Site {
    /// Deleted when the test ends.
    dir: tempfile::TempDir,
    host: CgiHost,
}

/// A time limit for scripts that must be stopped: short, to keep the tests fast.
const SHORT_TIMEOUT: Duration = Duration::from_millis(500);
/// A time limit for scripts that must print something first: long enough for a loaded
/// machine to start `sh`.
const PRINT_THEN_STOP: Duration = Duration::from_secs(2);

fn options(timeout: Duration, max_scripts: usize) -> CgiOptions {
    CgiOptions {
        timeout,
        max_scripts,
        server_software: "test-host/1".into(),
        ..CgiOptions::default()
    }
}

/// Writes each `(name, body)` as `cgi-bin/name`, a `/bin/sh` script readable and executable
/// by everyone (scripts run as `nobody` when the tests run as root).
fn site_with(scripts: &[(&str, &str)], options: CgiOptions) -> Site {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(dir.path().join("cgi-bin")).unwrap();
    fs::write(dir.path().join("index.html"), "<p>static</p>").unwrap();
    for (name, body) in scripts {
        write_script(
            &dir.path().join("cgi-bin").join(name),
            &format!("#!/bin/sh\n{body}\n"),
        );
    }
    let host = CgiHost::new(dir.path().to_path_buf(), options);
    Site { dir, host }
}

fn site(scripts: &[(&str, &str)]) -> Site {
    site_with(scripts, options(Duration::from_secs(20), 4))
}

fn write_script(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// One response as the client saw it.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// False when a chunked body stopped before its last chunk (the connection was cut).
    complete: bool,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` on one in-memory connection; returns every response, in order.
fn exchange(site: &Site, raw: &[u8]) -> Vec<Reply> {
    let mut transport = MemoryTransport::new(raw.to_vec());
    let output = serve_in_memory(&mut transport, &ServerConfig::default(), &site.host);
    parse_responses(&output)
}

fn get(site: &Site, path: &str) -> Reply {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    exchange(site, raw.as_bytes()).remove(0)
}

/// Splits the server's bytes into responses (bodies framed by length or chunks).
fn parse_responses(mut bytes: &[u8]) -> Vec<Reply> {
    let mut replies = Vec::new();
    while !bytes.is_empty() {
        let mut fields = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut fields);
        let Ok(httparse::Status::Complete(head_len)) = response.parse(bytes) else {
            panic!("not a response: {:?}", String::from_utf8_lossy(bytes));
        };
        let status = response.code.unwrap();
        let headers: Vec<(String, String)> = response
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        bytes = &bytes[head_len..];
        let find = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        let (body, complete, used) = if find("transfer-encoding").is_some() {
            dechunk(bytes)
        } else {
            let len = find("content-length").map_or(bytes.len(), |(_, v)| v.parse().unwrap());
            (bytes[..len].to_vec(), true, len)
        };
        bytes = &bytes[used..];
        replies.push(Reply {
            status,
            headers,
            body,
            complete,
        });
    }
    replies
}

/// Decodes a chunked body: (body, ended with the last chunk, bytes used).
fn dechunk(bytes: &[u8]) -> (Vec<u8>, bool, usize) {
    let mut body = Vec::new();
    let mut at = 0;
    while let Some(line_end) = bytes[at..].windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&bytes[at..at + line_end]).unwrap(), 16)
                .unwrap();
        at += line_end + 2;
        if size == 0 {
            return (body, true, at + 2);
        }
        if bytes.len() < at + size + 2 {
            return (body, false, bytes.len());
        }
        body.extend_from_slice(&bytes[at..at + size]);
        at += size + 2;
    }
    (body, false, bytes.len())
}

/// Waits (boundedly) until no script of `site` holds a slot: every child has been reaped.
fn wait_until_idle(site: &Site) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while site.host.running_scripts() > 0 {
        assert!(Instant::now() < deadline, "a script was never reaped");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A parsed GET request, as the handler receives it.
fn request(target: &str) -> Request {
    let raw = format!("GET {target} HTTP/1.1\r\nHost: test\r\n\r\n");
    Request {
        head: parse_head(raw.as_bytes(), &Limits::default()).unwrap(),
        peer: "127.0.0.1:40000".parse().unwrap(),
        local: "127.0.0.1:8000".parse().unwrap(),
        tls: None,
    }
}

const HELLO: &str = "printf 'Content-Type: text/plain\\n\\nhello from sh\\n'";

#[test]
fn a_script_runs_and_its_output_is_relayed_chunked() {
    let site = site(&[("hello", HELLO)]);
    let reply = get(&site, "/cgi-bin/hello");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(reply.header("transfer-encoding"), Some("chunked"));
    assert_eq!(reply.text(), "hello from sh\n");
    assert!(reply.complete);
    wait_until_idle(&site);
}

#[test]
fn every_spelling_of_cgi_bin_runs_the_script_and_never_sends_its_source() {
    let site = site(&[("hello", HELLO)]);
    for path in [
        "/cgi-bin/hello",
        "/cgi-bin%2fhello",
        "//cgi-bin/hello",
        "/./cgi-bin/hello",
        "/cgi-bin/./hello",
        "/CGI-BIN/hello",
        "/cgi-bin./hello",
        "/cgi-bin%20/hello",
    ] {
        let reply = get(&site, path);
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (200, "hello from sh\n"),
            "{path}"
        );
    }
}

#[test]
fn a_link_to_the_script_folder_does_not_leak_sources() {
    let site = site(&[("hello", HELLO)]);
    symlink("cgi-bin", site.dir.path().join("scripts")).unwrap();
    let reply = get(&site, "/scripts/hello");
    assert_eq!(reply.status, 404);
    assert!(!reply.text().contains("#!/bin/sh"));
    // Other files are still served.
    assert_eq!(get(&site, "/index.html").text(), "<p>static</p>");
}

#[test]
fn scripts_that_cannot_run_get_403_or_404() {
    let site = site(&[("hello", HELLO)]);
    fs::write(site.dir.path().join("cgi-bin/notes.txt"), "secret").unwrap();
    fs::create_dir(site.dir.path().join("cgi-bin/sub")).unwrap();
    assert_eq!(get(&site, "/cgi-bin/missing").status, 404);
    assert_eq!(get(&site, "/cgi-bin/notes.txt").status, 403);
    assert_eq!(get(&site, "/cgi-bin/sub").status, 403);
    assert_eq!(get(&site, "/cgi-bin/").status, 403);
    assert_eq!(get(&site, "/cgi-bin/../index.html").status, 404);
    assert!(!get(&site, "/cgi-bin/notes.txt").text().contains("secret"));
}

#[test]
fn a_script_past_its_time_limit_is_stopped_with_504() {
    let site = site_with(&[("slow", "sleep 30")], options(SHORT_TIMEOUT, 4));
    let started = Instant::now();
    let reply = get(&site, "/cgi-bin/slow");
    assert_eq!(reply.status, 504);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
    wait_until_idle(&site);
}

#[test]
fn a_script_that_times_out_mid_body_gets_its_connection_cut() {
    let script = "printf 'Content-Type: text/plain\\n\\npartial'; sleep 30";
    let site = site_with(&[("partial", script)], options(PRINT_THEN_STOP, 4));
    let started = Instant::now();
    let reply = get(&site, "/cgi-bin/partial");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "partial");
    assert!(!reply.complete, "a cut body must not look complete");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    wait_until_idle(&site);
}

#[test]
fn a_background_child_holding_stdout_is_ended_and_the_answer_is_whole() {
    // A time limit far away: only the script's exit may end the response.
    let script = "printf 'Content-Type: text/plain\\n\\nstarted\\n'; sleep 30 & exit 0";
    let site = site_with(&[("daemon", script)], options(Duration::from_secs(60), 4));
    let reply = get(&site, "/cgi-bin/daemon");
    assert_eq!(reply.text(), "started\n");
    assert!(reply.complete, "the script had finished its answer");
    wait_until_idle(&site);
}

#[test]
fn broken_scripts_get_502() {
    let site = site(&[
        ("crash", "exit 3"),
        ("segv", "kill -SEGV $$"),
        ("silent", "true"),
        (
            "no-colon",
            "printf 'Content-Type: text/plain\\nhello world\\n\\n'",
        ),
        ("no-type", "printf 'X-A: 1\\n\\nbody'"),
        (
            "bad-status",
            "printf 'Status: 99 Weird\\nContent-Type: a/b\\n\\n'",
        ),
        (
            "injection",
            "printf 'Content-Type: text/plain\\nX-A: 1\\rSet-Cookie: evil=1\\n\\nbody'",
        ),
        ("empty-block", "printf '\\nbody'"),
    ]);
    for name in [
        "crash",
        "segv",
        "silent",
        "no-colon",
        "no-type",
        "bad-status",
        "injection",
        "empty-block",
    ] {
        let reply = get(&site, &format!("/cgi-bin/{name}"));
        assert_eq!(reply.status, 502, "{name}");
        assert_eq!(reply.header("set-cookie"), None, "{name}");
        assert!(!reply.text().contains("evil"), "{name}");
    }
    wait_until_idle(&site);
}

#[test]
fn a_script_that_cannot_start_gets_502() {
    let site = site(&[]);
    let bin = site.dir.path().join("cgi-bin");
    write_script(
        &bin.join("bad-shebang"),
        "#!/nonexistent/interpreter\nprint('hi')\n",
    );
    write_script(&bin.join("not-a-program"), "just some text\n");
    assert_eq!(get(&site, "/cgi-bin/bad-shebang").status, 502);
    assert_eq!(get(&site, "/cgi-bin/not-a-program").status, 502);
    wait_until_idle(&site);
}

#[test]
fn status_location_and_cookies_reach_the_client() {
    let site = site(&[
        (
            "teapot",
            "printf 'Status: 418 Short and stout\\nContent-Type: text/plain\\n\\ntea'",
        ),
        ("away", "printf 'Location: https://example.org/there\\n\\n'"),
        (
            "cookies",
            "printf 'Content-Type: text/plain\\nSet-Cookie: a=1\\nSet-Cookie: b=2\\nContent-Length: 999\\n\\nok'",
        ),
    ]);
    let teapot = get(&site, "/cgi-bin/teapot");
    assert_eq!((teapot.status, teapot.text().as_str()), (418, "tea"));
    let away = get(&site, "/cgi-bin/away");
    assert_eq!(away.status, 302);
    assert_eq!(away.header("location"), Some("https://example.org/there"));
    let cookies = get(&site, "/cgi-bin/cookies");
    let set: Vec<&str> = cookies
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(set, ["a=1", "b=2"]);
    // The script's wrong Content-Length is dropped; the server frames the body itself.
    assert_eq!(cookies.header("content-length"), None);
    assert_eq!(cookies.text(), "ok");
}

#[test]
fn a_local_redirect_is_followed_inside_the_server() {
    let site = site(&[
        ("first", "printf 'Location: /cgi-bin/second?x=1\\n\\n'"),
        (
            "second",
            "printf 'Content-Type: text/plain\\n\\n%s %s' \"$REQUEST_METHOD\" \"$QUERY_STRING\"",
        ),
        ("to-file", "printf 'Location: /index.html\\n\\n'"),
        ("loop", "printf 'Location: /cgi-bin/loop\\n\\n'"),
    ]);
    let reply = get(&site, "/cgi-bin/first");
    assert_eq!((reply.status, reply.text().as_str()), (200, "GET x=1"));
    assert_eq!(get(&site, "/cgi-bin/to-file").text(), "<p>static</p>");
    assert_eq!(get(&site, "/cgi-bin/loop").status, 502);
    wait_until_idle(&site);
}

#[test]
fn the_body_reaches_stdin_and_the_next_request_does_not() {
    let site = site(&[("echo", "printf 'Content-Type: text/plain\\n\\n'; cat")]);
    let raw = b"POST /cgi-bin/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello\
                GET /cgi-bin/echo HTTP/1.1\r\nHost: t\r\n\r\n";
    let replies = exchange(&site, raw);
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0].text(), "hello");
    assert_eq!((replies[1].status, replies[1].text().as_str()), (200, ""));
}

#[test]
fn a_body_held_in_memory_reaches_a_slow_reader_whole() {
    // The largest body kept in memory, read only after the script has slept a little.
    let script = "sleep 0.2; printf 'Content-Type: text/plain\\n\\n'; wc -c | tr -d ' '";
    let site = site(&[("count", script)]);
    let size = process::MEMORY_BODY_MAX;
    let mut raw =
        format!("POST /cgi-bin/count HTTP/1.1\r\nHost: t\r\nContent-Length: {size}\r\n\r\n")
            .into_bytes();
    raw.resize(raw.len() + size, b'm');
    assert_eq!(exchange(&site, &raw)[0].text().trim(), size.to_string());
    wait_until_idle(&site);
}

#[test]
fn a_background_child_holding_only_stderr_is_ended_after_the_exit_grace() {
    // The response is complete at once; the `sleep` keeps stderr open after the script exits.
    let script = "printf 'Content-Type: text/plain\\n\\ndone'; sleep 30 >/dev/null &";
    let site = site_with(&[("leave", script)], options(Duration::from_secs(60), 4));
    let started = Instant::now();
    let reply = get(&site, "/cgi-bin/leave");
    assert_eq!(reply.text(), "done");
    assert!(reply.complete);
    // The slot is held until the background process is ended too, once the script has been
    // gone for EXIT_GRACE (not at the far time limit: wait_until_idle is bounded well below).
    assert_eq!(site.host.running_scripts(), 1);
    wait_until_idle(&site);
    assert!(started.elapsed() >= process::EXIT_GRACE);
}

#[test]
fn a_chunked_body_is_dechunked_and_counted_first() {
    let script = "printf 'Content-Type: text/plain\\n\\n%s:' \"$CONTENT_LENGTH\"; cat";
    let site = site(&[("echo", script)]);
    let raw = b"POST /cgi-bin/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
                5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    assert_eq!(exchange(&site, raw)[0].text(), "11:hello world");
}

#[test]
fn a_large_body_goes_through_a_file_and_arrives_whole() {
    let script =
        "printf 'Content-Type: text/plain\\n\\n%s ' \"$CONTENT_LENGTH\"; wc -c | tr -d ' '";
    let site = site(&[("count", script)]);
    let size = 10 * 1024 * 1024;
    let mut raw =
        format!("POST /cgi-bin/count HTTP/1.1\r\nHost: t\r\nContent-Length: {size}\r\n\r\n")
            .into_bytes();
    raw.resize(raw.len() + size, b'x');
    assert_eq!(
        exchange(&site, &raw)[0].text().trim(),
        format!("{size} {size}")
    );
}

#[test]
fn a_script_that_writes_before_reading_cannot_deadlock() {
    // 1 MB of output before the script reads its 256 KiB of input.
    let script = "printf 'Content-Type: text/plain\\n\\n'; head -c 1000000 /dev/zero; wc -c >&2";
    let site = site(&[("chatty", script)]);
    let size = 256 * 1024;
    let mut raw =
        format!("POST /cgi-bin/chatty HTTP/1.1\r\nHost: t\r\nContent-Length: {size}\r\n\r\n")
            .into_bytes();
    raw.resize(raw.len() + size, b'y');
    let reply = exchange(&site, &raw).remove(0);
    assert_eq!(reply.body.len(), 1_000_000);
    assert!(reply.complete);
}

#[test]
fn big_output_streams_through() {
    let site = site(&[(
        "big",
        "printf 'Content-Type: application/octet-stream\\n\\n'; head -c 5000000 /dev/zero",
    )]);
    let reply = get(&site, "/cgi-bin/big");
    assert_eq!(reply.body.len(), 5_000_000);
    assert!(reply.complete);
}

#[test]
fn head_discards_the_body_and_the_script_is_still_reaped() {
    let site = site(&[(
        "big",
        "printf 'Content-Type: text/plain\\n\\n'; head -c 3000000 /dev/zero",
    )]);
    let replies = exchange(
        &site,
        b"HEAD /cgi-bin/big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(replies[0].status, 200);
    assert!(replies[0].body.is_empty());
    wait_until_idle(&site);
}

#[test]
fn an_abandoned_response_stops_the_script() {
    let site = site(&[("yes", "printf 'Content-Type: text/plain\\n\\n'; exec yes")]);
    let response = site.host.respond(&request("/cgi-bin/yes"), None, 0);
    let Body::Stream { mut reader, .. } = response.into_parts().2 else {
        panic!("a script's body is a stream");
    };
    let mut some = [0u8; 64 * 1024];
    std::io::Read::read_exact(&mut reader, &mut some).unwrap();
    assert_eq!(site.host.running_scripts(), 1);
    drop(reader); // what the connection does when the client goes away
    wait_until_idle(&site);
}

#[test]
fn past_the_cap_scripts_get_503() {
    let site = site_with(
        &[("wait", "printf 'Content-Type: text/plain\\n\\n'; sleep 30")],
        options(Duration::from_secs(20), 1),
    );
    let first = site.host.respond(&request("/cgi-bin/wait"), None, 0);
    assert_eq!(first.status(), 200);
    let second = get(&site, "/cgi-bin/wait");
    assert_eq!(second.status, 503);
    assert_eq!(second.header("retry-after"), Some("1"));
    // Files are not affected by the cap.
    assert_eq!(get(&site, "/index.html").status, 200);
    drop(first);
    wait_until_idle(&site);
}

#[test]
fn scripts_get_a_clean_environment_in_their_own_folder() {
    let site = site(&[(
        "env",
        "printf 'Content-Type: text/plain\\n\\n'; env; echo \"cwd=$(pwd)\"",
    )]);
    let reply = get(&site, "/cgi-bin/env/extra?q=1");
    let text = reply.text();
    assert!(text.contains("GATEWAY_INTERFACE=CGI/1.1\n"), "{text}");
    assert!(text.contains("PATH_INFO=/extra\n"), "{text}");
    assert!(text.contains("QUERY_STRING=q=1\n"), "{text}");
    assert!(text.contains("SERVER_SOFTWARE=test-host/1\n"), "{text}");
    // Cargo sets CARGO_* variables for every test process; none may leak to a script.
    assert!(!text.contains("CARGO"), "{text}");
    let folder = site.dir.path().join("cgi-bin").canonicalize().unwrap();
    assert!(
        text.contains(&format!("cwd={}\n", folder.display())),
        "{text}"
    );
}

#[test]
fn scripts_run_as_nobody_when_the_server_is_root() {
    let site = site(&[("id", "printf 'Content-Type: text/plain\\n\\n'; id -u")]);
    let expected = match site.host.options().run_as {
        RunAs::User { uid, .. } => uid.to_string(),
        RunAs::ServerUser => nix::unistd::geteuid().to_string(),
    };
    assert_eq!(get(&site, "/cgi-bin/id").text().trim(), expected);
    assert_eq!(
        RunAs::for_effective_uid(0),
        RunAs::User {
            uid: NOBODY,
            gid: NOBODY
        }
    );
    assert_eq!(RunAs::for_effective_uid(1000), RunAs::ServerUser);
}

#[test]
fn an_indexed_query_becomes_arguments() {
    let site = site(&[(
        "args",
        "printf 'Content-Type: text/plain\\n\\n'; printf '[%s]' \"$@\"",
    )]);
    assert_eq!(
        get(&site, "/cgi-bin/args?rust+web%20server").text(),
        "[rust][web server]"
    );
    assert_eq!(get(&site, "/cgi-bin/args?a=1").text(), "[]");
}

#[test]
fn a_refused_script_never_asks_for_the_body() {
    let site = site(&[]);
    let raw = b"POST /cgi-bin/missing HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
    let mut transport = MemoryTransport::new(raw.to_vec());
    let output = serve_in_memory(&mut transport, &ServerConfig::default(), &site.host);
    let text = String::from_utf8_lossy(&output);
    assert!(text.starts_with("HTTP/1.1 404"), "{text}");
    assert!(!text.contains("100 Continue"), "{text}");
}

#[test]
fn stderr_does_not_reach_the_client() {
    let site = site(&[(
        "noisy",
        "echo 'secret trace' >&2; printf 'Content-Type: text/plain\\n\\nok'",
    )]);
    let reply = get(&site, "/cgi-bin/noisy");
    assert_eq!(reply.text(), "ok");
}

#[test]
fn a_folder_nobody_may_enter_is_reported_at_start_up() {
    let site = site_with(
        &[],
        CgiOptions {
            run_as: RunAs::User {
                uid: 65534,
                gid: 65534,
            },
            ..options(SHORT_TIMEOUT, 1)
        },
    );
    assert_eq!(site.host.blocked_folder(), None);
    assert!(site.host.startup_note().unwrap().contains("user nobody"));
    fs::set_permissions(site.dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let root = site.dir.path().canonicalize().unwrap();
    assert_eq!(site.host.blocked_folder(), Some(root.clone()));
    let note = site.host.startup_note().unwrap();
    assert!(
        note.contains(&format!("chmod o+x {}", root.display())),
        "{note}"
    );
    assert!(note.contains("the server stays root"), "{note}");
    // A blocked folder keeps the server root (its files stay readable): nothing is dropped,
    // so this is safe to call even in a test running as root.
    site.host.give_up_root().unwrap();
    let own_user = site_with(
        &[],
        CgiOptions {
            run_as: RunAs::ServerUser,
            ..options(SHORT_TIMEOUT, 1)
        },
    );
    assert_eq!(own_user.host.startup_note(), None);
}

#[test]
fn a_root_server_on_loopback_keeps_root_for_scripts_nobody_cannot_reach_and_says_so() {
    let nobody = RunAs::User {
        uid: 65534,
        gid: 65534,
    };
    let site = site_with(&[], options(SHORT_TIMEOUT, 1));
    fs::set_permissions(site.dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let root = site.dir.path().canonicalize().unwrap();
    let host = |address: &str| {
        let mut host = CgiHost::new(
            root.clone(),
            CgiOptions {
                run_as: nobody,
                ..options(SHORT_TIMEOUT, 1)
            },
        );
        host.choose_script_user(address.parse().unwrap());
        host
    };

    for loopback in ["127.0.0.1", "::1"] {
        let kept = host(loopback);
        assert_eq!(kept.options().run_as, RunAs::ServerUser, "{loopback}");
        let note = kept.startup_note().unwrap();
        assert!(note.contains("CGI scripts run as root too"), "{note}");
        assert!(
            note.contains(&format!("this machine only ({loopback})")),
            "{note}"
        );
        assert!(
            note.contains(&format!("chmod o+x {}", root.display())),
            "{note}"
        );
    }

    // A server others can reach never runs scripts as root.
    for shared in ["0.0.0.0", "::", "192.0.2.10"] {
        let shared_host = host(shared);
        assert_eq!(shared_host.options().run_as, nobody, "{shared}");
        let note = shared_host.startup_note().unwrap();
        assert!(note.contains("never runs scripts as root"), "{note}");
        assert!(note.contains("will fail with 502"), "{note}");
    }

    // Nothing to keep root for when nobody can reach everything.
    fs::set_permissions(site.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(host("127.0.0.1").options().run_as, nobody);
}
