"""The one writer of CSV and XLSX files (core/downloads.py): formula-safe, typed, German time."""

import ast
import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from core.downloads import Sheet, csv_text, xlsx_bytes
from tests.spreadsheets import FORMULAS, assert_csv_formula_safe, assert_xlsx_formula_safe

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook")}
UTC_MOMENT = datetime(2022, 2, 25, 22, 59, 59, tzinfo=ZoneInfo("UTC"))  # 23:59:59 in Berlin


def rows():
    return [[name, -2, 3.5, date(2022, 2, 25), UTC_MOMENT, None, ["a", "b"]]
            for name in [*FORMULAS, "\tTab", "\rReturn", "Krefeld"]]


def test_csv_neutralises_formulas_and_keeps_numbers_dates_and_german_time():
    content = csv_text(["Name", "Zahl", "Wert", "Tag", "Zeit", "Leer", "Liste"], rows())
    table = assert_csv_formula_safe(content.encode(), [*FORMULAS, "\tTab", "\rReturn"])
    assert table[-1] == ["Krefeld", "-2", "3.5", "2022-02-25", "2022-02-25 23:59:59", "",
                         "a; b"]


def test_xlsx_neutralises_formulas_and_keeps_numbers_dates_and_german_time():
    content = xlsx_bytes([Sheet("Tabelle: [1]", ["Name", "Zahl", "Wert", "Tag", "Zeit", "Leer",
                                                 "Liste"], rows(), footer=["Summe", -4])])
    # (A CR is a line end to XML readers: "\rReturn" comes back as "\nReturn", a text.)
    workbook = assert_xlsx_formula_safe(content, [*FORMULAS, "\tTab"])
    sheet = workbook["Tabelle 1"]  # no characters Excel refuses in a sheet's name
    name, number, value, day, moment, empty, listed = sheet[len(FORMULAS) + 4]
    assert (name.value, name.quotePrefix) == ("Krefeld", False)
    assert (number.value, number.data_type) == (-2, "n")  # a negative number is a number
    assert (value.value, day.value) == (3.5, datetime(2022, 2, 25))
    assert moment.value == datetime(2022, 2, 25, 23, 59, 59)
    assert (empty.value, listed.value) == (None, "a; b")
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[sheet.max_row]] == ["Summe", -4, *[None] * 5]
    # No formula anywhere in the file, not only as openpyxl reads it.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_xlsx_drops_control_characters_that_excel_refuses():
    content = xlsx_bytes([Sheet("S", ["Name"], [["Kre\x00feld\x1b"]])])
    assert load_workbook(io.BytesIO(content)).active["A2"].value == "Krefeld"


def _writer_calls(path: Path) -> list[str]:
    """Every use of csv.writer, csv.DictWriter or openpyxl.Workbook in one module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                (node.value.id, node.attr) in WRITERS):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module:
            package = node.module.split(".")[0]  # also openpyxl.workbook
            found += [f"{path.relative_to(ROOT)}:{node.lineno} from {node.module} import "
                      f"{alias.name}" for alias in node.names
                      if (package, alias.name) in WRITERS]
    return found


def test_no_module_but_core_downloads_writes_csv_or_xlsx():
    modules = [path for path in ROOT.rglob("*.py")
               if not {".venv", "node_modules", "staticfiles", "tests"} & set(
                   path.relative_to(ROOT).parts)]
    assert len(modules) > 100  # the scan sees the source tree
    calls = [call for path in modules if path != ROOT / "core" / "downloads.py"
             for call in _writer_calls(path)]
    assert calls == [], "write CSV and XLSX with core.downloads.csv_text / xlsx_bytes"
    assert _writer_calls(ROOT / "core" / "downloads.py")  # and the writer is found
