"""Checks that a CSV or XLSX file from the platform never runs people's text as a formula."""

import csv
import io

from openpyxl import load_workbook

from core.downloads import FORMULA_START

# Names that a spreadsheet program would run, or read as a formula or a number.
FORMULAS = ('=HYPERLINK("https://evil.example","Klick")', "+1", "-2", "@x")


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM, for the umlauts
    return list(csv.reader(io.StringIO(text[1:])))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_formula_safe(content: bytes, texts=FORMULAS) -> list[list[str]]:
    """Each of ``texts`` is a cell with a leading quote; no other cell starts a formula."""
    rows = csv_rows(content)
    cells = {cell for row in rows for cell in row}
    for text in texts:
        assert "'" + text in cells, text
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)
                and not _is_number(cell)]  # a negative number is a number
    return rows


def assert_xlsx_formula_safe(content: bytes, texts=FORMULAS):
    """Each of ``texts`` is a text cell marked as text; no cell holds a formula."""
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts_found = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    for text in texts:
        assert text in texts_found, text
        assert (texts_found[text].data_type, texts_found[text].quotePrefix) == ("s", True)
    return workbook
