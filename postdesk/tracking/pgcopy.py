"""PostgreSQL binary COPY payloads built column-at-a-time from Arrow tables.

Pure module (Arrow only). Writing rows one by one from Python, or CSV through
``pyarrow.csv.write_csv``, costs more than the database's own work; here every field
of every row is assembled with vectorised kernels: lengths and integers are turned
big-endian by a byte ``take``, and ``binary_join_element_wise`` glues the fields of
each row together, so the payload is the values buffer of one binary array.

Supported column types: string (→ text/varchar), timestamp[us, UTC] (→ timestamptz),
int64 (→ bigint), int32 (→ integer), bool (→ boolean), date32 (→ date). No nulls
except where noted (``None`` scalars are not needed by the tracking tables).
"""

from __future__ import annotations

import struct
from functools import lru_cache
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

HEADER: Final = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER: Final = struct.pack("!h", -1)
_PG_EPOCH_US: Final = 946_684_800_000_000  # 2000-01-01T00:00:00Z in Unix microseconds
_PG_EPOCH_DAYS: Final = 10_957


_SWAP: dict[int, pa.Array] = {}


@lru_cache(maxsize=4)
def _swap_pattern(rows: int, width: int) -> pa.Array:
    pos = pa.array(range(rows * width), pa.int32())
    base = pc.multiply(pc.divide(pos, width), width)
    return pc.add(base, pc.subtract(width - 1, pc.subtract(pos, base)))


def _swap_index(n: int, width: int) -> pa.Array:
    """Indices that reverse every ``width`` bytes of ``n`` values (cached, grown by
    doubling, sliced)."""
    have = _SWAP.get(width)
    if have is None or len(have) < n * width:
        rows = 1 << max(16, (n - 1).bit_length())
        have = _SWAP[width] = _swap_pattern(rows, width)
    return have.slice(0, n * width)


def _big_endian(arr: pa.Array, width: int) -> pa.Array:
    """A fixed-width integer array as binary values holding its big-endian bytes."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    n = len(arr)
    if n == 0:
        return pa.array([], pa.binary())
    u8 = pa.Array.from_buffers(
        pa.uint8(), n * width, [None, arr.buffers()[1]], offset=arr.offset * width
    )
    swapped = pc.take(u8, _swap_index(n, width))
    return pa.Array.from_buffers(pa.binary(width), n, [None, swapped.buffers()[1]]).cast(
        pa.binary()
    )


def _field(arr: Any) -> Any:
    """One column as length-prefixed binary field values."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_binary(t):
        raw = arr.cast(pa.binary())
        return pc.binary_join_element_wise(
            _big_endian(pc.binary_length(raw).cast(pa.int32()), 4), raw, b""
        )
    if pa.types.is_timestamp(t):
        micros = pc.subtract(arr.cast(pa.timestamp("us", tz=t.tz)).cast(pa.int64()), _PG_EPOCH_US)
        return pc.binary_join_element_wise(b"\x00\x00\x00\x08", _big_endian(micros, 8), b"")
    if pa.types.is_date32(t):
        days = pc.subtract(arr.cast(pa.int32()), _PG_EPOCH_DAYS)
        return pc.binary_join_element_wise(b"\x00\x00\x00\x04", _big_endian(days, 4), b"")
    if t == pa.int64():
        return pc.binary_join_element_wise(b"\x00\x00\x00\x08", _big_endian(arr, 8), b"")
    if t == pa.int32():
        return pc.binary_join_element_wise(b"\x00\x00\x00\x04", _big_endian(arr, 4), b"")
    if pa.types.is_boolean(t):
        return pc.if_else(arr, b"\x00\x00\x00\x01\x01", b"\x00\x00\x00\x01\x00")
    raise TypeError(f"no binary COPY encoding for {t}")


def copy_payload(table: pa.Table, *, header: bool = True, trailer: bool = True) -> bytes:
    """The binary COPY data for ``table``'s columns, in order."""
    if table.num_rows == 0:
        return (HEADER if header else b"") + (TRAILER if trailer else b"")
    fields = [_field(table.column(i)) for i in range(table.num_columns)]
    rows = pc.binary_join_element_wise(struct.pack("!h", table.num_columns), *fields, b"")
    rows = rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows
    offsets = rows.buffers()[1]
    first, last = (
        struct.unpack_from("<i", offsets, rows.offset * 4)[0],
        struct.unpack_from("<i", offsets, (rows.offset + len(rows)) * 4)[0],
    )
    body: bytes = rows.buffers()[2].to_pybytes()[first:last]
    return (HEADER if header else b"") + body + (TRAILER if trailer else b"")
