//! Checks of the `resolve_path` exercise: the handler of a path, from ordered regex routes.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/resolve_path.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/resolve_path.rs"
)]
#[allow(unused_variables, dead_code)]
mod code;

use code::{ResolveError, resolve_path};

/// The course's routes: the list, and one book by id. The handlers are names.
const SEED_ROUTES: &[(&str, &str)] = &[(r"^$", "books"), (r"^book/(id[\d]+)$", "book")];

/// Asserts what `resolve_path(routes, path)` gives: `Ok((handler, args))` or an error.
#[track_caller]
fn check(
    routes: &[(&str, &'static str)],
    path: &str,
    expected: Result<(&'static str, &[&str]), ResolveError>,
) {
    let expected = expected.map(|(handler, args)| (handler, args.to_vec()));
    assert_eq!(
        resolve_path(routes, path),
        expected,
        "resolve_path({routes:?}, {path:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn the_root_resolves_to_the_list_with_no_arguments() {
    check(SEED_ROUTES, "/", Ok(("books", &[])));
    check(SEED_ROUTES, "", Ok(("books", &[])));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn a_book_path_passes_the_id_its_pattern_captured() {
    check(SEED_ROUTES, "/book/id3", Ok(("book", &["id3"])));
    check(SEED_ROUTES, "/book/id73", Ok(("book", &["id73"])));
    check(SEED_ROUTES, "book/id1", Ok(("book", &["id1"])));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn every_leading_slash_is_stripped() {
    check(SEED_ROUTES, "//book/id3", Ok(("book", &["id3"])));
    check(SEED_ROUTES, "///", Ok(("books", &[])));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn a_pattern_ending_in_a_dollar_refuses_anything_after_it() {
    check(SEED_ROUTES, "/book/id73/", Err(ResolveError::NotFound));
    check(SEED_ROUTES, "/book/id3/edit", Err(ResolveError::NotFound));
    check(SEED_ROUTES, "/books", Err(ResolveError::NotFound));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn a_path_no_pattern_matches_is_not_found() {
    check(SEED_ROUTES, "/sponge/damp", Err(ResolveError::NotFound));
    check(SEED_ROUTES, "/book/id", Err(ResolveError::NotFound));
    check(SEED_ROUTES, "/book/ID3", Err(ResolveError::NotFound));
    check(&[], "/", Err(ResolveError::NotFound));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn the_first_matching_route_wins() {
    let routes = [
        (r"^book/(id\d+)$", "book"),
        (r"^book/(.*)$", "any_book"),
        (r".*", "fallback"),
    ];
    check(&routes, "/book/id3", Ok(("book", &["id3"])));
    check(&routes, "/book/x", Ok(("any_book", &["x"])));
    check(&routes, "/sponge/damp", Ok(("fallback", &[])));
    let fallback_first = [(r".*", "fallback"), (r"^book/(id\d+)$", "book")];
    check(&fallback_first, "/book/id3", Ok(("fallback", &[])));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn a_pattern_matches_only_at_the_start_of_the_path() {
    let no_caret = [(r"book/(id\d+)$", "book")];
    check(&no_caret, "/my/book/id3", Err(ResolveError::NotFound));
    check(&no_caret, "/book/id3", Ok(("book", &["id3"])));
    let either = [("cat|dog", "pet")];
    check(&either, "/hotdog", Err(ResolveError::NotFound));
    check(&either, "/dog", Ok(("pet", &[])));
    check(&either, "/cat", Ok(("pet", &[])));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn without_a_dollar_a_pattern_matches_the_start_of_a_longer_path() {
    check(&[("^hello", "hello")], "/hello/world", Ok(("hello", &[])));
    check(&[("cat|dog", "pet")], "/catalog", Ok(("pet", &[])));
    check(
        &[(r"(\d+)", "number")],
        "/42/and/7",
        Ok(("number", &["42"])),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn a_group_that_took_no_part_gives_an_empty_argument() {
    let optional = [(r"^hello(?:/(\w+))?$", "hello")];
    check(&optional, "/hello", Ok(("hello", &[""])));
    check(&optional, "/hello/you", Ok(("hello", &["you"])));
    let alternatives = [(r"^(?:a(\d)|b(\d))$", "ab")];
    check(&alternatives, "/a1", Ok(("ab", &["1", ""])));
    check(&alternatives, "/b2", Ok(("ab", &["", "2"])));
    check(&[(r"^x(\d*)$", "x")], "/x", Ok(("x", &[""])));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn every_group_is_an_argument_in_order_and_the_whole_match_is_not() {
    let calculator = [(r"^(?P<operation>[a-z]+)/((-?\d+)/(-?\d+))$", "calculate")];
    check(
        &calculator,
        "/add/2/-3",
        Ok(("calculate", &["add", "2/-3", "2", "-3"])),
    );
    check(
        &[(r"^(?:book|livre)/(id\d+)$", "book")],
        "/livre/id5",
        Ok(("book", &["id5"])),
    );
    check(
        &[(r"^(\w+)/(\w+)$", "pair")],
        "/café/crème",
        Ok(("pair", &["café", "crème"])),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn an_invalid_pattern_is_an_error_naming_it_not_a_panic() {
    check(
        &[(r"^book/(id", "broken")],
        "/book/id3",
        Err(ResolveError::BadPattern(r"^book/(id".to_string())),
    );
    check(
        &[(r"^$", "books"), (r"[z-a]", "broken")],
        "/sponge/damp",
        Err(ResolveError::BadPattern(r"[z-a]".to_string())),
    );
}

/// A handler that is a function: called with the arguments, it answers a page.
type Handler = fn(&[&str]) -> String;

/// The list page, as a handler that is a function.
fn books(_: &[&str]) -> String {
    "the list".to_string()
}

/// One book's page, as a handler that is a function.
fn book(args: &[&str]) -> String {
    format!("the book {}", args[0])
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn a_handler_can_be_a_function_called_with_the_arguments() {
    let routes: [(&str, Handler); 2] = [(r"^$", books), (r"^book/(id[\d]+)$", book)];
    let answer = |path| resolve_path(&routes, path).map(|(handler, args)| handler(&args));
    assert_eq!(
        answer("/book/id3"),
        Ok("the book id3".to_string()),
        "resolve_path(routes, \"/book/id3\"), then the handler called with its arguments"
    );
    assert_eq!(
        answer("/"),
        Ok("the list".to_string()),
        "resolve_path(routes, \"/\"), then the handler called with its arguments"
    );
}
