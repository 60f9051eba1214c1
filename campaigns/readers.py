"""Streaming row readers for the list, do-not-call and registry imports (no Django models).

A file is judged by its content, never its name or the browser's Content-Type
(`file_sniff`): an XLSX is a zip holding the OOXML parts (`[Content_Types].xml` and
`xl/workbook.xml`); anything else must be UTF-8 text (a byte-order mark is fine) with no NUL
byte, read as CSV. A renamed binary (a PDF, an old .xls, a photo) is neither, and refused.

`rows_open(file, file_format)` gives a reader: `header` (the first row's cells), then
`rows(columns)` yields `(row_number, cells)` one at a time, `cells` a dict of the row's text
by column (cells beyond the columns under the key None, like csv.DictReader), blank rows
skipped. Memory stays flat whatever the file's length:
- CSV: the csv module over a text wrapper of the binary file, which reads 8 kB at a time;
  row numbers are the file's line numbers (the header is 1), as spreadsheets show them;
  `bytes_read` is the binary file's position.
- XLSX: openpyxl's read-only mode, which parses the first sheet's XML as it goes (its shared
  strings table is loaded whole: a sheet of a million distinct names holds them all, which
  is why CSV is the format for the largest lists); `bytes_read` is estimated from the rows
  read out of the sheet's declared `max_row`.
A read error half-way (bytes that are not UTF-8, a broken quote, a damaged zip) raises
`ReadRefused` naming the row.
"""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

CSV, XLSX = "csv", "xlsx"
ZIP_MAGIC = b"PK\x03\x04"
OOXML_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
# A zip declaring more than this many times its size when unpacked is refused (a zip bomb).
XLSX_MAX_EXPANSION = 30
SNIFF_BYTES = 64 * 1024


class ReadRefused(ValueError):
    """The file cannot be read as what it claims; `row` is where (0: the file itself)."""

    def __init__(self, message: str, *, row: int = 0):
        super().__init__(message)
        self.message, self.row = message, row


def _raw(file) -> BinaryIO:
    """The binary file under a Django File (its own proxy lacks what io's wrapper needs)."""
    return getattr(file, "file", file)


def file_sniff(file, *, size: int, max_bytes: int) -> str:
    """CSV or XLSX by content, or ReadRefused. Leaves the file at its start."""
    if not size:
        raise ReadRefused("The file is empty.")
    if size > max_bytes:
        raise ReadRefused(f"The file is larger than {max_bytes / (1024 * 1024):g} MB.")
    raw = _raw(file)
    raw.seek(0)
    head = raw.read(SNIFF_BYTES)
    raw.seek(0)
    try:
        if head.startswith(ZIP_MAGIC):
            return _xlsx_check(raw, size=size)
        return _csv_check(head, complete=size <= SNIFF_BYTES)
    finally:
        raw.seek(0)


def _xlsx_check(raw: BinaryIO, *, size: int) -> str:
    try:
        with zipfile.ZipFile(raw) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ReadRefused("The file is a damaged zip, not a workbook.") from None
    names = {info.filename for info in infos}
    if not all(part in names for part in OOXML_PARTS):
        raise ReadRefused("The file is a zip but not an Excel workbook (.xlsx).")
    if sum(info.file_size for info in infos) > XLSX_MAX_EXPANSION * max(size, 1024 * 1024):
        raise ReadRefused("The workbook unpacks to far more than its size: refused.")
    return XLSX


def _csv_check(head: bytes, *, complete: bool) -> str:
    if b"\x00" in head:
        raise ReadRefused("The file is not text: save it as “CSV UTF-8” or as .xlsx.")
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The sample may end inside a character: only an error before its last 3 bytes counts.
        if complete or error.start < len(head) - 3:
            raise ReadRefused(
                "The file is not UTF-8 text: save it as “CSV UTF-8” or as .xlsx."
            ) from None
    return CSV


class CsvRows:
    def __init__(self, file):
        self.raw = _raw(file)
        self.raw.seek(0)
        self.text = io.TextIOWrapper(self.raw, encoding="utf-8-sig", newline="")
        self.reader = csv.reader(self.text)
        self.header = self._next() or []

    def _next(self) -> list[str] | None:
        try:
            return next(self.reader, None)
        except UnicodeDecodeError:
            raise ReadRefused(
                "the file is not UTF-8 text from here on", row=self.reader.line_num + 1
            ) from None
        except csv.Error as error:
            raise ReadRefused(f"not readable as CSV ({error})", row=self.reader.line_num) from None

    @property
    def bytes_read(self) -> int:
        return self.raw.tell()

    def rows(self, columns: list[str]) -> Iterator[tuple[int, dict]]:
        width = len(columns)
        while (cells := self._next()) is not None:
            if not any(c.strip() for c in cells):
                continue
            row = dict(zip(columns, cells, strict=False))
            if len(cells) > width:
                row[None] = cells[width:]
            yield self.reader.line_num, row

    def close(self) -> None:
        self.text.detach()  # the caller closes its own file


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into Excel: 9845012345.0
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


class XlsxRows:
    def __init__(self, file, *, size: int):
        from openpyxl import load_workbook  # only for workbooks: it is slow to import

        self.raw = _raw(file)
        self.raw.seek(0)
        self.size = size
        try:
            self.book = load_workbook(self.raw, read_only=True, data_only=True)
            self.sheet = self.book.worksheets[0]
            self.max_row = self.sheet.max_row or 0
            self._rows = self.sheet.iter_rows(values_only=True)
            self.read = 0
            self.header = [_cell_text(v) for v in self._next() or ()]
        except ReadRefused:
            raise
        except Exception as error:  # openpyxl's errors for a damaged part are of every kind
            raise ReadRefused(f"The workbook cannot be read ({type(error).__name__}).") from None

    def _next(self) -> tuple | None:
        try:
            values = next(self._rows, None)
        except Exception as error:
            raise ReadRefused(
                f"the workbook cannot be read from here ({type(error).__name__})",
                row=self.read + 1,
            ) from None
        if values is not None:
            self.read += 1
        return values

    @property
    def bytes_read(self) -> int:
        if not self.max_row:
            return 0
        return min(self.size, self.size * self.read // self.max_row)

    def rows(self, columns: list[str]) -> Iterator[tuple[int, dict]]:
        width = len(columns)
        while (values := self._next()) is not None:
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()  # a sheet's trailing empty cells are no cells
            if not cells:
                continue
            row = dict(zip(columns, cells, strict=False))
            if len(cells) > width:
                row[None] = cells[width:]
            yield self.read, row

    def close(self) -> None:
        self.book.close()


def rows_open(file, *, file_format: str, size: int) -> CsvRows | XlsxRows:
    """A reader of `file` (binary, seekable) in `file_format` (from `file_sniff`)."""
    if file_format == XLSX:
        return XlsxRows(file, size=size)
    return CsvRows(file)
