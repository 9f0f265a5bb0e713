"""Placing the real-time loop's thread on a CPU of its own."""
import os

import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.loop.cpu_placement import LOOP_CPU_ENV, LoopPlacement, loop_cpu_plan

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
