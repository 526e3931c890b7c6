//! Tests of the gateway: start_response's checks, the host's framing and environ, the
//! middleware and the router — all on in-memory connections.

use std::sync::{Arc, Mutex};

use pretty_assertions::assert_eq;

use super::*;
use crate::config::ServerConfig;
use crate::memory::{MemoryTransport, serve_in_memory};

/// Serves `requests` (raw bytes) with `app` hosted in-process; returns the raw output.
fn serve(app: impl Application, requests: &str) -> String {
    let host = GatewayHost::new(app, "test/1.0");
    let mut transport = MemoryTransport::new(requests.as_bytes().to_vec());
    let output = serve_in_memory(&mut transport, &ServerConfig::default(), &host);
    String::from_utf8_lossy(&output).into_owned()
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: example.org:8000\r\nConnection: close\r\n\r\n")
}

fn hello(_: &mut Environ<'_>, start: &mut StartResponse) -> Result<Chunks, AppError> {
    start.start("200 OK", [("Content-Type", "text/plain")])?;
    Ok(body("Hello World\n"))
}

#[test]
fn a_hello_application_is_framed_with_a_length() {
    let out = serve(hello, &get("/"));
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.contains("Content-Type: text/plain\r\n"), "{out}");
    assert!(out.contains("Content-Length: 12\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\nHello World\n"), "{out}");
}

#[test]
fn several_chunks_are_sent_chunked_and_a_declared_length_is_kept() {
    let chunked = |_: &mut Environ<'_>, start: &mut StartResponse| -> Result<Chunks, AppError> {
        start.start("200 OK", [("Content-Type", "text/plain")])?;
        Ok(Box::new(
            ["one ", "", "two"]
                .into_iter()
                .map(|s| s.as_bytes().to_vec()),
        ))
    };
    let out = serve(chunked, &get("/"));
    assert!(out.contains("Transfer-Encoding: chunked\r\n"), "{out}");
    assert!(out.ends_with("4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n"), "{out}");

    let declared = |_: &mut Environ<'_>, start: &mut StartResponse| -> Result<Chunks, AppError> {
        start.start(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "7")],
        )?;
        Ok(Box::new(
            ["one ", "two"].into_iter().map(|s| s.as_bytes().to_vec()),
        ))
    };
    let out = serve(declared, &get("/"));
    assert!(
        out.contains("Content-Length: 7\r\n") && out.ends_with("one two"),
        "{out}"
    );
}

#[test]
fn a_wrong_content_length_is_a_500() {
    let wrong = |_: &mut Environ<'_>, start: &mut StartResponse| -> Result<Chunks, AppError> {
        start.start(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "99")],
        )?;
        Ok(body("short"))
    };
    assert!(serve(wrong, &get("/")).starts_with("HTTP/1.1 500 "));
}

#[test]
fn no_header_can_be_injected_even_when_the_refusal_is_ignored() {
    for (name, value) in [
        ("X-Test", "a\r\nSet-Cookie: evil=1"),
        ("X-Test", "a\nb"),
        ("X-Te st", "1"),
        ("Bad\r\nName", "1"),
        ("Transfer-Encoding", "chunked"),
        ("Connection", "close"),
        ("Content-Length", "12abc"),
    ] {
        let app =
            move |_: &mut Environ<'_>, start: &mut StartResponse| -> Result<Chunks, AppError> {
                // A careless application ignores what start_response says.
                let _ = start.start("200 OK", [(name, value)]);
                Ok(body("hello"))
            };
        let out = serve(app, &get("/"));
        assert!(out.starts_with("HTTP/1.1 500 "), "{name:?}: {out}");
        assert!(!out.contains("evil"), "{name:?}: {out}");
    }
    for status in [
        "200",
        "2000 OK",
        "099 Low",
        "600 High",
        "200 OK\r\nX-Evil: 1",
        "abc OK",
        "100 Continue",
    ] {
        let mut start = StartResponse::new();
        assert!(
            matches!(
                start.start(status, Vec::<(String, String)>::new()),
                Err(GatewayError::BadStatus(_))
            ),
            "{status:?}"
        );
    }
}

#[test]
fn start_response_is_called_once_unless_restarted() {
    let mut start = StartResponse::new();
    start.start("200 OK", [("A", "1")]).unwrap();
    assert_eq!(
        start.start("404 Not Found", [("B", "2")]),
        Err(GatewayError::AlreadyStarted)
    );
    let mut start = StartResponse::new();
    start.start("200 OK", [("A", "1")]).unwrap();
    start
        .restart("500 Internal Server Error", [("B", "2")])
        .unwrap();
    assert_eq!(
        (start.status(), start.header("A"), start.header("b")),
        (Some(500), None, Some("2"))
    );
    let forgetful = |_: &mut Environ<'_>, _: &mut StartResponse| -> Result<Chunks, AppError> {
        Ok(body("no status"))
    };
    assert!(serve(forgetful, &get("/")).starts_with("HTTP/1.1 500 "));
}

#[test]
fn an_error_is_a_500_that_hides_its_cause() {
    let failing = |_: &mut Environ<'_>, _: &mut StartResponse| -> Result<Chunks, AppError> {
        Err("database password is hunter2".into())
    };
    let out = serve(failing, &get("/"));
    assert!(out.starts_with("HTTP/1.1 500 "), "{out}");
    assert!(!out.contains("hunter2"), "{out}");
}

/// An application that records its environ's variables.
fn recorder(seen: Arc<Mutex<Vec<(String, String)>>>) -> impl Application {
    move |environ: &mut Environ<'_>, start: &mut StartResponse| -> Result<Chunks, AppError> {
        let mut input = String::new();
        environ.input.read_to_string(&mut input)?;
        let mut vars: Vec<(String, String)> = environ
            .vars()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.push(("input".into(), input));
        *seen.lock().unwrap() = vars;
        start.start("204 No Content", Vec::<(String, String)>::new())?;
        Ok(body(""))
    }
}

#[test]
fn the_environ_holds_the_cgi_variables_and_the_body() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let request = "POST /book/caf%C3%A9?x=1&y=%3Cb%3E HTTP/1.1\r\nHost: example.org:8000\r\n\
                   User-Agent: t\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\
                   Connection: close\r\n\r\nhello";
    let out = serve(recorder(seen.clone()), request);
    assert!(out.starts_with("HTTP/1.1 204 "), "{out}");
    let vars = seen.lock().unwrap().clone();
    let get = |name: &str| {
        vars.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("REQUEST_METHOD"), Some("POST"));
    assert_eq!(get("SCRIPT_NAME"), Some(""));
    assert_eq!(get("PATH_INFO"), Some("/book/café"));
    assert_eq!(get("QUERY_STRING"), Some("x=1&y=%3Cb%3E"));
    assert_eq!(get("SERVER_NAME"), Some("example.org"));
    assert_eq!(get("HTTP_USER_AGENT"), Some("t"));
    assert_eq!(get("CONTENT_LENGTH"), Some("5"));
    assert_eq!(get("CONTENT_TYPE"), Some("text/plain"));
    assert_eq!(get("wsgi.url_scheme"), Some("http"));
    assert_eq!(get("input"), Some("hello"));
    assert_eq!(
        get("SCRIPT_FILENAME"),
        None,
        "an in-process application has no file"
    );
    assert_eq!(
        get("PATH"),
        None,
        "nothing inherited from the server's environment"
    );
}

#[test]
fn a_chunked_body_arrives_with_a_length() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let request = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\
                   Connection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    serve(recorder(seen.clone()), request);
    let vars = seen.lock().unwrap().clone();
    let get = |name: &str| {
        vars.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        (get("CONTENT_LENGTH"), get("input")),
        (Some("5"), Some("abcde"))
    );
}

#[test]
fn a_path_that_is_not_utf8_is_a_400() {
    assert!(serve(hello, &get("/%FF")).starts_with("HTTP/1.1 400 "));
}

/// Runs `app` inside AccessLog(ErrorCatcher(AddHeader)): the response, the page, the log.
fn through_the_stack(app: impl Application) -> (StartResponse, String, String) {
    let mut input = std::io::empty();
    let mut errors = Vec::new();
    let mut environ = Environ::new(
        [
            ("REQUEST_METHOD", b"GET".to_vec()),
            ("PATH_INFO", b"/x".to_vec()),
        ],
        &mut input,
        &mut errors,
    );
    let mut start = StartResponse::new();
    let stack = AccessLog(ErrorCatcher(AddHeader::new(app, "X-Lesson", "05").unwrap()));
    let chunks = stack.call(&mut environ, &mut start).unwrap();
    let page: Vec<u8> = chunks.flatten().collect();
    drop(environ);
    (
        start,
        String::from_utf8(page).unwrap(),
        String::from_utf8(errors).unwrap(),
    )
}

#[test]
fn middleware_wraps_without_the_application_knowing() {
    let failing = |_: &mut Environ<'_>, _: &mut StartResponse| -> Result<Chunks, AppError> {
        Err("secret cause".into())
    };
    let panicking = |_: &mut Environ<'_>, _: &mut StartResponse| -> Result<Chunks, AppError> {
        panic!("secret panic")
    };
    let (start, page, errors) = through_the_stack(hello);
    assert_eq!(
        (start.status(), start.header("X-Lesson")),
        (Some(200), Some("05"))
    );
    assert_eq!(page, "Hello World\n");
    assert!(errors.starts_with("[access] GET /x -> 200 in "), "{errors}");
    for (start, page, errors) in [through_the_stack(failing), through_the_stack(panicking)] {
        assert_eq!(start.status(), Some(500));
        assert!(!page.contains("secret"), "{page}");
        assert!(
            errors.contains("[error] GET /x: ") && errors.contains("secret"),
            "{errors}"
        );
        assert!(errors.contains("[access] GET /x -> 500"), "{errors}");
    }
    assert!(AddHeader::new(hello, "X-Bad", "a\r\nb").is_err());
}

fn list(_: &[&str], _: &mut Environ<'_>) -> Result<Reply, RouteError> {
    Ok(Reply::html("list"))
}

fn book(args: &[&str], _: &mut Environ<'_>) -> Result<Reply, RouteError> {
    match args {
        ["id1"] => Ok(Reply::html("<h1>One</h1>")),
        ["id0"] => Err(RouteError::Internal("the record is broken".into())),
        _ => Err(RouteError::NotFound),
    }
}

fn divide(args: &[&str], _: &mut Environ<'_>) -> Result<Reply, RouteError> {
    if args[1] == "0" {
        return Err(RouteError::BadRequest("division by zero".into()));
    }
    Ok(Reply::text(format!("{}/{}", args[0], args[1])))
}

fn book_router() -> Router {
    Router::new()
        .route(r"$", list)
        .and_then(|router| router.route(r"book/(id\d+)$", book))
        .and_then(|router| router.route(r"divide/(-?\d+)/(-?\d+)$", divide))
        .unwrap()
}

#[test]
fn the_router_resolves_like_resolve_path() {
    let router = book_router();
    fn captured<'p>(router: &Router, path: &'p str) -> Option<Vec<&'p str>> {
        router.resolve(path).map(|(_, args)| args)
    }
    let args = |path: &'static str| captured(&router, path);
    assert_eq!(args("/"), Some(vec![]));
    assert_eq!(args(""), Some(vec![]));
    assert_eq!(args("/book/id3"), Some(vec!["id3"]));
    assert_eq!(args("/book/id3/"), None);
    assert_eq!(args("/xbook/id3"), None, "anchored at the start");
    assert_eq!(args("/divide/6/-2"), Some(vec!["6", "-2"]));
    assert_eq!(args("/sponge/damp"), None);
    assert!(Router::new().route("(", list).is_err());
    let unbalanced = Router::new().route(r"x)|(y", list).unwrap();
    assert!(
        unbalanced.resolve("/zy").is_none(),
        "every branch is anchored at the start"
    );
    assert!(unbalanced.resolve("/y").is_some());
}

#[test]
fn the_router_answers_404_400_and_500() {
    let status = |path: &str| {
        let out = serve(book_router(), &get(path));
        out[9..12].to_string()
    };
    assert_eq!(status("/"), "200");
    assert_eq!(status("/book/id1"), "200");
    assert_eq!(status("/book/id73"), "404");
    assert_eq!(status("/book/id1/"), "404");
    assert_eq!(status("/sponge/damp"), "404");
    assert_eq!(status("/divide/6/0"), "400");
    assert_eq!(status("/divide/6/3"), "200");
    let broken = serve(book_router(), &get("/book/id0"));
    assert!(
        broken.starts_with("HTTP/1.1 500 ") && !broken.contains("broken"),
        "{broken}"
    );
    let text = Router::new().with_error_page(|status, message| {
        Reply::text(format!("{status}: {message}\n")).with_status(status)
    });
    let out = serve(text, &get("/nothing"));
    assert!(
        out.contains("text/plain") && out.ends_with("404: Nothing here answers /nothing\n"),
        "{out}"
    );
}
