//! Lesson 01: a raw TCP server that shows the bytes of an HTTP request (chapter 1, "Raw TCP").
//!
//! `cargo run -p lesson01-echo -- [PORT] [-b ADDR] [--echo]`, then open the printed URL in a
//! browser. `show.rs` prints what each client sent and answers `Hello, World!` without
//! parsing HTTP; with `--echo`, `echo.rs` sends every byte back instead; `clients.rs` gives
//! each client a thread. Only `std::net` is used: the point is to see HTTP before any library
//! interprets it. Ctrl-C simply ends the process; graceful shutdown comes in lesson 02.

mod clients;
mod echo;
mod show;

use std::net::TcpStream;

use clap::Parser;
use server_core::cli::{self, ListenArgs};

/// Show the raw bytes of each HTTP request and answer "Hello, World!", or echo bytes back.
#[derive(Parser)]
#[command(version, about, after_help = cli::SHARING_HELP)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,

    /// Be a plain echo server: send every byte back until the client closes.
    #[arg(long)]
    echo: bool,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let listener =
        cli::bind(&args.listen, env!("CARGO_PKG_NAME")).unwrap_or_else(|e| cli::exit_with(e));
    // The start-up line keeps the shape of `python3 -m http.server`'s; scripts read the port.
    let serve: fn(TcpStream) = if args.echo {
        cli::announce(&listener, "TCP echo", "tcp");
        echo::serve_connection
    } else {
        cli::announce(&listener, "TCP", "http");
        show::serve_connection
    };
    clients::serve_each_client(&listener, serve);
}
// ANCHOR_END: main
