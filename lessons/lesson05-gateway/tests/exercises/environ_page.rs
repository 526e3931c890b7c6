//! Checks of the `environ_page` exercise: the environment page's two tables, from the
//! environ's variables.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/environ_page.rs")]
#[cfg_attr(
    feature = "reference",
    path = "../../exercises/solutions/environ_page.rs"
)]
#[allow(unused_variables, dead_code, unused_imports)]
mod code;

use code::environ_tables;

/// The variables of `GET /some/path?x=1` from 127.0.0.1 to 127.0.0.1:8005, as a gateway
/// server passes them (not sorted).
const REQUEST: &[(&str, &str)] = &[
    ("REQUEST_METHOD", "GET"),
    ("PATH_INFO", "/some/path"),
    ("QUERY_STRING", "x=1"),
    ("SERVER_NAME", "127.0.0.1"),
    ("SERVER_PORT", "8005"),
    ("SERVER_PROTOCOL", "HTTP/1.1"),
    ("REMOTE_ADDR", "127.0.0.1"),
    ("HTTP_HOST", "127.0.0.1:8005"),
    ("wsgi.url_scheme", "http"),
];

/// The lines of the first table (its nine rows, between `<table>` and `</table>`).
fn first_table(page: &str) -> Vec<&str> {
    page.split("</table>")
        .next()
        .unwrap_or("")
        .lines()
        .filter(|line| line.starts_with("<tr>"))
        .collect()
}

/// The lines of the second table: the rows after the `Every variable` heading.
fn second_table(page: &str) -> Vec<&str> {
    page.split_once("<h2>Every variable</h2>")
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .lines()
        .filter(|line| line.starts_with("<tr>"))
        .collect()
}

/// The variables of [`REQUEST`], with `name` set to `value` (added when missing).
fn request_with(name: &'static str, value: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut variables: Vec<_> = REQUEST
        .iter()
        .copied()
        .filter(|(n, _)| *n != name)
        .collect();
    variables.push((name, value));
    variables
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn the_whole_page_of_a_plain_request() {
    let expected = "<table>\n\
        <tr><th>Server name</th><td>127.0.0.1</td></tr>\n\
        <tr><th>Server port</th><td>8005</td></tr>\n\
        <tr><th>Client address</th><td>127.0.0.1</td></tr>\n\
        <tr><th>Method</th><td>GET</td></tr>\n\
        <tr><th>Path</th><td>/some/path</td></tr>\n\
        <tr><th>Query string</th><td>x=1</td></tr>\n\
        <tr><th>Protocol</th><td>HTTP/1.1</td></tr>\n\
        <tr><th>Host header</th><td>127.0.0.1:8005</td></tr>\n\
        <tr><th>URL scheme</th><td>http</td></tr>\n\
        </table>\n\
        <h2>Every variable</h2>\n\
        <table>\n\
        <tr><th>HTTP_HOST</th><td>127.0.0.1:8005</td></tr>\n\
        <tr><th>PATH_INFO</th><td>/some/path</td></tr>\n\
        <tr><th>QUERY_STRING</th><td>x=1</td></tr>\n\
        <tr><th>REMOTE_ADDR</th><td>127.0.0.1</td></tr>\n\
        <tr><th>REQUEST_METHOD</th><td>GET</td></tr>\n\
        <tr><th>SERVER_NAME</th><td>127.0.0.1</td></tr>\n\
        <tr><th>SERVER_PORT</th><td>8005</td></tr>\n\
        <tr><th>SERVER_PROTOCOL</th><td>HTTP/1.1</td></tr>\n\
        <tr><th>wsgi.url_scheme</th><td>http</td></tr>\n\
        </table>\n";
    assert_eq!(
        environ_tables(REQUEST),
        expected,
        "environ_tables(&{REQUEST:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn an_empty_value_shows_not_set() {
    let variables = request_with("QUERY_STRING", "");
    let page = environ_tables(&variables);
    assert_eq!(
        first_table(&page).get(5).copied(),
        Some("<tr><th>Query string</th><td><i>(not set)</i></td></tr>"),
        "the Query string row of environ_tables(&{variables:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn a_missing_variable_shows_not_set() {
    let variables: Vec<_> = REQUEST
        .iter()
        .copied()
        .filter(|(name, _)| *name != "HTTP_HOST")
        .collect();
    let page = environ_tables(&variables);
    assert_eq!(
        first_table(&page).get(7).copied(),
        Some("<tr><th>Host header</th><td><i>(not set)</i></td></tr>"),
        "the Host header row of environ_tables(&{variables:?})"
    );
    assert_eq!(
        second_table(&page).len(),
        8,
        "the second table of environ_tables(&{variables:?}) has a row per variable"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn the_first_table_always_has_nine_rows_in_order() {
    let page = environ_tables(&[]);
    let labels: Vec<&str> = first_table(&page)
        .iter()
        .filter_map(|row| row.strip_prefix("<tr><th>"))
        .filter_map(|row| row.split("</th>").next())
        .collect();
    assert_eq!(
        labels,
        [
            "Server name",
            "Server port",
            "Client address",
            "Method",
            "Path",
            "Query string",
            "Protocol",
            "Host header",
            "URL scheme"
        ],
        "the labels of environ_tables(&[])"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn markup_is_escaped_in_the_first_table() {
    let variables = request_with("PATH_INFO", "/<b>markup</b>\"'&");
    let page = environ_tables(&variables);
    assert_eq!(
        first_table(&page).get(4).copied(),
        Some("<tr><th>Path</th><td>/&lt;b&gt;markup&lt;/b&gt;&quot;&#x27;&amp;</td></tr>"),
        "the Path row of environ_tables(&{variables:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn names_and_values_are_escaped_in_the_second_table() {
    let variables = [("HTTP_X_<I>", "<i>x</i>")];
    let page = environ_tables(&variables);
    assert_eq!(
        second_table(&page),
        ["<tr><th>HTTP_X_&lt;I&gt;</th><td>&lt;i&gt;x&lt;/i&gt;</td></tr>"],
        "the second table of environ_tables(&{variables:?})"
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson05"]
fn the_second_table_is_sorted_and_keeps_empty_values() {
    let variables = [
        ("wsgi.url_scheme", "https"),
        ("QUERY_STRING", ""),
        ("HTTP_ACCEPT", "*/*"),
    ];
    let page = environ_tables(&variables);
    assert_eq!(
        second_table(&page),
        [
            "<tr><th>HTTP_ACCEPT</th><td>*/*</td></tr>",
            "<tr><th>QUERY_STRING</th><td></td></tr>",
            "<tr><th>wsgi.url_scheme</th><td>https</td></tr>",
        ],
        "the second table of environ_tables(&{variables:?})"
    );
}
