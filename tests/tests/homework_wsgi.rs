//! End-to-end proof that the black-box checks of lessons 05–07 are language-neutral: the real
//! checker binary (`homework check lessonNN --url URL --json`) runs against the Rust lesson
//! binaries *and* against the Python WSGI programs in `wsgi/`, served by `wsgiref`, and every
//! check passes against both. One negative case shows the checks can fail: lesson 07's checks
//! against the book list of lesson 06.
//!
//! The Python programs are started with port 0 and their real port is read from the line they
//! print once they listen (`Serving on http://127.0.0.1:PORT/ ...`), so no port can be taken
//! in between; the test then waits until a connection succeeds. Every wait is bounded, every
//! server is killed when its test ends, and without `python3` the Python half is skipped with
//! a printed note.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use end_to_end::{Finished, binary, run_command, start, workspace_root};
use serde_json::Value;

/// How long one run of the checker may take (it needs a few seconds at most).
const CHECKER_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a Python program may take to print the line saying it listens.
const PYTHON_START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a server that said it listens may take to accept a connection.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `homework check LESSON --url URL --json` from the workspace root and parses the report.
fn check(lesson: &str, url: &str) -> (Finished, Value) {
    let mut command = Command::new(binary("homework"));
    command
        .args(["check", lesson, "--url", url, "--json"])
        .current_dir(workspace_root());
    let run = run_command(command, CHECKER_TIMEOUT);
    let report = serde_json::from_str(&run.stdout).unwrap_or_else(|error| {
        panic!(
            "--json printed no JSON ({error}):\n{}\n{}",
            run.stdout, run.stderr
        )
    });
    (run, report)
}

/// Every check of a report: `(group, name, passed)`.
fn checks(report: &Value) -> Vec<(String, String, bool)> {
    let text = |value: &Value| value.as_str().unwrap_or("").to_string();
    report["groups"]
        .as_array()
        .expect("groups is a list")
        .iter()
        .flat_map(|group| {
            group["checks"]
                .as_array()
                .expect("checks is a list")
                .iter()
                .map(move |check| {
                    (
                        text(&group["name"]),
                        text(&check["name"]),
                        check["passed"] == true,
                    )
                })
        })
        .collect()
}

/// Asserts that every check of `lesson` passes against `url` (served by `who`), and that
/// there are at least `at_least` of them; returns the names of the checks.
fn assert_all_pass(lesson: &str, url: &str, who: &str, at_least: usize) -> Vec<String> {
    let (run, report) = check(lesson, url);
    let all = checks(&report);
    let failed: Vec<&(String, String, bool)> = all.iter().filter(|check| !check.2).collect();
    assert!(
        failed.is_empty(),
        "{who} failed {} of lesson {lesson}'s checks: {failed:?}\n{}",
        failed.len(),
        run.stdout
    );
    assert!(
        all.len() >= at_least,
        "only {} checks ran for {lesson}",
        all.len()
    );
    assert_eq!(report["passed"].as_u64(), Some(all.len() as u64));
    assert!(
        run.status.success(),
        "{who}: exit status {:?}\n{}",
        run.status,
        run.stderr
    );
    all.into_iter().map(|(_, name, _)| name).collect()
}

/// `python3 -u wsgi/<program> 0`; killed on drop.
struct PythonApp {
    /// The Python process.
    child: Child,
    /// Where it listens, read from its start-up line.
    addr: SocketAddr,
    /// What it printed on standard error (its access log, or why it stopped).
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl PythonApp {
    /// Starts `wsgi/<program>` and waits until it answers; `None` when there is no `python3`.
    fn start(program: &str) -> Option<PythonApp> {
        let spawned = Command::new("python3")
            // -u: unbuffered, so the start-up line arrives while the server runs.
            .args(["-u", &format!("wsgi/{program}"), "0"])
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => panic!("cannot start python3 wsgi/{program}: {error}"),
        };
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut err_pipe = child.stderr.take().expect("piped");
        let sink = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        // `Serving on http://127.0.0.1:PORT/ ... (Ctrl-C to stop)`, read on a thread so that
        // the wait is bounded; the rest of stdout is drained so the server never blocks.
        let stdout = child.stdout.take().expect("piped");
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = sender.send(line);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut app = PythonApp {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr,
        };
        let line = receiver
            .recv_timeout(PYTHON_START_TIMEOUT)
            .unwrap_or_else(|_| {
                panic!(
                    "wsgi/{program} printed no start-up line within {PYTHON_START_TIMEOUT:?}; \
                 stderr: {}",
                    app.stderr()
                )
            });
        app.addr = announced(&line).unwrap_or_else(|| {
            thread::sleep(Duration::from_millis(200));
            panic!(
                "unexpected start-up line from wsgi/{program}: {line:?}; stderr: {}",
                app.stderr()
            )
        });
        app.wait_until_it_answers(program);
        Some(app)
    }

    /// Connects until a connection succeeds, for at most [`ANSWER_TIMEOUT`].
    fn wait_until_it_answers(&mut self, program: &str) {
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "wsgi/{program} exited ({status}) before answering: {}",
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "wsgi/{program} did not accept a connection at {} within {ANSWER_TIMEOUT:?}",
                self.addr
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// `http://127.0.0.1:PORT/`.
    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// What it printed on standard error so far.
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }
}

impl Drop for PythonApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in `Serving on http://127.0.0.1:41234/ ... (Ctrl-C to stop)`.
fn announced(line: &str) -> Option<SocketAddr> {
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))?;
    url.strip_prefix("http://")?
        .trim_end_matches('/')
        .parse()
        .ok()
}

/// Runs `lesson`'s checks against the Rust `package` and the Python `program`: every check
/// passes against both, and the two run the same checks.
fn both_pass(lesson: &str, package: &str, program: &str, at_least: usize) {
    let rust = start(package, &["0"]);
    let rust_names = assert_all_pass(lesson, &rust.url("/"), package, at_least);
    drop(rust);
    let Some(python) = PythonApp::start(program) else {
        end_to_end::skip_unless_ci(&format!("python3 is not installed to check wsgi/{program}"));
        return;
    };
    let python_names = assert_all_pass(lesson, &python.url(), program, at_least);
    assert_eq!(rust_names, python_names, "the same checks run against both");
}

#[test]
fn announced_addresses_are_read() {
    assert_eq!(
        announced("Serving on http://127.0.0.1:41234/ ... (Ctrl-C to stop)\n"),
        Some(SocketAddr::from(([127, 0, 0, 1], 41234)))
    );
    assert_eq!(announced("Port 8005 is already in use"), None);
}

#[test]
fn lesson05_checks_pass_against_the_rust_lesson_and_python_environ_py() {
    both_pass("lesson05", "lesson05-gateway", "environ.py", 4);
}

#[test]
fn lesson05_checks_pass_against_the_exercise_solution_and_fail_against_its_stub() {
    // In-class exercise III in Python: the checks written for the finished page judge the
    // learner's wsgi/exercises/environ_page.py. The reference solution passes all of them;
    // the untouched stub, which serves a page of TODOs, passes none.
    let Some(solution) = PythonApp::start("exercises/solutions/environ_page.py") else {
        end_to_end::skip_unless_ci("python3 is not installed to check wsgi/exercises/");
        return;
    };
    assert_all_pass("lesson05", &solution.url(), "the solution", 4);
    drop(solution);
    let stub = PythonApp::start("exercises/environ_page.py").expect("python3 started before");
    let (run, report) = check("lesson05", &stub.url());
    let passed: Vec<(String, String, bool)> = checks(&report)
        .into_iter()
        .filter(|check| check.2)
        .collect();
    assert_eq!(passed, Vec::new(), "{}", run.stdout);
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
}

#[test]
fn lesson06_checks_pass_against_the_rust_lesson_and_python_bookapp_py() {
    both_pass("lesson06", "lesson06-books", "bookapp.py", 9);
}

#[test]
fn lesson07_checks_pass_against_the_rust_lesson_and_python_calculator_py() {
    both_pass("lesson07", "lesson07-calculator", "calculator.py", 20);
}

#[test]
fn lesson07_checks_fail_against_the_book_list() {
    let books = start("lesson06-books", &["0"]);
    let (run, report) = check("lesson07", &books.url("/"));
    assert_eq!(run.status.code(), Some(1), "{}", run.stdout);
    let all = checks(&report);
    let passed: Vec<&(String, String, bool)> = all.iter().filter(|check| check.2).collect();
    // The book list's 404s for /power/2/3 and the like are HTML, not the calculator's text:
    // nothing of lesson 07 passes.
    assert!(passed.is_empty(), "{passed:?}\n{}", run.stdout);
    assert_eq!(report["passed"], 0);
    assert_eq!(report["failed"].as_u64(), Some(all.len() as u64));
}
