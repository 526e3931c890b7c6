"""wsgi/bookdb.py — the book database behind bookapp.py, with a two-function interface.

The data lives in books.json next to this file: one JSON object mapping a book id ("id1",
"id2", ...) to that book's title, isbn, publisher and author. The file is read once, when
this module is first imported, and checked then: a missing field or a value that is not a
string stops the program at start rather than breaking a page later. The Rust lesson06
reads the same file.

The application only ever asks two questions, so that is the whole interface:

- titles() — every book's id and title, in id order, for the list page;
- title_info(book_id) — one book's fields, or None when there is no such book.

Keeping the storage behind these two functions means it could become a real database or a
web service without changing a line of the application.
"""

import json
import re
from pathlib import Path

# Where the data is: found from this file, so the current directory does not matter.
DEFAULT_PATH = Path(__file__).resolve().with_name("books.json")

# The fields every book has, in the order a detail page shows them.
FIELDS = ("title", "isbn", "publisher", "author")


class BookDatabaseError(Exception):
    """The data file is missing, is not JSON, or does not have the expected shape."""


def id_order(book_id):
    """A sort key that puts ids in numeric order: id2 before id10 (a plain string sort
    would put id10 first). Ids that are not "id" and digits come last, sorted as text."""
    match = re.fullmatch(r"id([0-9]+)", book_id)
    if match:
        return (0, int(match.group(1)), book_id)
    return (1, 0, book_id)


def load(path=DEFAULT_PATH):
    """Reads and checks a book file; returns {id: {field: value}} in id order."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise BookDatabaseError(f"cannot read the book database {path}: {e.strerror}") from e
    except ValueError as e:
        raise BookDatabaseError(f"the book database {path} is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise BookDatabaseError(f"the book database {path} must be a JSON object of books")
    books = {}
    for book_id in sorted(data, key=id_order):
        record = data[book_id]
        if not isinstance(record, dict):
            raise BookDatabaseError(f"book {book_id!r} in {path} is not a JSON object")
        for field in FIELDS:
            if not isinstance(record.get(field), str):
                raise BookDatabaseError(
                    f"book {book_id!r} in {path} needs a text field {field!r}"
                )
        books[book_id] = {field: record[field] for field in FIELDS}
    return books


# Loaded once, at start.
BOOKS = load()


def titles():
    """Every book as {"id": ..., "title": ...}, in id order."""
    return [{"id": book_id, "title": book["title"]} for book_id, book in BOOKS.items()]


def title_info(book_id):
    """One book's fields as a new dict (title, isbn, publisher, author), or None when the
    id is unknown. A copy, so a caller cannot change the database by accident."""
    book = BOOKS.get(book_id)
    return dict(book) if book is not None else None
