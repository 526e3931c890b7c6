#!/usr/bin/env python3
"""wsgi/https_cgi.py — the course's HTTPS + CGI failure in Python's http.server, and its fix.

Run it with `python3 wsgi/https_cgi.py` (or `--cert CERT --key KEY` to use your own
certificate). It serves a temporary directory, holding one file and one CGI script, with
`http.server.HTTPServer` and `CGIHTTPRequestHandler`, its listening socket wrapped in TLS, and
asks for both pages over HTTPS, twice:

1. forking (`have_fork = True`, the default on Unix): the handler forks, and the child, which
   becomes the script, has the client's socket as its standard output. That is the raw TCP
   connection: the `SSLSocket` holding the keys lives in the parent. The script's plain text
   arrives where the client expects a TLS record, and the client gives up.
2. subprocess (`have_fork = False`): the handler runs the script with pipes and writes its
   output through the `SSLSocket` itself, so it arrives encrypted like any other response.

It prints what the client got each time, and exits 0 when the first failed and the second
worked, 1 when they did not, and 2 when it cannot run here (no CGIHTTPRequestHandler, no
fork, or no certificate). Chapter 8 of the book runs it: "CGI and applications over TLS".

http.server's CGI support is deprecated since Python 3.13 and removed in 3.15: this program
shows how it behaved, and says so plainly on a Python that no longer has it. The book's
lesson08-tls never hands a script the socket, so this cannot happen there.
"""

import argparse
import functools
import http.client
import http.server
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

HOST = "127.0.0.1"
TIMEOUT = 5.0  # seconds: every socket of the demo, and every wait for a thread

FILE_PATH = "/hello.txt"
FILE_TEXT = "Hello from a file.\n"
SCRIPT_PATH = "/cgi-bin/hello"
SCRIPT_TEXT = "Hello from a CGI script.\n"
# A shell script, so that both paths run it the same way: exec'd directly, with no Python
# interpreter chosen for it (http.server picks one only for names ending in .py).
SCRIPT = f"""#!/bin/sh
echo 'Content-Type: text/plain'
echo
echo '{SCRIPT_TEXT.strip()}'
"""

DEPRECATION = ("http.server's CGI support (CGIHTTPRequestHandler) is deprecated since "
               "Python 3.13 and removed in 3.15")


class CannotRun(Exception):
    """This machine cannot show the demo; the message says why, in one sentence."""


def cannot_run_here():
    """Why this Python cannot reproduce the failure, or None when it can."""
    if not hasattr(http.server, "CGIHTTPRequestHandler"):
        return (f"this Python ({sys.version.split()[0]}) has no CGIHTTPRequestHandler: "
                f"{DEPRECATION}.")
    if not hasattr(os, "fork"):
        return ("this system has no fork, so CGIHTTPRequestHandler always uses the "
                "subprocess path and the failure cannot happen.")
    return None


def make_certificate(directory):
    """A self-signed certificate and key for localhost, 127.0.0.1 and ::1, made by openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CannotRun("the openssl command is not installed; install it, or give a "
                        "certificate for 127.0.0.1 with --cert CERT --key KEY.")
    cert, key = Path(directory) / "cert.pem", Path(directory) / "key.pem"
    # The command of the book's "Making a certificate with openssl", valid for one day.
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost",
               "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
               "-addext", "basicConstraints=critical,CA:FALSE",
               "-addext", "extendedKeyUsage=serverAuth",
               "-keyout", str(key), "-out", str(cert)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise CannotRun("openssl did not make a certificate within 30 s.") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise CannotRun(f"openssl could not make a certificate: {last}")
    return cert, key


def make_site(directory):
    """A document root with one file and one CGI script; returns its path."""
    root = Path(directory) / "site"
    (root / "cgi-bin").mkdir(parents=True)
    (root / FILE_PATH.lstrip("/")).write_text(FILE_TEXT)
    script = root / SCRIPT_PATH.lstrip("/")
    script.write_text(SCRIPT)
    # Readable by everyone: started as root, the forking handler switches the child to the
    # user nobody before it runs the script, and nobody must reach it.
    for path in [Path(directory), root, root / "cgi-bin", script]:
        path.chmod(0o755)
    (root / FILE_PATH.lstrip("/")).chmod(0o644)
    return root


class Server(http.server.HTTPServer):
    """HTTPServer that keeps its log and its errors instead of printing them."""

    def __init__(self, *args, **kwargs):
        self.log = []
        super().__init__(*args, **kwargs)

    def handle_error(self, request, client_address):
        self.log.append(f"error: {sys.exc_info()[1]!r}")


# ANCHOR: handler
def handler_class(have_fork):
    """CGIHTTPRequestHandler with `have_fork` set for this server only.

    The course's fix sets `CGIHTTPRequestHandler.have_fork = False` on the class itself,
    which changes every handler of the process; a subclass lets both variants run here.
    """

    class Handler(http.server.CGIHTTPRequestHandler):
        timeout = TIMEOUT  # each connection's socket: no read waits for ever

        def log_message(self, format, *args):
            self.server.log.append(format % args)

    Handler.have_fork = have_fork
    return Handler
# ANCHOR_END: handler


# ANCHOR: serve
def serve(root, cert, key, have_fork):
    """Starts the course's HTTPS server on a free port, in a thread; returns the server."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    handler = functools.partial(handler_class(have_fork), directory=str(root))
    server = Server((HOST, 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                                     name="https_cgi server", daemon=True)
    server.thread.start()
    return server
# ANCHOR_END: serve


def stop(server):
    """Stops the server's loop, waiting at most TIMEOUT for the request in progress."""
    stopper = threading.Thread(target=server.shutdown, daemon=True)
    stopper.start()
    stopper.join(TIMEOUT)
    server.thread.join(TIMEOUT)
    server.server_close()


def fetch(port, cafile, path):
    """GETs `path` over HTTPS, trusting only `cafile`; returns (status line, body) or an error."""
    context = ssl.create_default_context(cafile=str(cafile))
    conn = http.client.HTTPSConnection(HOST, port, context=context, timeout=TIMEOUT)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return f"{response.status} {response.reason}", response.read().decode()
    except ssl.SSLError as error:
        return None, f"SSL error: {error}"
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"
    finally:
        conn.close()


def try_variant(root, cert, key, have_fork):
    """Serves `root` with `have_fork`, fetches both pages; ({path: outcome}, server's log)."""
    with warnings.catch_warnings():
        # 3.13+ warns that the handler is deprecated (said once, in main), and 3.12+ that this
        # process forks while it has threads: the client's, here; the child only execs.
        warnings.filterwarnings("ignore", ".*CGIHTTPRequestHandler", DeprecationWarning)
        warnings.filterwarnings("ignore", ".*multi-threaded.*fork", DeprecationWarning)
        server = serve(root, cert, key, have_fork)
        try:
            port = server.server_address[1]
            outcomes = {path: fetch(port, cert, path) for path in [FILE_PATH, SCRIPT_PATH]}
        finally:
            stop(server)
    return outcomes, server.log


def describe(outcome):
    status, text = outcome
    if status is None:
        return f"the client got no valid response ({text})"
    return f"{status}, body {text!r}"


def reproduced(forking, subprocess_):
    """True when files work both ways, and the script fails forking and works relayed."""
    good_file = ("200 OK", FILE_TEXT)
    return (forking[FILE_PATH] == good_file and subprocess_[FILE_PATH] == good_file
            and forking[SCRIPT_PATH][0] is None
            and subprocess_[SCRIPT_PATH] == ("200 Script output follows", SCRIPT_TEXT))


def main(argv):
    parser = argparse.ArgumentParser(
        description="Shows HTTPS + CGI failing in http.server when the CGI handler forks, "
                    "and working with have_fork = False.")
    parser.add_argument("--cert", help="certificate (PEM) for 127.0.0.1; default: a new "
                                       "self-signed one made with the openssl command")
    parser.add_argument("--key", help="its private key (PEM)")
    args = parser.parse_args(argv)
    if (args.cert is None) != (args.key is None):
        parser.error("give both --cert and --key, or neither")

    print(f"Python {sys.version.split()[0]}, {ssl.OPENSSL_VERSION}.")
    print(f"Note: {DEPRECATION}; this shows how it behaved.")
    reason = cannot_run_here()
    if reason:
        print(f"Cannot run the demo: {reason}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="https-cgi-") as directory:
        if args.cert:
            cert, key = Path(args.cert), Path(args.key)
            try:
                ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
            except (OSError, ssl.SSLError) as error:
                print(f"Cannot run the demo: cannot load --cert and --key: {error}",
                      file=sys.stderr)
                return 2
            print(f"Certificate: {cert} (given), trusted by the client.")
        else:
            try:
                cert, key = make_certificate(directory)
            except CannotRun as error:
                print(f"Cannot run the demo: {error}", file=sys.stderr)
                return 2
            print("Certificate: self-signed for localhost, 127.0.0.1 and ::1, made with the "
                  "openssl command; the client trusts it and nothing else.")
        root = make_site(directory)
        print(f"Site: {FILE_PATH}, a file, and {SCRIPT_PATH}, a shell script.")
        results = {}
        for have_fork, title in [(True, "forking (have_fork = True, the default on Unix)"),
                                 (False, "subprocess (have_fork = False)")]:
            print(f"\n{title}:")
            outcomes, log = try_variant(root, cert, key, have_fork)
            results[have_fork] = outcomes
            for path, outcome in outcomes.items():
                print(f"  GET {path:<15} {describe(outcome)}")
            # What the server thought of the script's request: the same line both times.
            for line in log:
                if line.startswith(f'"GET {SCRIPT_PATH} '):
                    print(f"  the server logged {line}")
    print()
    if reproduced(results[True], results[False]):
        print("Reproduced: forking, the script's output bypassed TLS and the client rejected "
              "it; with have_fork = False the server relayed it through TLS.")
        return 0
    print("Not reproduced: the results above are not the failure and the fix expected.",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
