"""Tests for wsgi/https_cgi.py: the course's HTTPS + CGI failure, and its fix, for real.

Run from the repository root with the other tests:

    python3 -m unittest discover -s wsgi -p 'test_*.py' -v

The demo needs http.server's CGIHTTPRequestHandler (gone in Python 3.15), fork and the
openssl command. Without them these tests are skipped, except under CI=true, where they fail:
CI installs openssl and runs a Python that has the handler, so a skip there would hide a
broken setup. Every wait is bounded: the demo's sockets and thread joins by
https_cgi.TIMEOUT, the program's run here by RUN_TIMEOUT.
"""

import contextlib
import http.server
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path
from unittest import mock

import https_cgi

HERE = Path(__file__).resolve().parent
RUN_TIMEOUT = 60  # seconds for the whole program: a certificate and two servers
GOOD_FILE = ("200 OK", https_cgi.FILE_TEXT)
SCRIPT_LOG = f'"GET {https_cgi.SCRIPT_PATH} HTTP/1.1" 200 -'


def why_not_here():
    """Why the demo cannot run on this machine, or None."""
    reason = https_cgi.cannot_run_here()
    if reason is None and shutil.which("openssl") is None:
        reason = "the openssl command is not installed."
    return reason


def server_threads():
    return [t for t in threading.enumerate() if t.name == "https_cgi server" and t.is_alive()]


class HttpsCgiDemoTest(unittest.TestCase):
    """The two variants against a real client, on free loopback ports."""

    @classmethod
    def setUpClass(cls):
        cls.reason = why_not_here()
        if cls.reason:
            return
        cls.tmp = tempfile.TemporaryDirectory(prefix="test-https-cgi-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.cert, cls.key = https_cgi.make_certificate(cls.tmp.name)
        cls.root = https_cgi.make_site(cls.tmp.name)

    def setUp(self):
        if self.reason:
            if os.environ.get("CI") == "true":
                self.fail(f"CI=true, and the HTTPS + CGI demo cannot run: {self.reason}")
            self.skipTest(self.reason)

    def variant(self, have_fork):
        outcomes, log = https_cgi.try_variant(self.root, self.cert, self.key, have_fork)
        self.assertEqual(server_threads(), [], "the server was not stopped")
        return outcomes, log

    def test_forking_breaks_the_script_over_tls(self):
        outcomes, log = self.variant(have_fork=True)
        # A file goes through the SSLSocket: fine.
        self.assertEqual(outcomes[https_cgi.FILE_PATH], GOOD_FILE)
        # The script's output went to the raw socket: the client found no TLS record.
        status, text = outcomes[https_cgi.SCRIPT_PATH]
        self.assertIsNone(status, text)
        self.assertTrue(text.startswith("SSL error: "), text)
        # ... while the server logged a success: the failure is silent on its side.
        self.assertIn(SCRIPT_LOG, log)

    def test_the_subprocess_path_relays_the_script_through_tls(self):
        outcomes, log = self.variant(have_fork=False)
        self.assertEqual(outcomes[https_cgi.FILE_PATH], GOOD_FILE)
        self.assertEqual(outcomes[https_cgi.SCRIPT_PATH],
                         ("200 Script output follows", https_cgi.SCRIPT_TEXT))
        self.assertIn(SCRIPT_LOG, log)
        self.assertIn("CGI script exited OK", log)

    def test_the_program_reproduces_the_failure_and_the_fix(self):
        done = subprocess.run([sys.executable, str(HERE / "https_cgi.py")],
                              capture_output=True, text=True, timeout=RUN_TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual(done.stderr, "")
        out = done.stdout
        self.assertIn("removed in 3.15", out)
        self.assertIn("made with the openssl command", out)
        forking, relayed = out.split("\nsubprocess (have_fork = False):\n")
        self.assertIn("forking (have_fork = True, the default on Unix):", forking)
        self.assertIn("GET /cgi-bin/hello  the client got no valid response (SSL error: ",
                      forking)
        self.assertIn("GET /cgi-bin/hello  200 Script output follows, body "
                      "'Hello from a CGI script.\\n'", relayed)
        self.assertIn("\nReproduced: ", relayed)
        self.assertNotIn(tempfile.gettempdir(), out)  # no machine paths in the book's output


class HttpsCgiCannotRunTest(unittest.TestCase):
    """A machine that cannot show the demo gets one plain sentence and exit status 2."""

    def run_main(self, argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = https_cgi.main(argv)
        return status, out.getvalue(), err.getvalue()

    def test_a_python_without_the_cgi_handler(self):
        saved = http.server.__dict__.pop("CGIHTTPRequestHandler", None)
        try:
            status, out, err = self.run_main([])
        finally:
            if saved is not None:
                http.server.CGIHTTPRequestHandler = saved
        self.assertEqual(status, 2)
        self.assertIn("has no CGIHTTPRequestHandler", err)
        self.assertIn("removed in 3.15", err)
        self.assertEqual(err.count("\n"), 1, err)

    def test_no_openssl_and_no_certificate(self):
        if https_cgi.cannot_run_here():
            self.skipTest(https_cgi.cannot_run_here())
        with mock.patch.object(https_cgi.shutil, "which", return_value=None):
            status, out, err = self.run_main([])
        self.assertEqual(status, 2)
        self.assertIn("openssl command is not installed", err)
        self.assertIn("--cert CERT --key KEY", err)

    def test_a_certificate_that_does_not_load(self):
        if https_cgi.cannot_run_here():
            self.skipTest(https_cgi.cannot_run_here())
        status, out, err = self.run_main(["--cert", "/nonexistent/cert.pem",
                                          "--key", "/nonexistent/key.pem"])
        self.assertEqual(status, 2)
        self.assertIn("cannot load --cert and --key", err)

    def test_cert_without_key_is_a_usage_error(self):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            with self.assertRaises(SystemExit) as exit_:
                https_cgi.main(["--cert", "cert.pem"])
        self.assertEqual(exit_.exception.code, 2)
        self.assertIn("give both --cert and --key", err.getvalue())


if __name__ == "__main__":
    unittest.main()
