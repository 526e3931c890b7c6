//! Lesson 07: the course's homework, a calculator on the gateway — `/multiply/3/5` is 15.
//!
//! The arithmetic is the `calculate` exercise (its reference solution is used as it is); the
//! routes, the home page and the status codes are in `lib.rs`. This file only wires the
//! command line to it.

use clap::Parser;
use server_core::cli::{self, ListenArgs, TuningArgs};
use server_core::gateway;

/// Serve the calculator: /add/23/42, /subtract/23/42, /multiply/3/5, /divide/22/11.
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
    let software = concat!("lesson07-calculator/", env!("CARGO_PKG_VERSION"));
    let app = lesson07_calculator::application();
    gateway::serve(
        app,
        &args.listen,
        &args.tuning,
        env!("CARGO_PKG_NAME"),
        software,
    );
}
// ANCHOR_END: main
