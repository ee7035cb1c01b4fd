"""Text that leaves the system in a file: XML (EHF) and CSV (invoice basis, revenue, Uniquip).

Every export passes its text through here, so that one rule holds everywhere:

- `text_clean`: control characters are removed. XML 1.0 cannot carry them at all (a company name with a
  U+0001 in it made an EHF invoice not well-formed), and in a CSV file they break lines and columns. Tab, line
  feed and carriage return stay in running text; the rest of C0, DEL, C1, lone surrogates (they cannot be
  written as UTF-8) and the non-characters U+FFFE and U+FFFF go.
- `csv_cell`: a cell that a spreadsheet would run as a formula is neutralised (CSV injection, OWASP): a text
  starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe, which spreadsheets show as
  plain text.
- `csv_write`: writes rows with both applied to every text cell.
- `formula_start` and `csv_cell_read`: for imports, which refuse formula cells and read back what csv_cell wrote.
"""

import csv
import re
from collections.abc import Iterable
from decimal import Decimal

# C0 controls but tab (09), line feed (0a) and carriage return (0d); DEL and C1; surrogates; U+FFFE, U+FFFF.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# What makes Excel, LibreOffice and Google Sheets read a cell as a formula (or, for tab and CR, hide it).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A signed number or telephone number: digits, spaces and punctuation only, nothing a formula could call.
PLAIN_NUMBER = re.compile(r"[+-][0-9 ().,/-]*")


def text_clean(value) -> str:
    """`value` as text without control characters (tab, line feed and carriage return are kept)."""
    return CONTROL_CHARACTERS.sub("", "" if value is None else str(value))


def line_clean(value) -> str:
    """`value` as one line of text: control characters removed, and tabs and line breaks turned into spaces."""
    return " ".join(text_clean(value).split())


def csv_cell(value):
    """One CSV cell: text cleaned and, when a spreadsheet would read it as a formula, prefixed with an
    apostrophe. Numbers (int, float, Decimal) are written as they are: they cannot carry a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = text_clean(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_write(stream, rows: Iterable[Iterable], **writer_options) -> None:
    """Write `rows` to `stream` as CSV (csv.writer's options), every cell through csv_cell."""
    writer = csv.writer(stream, **writer_options)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def csv_cell_read(value: str) -> str:
    """An imported cell as its text: the apostrophe csv_cell put before a signed number or telephone number
    (`'+47 22 85 50 50`) is removed again, so that an exported file imports as it was. Any other apostrophe
    stays: it is part of the text, or it keeps a formula from running."""
    if value and value.startswith("'") and PLAIN_NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value


def formula_start(value: str) -> bool:
    """Whether an imported cell starts as a spreadsheet formula would (a tab or CR first, or = + - @ first after
    spaces); a plain number or telephone number (`+47 22 85 50 50`, `-12.5`) does not count: without letters or
    symbols it cannot call anything."""
    if not value:
        return False
    if value.startswith(("\t", "\r")):
        return True
    text = value.lstrip(" ")
    if not text.startswith(("=", "+", "-", "@")):
        return False
    return not (text[0] in "+-" and PLAIN_NUMBER.fullmatch(text))
