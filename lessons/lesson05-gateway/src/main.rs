//! Lesson 05: a gateway interface — Python's WSGI, in Rust. The application runs *inside*
//! the server: no process per request, unlike lesson 03's CGI.
//!
//! The gateway (environ, start_response, middleware, router) lives in
//! `server_core::gateway`; chapter 5 maps it onto PEP 3333. The lesson's application is in
//! `lib.rs`: the environment page of the course's exercise, and a small demonstration of
//! dispatch and middleware. This file only wires the command line to it.

use clap::Parser;
use server_core::cli::{self, ListenArgs, TuningArgs};
use server_core::gateway;

/// Serve a gateway application: the environment page, dispatch and middleware.
#[derive(Parser)]
#[command(version, about, after_help = cli::SHARING_HELP)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,

    #[command(flatten)]
    tuning: TuningArgs,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let software = concat!("lesson05-gateway/", env!("CARGO_PKG_VERSION"));
    let app = lesson05_gateway::application();
    gateway::serve(
        app,
        &args.listen,
        &args.tuning,
        env!("CARGO_PKG_NAME"),
        software,
    );
}
// ANCHOR_END: main
