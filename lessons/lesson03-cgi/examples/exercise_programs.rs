//! The CGI programs around the in-class exercises I and II: `exercise_programs env_table`
//! and `exercise_programs adding_machine`.
//!
//! The exercises `env_table` and `adding_machine` are pure functions, checked by
//! `cargo run -p homework -- check lesson03`. This program is what makes them pages: it reads
//! the request from the CGI environment with [`CgiRequest`], calls *your* function (the file
//! in `exercises/`, or the reference solution when built with `--features reference`) and
//! writes the response with [`CgiResponse`], as `src/rust_cgi.rs` does for the hello page.
//! `cgi-bin/exercises/env_table-rust` and `adding_machine-rust` start it, so that
//! `cargo run -p homework -- check lesson03 --url URL` checks the Rust pages over HTTP next
//! to the Python ones.
//!
//! Why an example and not part of the `lesson03-cgi` binary: the binary is the server. If it
//! included your exercise files, a compile error in one of them would stop the server and
//! every other exercise of the lesson from building; an example is built only when asked for:
//!
//! ```text
//! cargo build -p lesson03-cgi --example exercise_programs
//! ```
//!
//! Build it again after each change to an exercise (the server runs whatever was built last).
//! A function that is still `todo!()` panics: the program then writes nothing, and the server
//! answers with an error of its own.

use std::io;
use std::process::ExitCode;

use server_core::cgi_program::{CgiError, CgiRequest, CgiResponse};
use server_core::html::escape;

#[cfg_attr(not(feature = "reference"), path = "../exercises/env_table.rs")]
#[cfg_attr(feature = "reference", path = "../exercises/solutions/env_table.rs")]
#[allow(unused_variables, dead_code, unused_imports)]
mod env_table;

#[cfg_attr(not(feature = "reference"), path = "../exercises/adding_machine.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../exercises/solutions/adding_machine.rs"
)]
#[allow(unused_variables, dead_code, unused_imports)]
mod adding_machine;

use adding_machine::Refusal;

/// Runs the program named by the first argument on this process's CGI environment.
fn main() -> ExitCode {
    let name = std::env::args().nth(1).unwrap_or_default();
    let request = CgiRequest::from_env();
    let outcome = match name.as_str() {
        "env_table" => env_page(&request),
        "adding_machine" => sums(&request),
        _ => CgiResponse::text(
            404,
            format!(
                "There is no exercise program called {name:?}: try env_table or adding_machine.\n"
            ),
        ),
    }
    .and_then(|response| response.write_to(io::stdout().lock()));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("exercise_programs {name}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Exercise I: the page around [`env_table::env_table`].
fn env_page(request: &CgiRequest) -> Result<CgiResponse, CgiError> {
    let variables: Vec<(&str, &str)> = request.vars().collect();
    let table = env_table::env_table(&variables);
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>The CGI environment</title>\n</head>\n<body>\n\
         <h1>The CGI environment of {script}</h1>\n\
         <p>{count} variables, built by the server from the request.</p>\n{table}\
         </body>\n</html>\n",
        script = escape(request.script_name()),
        count = variables.len(),
    );
    CgiResponse::html(200, page)
}

/// Exercise II: the answer of [`adding_machine::add_operands`], as plain text.
fn sums(request: &CgiRequest) -> Result<CgiResponse, CgiError> {
    match adding_machine::add_operands(request.query_string()) {
        Ok(total) => CgiResponse::text(200, format!("Your total is {total}\n")),
        Err(Refusal::NotWholeNumbers(values)) => {
            // Each value is quoted by Debug, so a line break in it cannot fake a line.
            let listed: String = values
                .iter()
                .map(|value| format!("- {value:?}\n"))
                .collect();
            CgiResponse::text(
                400,
                format!("Unable to add: each operand must be a whole number.\n\n{listed}"),
            )
        }
        Err(Refusal::Undecodable(why)) => {
            CgiResponse::text(400, format!("Unable to read the query: {why}\n"))
        }
    }
}
