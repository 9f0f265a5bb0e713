"""The control loop driven without ROS: lockstep standing, safety reactions, plan sources."""
import numpy as np
import pytest

from humanoid_control import params as P
from humanoid_control.loop.builder import build_loop
from humanoid_control.paths import share_dir
from humanoid_control.safety.supervisor import Mode
from humanoid_control.sim.push_trial import run_push_trial

CONFIG = share_dir() / "config"


def _params(robot="humanoid", walk=None, **driver):
    names = ("driver", "estimator", "wbc") + (("mpc",) if walk is not None else ())
    out = {n: P.node_params(CONFIG, n, {"robot": robot}) for n in names}
    out["driver"].update(driver)
    if walk is not None:
        out["mpc"]["cmd_vel_script"] = [walk]
    return out


def _run(loop, seconds: float) -> None:
    for _ in range(int(round(seconds / loop.driver.dt))):
        loop.tick()


def _tilt(loop) -> float:
    q = loop.driver.sim.ground_truth()["base_orientation_xyzw"]
    x, y = q[0], q[1]
    return float(np.arccos(np.clip(1 - 2 * (x * x + y * y), -1, 1)))


@pytest.fixture
def standing_loop():
    loop = build_loop(_params())
    yield loop
    loop.driver.shutdown()


def test_the_loop_stands_the_humanoid_for_two_seconds_in_lockstep_without_ros(standing_loop):
    loop = standing_loop
    h0 = loop.driver.sim.ground_truth()["base_position"][2]
    _run(loop, 2.0)
    gt = loop.driver.sim.ground_truth()
    assert loop.driver.tick_ns == 2_000_000_000
    assert gt["base_position"][2] > 0.97 * h0  # did not sag or fall
    assert _tilt(loop) < 0.02
    assert np.linalg.norm(gt["base_linear_velocity_world"]) < 0.02
    assert loop.driver.safety.mode is Mode.NORMAL and loop.driver.safety.events == []
    assert loop.driver.counters.commands_received == 2000  # one accepted command per tick
    est = loop.estimator.out.odom
    assert np.linalg.norm(est[0:3] - gt["base_position"]) < 0.02  # the estimate follows the truth


def test_the_loop_reports_every_part_as_typed_node_stats(standing_loop):
    _run(standing_loop, 0.05)
    stats = {s.name: s for s in standing_loop.node_stats()}
    assert set(stats) == {"driver", "estimator", "wbc", "control_loop"}
    assert stats["driver"].ticks == stats["estimator"].ticks == stats["wbc"].ticks == 50
    assert stats["driver"].safety_events == [] and stats["estimator"].safety_events is None
    assert stats["control_loop"].compute_p50_us > 0 and stats["wbc"].values["solver_failures"] == 0


def test_an_invalid_command_damps_the_robot_within_one_tick():
    loop = build_loop(_params(faults=["0.3:nan-command"]))
    try:
        _run(loop, 0.5)
        safety = loop.driver.safety
        assert safety.mode is Mode.DAMPING
        (event,) = safety.events
        assert event.reason == "invalid_command" and event.t == pytest.approx(0.3, abs=1.5e-3)
        cmd = loop.driver.hw.joint_command
        assert np.all(cmd["kp"] == 0.0) and np.all(cmd["effort"] == 0.0) and np.all(cmd["kd"] > 0.0)
    finally:
        loop.driver.shutdown()


def test_a_nan_state_from_the_hardware_sends_no_command_and_the_watchdog_holds_then_damps(standing_loop):
    loop = standing_loop
    _run(loop, 0.1)
    loop.driver.hw.sensor_state["imu"][4] = np.nan  # a broken gyro sample
    verdict = loop.compute()
    assert verdict == "" and loop.estimator.rejected == 1 and "NaN" in loop.estimator.last_rejection
    for _ in range(30):  # the gyro stays broken: no command reaches the driver
        loop.driver.hw.sensor_state["imu"][4] = np.nan
        loop.compute()
        loop.advance()
    safety = loop.driver.safety
    assert safety.mode is Mode.HOLD and (safety.events[0].reason, safety.events[0].action) == ("command_timeout", "hold")
    held = loop.driver.hw.joint_command["position"].copy()
    assert np.all(loop.driver.hw.joint_command["kp"] > 0)  # the posture held with joint PD, power kept
    for _ in range(int(loop.driver.cfg["hold_timeout_s"] / loop.driver.dt)):  # still no command: damping after the hold
        loop.driver.hw.sensor_state["imu"][4] = np.nan
        loop.compute()
        loop.advance()
    assert safety.mode is Mode.DAMPING and (safety.events[-1].reason, safety.events[-1].action) == (
        "command_timeout", "damping")
    assert np.all(loop.driver.hw.joint_command["kp"] == 0) and held.shape == (loop.driver.robot.nj,)


def test_the_loop_stands_talos_too(talos):
    loop = build_loop(_params("talos"), talos)
    try:
        h0 = loop.driver.sim.ground_truth()["base_position"][2]
        _run(loop, 1.0)
        assert loop.driver.sim.ground_truth()["base_position"][2] > 0.97 * h0 and _tilt(loop) < 0.03
        assert loop.driver.safety.events == []
    finally:
        loop.driver.shutdown()


@pytest.mark.sim
def test_the_mpc_worker_walks_the_loop_deterministically():
    """Two lockstep walks with the MPC in its worker process end in the same state to the bit,
    and the robot walked forward (plans arrived every MPC period, one period late)."""
    finals = []
    for _ in range(2):
        loop = build_loop(_params(walk="0.3:0.4,0,0"))
        try:
            _run(loop, 1.5)
            finals.append(loop.driver.sim.data.qpos.copy())
            assert loop.wbc.plans_received == 149 and loop.wbc.plan_timeouts == 0  # 150 periods, the first unanswered
            assert loop.driver.safety.events == []
        finally:
            loop.plans.close()
            loop.driver.shutdown()
    np.testing.assert_allclose(finals[0], finals[1], rtol=0, atol=1e-9)  # same run (1e-13: BLAS sums)
    assert finals[0][0] > 0.15  # walked forward


def _run_with_a_push(direction_deg: float, t_push: float, dv: float = 0.5, vx: float = 0.5, after_s: float = 3.0,
                     robot: str = "humanoid", vy: float = 0.0):
    """(fell, velocity (2,) [m/s] in the command's frame over the last gait cycle, planner):
    :func:`humanoid_control.sim.push_trial.run_push_trial`."""
    trial = run_push_trial(direction_deg, t_push, dv, vx, after_s, robot, vy=vy)
    return trial.fell, trial.velocity, trial.planner


@pytest.mark.sim
@pytest.mark.parametrize("vy, direction_deg, t_push", [(0.3, 90, 3.3), (-0.3, -90, 3.35)], ids=["left", "right"])
def test_walking_sideways_a_push_the_way_it_walks_as_the_leading_foot_lands_is_caught(vy, direction_deg, t_push):
    # Δv 0.4 m/s along the walk, just before the leading foot lands: the trailing foot must come
    # in and the leading one step out again, both quickly. With the step timing gated on the
    # CoM's speed error alone (steady sideways walking keeps its timing) both fell, and Δv 0.3
    # too (session 40); the planned step's miss of the DCM law's landing now lets a shove adapt
    # it (LocomotionParams.sideways_timing_gate_m, sideways_min_swing_s). Measured back at 0.26
    # and -0.22 m/s; neighbours: bench/push_sweep.py --sideways.
    fell, v, planner = _run_with_a_push(direction_deg, t_push, dv=0.4, vx=0.0, vy=vy)
    assert not fell
    assert planner.retimed_steps >= 1  # the answer was a step brought forward
    assert np.linalg.norm(v - (0.0, vy)) <= max(0.1, 0.25 * abs(vy)), f"3 s after the push it walks at {v.round(2)} m/s"


@pytest.mark.sim
@pytest.mark.parametrize("direction_deg", [0, 180, 90, -90])
@pytest.mark.parametrize("t_push", [3.0, 3.2, 3.4, 3.6])  # the gait's cycle is 0.8 s: four phases of it
def test_walking_at_half_a_metre_per_second_a_half_metre_per_second_push_from_any_side_is_recovered(
        direction_deg, t_push):
    fell, v, planner = _run_with_a_push(direction_deg, t_push)
    assert not fell
    # (whether the steps land sooner depends on the push: the step-timing adaptation has its own
    # tests in test/planning/test_locomotion.py)
    # all 16 back on the command 3 s later since the stepping law's sway share (mpc.step_sway_share):
    # the push from the left at 3.2 s drifted 0.15 m/s sideways before it (a known failure then)
    back = np.linalg.norm(v - (0.5, 0.0)) <= max(0.1, 0.25 * 0.5)
    assert back, f"3 s after the push the robot walks at {v.round(2)} m/s"


@pytest.mark.sim
@pytest.mark.parametrize("direction_deg, dv", [(0, 0.75), (180, 0.75), (90, 0.5), (-90, 0.5), (45, 0.6), (-45, 0.6),
                                               (135, 0.6), (-135, 0.6), (0, 0.8), (180, 0.8)])
def test_standing_without_a_command_a_shove_is_answered_by_steps_and_the_robot_stands_again_within_three_seconds(
        direction_deg, dv):
    fell, v, planner = _run_with_a_push(direction_deg, 2.0, dv=dv, vx=0.0, after_s=3.0)
    assert not fell and planner.recovery_starts >= 1
    assert planner.gait.is_standing(5.1) and not planner.recovering  # both feet down again
    # (45°, 0.6) measured 0.059 m/s before the swing-foot selection and the faster sideways return
    # of the MPC's reference (it was an xfail); 0.005 m/s now
    assert np.linalg.norm(v) < 0.05


@pytest.mark.sim
@pytest.mark.parametrize("direction_deg", [0, 180])
def test_talos_standing_answers_a_half_metre_per_second_shove_with_steps_and_stands_again(direction_deg):
    fell, v, planner = _run_with_a_push(direction_deg, 2.0, dv=0.5, vx=0.0, after_s=3.0, robot="talos")
    assert not fell and planner.recovery_starts == 1  # stepped (its IMU rides on the torso: compensated)
    assert planner.gait.is_standing(5.1) and not planner.recovering  # back to standing within 3 s
    assert np.linalg.norm(v) < 0.05


@pytest.mark.sim
def test_talos_walks_at_three_tenths_of_a_metre_per_second_within_ten_percent():
    fell, v, _ = _run_with_a_push(0, 9.9, dv=0.0, vx=0.3, after_s=0.0, robot="talos")  # 10 s, a push of 0 N
    assert not fell
    assert np.linalg.norm(v - (0.3, 0.0)) < 0.1 * 0.3
