"""The shared-memory tick ring between the loop and the mirror process."""
import multiprocessing as mp
from contextlib import contextmanager

import numpy as np

from humanoid_control.loop.mirror import ring_layout
from humanoid_control.loop.tick_ring import RingLayout, TickRing


@contextmanager
def _pair(layout):
    """A writer's ring and a reader attached to it, both closed afterwards."""
    w = TickRing(layout)
    r = TickRing(layout, w.name, create=False)
    try:
        yield w, r
    finally:
        r.close()
        w.close()


def _write(ring, k):
    stamps, rec = ring.slot()
    stamps[:] = (k, k + 1)
    rec[:] = k
    ring.commit()


def test_the_reader_gets_every_record_in_order_and_the_live_flags_cross_over():
    layout = RingLayout((("a", 3), ("b", 2)), ("x", "y"), 2, 8)
    with _pair(layout) as (w, r):
        assert not w.any_live()
        r.set_live("y", True)
        assert w.any_live() and w.is_live("y") and not w.is_live("x")
        for k in range(5):
            _write(w, k)
        stamps, records = r.take()
        assert stamps[:, 0].tolist() == [0, 1, 2, 3, 4] and records[:, 0].tolist() == [0, 1, 2, 3, 4]
        assert r.take()[1].shape == (0, 5) and r.dropped == 0
        np.testing.assert_array_equal(records[2][w.field["b"]], [2.0, 2.0])


def test_a_reader_that_fell_behind_gets_the_newest_records_and_counts_the_lost_ones():
    layout = RingLayout((("a", 1),), ("x",), 2, 8)
    with _pair(layout) as (w, r):
        for k in range(20):
            _write(w, k)
        stamps, _ = r.take()
        assert stamps[:, 0].tolist() == list(range(13, 20))  # capacity 8, the slot being reused left out
        assert r.dropped == 13
        for k in range(20, 23):
            _write(w, k)
        stamps, _ = r.take(max_records=2)
        assert stamps[:, 0].tolist() == [21, 22] and r.dropped == 14


def _child_reads(name, layout, out):
    ring = TickRing(layout, name, create=False)
    ring.set_live("js", True)
    while ring.header[0] < 100:
        pass
    stamps, records = ring.take()
    out.send((stamps[:, 0].tolist(), records[:, 0].tolist(), ring.dropped))
    ring.close()


def test_another_process_reads_the_loop_layout_through_shared_memory():
    layout = ring_layout(nj=21, sides=("left", "right"), capacity=256)
    w = TickRing(layout)
    ctx = mp.get_context("spawn")
    a, b = ctx.Pipe()
    p = ctx.Process(target=_child_reads, args=(w.name, layout, b))
    p.start()
    try:
        while not w.any_live():
            pass
        for k in range(100):
            _write(w, k)
        stamps, firsts, dropped = a.recv()
        assert stamps == list(range(100)) and firsts == [float(k) for k in range(100)] and dropped == 0
    finally:
        p.join(timeout=10)
        w.close()


def test_a_reader_that_publishes_everything_takes_the_oldest_first_and_catches_up():
    layout = RingLayout((("a", 1),), ("x",), 2, 8)
    with _pair(layout) as (w, r):
        for k in range(6):
            _write(w, k)
        assert r.take_oldest(4)[0][:, 0].tolist() == [0, 1, 2, 3]
        assert r.take_oldest(4)[0][:, 0].tolist() == [4, 5] and r.dropped == 0
        for k in range(6, 20):  # the writer laps the reader: the overwritten records are lost, counted
            _write(w, k)
        assert r.take_oldest(100)[0][:, 0].tolist() == list(range(13, 20)) and r.dropped == 7
