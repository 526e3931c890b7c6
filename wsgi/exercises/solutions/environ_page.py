#!/usr/bin/env python3
"""wsgi/exercises/solutions/environ_page.py — a reference solution of in-class exercise III:
the environment page as a WSGI application.

The exercise is wsgi/exercises/environ_page.py; this file is that stub with its two TODOs
written, and nothing else changed but this text and the path to serving.py (two folders up
from here). Run it with `python3 wsgi/exercises/solutions/environ_page.py [PORT]`.
wsgi/environ.py is the course's fuller page (it also names the entries that are not text).
"""

import html
import os
import sys

# serving.py, two folders up, runs an application on wsgiref.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
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
    rows = []
    for label, key in SUMMARY:
        value = environ.get(key)
        shown = html.escape(readable(value)) if isinstance(value, str) and value else NOT_SET
        rows.append(f"<tr><th>{label}</th><td>{shown}</td></tr>")
    return "\n".join(rows)


def every_row(environ):
    """The second table's rows: every entry whose value is text, sorted by name."""
    names = sorted(key for key, value in environ.items() if isinstance(value, str))
    return "\n".join(
        f"<tr><th>{html.escape(readable(name))}</th>"
        f"<td>{html.escape(readable(environ[name]))}</td></tr>"
        for name in names
    )
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
