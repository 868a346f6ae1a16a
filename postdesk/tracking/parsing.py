"""Streaming, vectorised parser for tracking-event files (CSV and JSON Lines).

Pure module, no Django. The file is read in chunks of a few megabytes cut at line
ends; each chunk is parsed into Arrow columns (``pyarrow.csv`` / ``pyarrow.json``)
and validated column-at-a-time with ``pyarrow.compute``, so memory stays flat and
no Python code runs per line on the fast path. A chunk that the fast path cannot
account for line by line (blank lines, quoted newlines, a wrong number of columns,
bad UTF-8, a value that is not a string in JSON) is parsed again with the standard
library, which knows the exact line number of every record; the validation that
follows is the same.

Each :class:`Batch` has the good rows as a typed Arrow table (:data:`OUT_SCHEMA`)
and the rejected lines with their line number, reason and text. Reasons are short
English sentences (translated in the UI).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final, Literal
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson

from postdesk.tracking.codes import ALIASES
from postdesk.tracking.waybill import OTHER_RE, S10_RE, S10_WEIGHTS

LOCAL_TZ: Final = "Asia/Shanghai"
COLUMNS: Final = (
    "waybill_no",
    "event_time",
    "event_code",
    "office_code",
    "office_name",
    "recorded_at",
    "operator",
    "reason",
    "signer",
    "description",
)
REQUIRED: Final = ("waybill_no", "event_time", "event_code", "office_code")
TEXT_COLUMNS: Final = ("office_name", "operator", "reason", "signer", "description")
#: Longest accepted value per text column (the database columns' sizes).
MAX_LEN: Final = {
    "office_code": 32,
    "office_name": 100,
    "operator": 64,
    "reason": 200,
    "signer": 64,
    "description": 500,
}
TS: Final = pa.timestamp("us", tz="UTC")
OUT_SCHEMA: Final = pa.schema(
    [
        ("waybill_no", pa.string()),
        ("event_code", pa.string()),
        ("event_time", TS),
        ("office_code", pa.string()),
        ("office_name", pa.string()),
        ("recorded_at", TS),
        ("operator", pa.string()),
        ("reason", pa.string()),
        ("signer", pa.string()),
        ("description", pa.string()),
        ("line", pa.int64()),
    ]
)

Format = Literal["csv", "jsonl"]

_ISO_RE: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)
_OFFSET_RE: Final = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_ALIAS_KEYS: Final = pa.array(list(ALIASES.keys()), pa.string())
_ALIAS_VALUES: Final = pa.array(list(ALIASES.values()), pa.string())

# Reasons, in the order they are checked. Kept as constants: the UI translates them.
R_MISSING_WAYBILL: Final = "missing waybill number"
R_CHECK_DIGIT: Final = "S10 check digit does not match"
R_BAD_WAYBILL: Final = "waybill number must be an S10 number or 10 to 20 letters or digits"
R_MISSING_CODE: Final = "missing event code"
R_UNKNOWN_CODE: Final = "unknown event code"
R_MISSING_TIME: Final = "missing event time"
R_BAD_TIME: Final = "event time is not an ISO 8601 date and time"
R_MISSING_OFFICE: Final = "missing office code"
R_BAD_RECORDED: Final = "recorded_at is not an ISO 8601 date and time"
R_TOO_LONG: Final = "a value is too long"
R_COLUMNS: Final = "wrong number of columns"
R_UTF8: Final = "line is not valid UTF-8"
R_JSON: Final = "line is not a JSON object"


class FileRejected(ValueError):
    """The whole file cannot be read (no header, a required column missing...)."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    text: str


@dataclass
class Batch:
    table: pa.Table
    rejected: list[Rejected] = field(default_factory=list)
    lines: int = 0
    nbytes: int = 0  # bytes of the file this batch covers (for progress)


# --------------------------------------------------------------------------- chunks


def _read_chunks(stream: IO[bytes], chunk_bytes: int, quote_aware: bool) -> Iterator[bytes]:
    """Yield pieces of ``stream`` that end at a line end (outside quotes for CSV)."""
    rest = b""
    while True:
        data = stream.read(chunk_bytes)
        if not data:
            if rest:
                yield rest if rest.endswith(b"\n") else rest + b"\n"
            return
        buf = rest + data if rest else data
        cut = buf.rfind(b"\n") + 1
        if quote_aware and cut and b'"' in buf:
            # Inside a quoted value when an odd number of quotes precede the cut.
            while cut and buf.count(b'"', 0, cut) % 2:
                cut = buf.rfind(b"\n", 0, cut - 1) + 1
        if cut == 0:
            rest = buf
            continue
        rest = buf[cut:]
        yield buf[:cut]


def _open(source: str | Path | IO[bytes]) -> tuple[IO[bytes], bool]:
    if isinstance(source, (str, Path)):
        return open(source, "rb"), True
    return source, False


# --------------------------------------------------------------------------- public


def iter_batches(
    source: str | Path | IO[bytes],
    *,
    fmt: Format = "csv",
    imported_at: datetime,
    chunk_bytes: int = 8 << 20,
    use_threads: bool = False,
) -> Iterator[Batch]:
    """Parse ``source`` batch by batch. ``imported_at`` fills an empty recorded_at."""
    if imported_at.tzinfo is None:
        raise ValueError("imported_at must be timezone-aware")
    stream, close = _open(source)
    try:
        if fmt == "csv":
            yield from _iter_csv(stream, imported_at, chunk_bytes, use_threads)
        elif fmt == "jsonl":
            yield from _iter_jsonl(stream, imported_at, chunk_bytes)
        else:
            raise FileRejected(f"unknown format {fmt!r}")
    finally:
        if close:
            stream.close()


def _iter_csv(
    stream: IO[bytes], imported_at: datetime, chunk_bytes: int, use_threads: bool
) -> Iterator[Batch]:
    header_line = stream.readline()
    if header_line.startswith(b"\xef\xbb\xbf"):
        header_line = header_line[3:]
    try:
        header_text = header_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRejected("the header row is not valid UTF-8") from exc
    names = [n.strip().lower() for n in next(csv.reader([header_text]), [])]
    missing = [c for c in REQUIRED if c not in names]
    if not names or missing:
        raise FileRejected("the header row lacks the column(s): " + ", ".join(missing or REQUIRED))
    if len(set(names)) != len(names):
        raise FileRejected("the header row names a column twice")
    # Extra columns are read and ignored; duplicate positions get private names.
    col_names = [n if n in COLUMNS else f"_extra{i}" for i, n in enumerate(names)]
    line_no = 1  # physical line number of the last line consumed
    first = True
    for chunk in _read_chunks(stream, chunk_bytes, quote_aware=True):
        n_lines = chunk.count(b"\n")
        table = _csv_fast(chunk, col_names, n_lines, use_threads)
        if table is not None:
            lines = pa.array(range(line_no + 1, line_no + 1 + n_lines), pa.int64())
            batch = _validate(table, lines, imported_at, _LineText(chunk))
        else:
            batch = _csv_slow(chunk, col_names, line_no, imported_at)
        line_no += n_lines
        batch.nbytes = len(chunk) + (len(header_line) if first else 0)
        first = False
        yield batch


class _LineText:
    """The text of the i-th line of a chunk (split once, on first use)."""

    def __init__(self, chunk: bytes) -> None:
        self.chunk = chunk
        self.lines: list[bytes] | None = None

    def __call__(self, index: int) -> str:
        if self.lines is None:
            self.lines = self.chunk.split(b"\n")
        return self.lines[index].rstrip(b"\r").decode("utf-8", "replace")


def _csv_fast(chunk: bytes, names: list[str], n_lines: int, use_threads: bool) -> pa.Table | None:
    bad = False

    def invalid(_row: Any) -> str:
        nonlocal bad
        bad = True
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(chunk),
            read_options=pacsv.ReadOptions(
                column_names=names, use_threads=use_threads, block_size=1 << 24
            ),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False, invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                include_columns=[n for n in names if n in COLUMNS],
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if bad or table.num_rows != n_lines:
        return None
    return table


def _csv_slow(chunk: bytes, names: list[str], line_no: int, imported_at: datetime) -> Batch:
    text = chunk.decode("utf-8", "surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""))
    cols: dict[str, list[str]] = {n: [] for n in names if n in COLUMNS}
    lines: list[int] = []
    raw: dict[int, str] = {}
    rejected: list[Rejected] = []
    start = 1
    n_records = 0
    for record in reader:
        first = line_no + start
        start = reader.line_num + 1
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # blank line
        n_records += 1
        joined = _join(record)
        if len(record) != len(names):
            rejected.append(Rejected(first, R_COLUMNS, _safe(joined)))
            continue
        try:
            joined.encode("utf-8")
        except UnicodeEncodeError:
            rejected.append(Rejected(first, R_UTF8, _safe(joined)))
            continue
        for n, value in zip(names, record, strict=True):
            if n in cols:
                cols[n].append(value)
        lines.append(first)
        raw[first] = joined
    table = pa.table({n: pa.array(v, pa.string()) for n, v in cols.items()})
    batch = _validate(table, pa.array(lines, pa.int64()), imported_at, lambda i: raw[lines[i]])
    batch.rejected = sorted(rejected + batch.rejected, key=lambda r: r.line)
    batch.lines = n_records
    return batch


def _join(record: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(record)
    return out.getvalue()


def _safe(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def _iter_jsonl(stream: IO[bytes], imported_at: datetime, chunk_bytes: int) -> Iterator[Batch]:
    line_no = 0
    schema = pa.schema([(c, pa.string()) for c in COLUMNS])
    for chunk in _read_chunks(stream, chunk_bytes, quote_aware=False):
        if line_no == 0 and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        n_lines = chunk.count(b"\n")
        table: pa.Table | None
        try:
            table = pajson.read_json(
                io.BytesIO(chunk),
                read_options=pajson.ReadOptions(use_threads=False, block_size=1 << 24),
                parse_options=pajson.ParseOptions(
                    explicit_schema=schema, unexpected_field_behavior="ignore"
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError):
            table = None
        if table is not None and table.num_rows == n_lines:
            table = pa.table({c: pc.fill_null(table[c], "") for c in COLUMNS})
            lines = pa.array(range(line_no + 1, line_no + 1 + n_lines), pa.int64())
            batch = _validate(table, lines, imported_at, _LineText(chunk))
        else:
            batch = _jsonl_slow(chunk, line_no, imported_at)
        batch.nbytes = len(chunk)
        line_no += n_lines
        yield batch


def _jsonl_slow(chunk: bytes, line_no: int, imported_at: datetime) -> Batch:
    cols: dict[str, list[str]] = {c: [] for c in COLUMNS}
    lines: list[int] = []
    raw: dict[int, str] = {}
    rejected: list[Rejected] = []
    n_records = 0
    for i, line_bytes in enumerate(chunk.split(b"\n")[:-1], start=line_no + 1):
        if not line_bytes.strip():
            continue
        n_records += 1
        try:
            text = line_bytes.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            rejected.append(Rejected(i, R_UTF8, line_bytes.decode("utf-8", "replace")))
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            rejected.append(Rejected(i, R_JSON, text))
            continue
        for c in COLUMNS:
            value = obj.get(c)
            cols[c].append("" if value is None else value if isinstance(value, str) else str(value))
        lines.append(i)
        raw[i] = text
    table = pa.table({n: pa.array(v, pa.string()) for n, v in cols.items()})
    batch = _validate(table, pa.array(lines, pa.int64()), imported_at, lambda k: raw[lines[k]])
    batch.rejected = sorted(rejected + batch.rejected, key=lambda r: r.line)
    batch.lines = n_records
    return batch


# ---------------------------------------------------------------------- validation


def _col(table: pa.Table, name: str) -> pa.Array:
    if name in table.column_names:
        return table[name].combine_chunks()
    return pa.array([""] * table.num_rows, pa.string())


def _s10_ok(waybill: pa.Array, is_s10: pa.Array) -> pa.Array:
    safe = pc.if_else(is_s10, waybill, "XX000000005XX")
    total: Any = None
    for i, weight in enumerate(S10_WEIGHTS):
        digit = pc.cast(pc.utf8_slice_codeunits(safe, 2 + i, 3 + i), pa.int32())
        term = pc.multiply(digit, weight)
        total = term if total is None else pc.add(total, term)
    check = pc.subtract(11, pc.subtract(total, pc.multiply(pc.divide(total, 11), 11)))
    check = pc.if_else(pc.equal(check, 10), 0, pc.if_else(pc.equal(check, 11), 5, check))
    given = pc.cast(pc.utf8_slice_codeunits(safe, 10, 11), pa.int32())
    return pc.equal(check, given)


def parse_times(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """ISO 8601 strings -> (UTC timestamps, ok mask). Without an offset a time is
    Asia/Shanghai local. Values that do not parse get null and ok=False."""
    text = pc.utf8_trim_whitespace(values)
    shape = pc.match_substring_regex(text, _ISO_RE)
    has_offset = pc.and_(shape, pc.match_substring_regex(text, _OFFSET_RE))
    text = pc.replace_substring(text, ",", ".")
    try:
        aware = pc.cast(pc.if_else(has_offset, text, "2000-01-01T00:00:00Z"), TS)
        naive_in = pc.if_else(pc.and_(shape, pc.invert(has_offset)), text, "2000-01-01T00:00:00")
        naive = pc.assume_timezone(
            pc.cast(naive_in, pa.timestamp("us")),
            LOCAL_TZ,
            ambiguous="earliest",
            nonexistent="earliest",
        )
    except pa.ArrowInvalid:
        return _parse_times_slow(text, shape)
    result = pc.if_else(has_offset, aware, pc.cast(naive, TS))
    result = pc.if_else(shape, result, pa.scalar(None, TS))
    return result, shape


def _parse_times_slow(text: pa.Array, shape: pa.Array) -> tuple[pa.Array, pa.Array]:
    local = ZoneInfo(LOCAL_TZ)
    out: list[datetime | None] = []
    for value, ok in zip(text.to_pylist(), shape.to_pylist(), strict=True):
        parsed: datetime | None = None
        if ok:
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=local)
        out.append(parsed.astimezone(UTC) if parsed is not None else None)
    arr = pa.array(out, TS)
    return arr, pc.is_valid(arr)


def _validate(
    table: pa.Table,
    lines: pa.Array,
    imported_at: datetime,
    line_text: Callable[[int], str],
) -> Batch:
    n = table.num_rows
    if n == 0:
        return Batch(OUT_SCHEMA.empty_table(), [], 0)
    waybill = pc.utf8_upper(pc.utf8_trim_whitespace(_col(table, "waybill_no")))
    is_s10 = pc.match_substring_regex(waybill, S10_RE.pattern)
    is_other = pc.match_substring_regex(waybill, OTHER_RE.pattern)
    s10_ok = _s10_ok(waybill, is_s10)

    code_in = pc.utf8_trim_whitespace(_col(table, "event_code"))
    code_key = pc.replace_substring(
        pc.replace_substring(pc.utf8_upper(code_in), " ", "_"), "-", "_"
    )
    code = pc.take(_ALIAS_VALUES, pc.index_in(code_key, value_set=_ALIAS_KEYS))

    time_in = _col(table, "event_time")
    event_time, time_ok = parse_times(time_in)
    office = pc.utf8_trim_whitespace(_col(table, "office_code"))

    recorded_in = pc.utf8_trim_whitespace(_col(table, "recorded_at"))
    recorded_empty = pc.equal(recorded_in, "")
    recorded, recorded_ok = parse_times(recorded_in)
    recorded = pc.if_else(recorded_empty, pa.scalar(imported_at, TS), recorded)
    recorded_ok = pc.or_(recorded_empty, recorded_ok)

    texts = {c: pc.utf8_trim_whitespace(_col(table, c)) for c in TEXT_COLUMNS}
    too_long: Any = pc.greater(pc.utf8_length(office), MAX_LEN["office_code"])
    for c, arr in texts.items():
        too_long = pc.or_(too_long, pc.greater(pc.utf8_length(arr), MAX_LEN[c]))

    checks: list[tuple[Any, str]] = [
        (pc.equal(waybill, ""), R_MISSING_WAYBILL),
        (pc.and_(is_s10, pc.invert(s10_ok)), R_CHECK_DIGIT),
        (pc.invert(pc.or_(is_s10, is_other)), R_BAD_WAYBILL),
        (pc.equal(code_in, ""), R_MISSING_CODE),
        (pc.is_null(code), R_UNKNOWN_CODE),
        (pc.equal(pc.utf8_trim_whitespace(time_in), ""), R_MISSING_TIME),
        (pc.invert(time_ok), R_BAD_TIME),
        (pc.equal(office, ""), R_MISSING_OFFICE),
        (pc.invert(recorded_ok), R_BAD_RECORDED),
        (too_long, R_TOO_LONG),
    ]
    reason: Any = pa.nulls(n, pa.string())
    for mask, text in reversed(checks):
        reason = pc.if_else(pc.fill_null(mask, True), text, reason)
    good = pc.is_null(reason)
    out = pa.table(
        {
            "waybill_no": waybill,
            "event_code": code,
            "event_time": event_time,
            "office_code": office,
            "office_name": texts["office_name"],
            "recorded_at": recorded,
            "operator": texts["operator"],
            "reason": texts["reason"],
            "signer": texts["signer"],
            "description": texts["description"],
            "line": lines,
        },
        schema=OUT_SCHEMA,
    )
    n_bad = n - pc.sum(good).as_py() if n else 0
    rejected: list[Rejected] = []
    if n_bad:
        bad_idx = pc.indices_nonzero(pc.invert(good)).to_pylist()
        reasons = pc.take(reason, pa.array(bad_idx)).to_pylist()
        line_nos = pc.take(lines, pa.array(bad_idx)).to_pylist()
        rejected = [
            Rejected(ln, r, line_text(i))
            for i, r, ln in zip(bad_idx, reasons, line_nos, strict=True)
        ]
        out = out.filter(good)
    return Batch(out, rejected, n)


def sniff_format(name: str) -> Format:
    lowered = name.lower()
    return "jsonl" if lowered.endswith((".jsonl", ".ndjson", ".json")) else "csv"
