//! Lesson 03: a CGI/1.1 host like `python3 -m http.server --cgi` — files are served, scripts
//! in `cgi-bin/` are run — or, with `--cgi-program NAME`, one of the CGI programs itself.
//!
//! The CGI host lives in `server_core::cgi` (chapter 3 walks through it); this file only
//! wires the command line to it.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use server_core::Server;
use server_core::cgi::{CgiHost, CgiOptions};
use server_core::cli::{self, ServeArgs};

/// The help heading of the CGI flags.
const CGI: &str = "CGI scripts";

/// Serve a directory over HTTP/1.1 and run the CGI scripts in its cgi-bin/ folder.
#[derive(Parser)]
#[command(version, about, after_help = cli::SHARING_HELP)]
struct Args {
    #[command(flatten)]
    serve: ServeArgs,

    /// Seconds a script may run before it is stopped (the client gets 504).
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = seconds, help_heading = CGI)]
    cgi_timeout: Duration,

    /// Most scripts running at once (503 past it).
    #[arg(long, value_name = "N", default_value_t = CgiOptions::default().max_scripts, help_heading = CGI)]
    max_scripts: usize,

    /// Pass the Authorization header to scripts as HTTP_AUTHORIZATION.
    #[arg(long, help_heading = CGI)]
    pass_authorization: bool,

    /// Run as the CGI program NAME (e.g. hello) instead of a server; cgi-bin/hello-rust uses it.
    #[arg(long, value_name = "NAME", help_heading = CGI)]
    cgi_program: Option<String>,
}

/// A positive number of seconds, such as `60` or `0.5`.
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number"))?;
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("'{text}' is not a positive number of seconds"))
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(name) = &args.cgi_program {
        return lesson03_cgi::rust_cgi::run(name);
    }
    // Nothing we inherited (open, but not close-on-exec) may leak into the scripts.
    server_core::cgi::process::close_inherited_descriptors();
    let listener =
        cli::bind(&args.serve.listen, env!("CARGO_PKG_NAME")).unwrap_or_else(|e| cli::exit_with(e));
    let root = cli::check_directory(&args.serve.directory).unwrap_or_else(|e| cli::exit_with(e));
    let software = concat!("lesson03-cgi/", env!("CARGO_PKG_VERSION"));
    let options = CgiOptions {
        timeout: args.cgi_timeout,
        max_scripts: args.max_scripts,
        pass_authorization: args.pass_authorization,
        server_software: software.to_string(),
        ..CgiOptions::default()
    };
    let mut host = CgiHost::new(root, options);
    if let Ok(addr) = listener.local_addr() {
        host.choose_script_user(addr.ip());
    }
    cli::announce(&listener, "HTTP", "http");
    if let Ok(addr) = listener.local_addr() {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "CGI scripts: {}cgi-bin/index",
            cli::url_for(addr, "http")
        );
        if let Some(note) = host.startup_note() {
            let _ = writeln!(out, "{note}");
        }
        let _ = out.flush();
    }
    // Started as root: give root up for good now that the port is open (scripts then start
    // without forking the server; see `drop_privileges`).
    host.give_up_root().unwrap_or_else(|e| {
        cli::exit_with(cli::StartupError::Other {
            context: "cannot switch to the user nobody".to_string(),
            source: e,
        })
    });
    let config = args.serve.tuning.to_config(software);
    Server::new(listener, config, host).run_until_ctrl_c();
    ExitCode::SUCCESS
}
// ANCHOR_END: main
