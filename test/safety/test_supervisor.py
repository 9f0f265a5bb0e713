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


def test_a_nan_command_is_rejected_naming_the_joint_and_counted():
    s = _sup()
    cmd = _cmd()
    cmd.effort[1] = np.nan
    assert not s.accept(cmd, 0.0)
    assert s.rejected == 1 and "j1" in s.last_rejection


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
