#!/usr/bin/env python3
"""wsgi/exercises/environ_page.py — in-class exercise III, for you to write: lesson 03's
environment page again, as a WSGI application.

Run it with `python3 wsgi/exercises/environ_page.py` (port 8005 unless given) and open
http://127.0.0.1:8005/some/path?x=1. Every path gets the same page; its tables hold TODO.
Fill them in from `environ`, the dictionary the server passes to `application` — the same
CGI variables a CGI script finds in os.environ, plus the wsgi.* entries.

What the page must show:

- a first table with one row per entry of SUMMARY, in its order:
  `<tr><th>LABEL</th><td>VALUE</td></tr>`, VALUE being environ[KEY]; a key that is missing
  or empty shows NOT_SET;
- a heading `<h2>Every variable</h2>`, then a second table with one row per entry of the
  environ whose value is text (a str), sorted by name: `<tr><th>NAME</th><td>VALUE</td></tr>`;
- every name and value HTML-escaped: all of them can come from the request (try
  /<b>bold</b>?q=<i>x</i>).

Check it from the outside (lesson 05's checks were written for this very page):

    cargo run -p homework -- check lesson05 --url http://127.0.0.1:8005/

Hint: environ.get(key) gives None for a missing key. The environ also holds values that are
not text (wsgi.input is a stream, wsgi.version a tuple): isinstance(value, str) tells them
apart. html.escape() makes text safe for a page; readable(), below, is given — pass each
value through it before escaping, so that a UTF-8 path shows as the client meant it.
A WSGI server loads the program once: stop it (Ctrl-C) and start it again after each edit.

Stuck? The answer is in solutions/environ_page.py next to this file (and wsgi/environ.py is
the course's fuller page).
"""

import html
import os
import sys

# serving.py, one folder up, runs an application on wsgiref.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import serving  # noqa: E402

DEFAULT_PORT = 8005

# (label, environ key) of the first table, in the order shown.
SUMMARY = [
    ("Server name", "SERVER_NAME"),
    ("Server port", "SERVER_PORT"),
    ("Client address", "REMOTE_ADDR"),
    ("Method", "REQUEST_METHOD"),
    ("Path", "PATH_INFO"),
    ("Query string", "QUERY_STRING"),
    ("Protocol", "SERVER_PROTOCOL"),
    ("Host header", "HTTP_HOST"),
    ("URL scheme", "wsgi.url_scheme"),
]

NOT_SET = "<i>(not set)</i>"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The WSGI environment</title>
</head>
<body>
<h1>The WSGI environment</h1>
<table>
{summary}
</table>
<h2>Every variable</h2>
<table>
{every}
</table>
</body>
</html>
"""


def readable(value):
    """A WSGI string as the text the client meant: PEP 3333 passes request bytes decoded as
    ISO-8859-1, one character per byte; this reads those bytes again as UTF-8."""
    try:
        return value.encode("iso-8859-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value


# ANCHOR: exercise
def summary_rows(environ):
    """The first table's rows: one per entry of SUMMARY."""
    # TODO: for each (label, key) of SUMMARY, "<tr><th>LABEL</th><td>VALUE</td></tr>", VALUE
    # being the escaped, readable environ[key], or NOT_SET when it is missing or empty.
    return "<tr><th>TODO</th><td>one row per entry of SUMMARY</td></tr>"


def every_row(environ):
    """The second table's rows: every entry whose value is text, sorted by name."""
    # TODO: "<tr><th>NAME</th><td>VALUE</td></tr>" for every key whose value is a str,
    # sorted by key, both escaped.
    return "<tr><th>TODO</th><td>one row per variable</td></tr>"
# ANCHOR_END: exercise


def application(environ, start_response):
    """The WSGI application: the same page for every path."""
    page = PAGE.format(summary=summary_rows(environ), every=every_row(environ))
    data = page.encode("utf-8")
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


if __name__ == "__main__":
    sys.exit(serving.run(application, DEFAULT_PORT, sys.argv[1:], share_os_environ=False))
