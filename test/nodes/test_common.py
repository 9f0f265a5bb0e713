"""The input plumbing every node shell shares (message objects, no running graph)."""
import numpy as np
import pytest
from sensor_msgs.msg import JointState

from humanoid_control.nodes.common import InputRejected, JointStateReader, RepeatedStamp, StampedInputs


def _js(names, pos, vel):
    m = JointState()
    m.name, m.position, m.velocity = list(names), list(pos), list(vel)
    return m


def test_joint_states_are_reordered_by_name():
    r = JointStateReader(["a", "b", "c"])
    q, dq = r.read(_js(["c", "a", "b"], [3.0, 1.0, 2.0], [30.0, 10.0, 20.0]))
    np.testing.assert_array_equal(q, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(dq, [10.0, 20.0, 30.0])


@pytest.mark.parametrize("msg, words", [
    (_js(["a", "x"], [0, 0], [0, 0]), "unknown joint in /joint_states 'b'"),
    (_js(["a", "b"], [0], [0, 0]), "length"),
    (_js(["a", "b"], [0, float("nan")], [0, 0]), "NaN"),
], ids=["missing joint", "short array", "nan"])
def test_bad_joint_states_are_rejected_with_the_reason(msg, words):
    with pytest.raises(InputRejected, match=words.split("'")[0]):
        JointStateReader(["a", "b"]).read(msg)


def test_inputs_pair_by_stamp_and_drop_older_samples():
    s = StampedInputs(("js", "imu"), stale_timeout_s=0.05)
    assert not s.put("js", 1_000_000, "js1")
    assert not s.put("js", 2_000_000, "js2")
    assert s.put("imu", 2_000_000, "imu2")
    assert s.take(2_000_000, now_ns=2_000_000) == {"js": "js2", "imu": "imu2"}
    assert all(not b for b in s.buffers.values())  # js1 was dropped with the pair


def test_an_out_of_order_or_stale_pair_is_refused():
    s = StampedInputs(("js",), stale_timeout_s=0.05)
    s.put("js", 5_000_000, 1)
    s.take(5_000_000, now_ns=5_000_000)
    s.put("js", 4_000_000, 2)
    with pytest.raises(InputRejected, match="older than the last"):
        s.take(4_000_000, now_ns=5_000_000)
    s.put("js", 6_000_000, 3)
    with pytest.raises(InputRejected, match="ms old"):
        s.take(6_000_000, now_ns=6_000_000 + 60_000_000)


def test_a_repeated_stamp_is_told_apart_from_a_stale_one():
    s = StampedInputs(("js",), stale_timeout_s=0.05)
    s.put("js", 0, 1)
    s.take(0, now_ns=0)
    s.put("js", 0, 1)  # the driver says its state again while it waits for a command
    with pytest.raises(RepeatedStamp):
        s.take(0, now_ns=0)


def test_gc_control_collects_cycles_from_its_timer_and_restores_the_automatic_collector(ctx):
    import gc
    import time
    import weakref

    from rclpy.executors import SingleThreadedExecutor
    from rclpy.node import Node

    from humanoid_control.nodes.common import GcControl

    node = Node("gc_probe", context=ctx)
    assert gc.isenabled()
    control = GcControl(period_s=0.02).start(node)
    try:
        assert not gc.isenabled() and gc.get_freeze_count() > 0

        class Cycle:
            pass
        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        probe = weakref.ref(a)
        del a, b  # only the collector can free a reference cycle
        ex = SingleThreadedExecutor(context=ctx)
        ex.add_node(node)
        t_end = time.monotonic() + 2.0
        while probe() is not None and time.monotonic() < t_end:
            ex.spin_once(timeout_sec=0.05)
        assert probe() is None, "the timer's collection freed the cycle"
        assert control.pauses.count >= 1
    finally:
        control.release()
        node.destroy_node()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_real_time_scheduling_is_off_unless_asked_and_bad_values_name_the_variable():
    import os

    from humanoid_control.errors import ConfigError
    from humanoid_control.nodes.common import apply_process_scheduling

    assert apply_process_scheduling({}) == []
    with pytest.raises(ConfigError, match="HUMANOID_CONTROL_CPU_AFFINITY"):
        apply_process_scheduling({"HUMANOID_CONTROL_CPU_AFFINITY": "zero,one"})
    with pytest.raises(ConfigError, match=r"HUMANOID_CONTROL_RT_PRIORITY.*\[1, 99\]"):
        apply_process_scheduling({"HUMANOID_CONTROL_RT_PRIORITY": "150"})
    before = os.sched_getaffinity(0)
    try:  # pinning to the CPUs we already have is always permitted
        assert apply_process_scheduling({"HUMANOID_CONTROL_CPU_AFFINITY": ",".join(map(str, sorted(before)))}) == []
        warnings = apply_process_scheduling({"HUMANOID_CONTROL_CPU_AFFINITY": "4095"})
        assert len(warnings) == 1 and "not applied" in warnings[0]  # a CPU that does not exist: warned, not fatal
    finally:
        os.sched_setaffinity(0, before)
    assert os.sched_getaffinity(0) == before


def test_a_node_process_whose_clean_up_hangs_exits_by_itself_with_its_code_and_says_why():
    import subprocess
    import sys
    import time as _time
    script = ("import time\n"
              "from humanoid_control.nodes.common import exit_if_cleanup_hangs\n"
              "exit_if_cleanup_hangs('stuck', 3, timeout_s=0.3)\n"
              "time.sleep(30)  # a DDS participant deletion that never returns\n")
    t0 = _time.monotonic()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20)
    assert out.returncode == 3 and _time.monotonic() - t0 < 15
    assert "stuck: clean-up still running after 0.3 s" in out.stderr
    done = ("from humanoid_control.nodes.common import exit_if_cleanup_hangs\n"
            "w = exit_if_cleanup_hangs('fine', 3, timeout_s=0.3)\n"
            "w.cancel()\n")
    out = subprocess.run([sys.executable, "-c", done], capture_output=True, text=True, timeout=20)
    assert out.returncode == 0 and out.stderr == ""
