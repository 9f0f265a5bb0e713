"""Early and late touch-down adjust the plan's tick to the measured foot forces
(humanoid_control/wbc/touchdown.py), without a simulator."""
from types import SimpleNamespace

import numpy as np
import pytest

from humanoid_control.errors import ParameterRangeError
from humanoid_control.planning.swing_trajectory import SwingTrajectory
from humanoid_control.wbc.reference import SwingReference, WbcReference
from humanoid_control.wbc.touchdown import TouchdownMonitor, TouchdownParams

WEIGHT = 400.0  # [N]: the threshold is 10 % of it, 40 N


class _Swing(SwingTrajectory):
    def yaw_at(self, t):
        return 0.0


def _plan():
    # the left foot swings from 1.0 s to 1.32 s, 0.24 m forward
    return SimpleNamespace(swings={"left": _Swing([0.0, 0.1, 0.0], [0.24, 0.1, 0.0], 1.0, 0.32, 0.06)})


def _tick(plan, t):
    """What LocomotionPlan.reference_at gives: the left foot swings inside its window."""
    swinging = plan.swings["left"].t_start <= t < plan.swings["left"].t_end
    swing = {}
    if swinging:
        st = plan.swings["left"].evaluate(t)
        swing["left"] = SwingReference(st.position, 0.0, st.velocity, st.acceleration)
    wrenches = {"right": np.array([0, 0, 400.0, 0, 0, 0])} if swinging else \
        {f: np.array([0, 0, 200.0, 0, 0, 0]) for f in ("left", "right")}
    return WbcReference({"left": not swinging, "right": True}, np.zeros(3), np.zeros(3), np.zeros(3), wrenches, swing)


def test_a_descending_swing_foot_that_is_loaded_takes_its_contact_before_the_planned_time():
    plan, mon = _plan(), TouchdownMonitor(("left", "right"), WEIGHT, TouchdownParams(early=True))
    ref = _tick(plan, 1.28)  # coming down, over its landing spot
    out = mon.adjust(plan, 1.28, ref, {"left": 60.0, "right": 300.0})
    assert out.contacts == {"left": True, "right": True} and "left" not in out.swing
    np.testing.assert_array_equal(out.wrenches["left"], 0.0)  # the plan asked nothing of it: no pull
    assert mon.early == 1
    # latched: an unloading bounce does not send it back into the air until the plan agrees
    assert mon.adjust(plan, 1.29, _tick(plan, 1.29), {"left": 5.0, "right": 300.0}).contacts["left"] is True
    assert mon.early == 1


@pytest.mark.parametrize("t", [1.05, 1.2])  # lifting off (a scuff), still travelling (landing short)
def test_a_foot_loaded_before_it_is_over_its_landing_spot_keeps_swinging(t):
    plan, mon = _plan(), TouchdownMonitor(("left", "right"), WEIGHT, TouchdownParams(early=True))
    ref = _tick(plan, t)
    assert mon.adjust(plan, t, ref, {"left": 80.0, "right": 300.0}) is ref and mon.early == 0


def test_a_landing_that_finds_no_ground_keeps_reaching_down_then_takes_the_contact_anyway():
    plan, mon = _plan(), TouchdownMonitor(("left", "right"), WEIGHT, TouchdownParams(early=True, max_late_s=0.06))
    mon.adjust(plan, 1.2, _tick(plan, 1.2), {"left": 0.0, "right": 400.0})  # swinging
    late = mon.adjust(plan, 1.34, _tick(plan, 1.34), {"left": 0.0, "right": 400.0})  # 20 ms after the planned time
    assert late.contacts == {"left": False, "right": True} and mon.late == 1
    assert late.swing["left"].position[2] == pytest.approx(-0.002)  # the late descent: 0.1 m/s for 20 ms
    assert late.swing["left"].velocity[2] < 0.0 and "left" not in late.wrenches
    found = mon.adjust(plan, 1.35, _tick(plan, 1.35), {"left": 50.0, "right": 350.0})
    assert found.contacts["left"] is True  # the ground, found: the plan's contact from here on
    assert mon.adjust(plan, 1.36, _tick(plan, 1.36), {"left": 0.0, "right": 400.0}).contacts["left"] is True
    mon2 = TouchdownMonitor(("left", "right"), WEIGHT, TouchdownParams(early=True, max_late_s=0.06))
    mon2.adjust(plan, 1.2, _tick(plan, 1.2), {"left": 0.0, "right": 400.0})
    assert mon2.adjust(plan, 1.33, _tick(plan, 1.33), {"left": 0.0, "right": 400.0}).contacts["left"] is False
    assert mon2.adjust(plan, 1.39, _tick(plan, 1.39), {"left": 0.0, "right": 400.0}).contacts["left"] is True  # timed out


def test_a_late_foot_never_leaves_the_robot_without_a_contact():
    plan, mon = _plan(), TouchdownMonitor(("left", "right"), WEIGHT, TouchdownParams(early=True, max_late_s=0.06))
    mon.adjust(plan, 1.2, _tick(plan, 1.2), {"left": 0.0, "right": 400.0})
    ref = _tick(plan, 1.34)
    ref.contacts["right"] = False  # the other foot lifts off already
    out = mon.adjust(plan, 1.34, ref, {"left": 0.0, "right": 0.0})
    assert out.contacts["left"] is True


def test_without_force_sensing_or_a_plan_nothing_changes():
    plan, mon = _plan(), TouchdownMonitor(("left", "right"), WEIGHT, TouchdownParams(early=True))
    ref = _tick(plan, 1.28)
    assert mon.adjust(plan, 1.28, ref, None) is ref and mon.adjust(plan, 1.28, None, {"left": 90.0}) is None


@pytest.mark.parametrize("field, value", [("load_fraction", 0.0), ("max_late_s", 0.5)])
def test_touchdown_parameters_outside_their_bounds_are_refused_by_name(field, value):
    with pytest.raises(ParameterRangeError, match=field):
        TouchdownParams(**{field: value}).validate()


def test_the_shipped_defaults_take_early_touch_downs_and_hold_no_landing_late():
    # late touch-down is off until the gait waits for the late foot (params: max_late_touchdown_s)
    plan, mon = _plan(), TouchdownMonitor(("left", "right"), WEIGHT)
    assert mon.adjust(plan, 1.28, _tick(plan, 1.28), {"left": 90.0, "right": 300.0}).contacts["left"] is True
    ref = _tick(plan, 1.34)
    assert mon.adjust(plan, 1.34, ref, {"left": 0.0, "right": 400.0}) is ref


def test_while_stepping_the_qp_keeps_the_centre_of_pressure_on_a_smaller_part_of_the_sole():
    from humanoid_control.robot.config import FootConfig
    from humanoid_control.wbc.constraints.contact_wrench_cone import ContactWrenchCone
    foot = FootConfig(frame="sole", length=0.2, width=0.1)
    cone = ContactWrenchCone({"left": foot}, mu=0.6, cop_margin=0.85, cop_margin_walking=0.6)
    w = np.array([0.0, 0.0, 100.0, 0.0, -7.0, 0.0])  # [N, N·m]: CoP 7 cm ahead of the sole centre (x = −τy/fz)
    assert np.all(cone.U["left"][:-1] @ w <= 1e-12)  # standing: inside 0.85 × 10 cm
    assert np.any(cone.U_walking["left"][:-1] @ w > 0.0)  # stepping: beyond 0.6 × 10 cm
