from pathlib import Path

import numpy as np
import pinocchio as pin
import pytest

from humanoid_control.errors import ConfigError, UnknownNameError, UrdfError
from humanoid_control.paths import share_dir
from humanoid_control.robot import humanoid_description
from humanoid_control.robot.config import load_robot_config
from humanoid_control.robot.joint_map import JointMap
from humanoid_control.robot.model import RobotModel
from humanoid_control.robot.ros2_control_tag import parse_ros2_control


def test_committed_urdf_is_exactly_what_the_generator_writes():
    assert (share_dir() / "urdf" / "humanoid.urdf").read_text() == humanoid_description.build_urdf()


def test_humanoid_has_the_size_mass_and_joints_the_spec_asks_for(humanoid):
    assert 25.0 <= humanoid.mass <= 45.0
    assert humanoid.nj >= 20
    q = pin.neutral(humanoid.model)
    head = humanoid.model.getFrameId("head_link")
    pin.framesForwardKinematics(humanoid.model, humanoid.data, humanoid.nominal_configuration())
    top = humanoid.data.oMf[head].translation[2] + 0.09
    assert 1.2 <= top <= 1.6
    for side in ("left", "right"):
        for j in ("hip_yaw", "hip_roll", "hip_pitch", "knee", "ankle_pitch", "ankle_roll"):
            assert f"{side}_{j}" in humanoid.joint_names
    assert sum(n.startswith("left_shoulder") or n == "left_elbow" for n in humanoid.joint_names) >= 4
    assert q.shape == (humanoid.nq,)


def test_every_link_inertia_is_physically_consistent(humanoid):
    for inertia in humanoid.model.inertias[1:]:
        if inertia.mass == 0:
            continue
        I = inertia.inertia
        ev = np.linalg.eigvalsh(I)
        assert np.all(ev > 0)
        a, b, c = sorted(ev)
        assert a + b >= c - 1e-9  # triangle inequality of principal moments


def test_nominal_configuration_puts_both_soles_on_the_ground(humanoid, talos):
    for robot in (humanoid, talos):
        q = robot.nominal_configuration()
        for fid in robot.foot_frame_ids.values():
            assert abs(robot.frame_placement(q, fid).translation[2]) < 1e-9


def test_talos_loads_by_configuration_alone(talos):
    assert talos.nj == 32
    assert 85 < talos.mass < 95
    assert talos.nominal_joint_positions()[talos.joint_names.index("leg_left_4_joint")] == pytest.approx(0.859395)


def test_joint_map_reorders_by_name_and_round_trips(humanoid):
    order = list(reversed(humanoid.joint_names))
    m = JointMap(humanoid.joint_names, order)
    back = JointMap(order, humanoid.joint_names)
    x = np.arange(humanoid.nj, dtype=float)
    assert m(x)[0] == x[-1]
    np.testing.assert_array_equal(back(m(x)), x)


def test_joint_map_names_the_missing_joint_and_lists_the_valid_ones():
    with pytest.raises(UnknownNameError) as e:
        JointMap(["a", "b"], ["a", "c"])
    assert "'c'" in str(e.value) and "a, b" in str(e.value)


def _write_config(tmp_path, urdf, **changes):
    base = Path(share_dir() / "config" / "robots" / "humanoid.yaml").read_text()
    base = base.replace("package://humanoid_control/urdf/humanoid.urdf", str(urdf))
    for a, b in changes.items():
        base = base.replace(a, b)
    p = tmp_path / "robot.yaml"
    p.write_text(base)
    return p


def test_a_missing_urdf_is_reported_with_its_path(tmp_path):
    cfg = _write_config(tmp_path, tmp_path / "nope.urdf")
    with pytest.raises(UrdfError, match="nope.urdf: file does not exist"):
        RobotModel.load(str(cfg))


def test_invalid_urdf_xml_is_reported_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.urdf"
    bad.write_text('<?xml version="1.0"?>\n<robot name="x">\n  <link name="a">\n</robot>\n')
    cfg = _write_config(tmp_path, bad)
    with pytest.raises(UrdfError) as e:
        RobotModel.load(str(cfg))
    assert "bad.urdf:4" in str(e.value)


def test_a_foot_frame_that_does_not_exist_lists_the_valid_frames(tmp_path):
    cfg = _write_config(tmp_path, share_dir() / "urdf" / "humanoid.urdf", **{"frame: left_sole,": "frame: left_toe,"})
    with pytest.raises(UnknownNameError) as e:
        RobotModel.load(str(cfg))
    assert "left_toe" in str(e.value) and "left_sole" in str(e.value)


def test_a_posture_joint_that_does_not_exist_is_named(tmp_path):
    cfg = _write_config(tmp_path, share_dir() / "urdf" / "humanoid.urdf", **{"left_knee: 0.6": "left_knees: 0.6"})
    with pytest.raises(UnknownNameError, match="left_knees"):
        RobotModel.load(str(cfg))


def test_an_unknown_robot_name_lists_the_shipped_robots():
    with pytest.raises(UnknownNameError) as e:
        load_robot_config("atlas")
    assert "humanoid" in str(e.value) and "talos" in str(e.value)


def test_out_of_range_foot_size_names_the_parameter(tmp_path):
    cfg = _write_config(tmp_path, share_dir() / "urdf" / "humanoid.urdf", **{"length: 0.22, width: 0.11}   # [m]\n  right": "length: 5.0, width: 0.11}   # [m]\n  right"})
    with pytest.raises(ConfigError, match="feet.left.length"):
        RobotModel.load(str(cfg))


def test_the_sway_share_of_a_robot_config_is_read_and_checked(tmp_path):
    assert load_robot_config("humanoid").step_sway_share == 0.5
    assert load_robot_config("romeo").step_sway_share == 0.65  # its measured best (config/robots/romeo.yaml)
    cfg = _write_config(tmp_path, share_dir() / "urdf" / "humanoid.urdf",
                        **{"step_sway_share: 0.5 ": "step_sway_share: 1.5 "})
    with pytest.raises(ConfigError, match="step_sway_share"):
        load_robot_config(str(cfg))


def test_ros2_control_block_has_command_and_state_interfaces_with_limits(humanoid):
    (info,) = parse_ros2_control(humanoid.urdf_text)
    assert info.plugin == "humanoid_control/MujocoSystem"
    assert sorted(info.joint_names) == sorted(humanoid.joint_names)
    knee = next(j for j in info.joints if j.name == "left_knee")
    assert [c.name for c in knee.command_interfaces] == ["position", "velocity", "effort", "kp", "kd"]
    assert knee.command("effort").max == pytest.approx(humanoid.tau_max[humanoid.joint_names.index("left_knee")])
    assert [s.name for s in knee.state_interfaces] == ["position", "velocity", "effort"]
    assert {s.name for s in info.sensors} == {"imu", "left_foot_wrench", "right_foot_wrench"}


def test_ros2_control_min_above_max_is_an_error():
    text = ('<robot name="r"><link name="a"/><ros2_control name="s" type="system"><hardware><plugin>p</plugin>'
            '</hardware><joint name="j"><command_interface name="position"><param name="min">1</param>'
            '<param name="max">0</param></command_interface></joint></ros2_control></robot>')
    with pytest.raises(UrdfError, match="min 1.0 > max 0.0"):
        parse_ros2_control(text)


def test_imu_rotation_in_base_includes_the_mount_and_the_joints_in_between(talos, humanoid):
    R = talos.imu_rotation_in_base(talos.nominal_joint_positions())
    assert np.allclose(R @ R.T, np.eye(3), atol=1e-9)
    assert R[2, 2] < -0.99  # Talos' IMU is mounted upside down
    q = talos.nominal_joint_positions().copy()
    q[talos.joint_names.index("torso_2_joint")] += 0.2  # pitch the torso that carries the IMU
    R2 = talos.imu_rotation_in_base(q)
    assert np.isclose(np.arccos(np.clip((np.trace(R.T @ R2) - 1) / 2, -1, 1)), 0.2, atol=1e-9)
    assert np.allclose(humanoid.imu_rotation_in_base(humanoid.nominal_joint_positions())[2, 2], 1.0, atol=1e-6)


def test_the_base_height_above_the_soles_from_kinematics_is_the_standing_height_upright_and_small_lying(humanoid):
    import pinocchio as pin
    q = humanoid.nominal_configuration()
    base_R_imu, soles = humanoid.base_frame_kinematics(q[7:])
    np.testing.assert_allclose(base_R_imu, humanoid.imu_rotation_in_base(q[7:]), atol=1e-12)
    assert humanoid.base_height_above_soles(soles, np.eye(3)) == pytest.approx(q[2], abs=1e-9)
    lying = pin.rpy.rpyToMatrix(np.pi / 2, 0.0, 0.0)
    assert humanoid.base_height_above_soles(soles, lying) < 0.25 * q[2]
