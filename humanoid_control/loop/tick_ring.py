"""A shared-memory ring of tick samples: the control loop writes one record per tick, the
topic mirror process reads them and publishes the standard messages (ROS-free here).

One writer, one reader. The writer fills record ``k`` (slot ``k % capacity``) and only then
advances ``count`` to ``k + 1``; the reader copies the records between its last position
and ``count``, and drops (and counts) any that the writer may have overwritten meanwhile.
Stamps are int64 (ns since the epoch do not fit a float64 exactly); the samples float64.

The reader also owns the ``live`` flags (one per stream: does anybody subscribe?), which
the writer reads to skip filling what nobody wants."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from multiprocessing import shared_memory

import numpy as np

#: int64 header words: [count, reader_alive]
HEADER = 2


@dataclass(frozen=True)
class RingLayout:
    """Named float64 fields of a record (name -> size), the stamps per record, the streams
    that have a live flag, and the ring's capacity [records]."""

    fields: tuple  # ((name, size), ...)
    streams: tuple  # stream names (one live flag each)
    stamps: int = 2  # int64 stamps per record
    capacity: int = 512

    @property
    def record_size(self) -> int:
        return sum(size for _, size in self.fields)

    def offsets(self) -> dict:
        out, k = {}, 0
        for name, size in self.fields:
            out[name] = slice(k, k + size)
            k += size
        return out

    def nbytes(self) -> int:
        return 8 * (HEADER + len(self.streams) + self.capacity * (self.stamps + self.record_size))


class TickRing:
    """The ring over one shared-memory block. ``create=True`` makes the block (the writer's
    side); the reader attaches by ``name``. :meth:`close` detaches, the creator unlinks."""

    def __init__(self, layout: RingLayout, name: str | None = None, create: bool = True):
        self.layout = layout
        if create:
            name = name or f"hc_ring_{secrets.token_hex(6)}"
            self.shm = shared_memory.SharedMemory(name=name, create=True, size=layout.nbytes())
        else:
            self.shm = shared_memory.SharedMemory(name=name)
        self.name = self.shm.name
        self.owner = create
        buf = self.shm.buf
        n_live = len(layout.streams)
        cap, ns, rs = layout.capacity, layout.stamps, layout.record_size
        self.header = np.ndarray((HEADER,), np.int64, buf, 0)
        self.live = np.ndarray((n_live,), np.int64, buf, 8 * HEADER)
        self.stamps = np.ndarray((cap, ns), np.int64, buf, 8 * (HEADER + n_live))
        self.records = np.ndarray((cap, rs), np.float64, buf, 8 * (HEADER + n_live + cap * ns))
        if create:
            self.header[:] = 0
            self.live[:] = 0
        self.field = layout.offsets()
        self.stream_index = {s: i for i, s in enumerate(layout.streams)}
        self.read_count = int(self.header[0]) if not create else 0
        self.dropped = 0

    # ------------------------------------------------------------------ writer
    def any_live(self) -> bool:
        return bool(self.live.any())

    def is_live(self, stream: str) -> bool:
        return bool(self.live[self.stream_index[stream]])

    def slot(self) -> tuple:
        """(stamps (stamps,), record (record_size,)) views of the next record to fill."""
        k = int(self.header[0]) % self.layout.capacity
        return self.stamps[k], self.records[k]

    def commit(self) -> None:
        """The slot is filled: make it visible to the reader."""
        self.header[0] += 1

    # ------------------------------------------------------------------ reader
    def set_live(self, stream: str, live: bool) -> None:
        self.live[self.stream_index[stream]] = 1 if live else 0

    def take(self, max_records: int | None = None) -> tuple:
        """(stamps (n, stamps), records (n, record_size)) copied: the records written since
        the last take, the oldest first (at most ``max_records``, the newest of them)."""
        cap = self.layout.capacity
        count = int(self.header[0])
        first = max(self.read_count, count - cap + 1)  # the slot being written next may be half-filled
        self.dropped += first - self.read_count
        if max_records is not None and count - first > max_records:
            self.dropped += count - max_records - first
            first = count - max_records
        idx = np.arange(first, count) % cap
        stamps, records = self.stamps[idx].copy(), self.records[idx].copy()
        after = int(self.header[0])
        overwritten = max(0, after - cap + 1 - first)  # slots the writer reused while we copied
        if overwritten:
            stamps, records = stamps[overwritten:], records[overwritten:]
            self.dropped += overwritten
        self.read_count = count
        return stamps, records

    def take_oldest(self, max_records: int) -> tuple:
        """Like :meth:`take`, but the oldest ``max_records`` unread records: the rest stay
        for the next call (a reader that publishes everything in order)."""
        cap = self.layout.capacity
        count = int(self.header[0])
        first = max(self.read_count, count - cap + 1)
        self.dropped += first - self.read_count
        last = min(count, first + max_records)
        idx = np.arange(first, last) % cap
        stamps, records = self.stamps[idx].copy(), self.records[idx].copy()
        overwritten = max(0, int(self.header[0]) - cap + 1 - first)
        if overwritten:
            stamps, records = stamps[overwritten:], records[overwritten:]
            self.dropped += min(overwritten, last - first)
        self.read_count = last
        return stamps, records

    def close(self) -> None:
        self.header = self.live = self.stamps = self.records = None
        self.shm.close()
        if self.owner:
            try:
                self.shm.unlink()
            except FileNotFoundError:
                pass
