//! The harness itself: a lesson starts, answers, and stops on Ctrl-C.

use end_to_end::{agent, binary, run_command, start, workspace_root};
use std::process::Command;
use std::time::Duration;

/// Every lesson binary, for the checks of `--help`.
const LESSONS: [&str; 8] = [
    "lesson01-echo",
    "lesson02-http",
    "lesson03-cgi",
    "lesson04-forms",
    "lesson05-gateway",
    "lesson06-books",
    "lesson07-calculator",
    "lesson08-tls",
];

/// The flags of `server_core::cli::TuningArgs`: all of "Limits and timeouts", and only them.
const LIMIT_FLAGS: [&str; 9] = [
    "--max-request-line",
    "--max-header-bytes",
    "--max-headers",
    "--max-body",
    "--max-connections",
    "--header-timeout",
    "--body-timeout",
    "--keep-alive-timeout",
    "--send-timeout",
];

/// One flag's line of `--help`, under its heading.
struct HelpLine {
    /// The heading it is listed under (`Options`, `Limits and timeouts`...).
    heading: String,
    /// Its long name, `--bind`.
    flag: String,
    /// The whole line.
    line: String,
}

/// Runs `NAME --help` and returns its text.
fn help_of(name: &str) -> String {
    let mut command = Command::new(binary(name));
    command.arg("--help");
    let finished = run_command(command, Duration::from_secs(30));
    assert!(
        finished.status.success(),
        "{name} --help: {}",
        finished.stderr
    );
    finished.stdout
}

/// The flag lines of a `--help` text with their headings (clap prints one line per flag).
fn flag_lines(help: &str) -> Vec<HelpLine> {
    let mut heading = String::new();
    let mut lines = Vec::new();
    for line in help.lines() {
        if let Some(title) = line.strip_suffix(':').filter(|_| !line.starts_with(' ')) {
            heading = title.to_string();
            continue;
        }
        let trimmed = line.trim_start();
        if line.starts_with(' ') && trimmed.starts_with('-') {
            let flag = trimmed
                .split([',', ' '])
                .map(str::trim)
                .find(|word| word.starts_with("--"))
                .unwrap_or_default();
            lines.push(HelpLine {
                heading: heading.clone(),
                flag: flag.to_string(),
                line: line.to_string(),
            });
        }
    }
    lines
}

#[test]
fn help_lists_only_limits_under_limits_and_each_default_once() {
    let root = workspace_root();
    let root = root.to_str().expect("a UTF-8 workspace path");
    for name in LESSONS {
        let help = help_of(name);
        let lines = flag_lines(&help);
        assert!(
            lines.iter().any(|line| line.flag == "--bind"),
            "{name}: no --bind in:\n{help}"
        );
        let under_limits: Vec<&str> = lines
            .iter()
            .filter(|line| line.heading == "Limits and timeouts")
            .map(|line| line.flag.as_str())
            .collect();
        // Lesson 01 speaks raw TCP, without the HTTP core's limits.
        let expected: &[&str] = if name == "lesson01-echo" {
            &[]
        } else {
            &LIMIT_FLAGS
        };
        assert_eq!(under_limits, expected, "{name}:\n{help}");
        for HelpLine { flag, line, .. } in &lines {
            let defaults = line.to_ascii_lowercase().matches("default:").count();
            assert!(
                defaults <= 1,
                "{name} {flag} states its default {defaults} times: {line}"
            );
        }
        assert!(
            !help.contains(root) && !help.contains("/../"),
            "{name}: --help shows a path of this build:\n{help}"
        );
    }
}

#[test]
fn lesson08_help_puts_the_modes_under_their_heading_and_names_python_314s_flags() {
    let help = help_of("lesson08-tls");
    let lines = flag_lines(&help);
    for mode in ["--cgi", "--dump", "--gateway"] {
        let line = lines
            .iter()
            .find(|line| line.flag == mode)
            .unwrap_or_else(|| panic!("no {mode} in:\n{help}"));
        assert!(
            line.heading.starts_with("What to serve"),
            "{mode} is under {:?}:\n{help}",
            line.heading
        );
    }
    for (flag, alias) in [("--cert", "--tls-cert"), ("--key", "--tls-key")] {
        let line = lines
            .iter()
            .find(|line| line.flag == flag)
            .unwrap_or_else(|| panic!("no {flag} in:\n{help}"));
        assert_eq!(line.heading, "TLS", "{help}");
        assert!(
            line.line.contains(alias),
            "{flag} does not name {alias}: {}",
            line.line
        );
    }
}

#[test]
fn lesson02_dump_starts_answers_and_stops() {
    let mut server = start("lesson02-http", &["--dump", "0"]);
    let mut response = agent().get(&server.url("/hello?x=1")).call().unwrap();
    assert_eq!(response.status(), 200);
    let text = response.body_mut().read_to_string().unwrap();
    assert!(text.contains("Path: /hello"), "{text}");
    server.interrupt();
    let status = server
        .wait_exit(Duration::from_secs(15))
        .expect("exits after Ctrl-C");
    assert!(status.success(), "{status:?}");
}
