"""The loop <-> MPC worker channel in shared memory: states one way, plans the other."""
import numpy as np
import pytest

from humanoid_control.errors import HumanoidControlError
from humanoid_control.loop.plan_channel import PLAN_CAPACITY, PlanChannel


@pytest.fixture
def ends():
    loop = PlanChannel.create()
    worker = PlanChannel.attach(loop.spec())
    yield loop, worker
    worker.close()
    loop.close()


def test_a_state_arrives_whole_with_its_stamp_and_the_live_command(ends):
    loop, worker = ends
    assert worker.wait_state(0.01) is None  # nothing sent yet: the wait times out
    q, v = np.arange(28.0), -np.arange(27.0)
    loop.send_state(123_000_000, q, v, ((0.3, -0.1, 0.2), 99))
    ns, q2, v2, twist, flags = worker.wait_state(1.0)
    assert ns == 123_000_000 and twist == ((0.3, -0.1, 0.2), 99) and flags is None
    np.testing.assert_array_equal(q2, q)
    np.testing.assert_array_equal(v2, v)
    q[:] = 7.0  # the worker holds copies
    assert q2[0] == 0.0
    loop.send_state(124_000_000, q, v)
    assert worker.wait_state(1.0)[3] is None  # no new command with this state


def test_the_controller_s_flags_ride_with_the_state(ends):
    loop, worker = ends
    loop.send_state(5, np.zeros(3), np.zeros(3), flags=0b101)  # held, the second foot down
    assert worker.wait_state(1.0)[4] == 0b101
    loop.send_state(6, np.zeros(3), np.zeros(3), flags=0)
    assert worker.wait_state(1.0)[4] == 0


def test_a_plan_is_seen_by_its_sequence_number_and_taken_once(ends):
    loop, worker = ends
    assert not loop.plan_arrived()
    worker.put_plan(b"first plan", notify=False)
    assert loop.plan_arrived() and loop.take_plan() == b"first plan"
    assert not loop.plan_arrived()
    assert not loop.wait_plan(0.01)  # lockstep waits only for plans posted with notify
    worker.put_plan(b"second", notify=True)
    assert loop.wait_plan(1.0) and loop.take_plan() == b"second"


def test_the_worker_is_told_to_stop_and_an_oversized_plan_is_refused(ends):
    loop, worker = ends
    with pytest.raises(HumanoidControlError, match="does not fit"):
        worker.put_plan(bytes(PLAN_CAPACITY + 1), notify=False)
    with pytest.raises(HumanoidControlError, match="does not fit"):
        loop.send_state(0, np.zeros(2000), np.zeros(10))
    loop.request_stop()
    assert worker.wait_state(1.0) == "stop"
