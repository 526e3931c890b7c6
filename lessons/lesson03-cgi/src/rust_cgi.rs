//! The CGI programs written in Rust: `lesson03-cgi --cgi-program NAME`.
//!
//! The binary that *hosts* CGI scripts can also *be* one. Started by a server through
//! `cgi-bin/hello-rust` (a short shell wrapper that finds this binary), it reads the
//! request from its environment and writes a response to standard output, exactly as
//! `cgi-bin/hello` does in Python — with [`server_core::cgi_program`] doing the reading and
//! the checked writing. Chapter 3 (`book/src/ch03-cgi.md`) compares the two.
//!
//! Programs:
//!
//! - `hello` — the course's hello page: a random light background colour, a visit counter in
//!   the `visits` cookie (a year long, for `/cgi-bin` only, `HttpOnly`, `SameSite=Lax`; a
//!   missing or garbled cookie starts the count again at 1), the escaped `SCRIPT_NAME` and a
//!   few other variables.
//!
//! - `form` — the form the request carried, read by [`CgiRequest::form`] with the very code
//!   lesson 04's server uses (`server_core::form`): each name with its values, then each
//!   uploaded file's size and SHA-256. `cgi-bin/form-rust` runs it; lesson 04's print-out
//!   shows the same `Form:` lines for the same request.
//!
//! Any other name is answered with a CGI `404`. The colour comes from the standard library's
//! randomly keyed hasher (`RandomState`), which is random enough for a colour and needs no
//! extra crate.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{self, Read};
use std::process::ExitCode;

use server_core::cgi_program::{CgiError, CgiRequest, CgiResponse, SameSite, SetCookie};
use server_core::form::FormOptions;
use server_core::html::escape;

/// The names `--cgi-program` accepts.
pub const PROGRAMS: &[&str] = &["hello", "form"];

/// The cookie that counts visits.
const COOKIE: &str = "visits";
/// How long the browser keeps the cookie, in seconds.
const ONE_YEAR: u64 = 365 * 24 * 60 * 60;
/// The variables the hello page lists, besides `SCRIPT_NAME` in its title.
const SHOWN: &[&str] = &[
    "REQUEST_METHOD",
    "QUERY_STRING",
    "PATH_INFO",
    "CONTENT_TYPE",
    "REMOTE_ADDR",
    "HTTP_USER_AGENT",
    "SERVER_SOFTWARE",
];

/// Runs the CGI program `name` on this process's environment and standard output.
///
/// The exit code is a failure only when the response could not be written (a header that
/// failed its checks, or a closed standard output); the reason goes to standard error,
/// which the server logs.
pub fn run(name: &str) -> ExitCode {
    let request = CgiRequest::from_env();
    let outcome = respond(name, &request, io::stdin().lock(), random_light_colour())
        .and_then(|response| response.write_to(io::stdout().lock()));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lesson03-cgi --cgi-program {name}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The response of program `name` to `request` with its body on `input`, with `colour` as
/// the hello page's background.
fn respond(
    name: &str,
    request: &CgiRequest,
    input: impl Read,
    colour: String,
) -> Result<CgiResponse, CgiError> {
    match name {
        "hello" => hello(request, &colour),
        "form" => form(request, input),
        _ => CgiResponse::text(
            404,
            format!(
                "There is no Rust CGI program called {name:?}. The programs are: {}.\n",
                PROGRAMS.join(", ")
            ),
        ),
    }
}

// ANCHOR: hello
/// The hello page, with its visit counter cookie.
fn hello(request: &CgiRequest, colour: &str) -> Result<CgiResponse, CgiError> {
    let visits = previous_visits(request) + 1;
    let times = if visits == 1 { "time" } else { "times" };
    let items: String = SHOWN
        .iter()
        .map(|name| format!("  <li><b>{name}:</b> {}</li>\n", shown(request, name)))
        .collect();
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  \
         <title>Hello from a Rust CGI program</title>\n  <style>\n    body {{ \
         background-color: {colour}; font-family: sans-serif; margin: 2em; }}\n  </style>\n\
         </head>\n<body>\n<h1>CGI program: {script}</h1>\n\
         <p>Written in Rust: <code>lesson03-cgi --cgi-program hello</code>, started by \
         <code>cgi-bin/hello-rust</code>.</p>\n\
         <p>You visited this page <b>{visits}</b> {times} (counted in the \
         <code>{COOKIE}</code> cookie; reload to count again). The background is \
         {colour}.</p>\n<h2>Some environment variables</h2>\n<ul>\n{items}</ul>\n\
         <p><a href=\"hello\">The Python version</a> · <a href=\"env\">the whole \
         environment</a> · <a href=\"index\">all the scripts</a></p>\n</body>\n</html>\n",
        script = shown(request, "SCRIPT_NAME"),
    );
    let cookie = SetCookie::new(COOKIE, visits.to_string())
        .max_age(ONE_YEAR)
        .path("/cgi-bin")
        .http_only()
        .same_site(SameSite::Lax);
    CgiResponse::html(200, page)?
        .with_cookie(&cookie)?
        .with_header("Cache-Control", "no-store")
}
// ANCHOR_END: hello

// ANCHOR: form_program
/// The form of the request: `Form:`, each name with all its values, and a line per file.
fn form(request: &CgiRequest, input: impl Read) -> Result<CgiResponse, CgiError> {
    let form = match request.form(input, &FormOptions::default()) {
        Ok(form) => form,
        // A form that cannot be read is the client's mistake (400) or too big (413).
        Err(CgiError::Form(error)) => {
            return CgiResponse::text(error.status(), format!("{error}\n"));
        }
        Err(other) => return Err(other),
    };
    let mut text = format!("Form:\n{}", form.describe());
    for (field, file) in form.files() {
        text.push_str(&format!("{field} {}\n", file.summary()));
    }
    CgiResponse::text(200, text)
}
// ANCHOR_END: form_program

/// How many visits the cookie counted: a whole number of at most nine ASCII digits, or 0
/// when the cookie is missing or holds anything else.
fn previous_visits(request: &CgiRequest) -> u32 {
    request
        .cookie(COOKIE)
        .filter(|value| (1..=9).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// A variable escaped for HTML, or a note when it is not set or empty.
fn shown(request: &CgiRequest, name: &str) -> String {
    match request.var(name) {
        None => "<i>(not set)</i>".to_string(),
        Some("") => "<i>(empty)</i>".to_string(),
        Some(value) => escape(value),
    }
}

/// `#rrggbb` with each channel in 0x99–0xff, so that black text stays readable.
fn random_light_colour() -> String {
    let random = RandomState::new().hash_one(std::time::SystemTime::now());
    let channel = |shift: u32| 0x99 + (random >> shift) % (0x100 - 0x99);
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(8), channel(16))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(vars: &[(&str, &str)]) -> CgiRequest {
        CgiRequest::from_vars(vars.iter().copied())
    }

    fn hello_page(vars: &[(&str, &str)]) -> (CgiResponse, String) {
        let response =
            respond("hello", &request(vars), io::empty(), "#abcdef".to_string()).unwrap();
        let body = String::from_utf8(response.body().to_vec()).unwrap();
        (response, body)
    }

    #[test]
    fn the_counter_goes_up_and_is_sent_back_in_a_cookie() {
        let (response, body) = hello_page(&[("HTTP_COOKIE", "theme=dark; visits=41")]);
        assert_eq!(response.status(), 200);
        assert!(body.contains("<b>42</b> times"), "{body}");
        assert_eq!(
            response.header("Set-Cookie"),
            Some("visits=42; HttpOnly; SameSite=Lax; Path=/cgi-bin; Max-Age=31536000")
        );
        assert!(body.contains("background-color: #abcdef"), "{body}");
    }

    #[test]
    fn a_garbled_cookie_starts_the_count_again() {
        for cookie in [
            "",
            "visits=abc",
            "visits=-3",
            "visits=9999999999",
            "visits=",
            "junk",
        ] {
            let (response, body) = hello_page(&[("HTTP_COOKIE", cookie)]);
            assert!(body.contains("<b>1</b> time "), "{cookie:?}: {body}");
            assert!(
                response
                    .header("Set-Cookie")
                    .unwrap()
                    .starts_with("visits=1;"),
                "{cookie:?}"
            );
        }
    }

    #[test]
    fn everything_from_the_request_is_escaped() {
        let (_, body) = hello_page(&[
            ("SCRIPT_NAME", "/cgi-bin/<script>"),
            ("HTTP_USER_AGENT", "\"><img src=x onerror=alert(1)>"),
            ("QUERY_STRING", ""),
        ]);
        assert!(
            body.contains("CGI program: /cgi-bin/&lt;script&gt;"),
            "{body}"
        );
        assert!(body.contains("&quot;&gt;&lt;img"), "{body}");
        assert!(!body.contains("<img"), "{body}");
        assert!(
            body.contains("<b>QUERY_STRING:</b> <i>(empty)</i>"),
            "{body}"
        );
        assert!(
            body.contains("<b>PATH_INFO:</b> <i>(not set)</i>"),
            "{body}"
        );
    }

    #[test]
    fn an_unknown_program_is_a_404() {
        let response = respond("nope\n", &request(&[]), io::empty(), String::new()).unwrap();
        assert_eq!(response.status(), 404);
        let body = String::from_utf8(response.body().to_vec()).unwrap();
        assert!(body.contains("\"nope\\n\""), "{body}");
        assert!(body.contains("hello"), "{body}");
    }

    #[test]
    fn the_form_program_reads_query_and_body_like_the_server() {
        let body = "user=James+%26+Nancy+Kirk&user2=&pets=dog&pets=cat";
        let length = body.len().to_string();
        let vars = [
            ("QUERY_STRING", "hi=john%20doe"),
            ("CONTENT_TYPE", "application/x-www-form-urlencoded"),
            ("CONTENT_LENGTH", length.as_str()),
        ];
        let response = respond("form", &request(&vars), body.as_bytes(), String::new()).unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            String::from_utf8(response.body().to_vec()).unwrap(),
            "Form:\nhi ['john doe']\nuser ['James & Nancy Kirk']\nuser2 ['']\npets ['dog', 'cat']\n"
        );
        let bad = respond(
            "form",
            &request(&[("QUERY_STRING", "a=%FF")]),
            io::empty(),
            String::new(),
        )
        .unwrap();
        assert_eq!(bad.status(), 400);
    }

    #[test]
    fn colours_are_light() {
        for _ in 0..20 {
            let colour = random_light_colour();
            assert_eq!(colour.len(), 7);
            for channel in [&colour[1..3], &colour[3..5], &colour[5..7]] {
                assert!(u8::from_str_radix(channel, 16).unwrap() >= 0x99, "{colour}");
            }
        }
    }
}
