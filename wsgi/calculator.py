#!/usr/bin/env python3
"""wsgi/calculator.py — the course's WSGI homework: a calculator addressed by its URLs.

Run it with `python3 wsgi/calculator.py [PORT]` (port 8007 unless given) and open
http://127.0.0.1:8007/ for the instructions. The Rust lesson07-calculator follows the same
rules, and the homework checker's --url checks test both.

    /add/23/42       -> 65
    /subtract/23/42  -> -19
    /multiply/3/5    -> 15
    /divide/22/11    -> 2
    /divide/7/2      -> 3.5
    /divide/6/0      -> 400 Bad Request

The rules, chosen so that Python and Rust give the same statuses and results:

- An operand is an optional sign and 1 to 19 ASCII digits whose value fits a 64-bit signed
  integer (-9223372036854775808 to 9223372036854775807). Anything else — 1.5, x, a number
  with 20 digits — is 400 Bad Request: the URL names a real operation, but its input is
  wrong.
- add, subtract and multiply give an integer. Python's integers never overflow, Rust's i64
  does, so a result outside the 64-bit range is refused with 400 ("too large") on both sides
  rather than wrapped around or crashing the server.
- divide by zero is 400. A division that comes out even gives the integer (22/11 is 2, not
  2.0); otherwise the exact quotient rounded to 10 decimal places, halves away from zero,
  without trailing zeros (7/2 is 3.5, 2/3 is 0.6666666667, 1/30000 is 0.0000333333). A
  quotient that rounds to zero is 0. Integer arithmetic only, so Python and Rust agree to the
  last digit: no float is involved.
- An unknown operation, too few or too many operands, or any other path is 404 Not Found:
  there is no such page. All answers except the home page are text/plain.
"""

import re
import sys
from http import HTTPStatus

import serving

DEFAULT_PORT = 8007

I64_MIN = -(2**63)
I64_MAX = 2**63 - 1

OPERAND = re.compile(r"[-+]?([0-9]+)")

EXAMPLES = ["/add/23/42", "/subtract/23/42", "/multiply/3/5", "/divide/22/11"]

HOME = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Calculator</title>
</head>
<body>
<h1>Calculator</h1>
<p>Write the calculation in the address: the operation, then two whole numbers, each after a
slash. The answer comes back as plain text.</p>
<ul>
{examples}
</ul>
<p>The operations are <code>add</code>, <code>subtract</code>, <code>multiply</code> and
<code>divide</code>. Numbers are whole numbers from {low} to {high}, optionally signed
(<code>/subtract/-5/+3</code>).</p>
<p>Results are whole numbers too, except a division that does not come out even, which gives
a decimal (<a href="/divide/7/2">/divide/7/2</a> is 3.5). Dividing by zero, a number that is
not a whole number, and a result outside that range are refused with 400 Bad Request; an
unknown operation or a wrong number of operands is 404 Not Found.</p>
</body>
</html>
"""


class BadRequest(Exception):
    """The operation exists but its operands cannot be used: the answer is 400."""


def parse_operand(text):
    """An operand as an int: 1 to 19 digits after an optional sign, within the 64-bit
    signed range; otherwise BadRequest saying which rule it breaks."""
    match = OPERAND.fullmatch(text)
    if match is None:
        raise BadRequest(f'"{text}" is not a whole number: write digits, optionally after - or +.')
    # The length first: int() refuses strings of more than 4300 digits with a ValueError.
    if len(match.group(1)) > 19 or not I64_MIN <= int(text) <= I64_MAX:
        raise BadRequest(
            f"{text} is too large: numbers have at most 19 digits and lie between "
            f"{I64_MIN} and {I64_MAX}."
        )
    return int(text)


def checked(value, description):
    """`value` if it fits the 64-bit range, or BadRequest naming the calculation."""
    if not I64_MIN <= value <= I64_MAX:
        raise BadRequest(
            f"The result of {description} is too large: results must lie between "
            f"{I64_MIN} and {I64_MAX}."
        )
    return value


def add(a, b):
    return str(checked(a + b, f"{a} + {b}"))


def subtract(a, b):
    return str(checked(a - b, f"{a} - {b}"))


def multiply(a, b):
    return str(checked(a * b, f"{a} * {b}"))


def divide(a, b):
    if b == 0:
        raise BadRequest(f"Cannot divide {a} by zero.")
    if a % b == 0:
        # Exact: an integer, which can still leave the range (-9223372036854775808 / -1).
        return str(checked(a // b, f"{a} / {b}"))
    return decimal_quotient(a, b, DECIMAL_PLACES)


DECIMAL_PLACES = 10


def decimal_quotient(a, b, places):
    """a / b rounded to `places` decimals, halves away from zero, trailing zeros dropped."""
    negative = (a < 0) != (b < 0)
    scaled, remainder = divmod(abs(a) * 10**places, abs(b))
    if 2 * remainder >= abs(b):
        scaled += 1
    whole, fraction = divmod(scaled, 10**places)
    digits = str(fraction).rjust(places, "0").rstrip("0")
    text = f"{whole}.{digits}" if digits else str(whole)
    return "-" + text if negative and scaled else text


OPERATIONS = {"add": add, "subtract": subtract, "multiply": multiply, "divide": divide}


def calculate(path):
    """(status, content type, text) for a request path."""
    if path in ("", "/"):
        examples = "\n".join(f'<li><a href="{url}">{url}</a></li>' for url in EXAMPLES)
        return HTTPStatus.OK, "text/html; charset=utf-8", HOME.format(
            examples=examples, low=I64_MIN, high=I64_MAX
        )
    parts = path.removeprefix("/").split("/")
    operation = OPERATIONS.get(parts[0])
    if operation is None:
        return (HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8",
                f"Not Found: there is no page at {path}. The operations are add, subtract, "
                "multiply and divide, as in /add/23/42; / explains the rest.\n")
    if len(parts) != 3:
        return (HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8",
                f"Not Found: there is no page at {path}: {parts[0]} takes exactly two "
                f"operands, as in /{parts[0]}/6/3.\n")
    try:
        result = operation(parse_operand(parts[1]), parse_operand(parts[2]))
    except BadRequest as e:
        return HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", f"Bad Request: {e}\n"
    return HTTPStatus.OK, "text/plain; charset=utf-8", result + "\n"


def application(environ, start_response):
    """The WSGI application: calculate, then send the answer with its status and length."""
    status, content_type, text = calculate(environ.get("PATH_INFO", ""))
    data = text.encode("utf-8")
    start_response(
        f"{status.value} {status.phrase}",
        [("Content-Type", content_type), ("Content-Length", str(len(data)))],
    )
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [data]



if __name__ == "__main__":
    sys.exit(serving.run(application, DEFAULT_PORT, sys.argv[1:]))
