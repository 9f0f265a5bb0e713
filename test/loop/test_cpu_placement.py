"""Placing the real-time loop's thread on a CPU of its own."""
import os
import time

import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.loop.cpu_placement import LOOP_CPU_ENV, LOOP_WAIT_ENV, LoopPlacement, loop_cpu_plan, loop_wait_choice

CPUS = sorted(os.sched_getaffinity(0))


def test_auto_takes_the_last_cpu_and_leaves_the_others_to_the_helpers():
    plan = loop_cpu_plan({})
    if len(CPUS) < 2:
        assert plan is None  # nothing to separate on one CPU
    else:
        assert plan == (CPUS[-1], set(CPUS[:-1]))
    assert loop_cpu_plan({LOOP_CPU_ENV: "none"}) is None


def test_a_cpu_the_process_cannot_use_is_refused_naming_the_variable_and_the_cpus():
    with pytest.raises(ConfigError, match=LOOP_CPU_ENV) as err:
        loop_cpu_plan({LOOP_CPU_ENV: "4096"})
    assert str(CPUS[0]) in str(err.value)
    with pytest.raises(ConfigError, match="not auto, none"):
        loop_cpu_plan({LOOP_CPU_ENV: "fast"})


@pytest.mark.skipif(len(CPUS) < 2, reason="needs two CPUs")
def test_the_thread_is_pinned_for_the_run_and_released_after():
    before = os.sched_getaffinity(0)
    placement = LoopPlacement(loop_cpu_plan({LOOP_CPU_ENV: str(CPUS[0])}), helper_pids=[2 ** 22 + 7])
    try:
        assert placement.cpu == CPUS[0] and os.sched_getaffinity(0) == {CPUS[0]}
        assert any("not moved" in w for w in placement.warnings)  # a helper that does not exist: a warning
    finally:
        placement.release()
    assert os.sched_getaffinity(0) == before and placement.cpu == -1


@pytest.mark.skipif(len(CPUS) < 2, reason="needs two CPUs")
def test_the_process_s_other_threads_leave_the_loop_s_cpu_for_the_run_and_come_back_after():
    import threading

    stop = threading.Event()
    tid = []
    t = threading.Thread(target=lambda: (tid.append(threading.get_native_id()), stop.wait(10)))
    t.start()
    while not tid:
        pass
    before = os.sched_getaffinity(tid[0])
    placement = LoopPlacement(loop_cpu_plan({LOOP_CPU_ENV: str(CPUS[-1])}))
    try:
        assert os.sched_getaffinity(tid[0]) == set(CPUS[:-1])  # the other thread: off the loop's CPU
        assert os.sched_getaffinity(0) == {CPUS[-1]}
    finally:
        placement.release()
        stop.set()
        t.join()
    assert os.sched_getaffinity(0) == before


def test_the_wait_choice_is_read_from_the_environment_and_a_wrong_one_lists_the_choices():
    assert loop_wait_choice({}) == "auto"
    assert loop_wait_choice({LOOP_WAIT_ENV: " Sleep "}) == "sleep"
    with pytest.raises(ConfigError, match=LOOP_WAIT_ENV) as err:
        loop_wait_choice({LOOP_WAIT_ENV: "busy"})
    assert "auto, yield, sleep" in str(err.value)


@pytest.mark.parametrize("wait", ["yield", "sleep"])
def test_waiting_returns_at_the_deadline_not_before(wait):
    placement = LoopPlacement(None, wait=wait)
    assert placement.waiting == wait
    for delay_ns in (0, 300_000, 1_200_000):
        deadline = time.perf_counter_ns() + delay_ns
        placement.wait_until(deadline)
        assert time.perf_counter_ns() >= deadline


def test_auto_waiting_yields_only_when_the_loop_has_a_cpu_of_its_own():
    assert LoopPlacement(None, wait="auto").waiting == "sleep"
    if len(CPUS) >= 2:
        placement = LoopPlacement(loop_cpu_plan({}), wait="auto")
        try:
            assert placement.waiting == "yield"
        finally:
            placement.release()
