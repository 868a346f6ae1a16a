"""The streaming parser: good lines, rejected lines with their line numbers and
reasons, CSV oddities (blank lines, quoted newlines, BOM, extra columns), JSON Lines,
and chunk boundaries. No database."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from postdesk.tracking import parsing as P
from postdesk.tracking.parsing import FileRejected, iter_batches

NOW = datetime(2024, 4, 1, 1, 2, 3, tzinfo=UTC)
H = (
    "waybill_no,event_time,event_code,office_code,office_name,recorded_at,"
    "operator,reason,signer,description\n"
)


def parse(text: str, fmt: P.Format = "csv", chunk: int = 8 << 20):
    rows, rejected, lines = [], [], 0
    for b in iter_batches(io.BytesIO(text.encode()), fmt=fmt, imported_at=NOW, chunk_bytes=chunk):
        rows += b.table.to_pylist()
        rejected += b.rejected
        lines += b.lines
    return rows, rejected, lines


GOOD = "EA473124829CN,2024-03-04T08:00:00,OUT_FOR_DELIVERY,325000,鹿城,,c1,,,\n"


def test_good_line_fields() -> None:
    rows, rejected, lines = parse(H + GOOD)
    assert (lines, rejected) == (1, [])
    r = rows[0]
    assert r["waybill_no"] == "EA473124829CN"
    assert r["event_time"] == datetime(2024, 3, 4, 0, 0, tzinfo=UTC)  # local 08:00
    assert r["recorded_at"] == NOW  # empty -> time of import
    assert r["line"] == 2


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("EA473124828CN,2024-03-04T08:00:00,DELIVERED,325000,,,,,,", P.R_CHECK_DIGIT),
        ("12345,2024-03-04T08:00:00,DELIVERED,325000,,,,,,", P.R_BAD_WAYBILL),
        (",2024-03-04T08:00:00,DELIVERED,325000,,,,,,", P.R_MISSING_WAYBILL),
        ("9700000000001,2024-03-04T08:00:00,TELEPORTED,325000,,,,,,", P.R_UNKNOWN_CODE),
        ("9700000000001,yesterday,DELIVERED,325000,,,,,,", P.R_BAD_TIME),
        ("9700000000001,2024-13-04T08:00:00,DELIVERED,325000,,,,,,", P.R_BAD_TIME),
        ("9700000000001,2024-03-04,DELIVERED,325000,,,,,,", P.R_BAD_TIME),
        ("9700000000001,2024-03-04T08:00:00,DELIVERED,,,,,,,", P.R_MISSING_OFFICE),
        ("9700000000001,2024-03-04T08:00:00,DELIVERED,325000,,not a time,,,,", P.R_BAD_RECORDED),
        ("9700000000001,2024-03-04T08:00:00,DELIVERED,325000", P.R_COLUMNS),
    ],
)
def test_bad_lines_rejected_with_line_number_and_reason(line: str, reason: str) -> None:
    rows, rejected, lines = parse(H + GOOD + line + "\n" + GOOD.replace("08:00", "09:00"))
    assert lines == 3 and len(rows) == 2
    assert [(r.line, r.reason) for r in rejected] == [(3, reason)]
    assert rejected[0].text == line


def test_offsets_and_fractions() -> None:
    text = H + "".join(
        f"9700000000001,{t},DELIVERED,325000,,,,,,\n"
        for t in [
            "2024-03-04T08:00:00+08:00",
            "2024-03-04T00:00:00Z",
            "2024-03-04 08:00",
            "2024-03-04T00:00:00.250+00:00",
        ]
    )
    rows, rejected, _ = parse(text)
    assert rejected == []
    base = datetime(2024, 3, 4, 0, 0, tzinfo=UTC)
    assert [r["event_time"] for r in rows] == [base, base, base, base.replace(microsecond=250000)]


def test_blank_lines_quoted_newlines_bom_and_extra_columns() -> None:
    text = (
        "\ufeffwaybill_no,event_code,event_time,office_code,extra,description\n"
        '9700000000001,妥投,2024-03-04T08:00:00,325000,x,"two\nlines"\n'
        "\n"
        "9700000000002,DELIVERED,2024-03-04T08:00:00,325000,y,plain\n"
        "bad,DELIVERED,2024-03-04T08:00:00,325000,z,\n"
    )
    rows, rejected, lines = parse(text)
    assert lines == 3
    assert [r["description"] for r in rows] == ["two\nlines", "plain"]
    assert rows[0]["event_code"] == "DELIVERED"
    assert [(r.line, r.reason) for r in rejected] == [(6, P.R_BAD_WAYBILL)]


def test_missing_required_column_rejects_file() -> None:
    with pytest.raises(FileRejected):
        parse("waybill_no,event_time,event_code\n")


def test_small_chunks_give_the_same_result() -> None:
    text = (
        H
        + "".join(
            f'97000000{i:05d},2024-03-04T08:{i % 60:02d}:00,DELIVERED,325000,"a,b",,,,,\n'
            for i in range(500)
        )
        + "bad,2024-03-04T08:00:00,DELIVERED,325000,,,,,,\n"
    )
    big = parse(text)
    small = parse(text, chunk=97)
    assert big[0] == small[0] and big[2] == small[2] == 501
    assert [r.line for r in small[1]] == [502]


def test_jsonl_with_bad_lines() -> None:
    good = {
        "waybill_no": "EA473124829CN",
        "event_time": "2024-03-04T08:00:00+08:00",
        "event_code": "妥投",
        "office_code": "325000",
        "signer": "本人",
    }
    text = (
        "\n".join(
            [
                json.dumps(good, ensure_ascii=False),
                "{not json",
                json.dumps({**good, "office_code": ""}),
                "",
                json.dumps({**good, "event_time": "2024-03-04T09:00:00+08:00"}),
            ]
        )
        + "\n"
    )
    rows, rejected, lines = parse(text, fmt="jsonl")
    assert lines == 4 and len(rows) == 2
    assert [(r.line, r.reason) for r in rejected] == [(2, P.R_JSON), (3, P.R_MISSING_OFFICE)]
    assert rows[0]["signer"] == "本人" and rows[0]["event_code"] == "DELIVERED"
