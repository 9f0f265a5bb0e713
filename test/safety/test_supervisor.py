import numpy as np

from humanoid_control.safety.supervisor import CommandArrays, Mode, SafetyParams, SafetySupervisor


def _sup(n=3, **kw):
    return SafetySupervisor([f"j{i}" for i in range(n)], (np.full(n, -1.0), np.full(n, 1.0)), np.full(n, 10.0),
                            np.full(n, 50.0), (np.full(n, 500.0), np.full(n, 20.0)), SafetyParams(**kw))


def _cmd(n=3, **over):
    c = CommandArrays(np.zeros(n), np.zeros(n), np.ones(n), np.full(n, 10.0), np.ones(n))
    for k, v in over.items():
        getattr(c, k)[:] = v
    return c


def test_a_nan_command_is_rejected_naming_the_joint_counted_and_trips_damping_at_once():
    s = _sup()
    cmd = _cmd()
    cmd.effort[1] = np.nan
    assert not s.accept(cmd, 0.25)
    assert s.rejected == 1 and "j1" in s.last_rejection
    assert s.mode is Mode.DAMPING
    assert (s.events[0].t, s.events[0].reason, s.events[0].action, s.events[0].joint) == (0.25, "invalid_command",
                                                                                         "damping", "j1")


def test_an_out_of_range_effort_is_rejected():
    s = _sup()
    assert not s.accept(_cmd(effort=80.0), 0.0)
    assert "effort" in s.last_rejection and "[-50, 50]" in s.last_rejection


def test_watchdog_switches_to_damping_on_the_first_tick_past_the_timeout():
    s = _sup(command_timeout_s=0.02, damping_kd=3.0)
    assert s.accept(_cmd(), 0.0)
    assert s.check(0.020, 0.0) is Mode.NORMAL
    assert s.check(0.021, 0.0) is Mode.DAMPING
    out = s.output(_cmd())
    np.testing.assert_array_equal(out.kp, 0.0)
    np.testing.assert_array_equal(out.effort, 0.0)
    np.testing.assert_array_equal(out.kd, 3.0)
    assert s.events[0].reason == "command_timeout" and s.events[0].t == 0.021


def test_damping_is_latched_until_reset():
    s = _sup()
    s.accept(_cmd(), 0.0)
    s.check(1.0, 0.0)
    s.accept(_cmd(), 1.001)
    assert s.check(1.001, 0.0) is Mode.DAMPING
    s.reset(1.5)
    assert s.mode is Mode.NORMAL and s.events[-1].reason == "reset"


def test_a_fall_detected_from_tilt_trips_damping():
    s = _sup(max_tilt_rad=0.5)
    s.accept(_cmd(), 0.0)
    assert s.check(0.0, 0.6) is Mode.DAMPING
    assert s.events[0].reason == "fall_detected"


def test_no_valid_command_yet_means_damping_output():
    s = _sup()
    out = s.output(None)
    np.testing.assert_array_equal(out.kp, 0.0)
    assert np.all(out.kd > 0)


def _quat_xyzw(R):
    import pinocchio as pin
    return pin.Quaternion(R).coeffs()


def test_base_tilt_is_zero_for_an_upside_down_imu_on_an_upright_base():
    import pinocchio as pin
    from humanoid_control.safety.supervisor import base_tilt_rad
    base_R_imu = pin.rpy.rpyToMatrix(np.pi, 0.0, np.pi / 2)  # Talos' mounting
    world_R_imu = base_R_imu  # base upright and aligned with the world
    assert base_tilt_rad(_quat_xyzw(world_R_imu), base_R_imu) < 1e-9
    assert abs(base_tilt_rad(_quat_xyzw(world_R_imu), np.eye(3)) - np.pi) < 1e-6  # what ignoring the mount gives


def test_base_tilt_measures_the_angle_of_the_base_from_vertical():
    import pinocchio as pin
    from humanoid_control.safety.supervisor import base_tilt_rad
    base_R_imu = pin.rpy.rpyToMatrix(0.1, -0.2, 0.7)
    world_R_base = pin.rpy.rpyToMatrix(0.3, 0.0, 1.0)
    tilt = base_tilt_rad(_quat_xyzw(world_R_base @ base_R_imu), base_R_imu)
    assert abs(tilt - 0.3) < 1e-9
    assert base_tilt_rad((0.0, 0.0, 0.0, 0.0), np.eye(3)) == np.pi  # no orientation reads as fallen


def test_the_estop_latches_its_stop_category_until_reset():
    s = _sup(estop_action="torque_off")
    s.accept(_cmd(), 0.0)
    s.press_estop(0.5)
    out = s.output(_cmd(), 0.5)
    assert s.mode is Mode.TORQUE_OFF
    for arr in (out.kp, out.kd, out.effort):
        np.testing.assert_array_equal(arr, 0.0)
    s.check(0.6, 0.0)
    assert s.mode is Mode.TORQUE_OFF  # a later watchdog trip does not downgrade torque-off to damping
    assert s.reset(1.0) and s.mode is Mode.NORMAL and not s.estop_pressed
    assert [(e.reason, e.action) for e in s.events] == [("estop", "torque_off"), ("reset", "normal")]


def test_an_unknown_stop_category_lists_the_valid_ones():
    import pytest
    from humanoid_control.errors import UnknownNameError
    with pytest.raises(UnknownNameError, match="damping, torque_off"):
        _sup(estop_action="brake")


def test_a_motor_error_turns_that_joint_off_and_damps_the_others_and_blocks_reset():
    s = _sup(damping_kd=4.0)
    s.accept(_cmd(), 0.0)
    s.check_motors(0.1, np.full(3, 40.0), np.array([0, 3, 0]))
    out = s.output(_cmd(), 0.1)
    np.testing.assert_array_equal(out.kd, [4.0, 0.0, 4.0])
    np.testing.assert_array_equal(out.kp, 0.0)
    assert [(e.reason, e.action, e.joint) for e in s.events] == [("motor_error", "damping", "j1"),
                                                                  ("motor_error", "torque_off", "j1")]
    assert not s.reset(0.2) and "j1" in s.last_rejection and s.mode is Mode.DAMPING


def test_torque_limits_derate_linearly_with_temperature_and_trip_at_the_maximum():
    s = _sup(motor_derate_temperature_c=70.0, motor_max_temperature_c=90.0)
    s.accept(_cmd(), 0.0)
    s.check_motors(0.1, np.array([60.0, 80.0, np.nan]), np.zeros(3))
    out = s.output(_cmd(effort=40.0), 0.1)
    np.testing.assert_allclose(out.effort, [40.0, 25.0, 40.0])  # j1 at half its 50 N·m limit
    assert [(e.reason, e.joint) for e in s.events] == [("derating", "j1")]
    s.check_motors(0.2, np.array([60.0, 91.0, np.nan]), np.zeros(3))
    assert s.mode is Mode.DAMPING and s.joint_off[1] and s.events[-1].reason == "over_temperature"


def test_a_lost_motor_trips_damping_naming_its_joint():
    s = _sup()
    s.accept(_cmd(), 0.0)
    s.check_motors(0.3, np.full(3, np.nan), np.zeros(3), ["j2"])
    assert s.mode is Mode.DAMPING and (s.events[0].reason, s.events[0].joint) == ("motor_lost", "j2")


def test_a_hardware_error_turns_torque_off_and_keeps_the_message():
    s = _sup()
    s.accept(_cmd(), 0.0)
    s.hardware_error(0.4, "CAN bus 'a' down")
    assert s.mode is Mode.TORQUE_OFF and s.hardware_message == "CAN bus 'a' down"
    assert (s.events[0].reason, s.events[0].action) == ("hardware_error", "torque_off")


def test_the_soft_start_ramps_gains_and_torque_from_the_first_command_and_after_a_reset():
    s = _sup(soft_start_s=0.5)
    assert s.accept(_cmd(), 1.0)
    start = s.output(_cmd(effort=10.0, kp=100.0), 1.0)
    half = s.output(_cmd(effort=10.0, kp=100.0), 1.25)
    full = s.output(_cmd(effort=10.0, kp=100.0), 2.0)
    np.testing.assert_allclose(start.effort, 0.0)
    np.testing.assert_allclose(half.effort, 5.0)
    np.testing.assert_allclose(half.kp, 50.0)
    np.testing.assert_allclose(full.kp, 100.0)
    s.press_estop(3.0)
    s.reset(3.5)
    s.accept(_cmd(), 4.0)
    np.testing.assert_allclose(s.output(_cmd(effort=10.0), 4.0).effort, 0.0)


def test_the_quaternion_matrix_matches_pinocchio_and_a_zero_quaternion_gives_nan():
    import pinocchio as pin
    from humanoid_control.safety.supervisor import quat_xyzw_to_matrix
    R = pin.rpy.rpyToMatrix(0.3, -0.2, 1.1)
    np.testing.assert_allclose(quat_xyzw_to_matrix(2.0 * _quat_xyzw(R)), R, atol=1e-12)
    assert np.all(np.isnan(quat_xyzw_to_matrix([0.0, 0.0, 0.0, 0.0])))


def test_a_base_too_close_to_the_feet_trips_fall_detection():
    s = _sup(min_base_height_m=0.4)
    s.accept(_cmd(), 0.1)
    assert s.check(0.1, 0.0, 0.8) is Mode.NORMAL
    s.accept(_cmd(), 0.101)
    assert s.check(0.101, 0.0, 0.35) is Mode.DAMPING and s.events[0].reason == "fall_detected"


def test_a_command_timeout_holds_the_posture_with_joint_pd_and_the_last_torque_then_damps():
    s = _sup(command_timeout_s=0.02, hold_timeout_s=0.5, hold_deflection_rad=0.5, hold_damping_s=0.05)
    assert s.accept(_cmd(effort=2.0), 0.0)
    posture = np.array([0.1, -0.2, 1.5])  # the last joint beyond its limit: held at the limit
    assert s.check(0.021, 0.0, joint_position=posture, last_effort=np.full(3, 2.0)) is Mode.HOLD
    out = s.output(_cmd(effort=7.0), 0.03)
    np.testing.assert_allclose(out.position, [0.1, -0.2, 1.0])
    np.testing.assert_allclose(out.kp, 100.0)  # effort limit 50 N·m / 0.5 rad
    np.testing.assert_allclose(out.kd, 5.0)
    np.testing.assert_allclose(out.effort, 2.0)  # the torque of the last valid command, not the stale one
    np.testing.assert_allclose(out.velocity, 0.0)
    assert s.check(0.521, 0.0, joint_position=posture) is Mode.HOLD  # posture not re-captured
    assert s.check(0.522, 0.0, joint_position=np.zeros(3)) is Mode.DAMPING
    assert [(e.reason, e.action, e.t) for e in s.events] == [("command_timeout", "hold", 0.021),
                                                             ("command_timeout", "damping", 0.522)]


def test_a_valid_command_during_the_hold_resumes_control_and_other_faults_keep_their_reaction():
    s = _sup(command_timeout_s=0.02, hold_timeout_s=1.0)
    s.accept(_cmd(), 0.0)
    s.check(0.05, 0.0, joint_position=np.zeros(3))
    assert s.accept(_cmd(), 0.3) and s.mode is Mode.NORMAL
    assert s.events[-1].reason == "command_resumed" and s.output(_cmd(kp=10.0), 0.3).kp[0] == 10.0
    s.check(0.4, 0.0, joint_position=np.zeros(3))
    assert s.mode is Mode.HOLD
    assert s.check(0.41, 1.2) is Mode.DAMPING  # a fall during the hold: damping at once
    s2 = _sup(command_timeout_s=0.02, hold_timeout_s=1.0)
    s2.accept(_cmd(), 0.0)
    s2.check(0.05, 0.0, joint_position=np.zeros(3))
    assert not s2.accept(_cmd(effort=np.nan), 0.06) and s2.mode is Mode.DAMPING  # an invalid command: damping
    s3 = _sup(command_timeout_s=0.02, hold_timeout_s=1.0)
    s3.accept(_cmd(), 0.0)
    assert s3.check(0.05, 0.0, joint_position=np.full(3, np.nan)) is Mode.DAMPING  # no posture to hold


def test_without_a_hold_timeout_a_command_timeout_damps_at_once():
    s = _sup(command_timeout_s=0.02)
    s.accept(_cmd(), 0.0)
    assert s.check(0.03, 0.0, joint_position=np.zeros(3)) is Mode.DAMPING
