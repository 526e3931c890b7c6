#!/usr/bin/env python3
"""wsgi/bookapp.py — a bookshelf in one WSGI application: a list page and a page per book.

Run it with `python3 wsgi/bookapp.py [PORT]` (port 8006 unless given) and open
http://127.0.0.1:8006/. The Rust lesson06-books is the same application on the workbench's
own gateway.

What it shows:

- Dispatch. The server calls one function, `application`, for every request; the path
  decides which page to build. `resolve_path` walks an ordered list of (regular expression,
  handler) pairs, and the first pattern that matches the whole path picks the handler; the
  groups the pattern captured, such as the "id3" of /book/id3, become its arguments.
- Status codes chosen on purpose. A path no route matches, or a book id that is not in the
  database, is the client asking for something that does not exist: 404 Not Found. Any other
  exception is a fault in the program: 500 Internal Server Error, with a page that says only
  that. The traceback goes to the server's error stream (wsgi.errors), never to the browser,
  where it could show file names, data or code to a stranger.
- One page template for every page, and html.escape on every value that comes from the
  database or the request: a title such as "<script>" must show as text, never run.

The course signalled "not found" with NameError. That also catches a misspelled variable
in a handler, which would then look like a missing page; a dedicated NotFound exception
keeps the two apart, so a bug is a 500 and shows up in the log.
"""

import html
import re
import sys
import traceback
from http import HTTPStatus

import bookdb
import serving

DEFAULT_PORT = 8006

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
</head>
<body>
{body}
</body>
</html>
"""


class NotFound(Exception):
    """The request names something that does not exist: the application answers 404."""


def page(title, body):
    """The shared page template: `title` is plain text (escaped here), `body` is HTML whose
    values the caller has already escaped."""
    return PAGE.format(title=html.escape(title), body=body)


def books():
    """The list page: every title, linking to its detail page."""
    items = [
        '<li><a href="/book/{}">{}</a></li>'.format(
            html.escape(book["id"]), html.escape(book["title"])
        )
        for book in bookdb.titles()
    ]
    body = "<h1>My Bookshelf</h1>\n<ul>\n{}\n</ul>".format("\n".join(items))
    return "My Bookshelf", body


def book(book_id):
    """A detail page: every field of one book, and a link back to the list."""
    info = bookdb.title_info(book_id)
    if info is None:
        raise NotFound(f"there is no book with the id {book_id}")
    shown = {field: html.escape(value) for field, value in info.items()}
    body = f"""<h1>{shown["title"]}</h1>
<table>
<tr><th>Title</th><td>{shown["title"]}</td></tr>
<tr><th>ISBN</th><td>{shown["isbn"]}</td></tr>
<tr><th>Publisher</th><td>{shown["publisher"]}</td></tr>
<tr><th>Author</th><td>{shown["author"]}</td></tr>
</table>
<p><a href="/">Back to the list</a></p>"""
    return info["title"], body


# The routes, tried in order. Each pattern must match the whole path (without its leading
# slash); its groups are passed to the handler. /book/id3/ matches neither: a trailing slash
# names a different resource, so it is a 404.
ROUTES = [
    (r"^$", books),
    (r"^book/(id[\d]+)$", book),
]


def resolve_path(path, routes=None):
    """The handler for `path` and the arguments to call it with; NotFound if no route
    matches. Patterns use ASCII classes (so \\d is 0-9 only) and must match the whole path:
    with re.match, `$` would also accept a trailing newline (/book/id3%0A)."""
    routes = ROUTES if routes is None else routes
    match_path = path.removeprefix("/")
    for pattern, handler in routes:
        match = re.fullmatch(pattern, match_path, re.ASCII)
        if match is not None:
            return handler, match.groups()
    raise NotFound(f"no route matches {path!r}")


def respond(environ, start_response, status, content_type, text):
    """Sends `text` (UTF-8) with its status, type and length. A HEAD request gets the same
    head and no body."""
    data = text.encode("utf-8")
    start_response(
        f"{status.value} {status.phrase}",
        [("Content-Type", content_type), ("Content-Length", str(len(data)))],
    )
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [data]


def application(environ, start_response):
    """The WSGI application: dispatch the path, build the page, choose the status."""
    # PEP 3333 passes the path's bytes as ISO-8859-1 text; read them back as UTF-8.
    path = environ.get("PATH_INFO", "").encode("iso-8859-1").decode("utf-8", "replace")
    try:
        handler, args = resolve_path(path)
        title, body = handler(*args)
        status = HTTPStatus.OK
    except NotFound:
        status = HTTPStatus.NOT_FOUND
        title = "Not Found"
        body = (
            "<h1>Not Found</h1>\n"
            f"<p>There is no page at <code>{html.escape(path)}</code>.</p>\n"
            '<p><a href="/">Back to the list</a></p>'
        )
    except Exception:
        # The details are for the person running the server, not for the visitor.
        traceback.print_exc(file=environ.get("wsgi.errors", sys.stderr))
        status = HTTPStatus.INTERNAL_SERVER_ERROR
        title = "Internal Server Error"
        body = (
            "<h1>Internal Server Error</h1>\n"
            "<p>Something went wrong while building this page. "
            "The details are in the server's log.</p>"
        )
    return respond(environ, start_response, status, "text/html; charset=utf-8", page(title, body))



if __name__ == "__main__":
    sys.exit(serving.run(application, DEFAULT_PORT, sys.argv[1:]))
