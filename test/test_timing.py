"""Timing statistics: whole-run and recent figures."""
import numpy as np
import pytest

from humanoid_control.timing import NodeStats, TimingStats, linear_percentiles


def test_recent_figures_cover_only_the_last_seconds_and_whole_run_figures_everything():
    st = TimingStats(0.001, capacity=5000)  # 1 kHz
    for _ in range(3000):
        st.add(100.0)
    for _ in range(1000):
        st.add(400.0)  # the last second is slower
    assert st.percentiles()[0] == pytest.approx(100.0)
    assert st.percentiles(recent_s=1.0) == (400.0, 400.0, 400.0)
    assert st.percentiles(recent_s=2.0)[0] == pytest.approx(250.0)  # half and half
    assert st.percentiles(recent_s=100.0) == st.percentiles()  # more than kept: everything


def test_recent_figures_are_right_across_the_ring_buffers_wrap():
    st = TimingStats(0.001, capacity=1000)
    values = np.arange(2500.0)
    for v in values:
        st.add(v)  # the ring wrapped twice; the newest sample sits at index 499
    p50, p99, pmax = st.percentiles(recent_s=0.8)  # the last 800 samples: 1700 .. 2499
    assert pmax == 2499.0
    assert p50 == pytest.approx(np.percentile(values[-800:], 50))
    assert p99 == pytest.approx(np.percentile(values[-800:], 99))


def test_node_stats_take_recent_timing_but_whole_run_counts():
    st = TimingStats(0.001)
    for k in range(2000):
        st.add(2000.0 if k < 1000 else 10.0)
    ns = NodeStats.of("x", st, recent_s=0.5)
    assert ns.compute_p99_us == 10.0 and ns.ticks == 2000 and ns.overruns == 1000


@pytest.mark.parametrize("n", [1, 2, 3, 10, 999, 1000, 12345])
def test_linear_percentiles_equal_numpy_s_default_percentiles(n):
    x = np.random.default_rng(n).exponential(100.0, n)
    assert np.allclose(linear_percentiles(x, (0.0, 50.0, 99.0, 100.0)), np.percentile(x, [0, 50, 99, 100]),
                       rtol=0, atol=1e-9)
    assert linear_percentiles(x, (99.0,))[0] <= x.max()


def test_cpu_shares_count_the_cores_a_busy_child_and_an_idle_one_keep_busy():
    import subprocess
    import sys
    import time

    from humanoid_control.timing import CpuShares, process_cpu_s

    busy = subprocess.Popen([sys.executable, "-c", "import time\nt = time.time()\nwhile time.time() - t < 5: pass"])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        time.sleep(0.3)  # past the interpreter's start-up
        shares = CpuShares({"busy": busy.pid, "idle": idle.pid, "gone": 2 ** 22 + 11, "me": None}).start()
        time.sleep(1.0)
        cores = shares.stop()
    finally:
        busy.kill()
        idle.kill()
    # the busy child's share is what the scheduler gives it: on 2 cores under a parallel suite and a
    # second job it got 0.47 (the test is that it counts as busy and the idle one does not)
    assert 0.25 < cores["busy"] <= 1.1 and cores["idle"] < 0.1 and cores["me"] < 0.5
    assert "gone" not in cores and process_cpu_s(2 ** 22 + 11) != process_cpu_s(2 ** 22 + 11)  # NaN
