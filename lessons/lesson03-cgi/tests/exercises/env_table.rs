//! Checks of the `env_table` exercise: the CGI environment as an HTML table, sorted and
//! escaped.

#[cfg_attr(not(feature = "reference"), path = "../../exercises/env_table.rs")]
#[cfg_attr(feature = "reference", path = "../../exercises/solutions/env_table.rs")]
#[allow(unused_variables, dead_code, unused_imports)]
mod code;

use code::env_table;

/// The table's first two lines and its last.
const HEAD: &str = "<table>\n<tr><th>Name</th><th>Value</th></tr>\n";
const FOOT: &str = "</table>\n";

/// The whole table expected for `rows`, given already escaped and in order.
fn table(rows: &[(&str, &str)]) -> String {
    let body: String = rows
        .iter()
        .map(|(name, value)| format!("<tr><td>{name}</td><td>{value}</td></tr>\n"))
        .collect();
    format!("{HEAD}{body}{FOOT}")
}

/// Asserts the table of `variables`.
#[track_caller]
fn check(variables: &[(&str, &str)], expected: String) {
    assert_eq!(env_table(variables), expected, "env_table(&{variables:?})");
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn one_variable_is_one_row_under_the_header() {
    check(
        &[("REQUEST_METHOD", "GET")],
        table(&[("REQUEST_METHOD", "GET")]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn no_variables_leave_only_the_header() {
    check(&[], table(&[]));
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn rows_are_sorted_by_name_whatever_order_they_came_in() {
    check(
        &[
            ("SERVER_PORT", "8003"),
            ("GATEWAY_INTERFACE", "CGI/1.1"),
            ("QUERY_STRING", "a=1"),
        ],
        table(&[
            ("GATEWAY_INTERFACE", "CGI/1.1"),
            ("QUERY_STRING", "a=1"),
            ("SERVER_PORT", "8003"),
        ]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn sorting_is_byte_order_capitals_first() {
    check(
        &[
            ("lang", "x"),
            ("PATH", "/bin"),
            ("HTTP_X", "1"),
            ("HTTP_", "2"),
        ],
        table(&[
            ("HTTP_", "2"),
            ("HTTP_X", "1"),
            ("PATH", "/bin"),
            ("lang", "x"),
        ]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn markup_in_a_value_is_escaped() {
    check(
        &[("QUERY_STRING", "name=value&who=<b>you</b>")],
        table(&[("QUERY_STRING", "name=value&amp;who=&lt;b&gt;you&lt;/b&gt;")]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn quotes_are_escaped_too() {
    check(
        &[("HTTP_USER_AGENT", "\"><img src=x onerror='alert(1)'>")],
        table(&[(
            "HTTP_USER_AGENT",
            "&quot;&gt;&lt;img src=x onerror=&#x27;alert(1)&#x27;&gt;",
        )]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn names_are_escaped_as_well_as_values() {
    check(
        &[("X_<i>", "&amp;")],
        table(&[("X_&lt;i&gt;", "&amp;amp;")]),
    );
}

#[test]
#[ignore = "homework: cargo run -p homework -- check lesson03"]
fn values_are_copied_as_they_are_otherwise() {
    check(
        &[
            ("PATH_INFO", "/caf%C3%A9/é"),
            ("CONTENT_TYPE", ""),
            ("HTTP_X_PADDED", "  two  spaces  "),
        ],
        table(&[
            ("CONTENT_TYPE", ""),
            ("HTTP_X_PADDED", "  two  spaces  "),
            ("PATH_INFO", "/caf%C3%A9/é"),
        ]),
    );
}
