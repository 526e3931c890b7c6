"""wsgi/serving.py — the command line and server loop the three programs share.

`run(application, default_port, args)` serves `application` with wsgiref on 127.0.0.1 until
Ctrl-C: `python3 wsgi/<program>.py [PORT]`. It prints one line when it is ready (with the real
port, which matters when 0 asked the system for one), one plain sentence when the port is taken,
and no traceback on Ctrl-C.
"""

import errno
import sys
import threading
from wsgiref import simple_server

HOST = "127.0.0.1"


def parse_port(args, default):
    """The optional PORT argument; None (after a message) when the arguments are wrong."""
    if not args:
        return default
    if len(args) == 1 and args[0].isascii() and args[0].isdigit() and int(args[0]) <= 65535:
        return int(args[0])
    print(f"usage: python3 {sys.argv[0]} [PORT]   (PORT 0-65535, {default} if not given)",
          file=sys.stderr)
    return None


def run(application, default_port, args, share_os_environ=True):
    """Serves `application` until Ctrl-C; returns the exit status (0, 1 or 2).

    wsgiref copies the server's own process environment into every environ; with
    `share_os_environ=False` it does not, so a page that lists the environ cannot publish the
    variables of whoever runs it.
    """
    port = parse_port(args, default_port)
    if port is None:
        return 2
    if not share_os_environ:
        # Each request's environ starts from this dict; wsgiref fills it with os.environ.
        simple_server.ServerHandler.os_environ = {}
    try:
        server = simple_server.make_server(HOST, port, application)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            print(f"Port {port} is already in use on {HOST}; stop the other server or "
                  "give another port.", file=sys.stderr)
        else:
            print(f"Cannot listen on {HOST} port {port}: {e.strerror}.", file=sys.stderr)
        return 1
    with server:
        print(f"Serving on http://{HOST}:{server.server_port}/ ... (Ctrl-C to stop)",
              flush=True)
        # The server loop runs in a second thread. Python delivers Ctrl-C to the main thread
        # as KeyboardInterrupt; had it landed in the middle of a request, wsgiref would catch
        # it like any error of the application (answering 500) and go on serving. Here it
        # reaches the wait below instead, and shutdown() lets the request in progress finish
        # before the loop stops.
        loop = threading.Thread(target=server.serve_forever, daemon=True)
        loop.start()
        try:
            loop.join()
        except KeyboardInterrupt:
            server.shutdown()
            print("Stopped.", flush=True)
    return 0
