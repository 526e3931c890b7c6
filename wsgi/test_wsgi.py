"""Tests for the WSGI programs in wsgi/ — standard library only.

Run from the repository root:

    python3 -m unittest discover -s wsgi -p 'test_*.py' -v

Most tests call an application in-process, the way a WSGI server would: an environ made
by wsgiref.util.setup_testing_defaults, and a start_response that records the status and
headers. Each call also goes through wsgiref.validate.validator, which fails the test if
the application breaks a rule of PEP 3333 (a malformed status, headers that are not
strings, a body that is not bytes, ...).

The last group starts each program as a real process on a free port, waits (at most 10 s)
until it answers, makes real requests, and stops it.
"""

import http.client
import io
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import bookapp
import bookdb
import calculator
import environ

HERE = Path(__file__).resolve().parent

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


class Response:
    """What an application answered: status line, headers, body and error-stream text."""

    def __init__(self, environ, status, headers, body, errors):
        self.environ = environ
        self.status = status
        self.headers = headers
        self.body = body
        self.errors = errors

    @property
    def text(self):
        return self.body.decode("utf-8")

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        if len(values) != 1:
            raise AssertionError(f"expected one {name} header, got {values!r}")
        return values[0]


def call(app, path="/", query="", method="GET", **extra):
    """Calls a WSGI application the way a server does and collects its response."""
    env = {"SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
           "REQUEST_METHOD": method}
    env.update(extra)
    setup_testing_defaults(env)
    errors = io.StringIO()
    env["wsgi.errors"] = errors
    started = []

    def start_response(status, headers, exc_info=None):
        started.append((status, headers))

    result = validator(app)(env, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    assert len(started) == 1, "start_response must be called exactly once"
    status, headers = started[0]
    return Response(env, status, headers, body, errors.getvalue())


class ResponseChecks(unittest.TestCase):
    """Assertions shared by the application tests."""

    def assertResponse(self, response, status, content_type):
        self.assertEqual(response.status, status)
        self.assertEqual(response.header("Content-Type"), content_type)
        # Every response carries its exact length in bytes.
        self.assertEqual(response.header("Content-Length"), str(len(response.body)))

    def assertHtmlPage(self, response):
        self.assertTrue(response.text.startswith("<!DOCTYPE html>\n"), response.text[:40])
        self.assertIn('<meta charset="utf-8">', response.text)
        self.assertIn("<title>", response.text)
        self.assertTrue(response.text.endswith("</html>\n"))


# ---------------------------------------------------------------------------------------
# environ.py


def row(label, value):
    return f"<tr><th>{label}</th><td>{value}</td></tr>"


class EnvironPageTest(ResponseChecks):
    def test_root_is_the_environment_page(self):
        r = call(environ.application, "/", REMOTE_ADDR="192.0.2.7", HTTP_HOST="example.test:8005",
                 SERVER_NAME="example.test", SERVER_PORT="8005", SERVER_PROTOCOL="HTTP/1.1")
        self.assertResponse(r, "200 OK", HTML)
        self.assertHtmlPage(r)
        for expected in [
            row("Server name", "example.test"),
            row("Server port", "8005"),
            row("Client address", "192.0.2.7"),
            row("Method", "GET"),
            row("Path", "/"),
            row("Protocol", "HTTP/1.1"),
            row("Host header", "example.test:8005"),
            row("URL scheme", "http"),
        ]:
            self.assertIn(expected, r.text)

    def test_the_rows_come_in_the_contract_order(self):
        text = call(environ.application, "/").text
        positions = [text.index(f"<tr><th>{label}</th>") for label, _ in environ.SUMMARY]
        self.assertEqual(positions, sorted(positions))
        self.assertEqual(
            [label for label, _ in environ.SUMMARY],
            ["Server name", "Server port", "Client address", "Method", "Path", "Query string",
             "Protocol", "Host header", "URL scheme"],
        )

    def test_every_path_gets_the_page(self):
        for path in ["/hello", "/some/path", "/book/id3", "/favicon.ico", ""]:
            with self.subTest(path=path):
                r = call(environ.application, path)
                self.assertResponse(r, "200 OK", HTML)
                self.assertIn("<h1>The WSGI environment</h1>", r.text)

    def test_path_and_query_with_markup_are_escaped(self):
        r = call(environ.application, "/some/path", query="x=1&y=<b>")
        self.assertIn(row("Path", "/some/path"), r.text)
        self.assertIn(row("Query string", "x=1&amp;y=&lt;b&gt;"), r.text)
        self.assertNotIn("<b>", r.text)

    def test_a_path_with_markup_is_escaped(self):
        r = call(environ.application, '/<script>alert("hi")</script>')
        self.assertIn(row("Path", "/&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;"), r.text)
        self.assertNotIn("<script>", r.text)

    def test_all_five_special_characters_are_escaped(self):
        r = call(environ.application, "/a&b<c>d\"e'f")
        self.assertIn(row("Path", "/a&amp;b&lt;c&gt;d&quot;e&#x27;f"), r.text)

    def test_missing_or_empty_values_show_not_set(self):
        # setup_testing_defaults sets no REMOTE_ADDR; the query string is empty.
        r = call(environ.application, "/", query="")
        self.assertIn(row("Client address", "<i>(not set)</i>"), r.text)
        self.assertIn(row("Query string", "<i>(not set)</i>"), r.text)
        r = call(environ.application, "/", HTTP_HOST="")
        self.assertIn(row("Host header", "<i>(not set)</i>"), r.text)

    def test_every_text_entry_is_listed_sorted_and_escaped(self):
        r = call(environ.application, "/x", HTTP_X_DEMO="<i>&'\"", HTTP_ACCEPT="*/*")
        text = r.text
        self.assertIn("<h2>Every variable</h2>", text)
        every = text[text.index("<h2>Every variable</h2>"):]
        self.assertIn("<table>", every)
        self.assertIn(row("HTTP_X_DEMO", "&lt;i&gt;&amp;&#x27;&quot;"), every)
        self.assertIn(row("PATH_INFO", "/x"), every)
        self.assertIn(row("wsgi.url_scheme", "http"), every)
        keys = [line.split("</th>")[0].removeprefix("<tr><th>")
                for line in every.splitlines() if line.startswith("<tr><th>")]
        self.assertEqual(keys, sorted(keys))
        self.assertIn("REQUEST_METHOD", keys)
        # Entries that are not text (streams, flags, the version tuple) are not rows.
        for key in ["wsgi.input", "wsgi.errors", "wsgi.version", "wsgi.multithread"]:
            self.assertNotIn(key, keys)

    def test_utf8_bytes_in_the_path_are_shown_as_text(self):
        # PEP 3333 strings carry bytes as ISO-8859-1 characters: /caf%C3%A9 arrives as
        # "/caf\xc3\xa9".
        r = call(environ.application, "/caf\xc3\xa9")
        self.assertIn(row("Path", "/café"), r.text)

    def test_head_gets_the_headers_without_the_body(self):
        head = call(environ.application, "/", method="HEAD")
        self.assertEqual(head.status, "200 OK")
        self.assertEqual(head.body, b"")
        page = environ.environment_page(head.environ).encode("utf-8")
        self.assertIn(b"<tr><th>Method</th><td>HEAD</td></tr>", page)
        self.assertEqual(head.header("Content-Length"), str(len(page)))


# ---------------------------------------------------------------------------------------
# bookdb.py and books.json


class BookDatabaseTest(unittest.TestCase):
    def test_the_file_holds_the_five_course_books(self):
        self.assertEqual(list(bookdb.BOOKS), ["id1", "id2", "id3", "id4", "id5"])
        isbns = {book_id: book["isbn"] for book_id, book in bookdb.BOOKS.items()}
        self.assertEqual(isbns, {"id1": "1904811841", "id2": "0521725968",
                                 "id3": "1590593715", "id4": "0596007973",
                                 "id5": "020161622X"})
        self.assertIn("CherryPy Essentials", bookdb.BOOKS["id1"]["title"])
        self.assertEqual(bookdb.BOOKS["id5"]["author"], "Andrew Hunt and David Thomas")

    def test_titles_are_ids_and_titles_in_id_order(self):
        titles = bookdb.titles()
        self.assertEqual([t["id"] for t in titles], ["id1", "id2", "id3", "id4", "id5"])
        self.assertEqual(titles[2], {"id": "id3",
                                     "title": "Foundations of Python Network Programming"})

    def test_title_info_gives_every_field_or_none(self):
        self.assertEqual(bookdb.title_info("id3"), {
            "title": "Foundations of Python Network Programming",
            "isbn": "1590593715",
            "publisher": "Apress",
            "author": "John Goerzen",
        })
        self.assertIsNone(bookdb.title_info("id73"))
        self.assertIsNone(bookdb.title_info(""))

    def test_title_info_is_a_copy(self):
        bookdb.title_info("id1")["title"] = "changed"
        self.assertNotEqual(bookdb.title_info("id1")["title"], "changed")

    def test_ids_sort_by_number(self):
        self.assertEqual(sorted(["id10", "id9", "id2", "other", "id1"], key=bookdb.id_order),
                         ["id1", "id2", "id9", "id10", "other"])

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def load_text(self, text):
        path = Path(self.tmp.name) / "books.json"
        path.write_text(text, encoding="utf-8")
        return bookdb.load(path)

    def test_load_orders_by_number(self):
        book = '{"title": "T", "isbn": "1", "publisher": "P", "author": "A"}'
        books = self.load_text('{"id10": %s, "id9": %s, "id2": %s}' % (book, book, book))
        self.assertEqual(list(books), ["id2", "id9", "id10"])

    def test_load_refuses_a_bad_file(self):
        for text in ["not json", "[]", '{"id1": []}', '{"id1": {"title": "T"}}',
                     '{"id1": {"title": 1, "isbn": "1", "publisher": "P", "author": "A"}}']:
            with self.subTest(text=text):
                with self.assertRaises(bookdb.BookDatabaseError):
                    self.load_text(text)
        with self.assertRaises(bookdb.BookDatabaseError):
            bookdb.load(Path(self.tmp.name) / "missing.json")


# ---------------------------------------------------------------------------------------
# bookapp.py

BOOK_FIELDS = ["Title", "ISBN", "Publisher", "Author"]


class ResolvePathTest(unittest.TestCase):
    def test_routes_are_the_course_routes_in_order(self):
        self.assertEqual(bookapp.ROUTES, [(r"^$", bookapp.books),
                                          (r"^book/(id[\d]+)$", bookapp.book)])

    def test_paths_that_resolve(self):
        self.assertEqual(bookapp.resolve_path("/"), (bookapp.books, ()))
        self.assertEqual(bookapp.resolve_path(""), (bookapp.books, ()))
        self.assertEqual(bookapp.resolve_path("/book/id3"), (bookapp.book, ("id3",)))
        self.assertEqual(bookapp.resolve_path("/book/id73"), (bookapp.book, ("id73",)))

    def test_paths_that_do_not(self):
        for path in ["/book/id3/", "/sponge/damp", "/book/", "/book/3", "/book/id",
                     "/book/id3\n", "/book/id\u0663", "//book/id3", "/books", "/ "]:
            with self.subTest(path=path):
                with self.assertRaises(bookapp.NotFound):
                    bookapp.resolve_path(path)

    def test_routes_can_be_given(self):
        def hello(name):
            return name

        self.assertEqual(bookapp.resolve_path("/hi/bob", [(r"^hi/(\w+)$", hello)]),
                         (hello, ("bob",)))


class BookAppTest(ResponseChecks):
    def test_the_list_page(self):
        r = call(bookapp.application, "/")
        self.assertResponse(r, "200 OK", HTML)
        self.assertHtmlPage(r)
        self.assertIn("<h1>My Bookshelf</h1>\n<ul>\n", r.text)
        items = [f'<li><a href="/book/{b["id"]}">{b["title"]}</a></li>' for b in bookdb.titles()]
        self.assertEqual(len(items), 5)
        self.assertIn("\n".join(items), r.text)

    def test_a_detail_page(self):
        r = call(bookapp.application, "/book/id3")
        self.assertResponse(r, "200 OK", HTML)
        self.assertHtmlPage(r)
        self.assertIn("<h1>Foundations of Python Network Programming</h1>", r.text)
        self.assertIn("<title>Foundations of Python Network Programming</title>", r.text)
        for label, value in zip(BOOK_FIELDS, ["Foundations of Python Network Programming",
                                              "1590593715", "Apress", "John Goerzen"]):
            self.assertIn(row(label, value), r.text)
        self.assertIn('<a href="/">Back to the list</a>', r.text)

    def test_every_listed_book_has_a_page(self):
        for book in bookdb.titles():
            with self.subTest(book=book["id"]):
                r = call(bookapp.application, f"/book/{book['id']}")
                self.assertEqual(r.status, "200 OK")

    def test_database_text_is_escaped(self):
        # O'Reilly is in the real data.
        r = call(bookapp.application, "/book/id4")
        self.assertIn(row("Publisher", "O&#x27;Reilly Media"), r.text)
        nasty = {"id1": {"title": "<script>x</script> & \"'", "isbn": "<1>",
                         "publisher": "<p>", "author": "A & B"}}
        with mock.patch.object(bookdb, "BOOKS", nasty):
            listing = call(bookapp.application, "/").text
            detail = call(bookapp.application, "/book/id1").text
        escaped = "&lt;script&gt;x&lt;/script&gt; &amp; &quot;&#x27;"
        self.assertIn(f'<li><a href="/book/id1">{escaped}</a></li>', listing)
        self.assertIn(f"<h1>{escaped}</h1>", detail)
        self.assertIn(f"<title>{escaped}</title>", detail)
        self.assertIn(row("ISBN", "&lt;1&gt;"), detail)
        self.assertIn(row("Publisher", "&lt;p&gt;"), detail)
        self.assertIn(row("Author", "A &amp; B"), detail)
        self.assertNotIn("<script>", listing + detail)

    def test_not_found(self):
        for path in ["/book/id73", "/book/id3/", "/sponge/damp", "/book/id3\n"]:
            with self.subTest(path=path):
                r = call(bookapp.application, path)
                self.assertResponse(r, "404 Not Found", HTML)
                self.assertHtmlPage(r)
                self.assertIn("Not Found", r.text)
                self.assertEqual(r.errors, "")

    def test_the_404_page_escapes_the_path(self):
        r = call(bookapp.application, "/<img src=x onerror=alert(1)>")
        self.assertEqual(r.status, "404 Not Found")
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", r.text)
        self.assertNotIn("<img", r.text)

    def test_a_failing_handler_is_a_500_without_details(self):
        boom = RuntimeError("secret detail <db password>")
        with mock.patch.object(bookdb, "title_info", side_effect=boom):
            r = call(bookapp.application, "/book/id1")
        self.assertResponse(r, "500 Internal Server Error", HTML)
        self.assertHtmlPage(r)
        self.assertIn("Internal Server Error", r.text)
        self.assertNotIn("secret", r.text)
        self.assertNotIn("RuntimeError", r.text)
        # The details went to wsgi.errors, the server's log.
        self.assertIn("Traceback", r.errors)
        self.assertIn("secret detail <db password>", r.errors)

    def test_a_name_error_in_a_handler_is_a_500_not_a_404(self):
        def typo():
            return undefined_name  # noqa: F821 — the bug this test is about

        with mock.patch.object(bookapp, "ROUTES", [(r"^$", typo)]):
            r = call(bookapp.application, "/")
        self.assertEqual(r.status, "500 Internal Server Error")
        self.assertIn("NameError", r.errors)

    def test_head(self):
        get = call(bookapp.application, "/book/id2")
        head = call(bookapp.application, "/book/id2", method="HEAD")
        self.assertEqual(head.status, "200 OK")
        self.assertEqual(head.body, b"")
        self.assertEqual(head.header("Content-Length"), str(len(get.body)))


# ---------------------------------------------------------------------------------------
# calculator.py

I64_MIN = "-9223372036854775808"
I64_MAX = "9223372036854775807"


class CalculatorTest(ResponseChecks):
    def result(self, path):
        r = call(calculator.application, path)
        self.assertResponse(r, "200 OK", TEXT)
        return r.text

    def refused(self, path, status):
        r = call(calculator.application, path)
        self.assertResponse(r, status, TEXT)
        # A sentence saying what was wrong, on one line.
        self.assertTrue(r.text.endswith(".\n"), r.text)
        self.assertEqual(r.text.count("\n"), 1)
        return r.text

    def test_the_home_page_explains_with_examples(self):
        for path in ["/", ""]:
            r = call(calculator.application, path)
            self.assertResponse(r, "200 OK", HTML)
            self.assertHtmlPage(r)
            for url in ["/add/23/42", "/subtract/23/42", "/multiply/3/5", "/divide/22/11"]:
                self.assertIn(f'<a href="{url}">', r.text)

    def test_the_contract_examples(self):
        for path, body in [
            ("/add/23/42", "65\n"),
            ("/subtract/23/42", "-19\n"),
            ("/multiply/3/5", "15\n"),
            ("/divide/22/11", "2\n"),
            ("/divide/7/2", "3.5\n"),
            ("/divide/1/3", "0.3333333333\n"),
            ("/divide/-6/3", "-2\n"),
        ]:
            with self.subTest(path=path):
                self.assertEqual(self.result(path), body)

    def test_operands_may_be_signed_and_reach_the_64_bit_limits(self):
        self.assertEqual(self.result("/add/+5/-3"), "2\n")
        self.assertEqual(self.result("/subtract/-0/0"), "0\n")
        self.assertEqual(self.result(f"/add/{I64_MAX}/0"), I64_MAX + "\n")
        self.assertEqual(self.result(f"/add/{I64_MIN}/0"), I64_MIN + "\n")
        self.assertEqual(self.result(f"/subtract/{I64_MIN}/-1"),
                         "-9223372036854775807\n")
        self.assertEqual(self.result("/multiply/0000000000000000003/5"), "15\n")  # 19 digits

    def test_operands_that_are_not_64_bit_integers_are_400(self):
        for operand in ["1.5", "x", "", "1e3", "0x10", "--1", "+-1", " 1", "1 ", "١",
                        "99999999999999999999", "00000000000000000001", "9" * 5000,
                        "9223372036854775808", "-9223372036854775809"]:
            with self.subTest(operand=operand):
                self.refused(f"/add/{operand}/2", "400 Bad Request")
                self.refused(f"/divide/2/{operand}", "400 Bad Request")

    def test_overflow_is_400_too_large(self):
        for path in [f"/add/{I64_MAX}/1", f"/subtract/{I64_MIN}/1", f"/add/{I64_MIN}/-1",
                     f"/multiply/{I64_MAX}/2", f"/multiply/{I64_MIN}/-1",
                     f"/divide/{I64_MIN}/-1", "/multiply/4294967296/4294967296"]:
            with self.subTest(path=path):
                self.assertIn("too large", self.refused(path, "400 Bad Request"))
        self.assertIn("too large", self.refused("/add/99999999999999999999/1",
                                                "400 Bad Request"))

    def test_divide_by_zero_is_400(self):
        for path in ["/divide/6/0", "/divide/0/0", "/divide/-1/-0"]:
            with self.subTest(path=path):
                self.assertIn("zero", self.refused(path, "400 Bad Request"))

    def test_division(self):
        for path, body in [
            ("/divide/0/5", "0\n"),
            ("/divide/-7/2", "-3.5\n"),
            ("/divide/7/-2", "-3.5\n"),
            ("/divide/-9/-3", "3\n"),
            ("/divide/2/3", "0.6666666667\n"),
            ("/divide/-2/3", "-0.6666666667\n"),
            ("/divide/1/30000", "0.0000333333\n"),
            ("/divide/1/100000", "0.00001\n"),
            (f"/divide/{I64_MAX}/2", "4611686018427387903.5\n"),
            (f"/divide/{I64_MIN}/1", I64_MIN + "\n"),
            (f"/divide/{I64_MIN}/-2", "4611686018427387904\n"),
            # Exactly halfway at the tenth place: away from zero.
            ("/divide/1/20000000000", "0.0000000001\n"),
            ("/divide/-1/20000000000", "-0.0000000001\n"),
            # Rounds to zero: 0, never -0.
            ("/divide/1/30000000000", "0\n"),
            ("/divide/-1/30000000000", "0\n"),
            (f"/divide/1/{I64_MAX}", "0\n"),
            ("/divide/22/7", "3.1428571429\n"),
        ]:
            with self.subTest(path=path):
                self.assertEqual(self.result(path), body)

    def test_unknown_operations_and_wrong_shapes_are_404(self):
        for path in ["/power/2/3", "/add/1", "/add/1/2/3", "/add/1/2/", "/add", "/add/",
                     "/ADD/1/2", "/favicon.ico", "/index.html", "//add/1/2", "/add/x/y/z"]:
            with self.subTest(path=path):
                self.refused(path, "404 Not Found")

    def test_head(self):
        head = call(calculator.application, "/add/23/42", method="HEAD")
        self.assertEqual(head.status, "200 OK")
        self.assertEqual(head.body, b"")
        self.assertEqual(head.header("Content-Length"), "3")


# ---------------------------------------------------------------------------------------
# The programs as real servers

START_TIMEOUT = 10.0


def free_port():
    """A port nothing listens on right now (the system's choice for port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_sigint():
    # A child of a background job would inherit an ignored SIGINT; Ctrl-C needs the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class ServerProcessTest(unittest.TestCase):
    def start(self, script, port):
        """Starts wsgi/<script> on `port`; stopped at the end of the test whatever happens."""
        proc = subprocess.Popen(
            [sys.executable, str(HERE / script), str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=reset_sigint,
        )
        self.addCleanup(self.stop, proc)
        return proc

    @staticmethod
    def stop(proc):
        if proc.poll() is None:
            proc.terminate()
        try:
            return proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.communicate()
        except ValueError:  # already collected
            return "", ""

    def serve(self, script):
        """Starts the program on a free port and waits until it answers; (proc, base URL)."""
        for _attempt in range(3):
            port = free_port()
            proc = self.start(script, port)
            base = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    break
                try:
                    with urllib.request.urlopen(base, timeout=1):
                        return proc, base, port
                except urllib.error.HTTPError:
                    return proc, base, port  # an answer all the same
                except (urllib.error.URLError, ConnectionError, socket.timeout):
                    time.sleep(0.05)
            out, err = self.stop(proc)
            if "already in use" not in err:  # someone took the port in between: try again
                self.fail(f"{script} did not answer within {START_TIMEOUT} s: {out}{err}")
        self.fail(f"{script} found no free port")

    def get(self, url):
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers, e.read()

    def assertAnnounced(self, proc, port):
        out, err = self.stop(proc)
        self.assertIn(f"Serving on http://127.0.0.1:{port}/", out)
        self.assertNotIn("Traceback", err)

    def test_environ_serves_the_page(self):
        proc, base, port = self.serve("environ.py")
        status, headers, body = self.get(base + "some/path?x=1&y=2")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], HTML)
        self.assertEqual(headers["Content-Length"], str(len(body)))
        text = body.decode("utf-8")
        self.assertIn(row("Path", "/some/path"), text)
        self.assertIn(row("Server port", str(port)), text)
        self.assertIn(row("Client address", "127.0.0.1"), text)
        self.assertIn(row("Host header", f"127.0.0.1:{port}"), text)
        # Markup in the request target, sent raw, comes back escaped.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/%3Cb%3E?x=1&y=<b>")
        text = conn.getresponse().read().decode("utf-8")
        conn.close()
        self.assertIn(row("Path", "/&lt;b&gt;"), text)
        self.assertIn(row("Query string", "x=1&amp;y=&lt;b&gt;"), text)
        # The server's own environment variables are not published.
        self.assertNotIn("<tr><th>PATH</th>", text)
        self.assertAnnounced(proc, port)

    def test_bookapp_serves_a_book(self):
        proc, base, port = self.serve("bookapp.py")
        status, headers, body = self.get(base + "book/id3")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], HTML)
        self.assertIn(b"<h1>Foundations of Python Network Programming</h1>", body)
        status, _, body = self.get(base + "sponge/damp")
        self.assertEqual(status, 404)
        self.assertIn(b"Not Found", body)
        self.assertAnnounced(proc, port)

    def test_calculator_calculates(self):
        proc, base, port = self.serve("calculator.py")
        status, headers, body = self.get(base + "multiply/3/5")
        self.assertEqual((status, headers["Content-Type"], body), (200, TEXT, b"15\n"))
        status, _, _ = self.get(base + "divide/6/0")
        self.assertEqual(status, 400)
        self.assertAnnounced(proc, port)

    def test_ctrl_c_stops_cleanly(self):
        proc, _, port = self.serve("calculator.py")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        self.assertNotIn("Traceback", err)
        self.assertIn(f"Serving on http://127.0.0.1:{port}/", out)

    def test_a_port_in_use_is_one_plain_sentence(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            for script in ["environ.py", "bookapp.py", "calculator.py"]:
                with self.subTest(script=script):
                    proc = self.start(script, port)
                    out, err = proc.communicate(timeout=10)
                    self.assertEqual(proc.returncode, 1)
                    self.assertEqual(out, "")
                    self.assertNotIn("Traceback", err)
                    self.assertEqual(err.count("\n"), 1, err)
                    self.assertIn(f"Port {port} is already in use", err)

    def test_a_bad_port_argument_prints_the_usage(self):
        for args in [["eighty"], ["70000"], ["-1"], ["1", "2"]]:
            with self.subTest(args=args):
                proc = subprocess.run([sys.executable, str(HERE / "calculator.py"), *args],
                                      capture_output=True, text=True, timeout=10)
                self.assertEqual(proc.returncode, 2)
                self.assertIn("usage:", proc.stderr)
                self.assertNotIn("Traceback", proc.stderr)


if __name__ == "__main__":
    unittest.main()
