//! Lesson 02: an HTTP/1.1 server — a static file server like `python3 -m http.server`,
//! or, with `--dump`, a server that answers every request with what it parsed.
//!
//! The HTTP itself lives in `server-core` (chapter 2 walks through it); this file only wires
//! the command line to a handler.

use std::sync::Arc;

use clap::Parser;
use server_core::cli::{self, ServeArgs};
use server_core::static_files::StaticFiles;
use server_core::{Handler, Server};

/// Serve a directory over HTTP/1.1, or show how requests are parsed.
#[derive(Parser)]
#[command(version, about, after_help = cli::SHARING_HELP)]
struct Args {
    #[command(flatten)]
    serve: ServeArgs,

    /// Answer every request with the parsed request line and headers instead of files.
    #[arg(long)]
    dump: bool,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let listener =
        cli::bind(&args.serve.listen, env!("CARGO_PKG_NAME")).unwrap_or_else(|e| cli::exit_with(e));
    let config = args
        .serve
        .tuning
        .to_config(concat!("lesson02-http/", env!("CARGO_PKG_VERSION")));
    let handler: Arc<dyn Handler> = if args.dump {
        Arc::new(server_core::dump::dump_request)
    } else {
        let root =
            cli::check_directory(&args.serve.directory).unwrap_or_else(|e| cli::exit_with(e));
        Arc::new(StaticFiles::new(root))
    };
    cli::announce(&listener, "HTTP", "http");
    Server::with_shared_handler(listener, config, handler).run_until_ctrl_c();
}
// ANCHOR_END: main
