"""Reading the CSV files administrators upload (the unit and service-area tables).

`read_csv(data, header=...)` decodes the bytes — UTF-8 (with or without a BOM), or, as
offices often save them, GBK/GB 18030: read, and said in the report — checks the header
and returns the records with the line each starts on (the header is line 1). A file that
is not text, or whose header is wrong, raises `ValidationFailed` (nothing is imported);
a bad record is the caller's to reject with its line number.

`ImportReport` is the answer of every such import: `{"lines", "created", "updated",
"rejected", "errors": [{"line", "reason"}]}` plus what this project adds (`unchanged`,
`deleted`, `encoding`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from postdesk.core.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class CsvRecord:
    line: int
    values: dict[str, str]
    error: str = ""  # a record that could not be read as one of the header's shape


@dataclass
class ImportReport:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        self.errors.append((line, reason))

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "errors": [{"line": line, "reason": reason} for line, reason in self.errors],
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "encoding": self.encoding,
        }


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in ("utf-8" or "gbk")."""
    if b"\x00" in data:
        raise ValidationFailed(
            fields={"file": _("This is not a text file: save the table as CSV (UTF-8).")}
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        raise ValidationFailed(
            fields={"file": _("The file is neither UTF-8 nor GBK text: save it as CSV (UTF-8).")}
        ) from None


def read_upload(upload: IO[bytes]) -> bytes:
    """An uploaded file's bytes for `read_csv`: at most one byte more than it accepts, so
    a file too large is refused without being read whole."""
    return upload.read(MAX_BYTES + 1)


def read_csv(data: bytes, *, header: tuple[str, ...]) -> tuple[list[CsvRecord], str]:
    """The file's records (blank lines skipped) and its encoding."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            fields={"file": _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES >> 20}}
        )
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    wanted = ",".join(header)
    try:
        first = next(reader, None)
    except csv.Error:
        first = None
    if first is None or [c.strip().lower() for c in first] != list(header):
        raise ValidationFailed(
            fields={"file": _("The first line must be the header %(header)s.") % {"header": wanted}}
        )
    records: list[CsvRecord] = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            records.append(CsvRecord(line, {}, _("This line is not valid CSV.")))
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            records.append(
                CsvRecord(
                    start,
                    {},
                    _("Expected %(n)d fields (%(header)s), found %(found)d.")
                    % {"n": len(header), "header": wanted, "found": len(row)},
                )
            )
            continue
        values = {name: cell.strip() for name, cell in zip(header, row, strict=True)}
        if any(has_control_characters(v) for v in values.values()):
            records.append(CsvRecord(start, values, _("This line contains control characters.")))
            continue
        records.append(CsvRecord(start, values))
    return records, encoding


def run_import(path: str, importer: Any, *, as_json: bool, stdout: Any, stderr: Any) -> int:
    """What `postdesk import_units` and `import_service_areas` do with a file: call the
    importer with its bytes, print the report (one JSON object with `--json`), and give
    the exit status: 0 every line imported, 2 some lines rejected, 1 nothing read."""
    import json
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
        report: ImportReport = importer(data)
    except OSError as exc:
        message = _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
        report, failed = ImportReport(), message
    except ValidationFailed as exc:
        report, failed = ImportReport(), " ".join(str(v) for v in exc.fields.values())
    else:
        failed = ""
    if failed:
        report.errors.append((0, failed))
    if as_json:
        stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        stdout.write(
            _(
                "%(lines)d lines: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged, %(deleted)d deleted, %(rejected)d rejected"
            )
            % report.as_dict()
        )
        if report.encoding != "utf-8":
            stdout.write(_("The file was read as GBK (it is not UTF-8)."))
        for line, reason in report.errors:
            text = _("line %(line)d: %(reason)s") % {"line": line, "reason": reason}
            (stderr if failed else stdout).write("  " + (text if line else reason))
    if failed:
        return 1
    return 2 if report.rejected else 0
