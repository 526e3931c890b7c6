//! The gateway server around the in-class exercise III: every path answers the environment
//! page built by *your* `environ_tables`.
//!
//! ```text
//! cargo run -p lesson05-gateway --example environ_page -- 8005
//! cargo run -p homework -- check lesson05 --url http://127.0.0.1:8005/
//! ```
//!
//! The exercise `environ_page` is a pure function, checked by
//! `cargo run -p homework -- check lesson05`; this program hands it the environ of every
//! request (through the same gateway host as the lesson's own server) and sends back the page,
//! so the black-box checks of lesson 05 — written for the finished page — judge yours over
//! HTTP. With `--features reference` it serves the reference solution instead.
//!
//! Why an example and not a route of the `lesson05-gateway` binary: the binary includes no
//! exercise file, so a compile error in one exercise cannot stop the server or the other
//! exercises from building. A function that is still `todo!()` panics; the error catcher
//! answers 500 and the server keeps running.

use clap::Parser;
use server_core::cli::{self, ListenArgs, TuningArgs};
use server_core::gateway::{self, Environ, ErrorCatcher, Reply, RouteError, Router};

#[cfg_attr(not(feature = "reference"), path = "../exercises/environ_page.rs")]
#[cfg_attr(feature = "reference", path = "../exercises/solutions/environ_page.rs")]
#[allow(unused_variables, dead_code, unused_imports)]
mod environ_page;

/// Serve the environment page of the environ_page exercise on every path.
#[derive(Parser)]
#[command(about, after_help = cli::SHARING_HELP)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,

    #[command(flatten)]
    tuning: TuningArgs,
}

fn main() {
    let args = Args::parse();
    let router = Router::new()
        .route(r".*", page)
        .expect("the route pattern is valid");
    gateway::serve(
        ErrorCatcher(router),
        &args.listen,
        &args.tuning,
        "lesson05-gateway --example environ_page",
        concat!("lesson05-environ-page/", env!("CARGO_PKG_VERSION")),
    );
}

/// The page of one request: a title around the exercise's two tables.
fn page(_: &[&str], environ: &mut Environ<'_>) -> Result<Reply, RouteError> {
    let variables: Vec<(&str, &str)> = environ.vars().collect();
    let tables = environ_page::environ_tables(&variables);
    Ok(Reply::html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>The environment of this request</title>\n</head>\n<body>\n\
         <h1>The environment of this request</h1>\n{tables}</body>\n</html>\n"
    )))
}
