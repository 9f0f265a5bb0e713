"""The hardware YAML of a CAN robot: the shipped one fits the humanoid, mistakes are named."""
from pathlib import Path

import pytest

from humanoid_control.errors import ConfigError, UnknownNameError
from humanoid_control.hardware.can.motor_config import load_mit_can_config
from humanoid_control.paths import share_dir

SHIPPED = share_dir() / "config" / "hardware" / "humanoid_mit_can.yaml"


def test_the_shipped_humanoid_motors_can_deliver_every_joint_limit_of_the_urdf(humanoid):
    cfg = load_mit_can_config(SHIPPED, humanoid.joint_names)
    assert set(cfg.motors) == set(humanoid.joint_names)
    for i, joint in enumerate(humanoid.joint_names):
        lim = cfg.motors[joint].joint_limits()
        assert lim["effort"] >= humanoid.tau_max[i], joint
        assert lim["velocity"] >= humanoid.v_max[i], joint
        lo, hi = lim["position"]
        assert lo <= humanoid.q_lower[i] and humanoid.q_upper[i] <= hi, joint


def _write(tmp_path, text) -> Path:
    p = tmp_path / "hw.yaml"
    p.write_text(text)
    return p


BASE = """buses:
  a: {interface: socketcan, channel: can0}
motors:
  j1: {bus: a, id: 1, model: tmotor_ak80_9}
  j2: {bus: a, id: 2, model: tmotor_ak80_9, gear_ratio: 2.0, direction: -1}
"""


def test_joint_limits_convert_through_gear_ratio_direction_and_offset(tmp_path):
    cfg = load_mit_can_config(_write(tmp_path, BASE.replace("direction: -1}", "direction: -1, zero_offset: 0.5}")),
                              ["j1", "j2"])
    m = cfg.motors["j2"]
    assert (m.direction, m.gear_ratio, m.zero_offset, m.reply_layout) == (-1, 2.0, 0.5, "ak8")
    lim = m.joint_limits()
    assert lim["position"] == pytest.approx((0.5 - 12.5 / 2, 0.5 + 12.5 / 2))
    assert lim["velocity"] == pytest.approx(25.0) and lim["effort"] == pytest.approx(36.0)
    assert lim["kp"] == pytest.approx(2000.0) and lim["kd"] == pytest.approx(20.0)


def test_the_shipped_buses_carry_their_motors_at_1khz_and_an_overloaded_bus_is_refused(humanoid, tmp_path):
    cfg = load_mit_can_config(SHIPPED, humanoid.joint_names)
    assert max(cfg.bus_load(b, 1000.0) for b in cfg.buses) == pytest.approx(0.81)  # 3 × (135 + 135) bit per ms
    cfg.check_bus_load(1000.0)
    four = BASE + "  j3: {bus: a, id: 3, model: tmotor_ak80_9}\n  j4: {bus: a, id: 4, model: tmotor_ak80_9}\n"
    crowded = load_mit_can_config(_write(tmp_path, four), ["j1", "j2", "j3", "j4"])
    with pytest.raises(ConfigError, match="bus 'a': 4 motors at 1000 Hz need 108 % of its 1000000 bit/s"):
        crowded.check_bus_load(1000.0)
    crowded.check_bus_load(500.0)


def test_two_motors_with_one_id_on_one_bus_are_named(tmp_path):
    with pytest.raises(ConfigError, match="CAN ID 1 on bus 'a' is also the motor of joint 'j1'"):
        load_mit_can_config(_write(tmp_path, BASE.replace("id: 2", "id: 1")), ["j1", "j2"])


def test_an_unknown_model_lists_the_known_ones(tmp_path):
    with pytest.raises(UnknownNameError, match="unknown motor model 'ak99'.*tmotor_ak10_9"):
        load_mit_can_config(_write(tmp_path, BASE.replace("model: tmotor_ak80_9}", "model: ak99}")), ["j1", "j2"])


def test_a_motor_for_an_unknown_joint_lists_the_robot_joints(tmp_path):
    with pytest.raises(UnknownNameError, match="unknown joint 'j2'; valid joints: j1, j3"):
        load_mit_can_config(_write(tmp_path, BASE), ["j1", "j3"])


def test_a_joint_without_a_motor_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"joints without a motor: \['j3'\]"):
        load_mit_can_config(_write(tmp_path, BASE), ["j1", "j2", "j3"])


def test_per_motor_ranges_override_the_model_and_bad_values_are_named(tmp_path):
    text = BASE.replace("direction: -1}", "direction: -1, ranges: {t_max: 9.0}}")
    cfg = load_mit_can_config(_write(tmp_path, text), ["j1", "j2"])
    assert cfg.motors["j2"].ranges.t_max == 9.0 and cfg.motors["j1"].ranges.t_max == 18.0
    assert cfg.motors["j2"].joint_limits()["effort"] == pytest.approx(18.0)  # 9 N·m × ratio 2
    with pytest.raises(ConfigError, match="motor of joint 'j2'.*'direction' must be 1 or -1"):
        load_mit_can_config(_write(tmp_path, BASE.replace("direction: -1", "direction: 2")), ["j1", "j2"])
    with pytest.raises(ConfigError, match="'t_max' must be a positive number"):
        load_mit_can_config(_write(tmp_path, BASE.replace("direction: -1}", "ranges: {t_max: -1}}")), ["j1", "j2"])


def test_invalid_yaml_is_named_with_its_line(tmp_path):
    with pytest.raises(ConfigError, match=r"hw.yaml:3: invalid YAML"):
        load_mit_can_config(_write(tmp_path, "buses:\n  a: {interface: x\nmotors: [\n"), ["j1"])


def test_the_transmission_round_trips_and_matches_the_documented_formulas(tmp_path):
    import numpy as np
    from humanoid_control.hardware.can.motor_config import Transmission
    text = BASE.replace("direction: -1}", "direction: -1, zero_offset: 0.5}")
    cfg = load_mit_can_config(_write(tmp_path, text), ["j1", "j2"])
    tr = Transmission([cfg.motors["j1"], cfg.motors["j2"]])
    q, v, tau = np.array([0.3, 0.9]), np.array([1.0, -2.0]), np.array([5.0, 8.0])
    p_m, v_m, t_m = tr.to_motor(q, v, tau)
    np.testing.assert_allclose(p_m, [0.3, -2.0 * (0.9 - 0.5)])
    np.testing.assert_allclose(v_m, [1.0, 4.0])
    np.testing.assert_allclose(t_m, [5.0, -4.0])
    np.testing.assert_allclose(np.array(tr.to_joint(p_m, v_m, t_m)), [q, v, tau])
    assert tr.to_joint(p_m[1], v_m[1], t_m[1], 1) == pytest.approx((0.9, -2.0, 8.0))
    kp_m, kd_m = tr.gains_to_motor(np.array([40.0, 40.0]), np.array([2.0, 2.0]))
    np.testing.assert_allclose(kp_m, [40.0, 10.0])
    np.testing.assert_allclose(np.array(tr.gains_to_joint(kp_m, kd_m)), [[40.0, 40.0], [2.0, 2.0]])
