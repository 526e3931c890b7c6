#!/usr/bin/env python3
"""wsgi/environ.py — the WSGI environment of each request, as a web page.

Run it with `python3 wsgi/environ.py [PORT]` (port 8005 unless given) and open
http://127.0.0.1:8005/ — or any other path, such as /some/path?x=1: every path gets this
page, which is the point. The Rust lesson05-gateway shows the same page.

It is lesson 03's CGI environment exercise again, in a different shape. A CGI script reads
the request from its process environment (os.environ); a WSGI application is a function the
server calls with a dictionary, `environ`, holding the same CGI variables (REQUEST_METHOD,
PATH_INFO, QUERY_STRING, HTTP_HOST, ...) plus the wsgi.* entries: wsgi.input (the request
body, as a stream), wsgi.errors (the server's error log), wsgi.url_scheme and a few flags.
No process is started for a request: the server calls the function in its own process.

The first table picks out the variables that say who asked for what; the second shows every
entry whose value is text, sorted by name. Everything shown is HTML-escaped, because all of
it can come from the client: try /<b>bold</b>?q=<i>x</i>.

wsgiref copies the server's own process environment into every environ (so that CGI-style
settings reach the application). This program switches that off when it serves, so that the
page cannot publish the variables of whoever runs it; `application` itself shows whatever
environ it is given.
"""

import html
import sys
from http import HTTPStatus

import serving

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
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
td {{ word-break: break-all; }}
</style>
</head>
<body>
<h1>The WSGI environment</h1>
<p>The server built this request's <code>environ</code> and called the application with it.
Every path shows this page; try <a href="/some/path?x=1&amp;y=2">/some/path?x=1&amp;y=2</a>.</p>
<table>
{summary}
</table>
<h2>Every variable</h2>
<p>Every entry whose value is text, sorted by name. Entries holding other values are left
out: {others}.</p>
<table>
{every}
</table>
</body>
</html>
"""


def readable(value):
    """A WSGI string as the text the client meant. PEP 3333 passes request bytes as
    "native strings" decoded as ISO-8859-1, one character per byte; re-reading those bytes
    as UTF-8 turns /caf%C3%A9 back into /café (bytes that are not UTF-8 become U+FFFD)."""
    try:
        return value.encode("iso-8859-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value  # not a byte string in disguise; show it as it is


def cell(environ, key):
    """The escaped value of `key`, or a marker when it is missing, empty or not text."""
    value = environ.get(key)
    if not isinstance(value, str) or value == "":
        return NOT_SET
    return html.escape(readable(value))


def environment_page(environ):
    """The whole page for one environ, as text."""
    summary = "\n".join(
        f"<tr><th>{label}</th><td>{cell(environ, key)}</td></tr>" for label, key in SUMMARY
    )
    text_keys = sorted(key for key, value in environ.items() if isinstance(value, str))
    every = "\n".join(
        "<tr><th>{}</th><td>{}</td></tr>".format(
            html.escape(readable(key)), html.escape(readable(environ[key]))
        )
        for key in text_keys
    )
    others = sorted(key for key, value in environ.items() if not isinstance(value, str))
    listed = ", ".join(f"<code>{html.escape(key)}</code>" for key in others) or "none"
    return PAGE.format(summary=summary, every=every, others=listed)


def application(environ, start_response):
    """The WSGI application: the same page for every path and method."""
    data = environment_page(environ).encode("utf-8")
    status = HTTPStatus.OK
    start_response(
        f"{status.value} {status.phrase}",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [data]



if __name__ == "__main__":
    sys.exit(serving.run(application, DEFAULT_PORT, sys.argv[1:], share_os_environ=False))
