"""The report's push verdicts, on synthetic ground truth (no simulator, no ROS)."""
import numpy as np
import pytest

from humanoid_control.sim.report import ReportBuilder
from humanoid_control.sim.scenario import Push

IDENTITY = (0.0, 0.0, 0.0, 1.0)


def _builder(duration_s, speed_of_t, height_of_t=lambda t: 1.0):
    b = ReportBuilder(robot_mass_kg=40.0)
    for ns in range(0, int(duration_s * 1000) + 1):
        t = ns * 1e-3
        b.add_ground_truth(int(ns * 1e6), (0, 0, height_of_t(t)), IDENTITY, (speed_of_t(t), 0, 0), (0, 0, 0.9))
    return b


def _settles_after(t_push, settle_s=1.5):
    return lambda t: 0.5 if t_push <= t < t_push + settle_s else 0.0


def test_a_push_followed_by_settling_counts_as_recovered_and_reports_delta_v():
    r = _builder(6.0, _settles_after(1.0)).build(1.0, [Push(1.0, (120.0, 0.0, 0.0), 0.1)])
    (p,) = r["pushes"]
    assert p["recovered"] is True
    assert p["impulse_Ns"] == 12.0 and p["delta_v_mps"] == 0.3


def test_a_robot_still_moving_when_the_window_closes_is_not_recovered():
    r = _builder(6.0, lambda t: 0.5 if t >= 1.0 else 0.0).build(1.0, [Push(1.0, (120.0, 0.0, 0.0), 0.1)])
    assert r["pushes"][0]["recovered"] is False


def test_the_window_is_cut_at_the_next_push_so_back_to_back_pushes_are_judged_separately():
    speed = lambda t: max(_settles_after(3.0)(t), _settles_after(7.0)(t))  # noqa: E731
    r = _builder(12.0, speed).build(1.0, [Push(3.0, (115.0, 0, 0), 0.1), Push(7.0, (0, 115.0, 0), 0.1)])
    assert [p["recovered"] for p in r["pushes"]] == [True, True]


def test_a_push_too_close_to_the_end_of_the_run_is_not_called_recovered():
    r = _builder(5.0, lambda t: 0.0).build(1.0, [Push(4.5, (115.0, 0, 0), 0.1)])
    assert r["pushes"][0]["recovered"] is False


def test_a_fall_inside_the_window_is_not_recovered_and_marks_the_run_fell():
    height = lambda t: 1.0 if t < 2.0 else 0.3  # noqa: E731
    r = _builder(6.0, lambda t: 0.0, height).build(1.0, [Push(1.0, (115.0, 0, 0), 0.1)])
    assert r["fell"] is True and r["pushes"][0]["recovered"] is False
    assert r["base_height_min_m"] == 0.3
    assert np.isclose(r["sim_time_s"], 6.0)


def test_node_entries_have_the_same_types_from_diagnostics_text_and_from_in_process_values():
    text = {"compute_time_p50_us": "350.5", "compute_time_p99_us": "900.0", "compute_time_max_us": "1200.0",
            "overruns": "3", "ticks": "6000", "mode": "damping", "commands_rejected": "2", "commands_stale": "0",
            "missed_ticks": "7", "last_rejection": "velocity of joint 'knee' = 13 outside [-12, 12]",
            "safety_events": "1.061:command_timeout:damping:;2.500:fall_detected:damping:"}
    native = dict(text, overruns=3, ticks=6000, commands_rejected=2, commands_stale=0, missed_ticks=7,
                  safety_events=[{"t": 1.061, "reason": "command_timeout", "action": "damping", "joint": ""},
                                 {"t": 2.5, "reason": "fall_detected", "action": "damping", "joint": ""}])
    a, b = ReportBuilder(40.0), ReportBuilder(40.0)
    a.add_node_timing("driver", text)
    b.add_node_timing("driver", native)
    assert a.nodes == b.nodes
    d = a.nodes["driver"]
    assert d["commands_rejected"] == 2 and isinstance(d["missed_ticks"], int)
    assert [e["reason"] for e in d["safety_events"]] == ["command_timeout", "fall_detected"]
    assert d["safety_events"][0]["t"] == 1.061


def test_walking_figures_measure_distance_mean_velocity_and_tracking_over_steady_segments():
    b = ReportBuilder(40.0)
    b.commands = [(0.0, (0.0, 0.0, 0.0)), (1.0, (0.5, 0.0, 0.0)), (6.0, (0.0, 0.0, 0.0))]
    x = 0.0
    for ns in range(0, 8001):
        t = ns * 1e-3
        v = 0.45 if 1.0 <= t < 6.0 else 0.0  # 10 % slow
        x += v * 1e-3
        b.add_ground_truth(int(ns * 1e6), (x, 0, 0.9), IDENTITY, (v, 0, 0), (x, 0, 0.8))
        if ns % 10 == 0:  # a touch-down every 0.5 s while walking
            phase = (t % 0.5) < 0.25
            b.add_contacts(int(ns * 1e6), {"left": phase or not 1.0 <= t < 6.0, "right": True})
    r = b.build(1.0)
    assert r["distance_m"] == pytest.approx(0.45 * 5.0, abs=0.01)
    assert r["mean_velocity"]["vx"] == pytest.approx(0.45, abs=0.01)
    assert r["velocity_tracking_error"] == pytest.approx(0.1, abs=0.01)
    assert r["steps_taken"] == 10
    (seg,) = r["velocity_segments"]
    assert seg["command"] == [0.5, 0.0, 0.0] and seg["t_start_s"] == 1.0


def test_a_segment_tells_the_command_the_planner_was_allowed_and_the_error_against_it():
    from humanoid_control.planning.command import CommandLimiter

    b = ReportBuilder(40.0)
    b.commands = [(0.0, (1.2, 0.0, 0.0))]  # past max_vx 1.0: walked at 1.0
    b.command_limit = CommandLimiter((1.0, 0.4, 1.0), (1.0, 1.0, 2.0)).limit
    for ns in range(0, 4001, 5):
        x = 1.0 * ns * 1e-3
        b.add_ground_truth(int(ns * 1e6), (x, 0, 0.9), IDENTITY, (1.0, 0, 0), (x, 0, 0.8))
    (seg,) = b.build(1.0)["velocity_segments"]
    assert seg["command"] == [1.2, 0.0, 0.0] and seg["command_limited"] == [1.0, 0.0, 0.0]
    assert seg["error"] == pytest.approx(0.2 / 1.2, abs=1e-3)  # against what was asked
    assert seg["error_limited"] == pytest.approx(0.0, abs=1e-3)  # it walked what it was allowed
    b.command_limit = None  # no planner limits known: the command as given
    (seg,) = b.build(1.0)["velocity_segments"]
    assert seg["command_limited"] == [1.2, 0.0, 0.0] and seg["error_limited"] == seg["error"]


def test_the_com_displacement_tells_where_a_walk_ended_and_the_drift_how_far():
    """Out 1 m along x and 2 m back along y: the drift is the distance, the displacement its
    world components (both from t = 0.5 s)."""
    b = ReportBuilder(40.0)
    for ns in range(0, 3001):
        t = ns * 1e-3
        x, y = min(t, 1.0), -2.0 * max(t - 1.0, 0.0) / 2.0
        b.add_ground_truth(int(ns * 1e6), (x, y, 0.9), IDENTITY, (0, 0, 0), (x, y, 0.8))
    r = b.build(1.0)
    assert r["com_displacement_xy_m"] == pytest.approx([0.5, -2.0], abs=1e-3)
    assert r["com_drift_xy_m"] == pytest.approx((0.5 ** 2 + 2.0 ** 2) ** 0.5, abs=1e-3)


def test_without_commands_the_walking_figures_are_null():
    r = _builder(3.0, lambda t: 0.0).build(1.0)
    assert r["mean_velocity"] is None and r["velocity_tracking_error"] is None and r["steps_taken"] == 0


def _walking_builder(duration_s, speed_of_t, step_period_s=0.4):
    """0.3 m/s forward from t = 1 s, with a touch-down every step period while walking."""
    b = _builder(duration_s, speed_of_t)
    b.commands = [(1.0, (0.3, 0.0, 0.0))]
    for ns in range(0, int(duration_s * 1000) + 1, 10):
        t = ns * 1e-3
        phase = (t - 1.0) % step_period_s
        in_air = t >= 1.0 and phase < 0.3
        b.add_contacts(int(ns * 1e6), {"left": not in_air, "right": True})
    return b


def test_a_push_while_walking_is_back_to_the_command_when_the_speed_returns_to_it():
    speed = lambda t: 0.0 if t < 1.0 else (0.6 if 3.0 <= t < 4.0 else 0.3)  # noqa: E731
    r = _walking_builder(7.0, speed).build(1.0, [Push(3.0, (120.0, 0.0, 0.0), 0.1)])
    (p,) = r["pushes"]
    assert p["command"] == [0.3, 0.0, 0.0]
    assert p["back_to_command"] is True and p["speed_error_end_mps"] == pytest.approx(0.0, abs=1e-6)
    assert p["recovered"] is False  # the standing criterion: still moving at 0.3 m/s
    assert 7 <= p["steps_in_window"] <= 9  # a touch-down every 0.4 s over the 3.1-s window


def test_a_push_while_walking_that_leaves_the_robot_too_fast_is_not_back_to_the_command():
    speed = lambda t: 0.0 if t < 1.0 else (0.6 if t >= 3.0 else 0.3)  # noqa: E731
    r = _walking_builder(7.0, speed).build(1.0, [Push(3.0, (120.0, 0.0, 0.0), 0.1)])
    (p,) = r["pushes"]
    assert p["back_to_command"] is False and p["speed_error_end_mps"] == pytest.approx(0.3, abs=1e-6)


def test_a_standing_push_reports_a_zero_command_and_no_steps():
    r = _builder(6.0, _settles_after(1.0)).build(1.0, [Push(1.0, (120.0, 0.0, 0.0), 0.1)])
    (p,) = r["pushes"]
    assert p["command"] == [0.0, 0.0, 0.0] and p["steps_in_window"] == 0
    assert p["back_to_command"] is True and p["recovered"] is True


def _turning_in_place(com_of_t, v_local_of_t):
    """Turning in place at 1 rad/s from t = 1 s to 9 s, the CoM (and base) at ``com_of_t(t, yaw)``."""
    b = ReportBuilder(40.0)
    b.commands = [(0.0, (0.0, 0.0, 0.0)), (1.0, (0.0, 0.0, 1.0)), (9.0, (0.0, 0.0, 0.0))]
    for ns in range(0, 10001, 5):
        t = ns * 1e-3
        yaw = min(max(t - 1.0, 0.0), 8.0)
        rate = 1.0 if 1.0 <= t < 9.0 else 0.0
        q = (0.0, 0.0, np.sin(yaw / 2), np.cos(yaw / 2))
        com = com_of_t(t, yaw)
        b.add_ground_truth(int(ns * 1e6), (com[0], com[1], 0.9), q, v_local_of_t(t, yaw), (com[0], com[1], 0.8),
                           (0.0, 0.0, rate))
    (seg,) = b.build(1.0)["velocity_segments"]
    return seg


def test_turning_in_place_the_segment_reports_how_fast_the_com_left_where_it_was_and_judges_the_drift():
    def rot(yaw, v):
        return np.array([np.cos(yaw) * v[0] - np.sin(yaw) * v[1], np.sin(yaw) * v[0] + np.cos(yaw) * v[1]])

    # turning about a point 2 cm ahead of the CoM: 0.02 m/s sideways in the heading frame, but it stays put
    circling = _turning_in_place(lambda t, yaw: rot(yaw, (-0.02, 0.0)), lambda t, yaw: (0.0, -0.02 * (1 <= t < 9), 0.0))
    assert circling["mean"][1] == pytest.approx(-0.02, abs=1e-3)
    assert circling["com_drift_mps"] < 0.01
    assert circling["error"] == pytest.approx(circling["com_drift_mps"] / 0.1, abs=1e-3) and circling["error"] < 0.1
    # drifting 5 cm/s along world x while turning: the heading-frame mean all but averages it away
    drifting = _turning_in_place(lambda t, yaw: (0.05 * t, 0.0),
                                 lambda t, yaw: (*rot(-yaw, (0.05, 0.0)), 0.0))
    assert np.hypot(*drifting["mean"][:2]) < 0.01
    assert drifting["com_drift_mps"] == pytest.approx(0.05, abs=1e-3)
    assert drifting["error"] == pytest.approx(0.5, abs=0.01)  # the drift is the linear error, against 0.1 m/s
    # a walking segment has no drift figure
    b = ReportBuilder(40.0)
    b.commands = [(0.0, (0.3, 0.0, 0.0))]
    for ns in range(0, 4001, 5):
        b.add_ground_truth(int(ns * 1e6), (0.3 * ns * 1e-3, 0, 0.9), IDENTITY, (0.3, 0, 0), (0.3 * ns * 1e-3, 0, 0.8))
    assert b.build(1.0)["velocity_segments"][0]["com_drift_mps"] is None
