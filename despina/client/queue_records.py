"""The byte format of a disk queue's segment files: packing records, and reading them back.

The folder a segment lives in, and who writes it, are described in despina.client.disk_queue.

Segments
--------
Operations sit in segment files named ``ops-<first_seq:012d>.bin`` after the sequence number
of their first record. A segment holds records back to back, with nothing before, between or
after them; its first record starts at the seq in its name, and each later one at the seq the
one before it ended at.

Records, format version 1
-------------------------
A record holds the operations ``first_seq .. first_seq + count - 1``. It is a 30-byte
little-endian header followed by its payload::

    magic     2 bytes   b"DQ"
    length    u32       payload length in bytes
    crc32     u32       zlib.crc32 of header bytes 10..30 (first_seq, count, time) + payload
    first_seq u64
    count     u32       number of operations in the payload
    time      f64       the writer's clock when the record was made (seconds since the epoch)
    payload   length    despina.operations.encode_operations(operations)

Torn tails and damage
---------------------
Records are read in order and checked (magic, length, CRC, seq); reading ends at the first bad
one. A bad record that runs to the end of its file (a short header, a short payload, or a bad
CRC on the file's last record) is a torn tail: what kill -9 or a power cut leaves behind
mid-write. At the end of the last segment, readers stop there and a writer reopening the queue
truncates it before appending. Anything else (a torn tail in an earlier segment, a bad magic, a
seq out of order) is damage: reading raises QueueError naming the file and offset.
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from despina.errors import QueueError
from despina.operations import Operation, decode_operations, encode_operations

MAGIC = b"DQ"
HEADER = struct.Struct("<2sIIQId")  # magic, length, crc32, first_seq, count, time
HEADER_SIZE = HEADER.size  # 30
_CRC_FROM = 10  # the CRC covers the header from first_seq on, then the payload
_MAX_PAYLOAD = 0xFFFFFFFF
_SEGMENT_PREFIX = "ops-"
_SEGMENT_SUFFIX = ".bin"


@dataclass(slots=True)
class Record:
    """Operations ``first_seq .. first_seq + len(operations) - 1`` written at ``time``."""

    first_seq: int
    time: float
    operations: list[Operation]

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self.operations) - 1


@dataclass(slots=True)
class Segment:
    first_seq: int
    path: Path


@dataclass(slots=True)
class Tail:
    """Where the last segment's valid records end."""

    next_seq: int
    valid_end: int
    file_size: int
    problem: str = ""
    at_tail: bool = True  # False: damage before the end, which nothing may cut away


# ---------------------------------------------------------------------------------------------
# Writing.


def pack_record(
    first_seq: int, time: float, operations: list[Operation], payload: bytes | None = None
) -> bytes:
    """The bytes of one record (header and payload) holding ``operations`` from ``first_seq``;
    ``payload``: their ``encode_operations`` already made."""
    if payload is None:
        payload = encode_operations(operations)
    if len(payload) > _MAX_PAYLOAD:
        raise QueueError(
            f"a record of {len(payload)} bytes is too large for the disk queue (4 GiB at "
            "most); log fewer points per call"
        )
    fixed = struct.pack("<QId", first_seq, len(operations), time)
    crc = zlib.crc32(payload, zlib.crc32(fixed))
    return MAGIC + struct.pack("<II", len(payload), crc) + fixed + payload


def segment_name(first_seq: int) -> str:
    return f"{_SEGMENT_PREFIX}{first_seq:012d}{_SEGMENT_SUFFIX}"


# ---------------------------------------------------------------------------------------------
# Reading.


def list_segments(folder: Path) -> list[Segment]:
    """The segment files in ``folder``, in seq order."""
    out = []
    for name in os.listdir(folder):
        if name.startswith(_SEGMENT_PREFIX) and name.endswith(_SEGMENT_SUFFIX):
            digits = name[len(_SEGMENT_PREFIX) : -len(_SEGMENT_SUFFIX)]
            if digits.isdigit():
                out.append(Segment(int(digits), folder / name))
    out.sort(key=lambda s: s.first_seq)
    return out


def first_unacked_segment(segments: list[Segment], acked: int) -> int:
    """Index of the first segment that may hold a seq above ``acked``."""
    i = 0
    while i + 1 < len(segments) and segments[i + 1].first_seq <= acked + 1:
        i += 1
    return i


def read_segment(seg: Segment, acked: int, *, tolerate_tail: bool) -> Iterator[Record]:
    """The records of ``seg`` holding a seq above ``acked`` (whole: trimming is the caller's).

    A torn tail ends the records quietly if ``tolerate_tail``; other damage raises QueueError.
    """
    try:
        buf, size = _map(seg.path)
    except FileNotFoundError:
        return  # acknowledged and deleted while we read
    try:
        try:
            for _off, first_seq, count, t, start, end in _records(
                buf, size, seg.first_seq, check_crc=True
            ):
                if first_seq + count - 1 <= acked:
                    continue
                yield Record(first_seq, t, decode_operations(buf[start:end]))
        except _Damaged as d:
            if not (tolerate_tail and d.at_tail):
                raise QueueError(
                    f"the disk queue file {seg.path} is damaged at offset {d.offset}: {d.why}. "
                    "The records before it can be read; move the file away to read the records "
                    "of later files."
                ) from None
    finally:
        if isinstance(buf, mmap.mmap):
            buf.close()


def scan_tail(folder: Path, acked: int) -> Tail:
    """Find where the last segment's valid records end, and so the next seq."""
    segments = list_segments(folder)
    if not segments:
        return Tail(acked + 1, 0, 0)
    last = segments[-1]
    buf, size = _map(last.path)
    next_seq = last.first_seq
    valid_end = 0
    problem = ""
    try:
        for _off, first_seq, count, _t, _s, end in _records(
            buf, size, last.first_seq, check_crc=True
        ):
            next_seq = first_seq + count
            valid_end = end
    except _Damaged as d:
        problem = f"{last.path} is damaged at offset {d.offset}: {d.why}"
        at_tail = d.at_tail
    else:
        at_tail = True
    finally:
        if isinstance(buf, mmap.mmap):
            buf.close()
    return Tail(max(next_seq, acked + 1), valid_end, size, problem, at_tail)


class _Damaged(Exception):
    def __init__(self, offset: int, why: str, at_tail: bool):
        super().__init__(why)
        self.offset = offset
        self.why = why
        self.at_tail = at_tail


def _records(buf, size: int, expect_seq: int | None, *, check_crc: bool):
    """Yield (offset, first_seq, count, time, payload_start, payload_end) per record of
    ``buf``; raise _Damaged at the first bad record, saying whether it ends the file."""
    off = 0
    unpack = HEADER.unpack_from
    while off < size:
        if size - off < HEADER_SIZE:
            raise _Damaged(off, "short record header", True)
        magic, length, crc, first_seq, count, t = unpack(buf, off)
        if magic != MAGIC:
            raise _Damaged(off, "bad record magic", False)
        end = off + HEADER_SIZE + length
        if end > size:
            raise _Damaged(off, "short record payload", True)
        if check_crc:
            actual = zlib.crc32(
                buf[off + HEADER_SIZE : end], zlib.crc32(buf[off + _CRC_FROM : off + HEADER_SIZE])
            )
            if actual != crc:
                raise _Damaged(off, "bad record checksum", end == size)
        if expect_seq is not None and first_seq != expect_seq:
            raise _Damaged(off, f"record starts at seq {first_seq}, expected {expect_seq}", False)
        yield off, first_seq, count, t, off + HEADER_SIZE, end
        expect_seq = first_seq + count
        off = end


def _map(path: Path):
    """(mmap or b"", size) of a segment file; mmap cannot map an empty file."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return b"", 0
        return mmap.mmap(f.fileno(), size, access=mmap.ACCESS_READ), size
