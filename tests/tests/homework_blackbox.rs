//! End-to-end tests of `homework check LESSON --url URL`: the black-box checks, run by the real
//! checker binary against real servers.
//!
//! The checks must pass against the course's own lesson binaries and against Python's
//! `http.server` (the server the course's originals were written for), and must fail — showing
//! the bytes exchanged — against a server that does something else. The checker runs with the
//! workspace root as its working directory, as a learner runs it; every wait is bounded.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use end_to_end::{Finished, binary, parse_announcement, run_command, start, workspace_root};
use serde_json::Value;

/// The directory the lesson 02 checks expect the server to serve, relative to the root.
const FIXTURE: &str = "crates/homework/fixtures/lesson02";
/// How long one run of the checker may take (it needs a few seconds at most).
const CHECKER_TIMEOUT: Duration = Duration::from_secs(60);
/// Lesson 02 checks that Python's `http.server` fails because it is wrong there; each one's
/// doc comment in `crates/homework/src/blackbox/lesson02.rs` explains why.
const KNOWN_PYTHON_DIFFERENCES: &[&str] = &["GET / HTTP/2.0"];

/// The `--json` report a run of the checker printed, parsed.
fn json(run: &Finished) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("--json printed no JSON ({e}):\n{}", run.stdout))
}

/// Runs `homework check LESSON --url URL [extra]` from the workspace root, within
/// [`CHECKER_TIMEOUT`].
fn check(lesson: &str, url: &str, extra: &[&str]) -> Finished {
    let mut command = Command::new(binary("homework"));
    command
        .args(["check", lesson, "--url", url])
        .args(extra)
        .current_dir(workspace_root());
    run_command(command, CHECKER_TIMEOUT)
}

/// Every check of a `--json` report, with the name of its group.
fn checks(report: &Value) -> Vec<(String, Value)> {
    report["groups"]
        .as_array()
        .expect("groups is a list")
        .iter()
        .flat_map(|group| {
            let name = group["name"].as_str().unwrap_or("").to_string();
            group["checks"]
                .as_array()
                .expect("checks is a list")
                .iter()
                .map(move |check| (name.clone(), check.clone()))
        })
        .collect()
}

/// The names of the checks that failed.
fn failed_names(report: &Value) -> Vec<String> {
    checks(report)
        .into_iter()
        .filter(|(_, check)| check["passed"] == false)
        .map(|(_, check)| check["name"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

#[test]
fn lesson01_checks_pass_against_lesson01_echo() {
    let server = start("lesson01-echo", &["0"]);
    let checked = check("lesson01", &server.url("/"), &["--json"]);
    let report = json(&checked);
    assert_eq!(
        failed_names(&report),
        Vec::<String>::new(),
        "{}",
        checked.stdout
    );
    assert_eq!(report["passed"], 3);
    assert!(checked.status.success(), "{}", checked.stderr);
}

/// The groups of lesson 03 that check the learner's exercise pages, in Python and in Rust.
const LESSON03_PYTHON_EXERCISES: &[&str] =
    &["exercise I: env_table", "exercise II: adding_machine"];
const LESSON03_RUST_EXERCISES: &[&str] = &[
    "exercise I in Rust: env_table-rust",
    "exercise II in Rust: adding_machine-rust",
];

/// Whether each group of a `--json` report passed, by name.
fn group_outcomes(report: &Value) -> Vec<(String, bool)> {
    report["groups"]
        .as_array()
        .expect("groups is a list")
        .iter()
        .map(|group| {
            (
                group["name"].as_str().unwrap_or("").to_string(),
                group["passed"] == true,
            )
        })
        .collect()
}

/// Whether the group `name` of a report passed; panics when the report has no such group.
fn group_passed(report: &Value, name: &str, stdout: &str) -> bool {
    group_outcomes(report)
        .into_iter()
        .find(|(group, _)| group == name)
        .unwrap_or_else(|| panic!("no group {name:?} in the report:\n{stdout}"))
        .1
}

#[test]
fn lesson03_checks_pass_against_lesson03_cgi_serving_the_repository() {
    // The repository's own cgi-bin/ scripts are what the lesson03 checks exercise. The
    // exercise pages are stubs until a learner writes them, so their groups fail (or, for
    // the Rust pages, are skipped when the exercise programs were never built); every other
    // group passes.
    let server = start("lesson03-cgi", &["0"]);
    let checked = check("lesson03", &server.url("/"), &["--json"]);
    let report = json(&checked);
    let exercise_groups: Vec<&str> = LESSON03_PYTHON_EXERCISES
        .iter()
        .chain(LESSON03_RUST_EXERCISES)
        .copied()
        .collect();
    let failed_course_groups: Vec<String> = group_outcomes(&report)
        .into_iter()
        .filter(|(name, passed)| !passed && !exercise_groups.contains(&name.as_str()))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        failed_course_groups,
        Vec::<String>::new(),
        "{}",
        checked.stdout
    );
    for group in LESSON03_PYTHON_EXERCISES {
        assert!(
            !group_passed(&report, group, &checked.stdout),
            "{group} passed against an untouched stub:\n{}",
            checked.stdout
        );
    }
    assert!(
        report["passed"].as_u64().unwrap_or(0) >= 16,
        "{}",
        checked.stdout
    );
    assert_eq!(checked.status.code(), Some(1), "{}", checked.stderr);
}

/// A folder to serve with `lesson03-cgi -d`: the course's finished scripts at the top of
/// its `cgi-bin/` (so the course's groups pass there too), the two Rust wrappers, and, as
/// `cgi-bin/exercises/env_table` and `adding_machine`, the files `env_table` and `sums`
/// given (paths relative to the workspace root). No `target/` is next to it, so the Rust
/// wrappers answer that the programs are not built, and their checks are skipped.
fn lesson03_site(label: &str, env_table: &str, adding_machine: &str) -> end_to_end::TempDir {
    let root = workspace_root();
    let site = end_to_end::TempDir::new(label);
    let exercises = site.path().join("cgi-bin/exercises");
    std::fs::create_dir_all(&exercises).expect("cgi-bin/exercises created");
    let copy = |from: &str, to: std::path::PathBuf| {
        // fs::copy keeps the permissions: the scripts stay executable.
        std::fs::copy(root.join(from), &to)
            .unwrap_or_else(|e| panic!("copying {from} to {}: {e}", to.display()));
    };
    for script in ["env", "sums", "hello", "index"] {
        copy(
            &format!("cgi-bin/{script}"),
            site.path().join("cgi-bin").join(script),
        );
    }
    for wrapper in ["env_table-rust", "adding_machine-rust"] {
        copy(
            &format!("cgi-bin/exercises/{wrapper}"),
            exercises.join(wrapper),
        );
    }
    copy(env_table, exercises.join("env_table"));
    copy(adding_machine, exercises.join("adding_machine"));
    site
}

/// Runs lesson 03's checks against `lesson03-cgi` serving `site`; the report and its text.
fn check_lesson03_site(site: &end_to_end::TempDir) -> (Value, String) {
    let directory = site.path().to_str().expect("a UTF-8 temporary path");
    let server = start("lesson03-cgi", &["0", "-d", directory]);
    let checked = check("lesson03", &server.url("/"), &["--json"]);
    (json(&checked), checked.stdout)
}

#[test]
fn lesson03_exercise_checks_pass_against_the_python_solutions() {
    let site = lesson03_site(
        "blackbox-lesson03-solutions",
        "cgi-bin/exercises/solutions/env_table",
        "cgi-bin/exercises/solutions/adding_machine",
    );
    let (report, stdout) = check_lesson03_site(&site);
    assert_eq!(failed_names(&report), Vec::<String>::new(), "{stdout}");
    // The Rust programs are not built next to this folder: their checks pass as skipped.
    let skipped = checks(&report)
        .into_iter()
        .filter(|(group, check)| {
            LESSON03_RUST_EXERCISES.contains(&group.as_str())
                && check["message"]
                    .as_str()
                    .is_some_and(|message| message.starts_with("skipped:"))
        })
        .count();
    assert_eq!(skipped, 11, "{stdout}");
}

#[test]
fn lesson03_exercise_checks_pass_against_the_finished_programs() {
    // cgi-bin/env and cgi-bin/sums are the course's own answers to exercises I and II: put in
    // the exercises' places, they pass the exercises' checks.
    let site = lesson03_site("blackbox-lesson03-finished", "cgi-bin/env", "cgi-bin/sums");
    let (report, stdout) = check_lesson03_site(&site);
    assert_eq!(failed_names(&report), Vec::<String>::new(), "{stdout}");
}

#[test]
fn lesson03_exercise_checks_fail_against_the_untouched_stubs() {
    let site = lesson03_site(
        "blackbox-lesson03-stubs",
        "cgi-bin/exercises/env_table",
        "cgi-bin/exercises/adding_machine",
    );
    let (report, stdout) = check_lesson03_site(&site);
    for (group, passed) in group_outcomes(&report) {
        let expected = !LESSON03_PYTHON_EXERCISES.contains(&group.as_str());
        assert_eq!(passed, expected, "group {group:?}:\n{stdout}");
    }
    // Each stub answers (it runs), but neither its table nor its total is right: every
    // check of the adding machine fails, and every check of the table that can.
    let failed_of = |wanted: &str| {
        checks(&report)
            .into_iter()
            .filter(|(group, check)| group == wanted && check["passed"] == false)
            .count()
    };
    assert_eq!(failed_of("exercise II: adding_machine"), 5, "{stdout}");
    assert!(failed_of("exercise I: env_table") >= 5, "{stdout}");
}

#[test]
fn lesson04_checks_pass_against_lesson04_forms() {
    let temp = end_to_end::TempDir::new("blackbox-lesson04");
    let uploads = temp.path().join("uploads");
    let server = start(
        "lesson04-forms",
        &["0", "--upload-dir", uploads.to_str().expect("UTF-8 path")],
    );
    let checked = check("lesson04", &server.url("/"), &["--json"]);
    let report = json(&checked);
    assert_eq!(
        failed_names(&report),
        Vec::<String>::new(),
        "{}",
        checked.stdout
    );
    assert!(
        report["passed"].as_u64().unwrap_or(0) >= 10,
        "{}",
        checked.stdout
    );
    assert!(checked.status.success(), "{}", checked.stderr);
}

#[test]
fn lesson08_checks_pass_against_lesson08_tls() {
    let temp = end_to_end::TempDir::new("blackbox-lesson08");
    let cert = temp.path().join("lesson08.pem");
    let cert = cert.to_str().expect("UTF-8 path");
    let server = start("lesson08-tls", &["0", "--write-cert", cert]);
    let url = format!("https://127.0.0.1:{}/", server.addr.port());
    let checked = check("lesson08", &url, &["--cacert", cert, "--json"]);
    let report = json(&checked);
    assert_eq!(
        failed_names(&report),
        Vec::<String>::new(),
        "{}",
        checked.stdout
    );
    assert!(
        report["passed"].as_u64().unwrap_or(0) >= 5,
        "{}",
        checked.stdout
    );
    assert!(checked.status.success(), "{}", checked.stderr);
}

#[test]
fn lesson03_checks_fail_against_a_plain_file_server() {
    // lesson02 would send the scripts' source: the checks must notice.
    let server = start("lesson02-http", &["0"]);
    let checked = check("lesson03", &server.url("/"), &["--json"]);
    assert_eq!(checked.status.code(), Some(1), "{}", checked.stdout);
    // Not any failure: the checks say that the script's source came back instead of its
    // output, and show that source in the bytes received.
    let report = json(&checked);
    let leaked: Vec<(String, Value)> = checks(&report)
        .into_iter()
        .filter(|(_, check)| {
            check["message"]
                .as_str()
                .is_some_and(|m| m.contains("sent the script's source instead of running it"))
        })
        .collect();
    assert!(!leaked.is_empty(), "{}", checked.stdout);
    for (_, check) in &leaked {
        let received = check["received"].as_str().unwrap_or("");
        assert!(received.contains("#!"), "the source is shown: {check}");
    }
}

#[test]
fn lesson02_checks_pass_against_lesson02_http() {
    let server = start("lesson02-http", &["0", "-d", FIXTURE]);
    let checked = check("lesson02", &server.url("/"), &[]);
    assert!(
        checked.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        checked.stdout,
        checked.stderr
    );
    let checked = check("lesson02", &server.url("/"), &["--json"]);
    let report = json(&checked);
    assert_eq!(failed_names(&report), Vec::<String>::new());
    // lesson02-http keeps connections open, so the keep-alive check really ran.
    let keep_alive = checks(&report)
        .into_iter()
        .find(|(group, _)| group == "connections")
        .expect("a connections group")
        .1;
    assert_eq!(keep_alive["message"], Value::Null, "{keep_alive}");
}

/// `python3 -u -m http.server 0` serving the fixture; killed on drop.
struct PythonServer {
    /// The Python process.
    child: Child,
    /// Where it listens, read from its start-up line.
    addr: SocketAddr,
}

impl PythonServer {
    /// Starts it, or returns `None` when there is no `python3` to start.
    fn start() -> Option<PythonServer> {
        let spawned = Command::new("python3")
            // -u: unbuffered, so the start-up line arrives while the server runs.
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "-d",
                FIXTURE,
            ])
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => panic!("cannot start python3: {error}"),
        };
        // `Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ...`, read on a
        // thread so that the wait is bounded.
        let stdout = child.stdout.take().expect("piped");
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = sender.send(line);
            // Keep draining, so the server never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut server = PythonServer {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let line = receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("python3 -m http.server printed its start-up line");
        server.addr = parse_announcement(&line)
            .unwrap_or_else(|| panic!("unexpected start-up line from python3: {line:?}"));
        Some(server)
    }

    /// `http://127.0.0.1:PORT/`.
    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn lesson02_checks_pass_against_python_http_server() {
    let Some(python) = PythonServer::start() else {
        end_to_end::skip_unless_ci("python3 is not installed to check Python's http.server");
        return;
    };
    let checked = check("lesson02", &python.url(), &["--json"]);
    let report = json(&checked);
    let failed = failed_names(&report);
    for name in &failed {
        assert!(
            KNOWN_PYTHON_DIFFERENCES.contains(&name.as_str()),
            "Python's http.server failed {name:?}, which is not a known difference:\n{}",
            checked.stdout
        );
    }
    for name in KNOWN_PYTHON_DIFFERENCES {
        if !failed.iter().any(|failed| failed == name) {
            println!("note: Python's http.server now passes {name:?}; update the list");
        }
    }
    let total = checks(&report).len();
    assert_eq!(
        report["passed"].as_u64(),
        Some((total - failed.len()) as u64)
    );
    // Python speaks HTTP/1.0 by default: the keep-alive check is skipped, not failed.
    let keep_alive = checks(&report)
        .into_iter()
        .find(|(group, _)| group == "connections")
        .expect("a connections group")
        .1;
    assert_eq!(keep_alive["passed"], true);
    let note = keep_alive["message"].as_str().unwrap_or("");
    assert!(note.starts_with("skipped:"), "{keep_alive}");
}

#[test]
fn lesson02_checks_fail_against_lesson01_echo_and_show_the_bytes() {
    let server = start("lesson01-echo", &["0"]);
    let checked = check("lesson02", &server.url("/"), &[]);
    assert_eq!(checked.status.code(), Some(1), "{}", checked.stdout);
    let text = &checked.stdout;
    assert!(
        text.contains("first failing check: GET /hello.txt"),
        "{text}"
    );
    assert!(
        text.contains("sent: GET /hello.txt HTTP/1.1\\r\\n"),
        "{text}"
    );
    assert!(text.contains("Connection: close\\r\\n"), "{text}");
    assert!(text.contains("received: HTTP/1.1 200 OK\\r\\n"), "{text}");
    assert!(text.contains("Hello, World!"), "{text}");
}

#[test]
fn json_reports_count_every_check() {
    let server = start("lesson01-echo", &["0"]);
    let checked = check("lesson02", &server.url("/"), &["--json"]);
    assert_eq!(checked.status.code(), Some(1));
    let report = json(&checked);
    assert_eq!(report["lesson"], "lesson02");
    assert_eq!(report["mode"], "url");
    assert_eq!(report["target"], server.url("/"));
    let all = checks(&report);
    let failed = failed_names(&report).len();
    let passed = all.len() - failed;
    assert_eq!(report["passed"].as_u64(), Some(passed as u64));
    assert_eq!(report["failed"].as_u64(), Some(failed as u64));
    assert!(all.len() >= 15, "{} checks", all.len());
    // A server that answers everything with `Hello, World!` passes nothing of lesson 02.
    assert_eq!(passed, 0, "{}", checked.stdout);
    for (group, check) in &all {
        assert_eq!(check["passed"], false, "{group}: {check}");
        assert!(check["message"].is_string(), "{group}: {check}");
        assert!(check["sent"].is_string(), "{group}: {check}");
        assert!(check["received"].is_string(), "{group}: {check}");
    }
}

#[test]
fn an_unreachable_url_fails_quickly_with_advice() {
    let port = free_port();
    binary("homework"); // Built before the clock starts.
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}/");
    let checked = check("lesson02", &url, &[]);
    let took = started.elapsed();
    assert_eq!(checked.status.code(), Some(1), "{}", checked.stdout);
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let text = &checked.stdout;
    assert!(
        text.contains(&format!("could not connect to 127.0.0.1:{port}")),
        "{text}"
    );
    assert!(text.contains("is the server running?"), "{text}");
    assert!(text.contains("cargo run -p lesson02-http"), "{text}");

    let report = json(&check("lesson02", &url, &["--json"]));
    assert_eq!(report["passed"], 0);
    for (_, check) in checks(&report) {
        let message = check["message"].as_str().unwrap_or("");
        assert!(message.contains("is the server running?"), "{check}");
        assert_eq!(check["sent"], Value::Null, "nothing was sent: {check}");
    }
}
