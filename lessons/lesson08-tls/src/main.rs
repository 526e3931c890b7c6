//! Lesson 08: HTTPS. The HTTP/1.1 server of the earlier lessons, inside TLS — static files,
//! CGI scripts (`--cgi`), the gateway application of lesson 05 (`--gateway`) or the request
//! dump (`--dump`), all unchanged.
//!
//! TLS lives in `server_core::tls` (chapter 8 walks through the handshake); choosing the
//! certificate is in `certificate.rs`, the optional plain-HTTP redirect in `redirect.rs`.

mod certificate;
mod redirect;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use server_core::cgi::{CgiHost, CgiOptions};
use server_core::cli::{self, ServeArgs};
use server_core::gateway::GatewayHost;
use server_core::static_files::StaticFiles;
use server_core::{Handler, Server};

/// The help heading of the TLS flags.
const TLS: &str = "TLS";

/// The help heading of the flags that choose what answers the requests instead of files.
const WHAT_TO_SERVE: &str = "What to serve (files by default)";

/// Serve HTTPS: files, CGI scripts, a gateway application or the request dump, over TLS.
#[derive(Parser)]
#[command(version, about, after_help = cli::SHARING_HELP)]
struct Args {
    #[command(flatten)]
    serve: ServeArgs,

    // `--tls-cert` and `--tls-key` are the names Python 3.14's `http.server` gives these
    // two flags, so a command line written for it works here too.
    /// The certificate chain, PEM (from mkcert or openssl); without it one is made at start.
    #[arg(long, visible_alias = "tls-cert", value_name = "FILE", requires = "key", help_heading = TLS)]
    cert: Option<PathBuf>,

    /// The certificate's private key, PEM (PKCS#8, RSA or EC).
    #[arg(long, visible_alias = "tls-key", value_name = "FILE", requires = "cert", help_heading = TLS)]
    key: Option<PathBuf>,

    /// Save the certificate (PEM) here, for `curl --cacert FILE` or a browser import.
    #[arg(long, value_name = "FILE", help_heading = TLS)]
    write_cert: Option<PathBuf>,

    /// Also listen for plain HTTP on this port and redirect it (301) to HTTPS.
    #[arg(long, value_name = "PORT", help_heading = TLS)]
    redirect_from: Option<u16>,

    /// Run the CGI scripts in cgi-bin/ as well as serving files (lesson 03, over TLS).
    #[arg(long, conflicts_with_all = ["dump", "gateway"], help_heading = WHAT_TO_SERVE)]
    cgi: bool,

    /// Answer every request with what was parsed and what TLS negotiated.
    #[arg(long, conflicts_with = "gateway", help_heading = WHAT_TO_SERVE)]
    dump: bool,

    /// Serve lesson 05's gateway application (the environment page) over TLS.
    #[arg(long, help_heading = WHAT_TO_SERVE)]
    gateway: bool,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    if args.cgi {
        server_core::cgi::process::close_inherited_descriptors();
    }
    let listen = &args.serve.listen;
    let listener = cli::bind(listen, env!("CARGO_PKG_NAME")).unwrap_or_else(|e| cli::exit_with(e));
    let certificate = certificate::choose(&args.cert, &args.key, &listen.bind, &args.write_cert);
    let tls = certificate
        .server_config()
        .unwrap_or_else(|e| certificate::exit_with(e));
    let software = concat!("lesson08-tls/", env!("CARGO_PKG_VERSION"));
    let listening_on = listener.local_addr().map(|addr| addr.ip());
    let (handler, note) = handler(&args, software, listening_on.ok());
    let https_port = listener
        .local_addr()
        .map(|addr| addr.port())
        .unwrap_or(listen.port);
    let redirect = args
        .redirect_from
        .map(|port| redirect::listen(listen, port, https_port));
    cli::announce(&listener, "HTTPS", "https");
    if let Some(note) = note {
        println!("{note}");
    }
    certificate::describe(&certificate, &args.write_cert);
    if let Some(redirect) = redirect {
        redirect::start(redirect, args.serve.tuning.to_config(software));
    }
    Server::with_shared_handler(listener, args.serve.tuning.to_config(software), handler)
        .with_tls(tls)
        .run_until_ctrl_c();
}
// ANCHOR_END: main

/// What answers the requests: files, CGI, the gateway application, or the dump; and, for
/// CGI, what the start-up output should add about who runs the scripts.
fn handler(
    args: &Args,
    software: &str,
    listening_on: Option<IpAddr>,
) -> (Arc<dyn Handler>, Option<String>) {
    if args.dump {
        return (Arc::new(server_core::dump::dump_request), None);
    }
    if args.gateway {
        let app = GatewayHost::new(lesson05_gateway::application(), software);
        return (Arc::new(app), None);
    }
    let root = cli::check_directory(&args.serve.directory).unwrap_or_else(|e| cli::exit_with(e));
    if args.cgi {
        let options = CgiOptions {
            server_software: software.to_string(),
            ..CgiOptions::default()
        };
        let mut host = CgiHost::new(root, options);
        if let Some(address) = listening_on {
            host.choose_script_user(address);
        }
        let note = host.startup_note();
        // Started as root: the server becomes nobody, as lesson 03 does.
        if let Err(error) = host.give_up_root() {
            cli::exit_with(cli::StartupError::Other {
                context: "cannot switch to the user nobody".to_string(),
                source: error,
            });
        }
        return (Arc::new(host), note);
    }
    (Arc::new(StaticFiles::new(root)), None)
}
