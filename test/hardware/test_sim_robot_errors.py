"""The simulation backend's robot errors behind the campaigns (off by default): torque
constants, link masses and CoMs, joint friction, sensor and actuation delays."""
import mujoco
import numpy as np
import pytest

from humanoid_control.errors import ConfigError, ParameterRangeError, UnknownNameError
from humanoid_control.hardware.mujoco_system import DelayLine, MujocoSystem, SimParams, named_values
from humanoid_control.robot.ros2_control_tag import parse_ros2_control


def _system(robot, **params):
    (info,) = parse_ros2_control(robot.urdf_text)
    hw = MujocoSystem(robot, SimParams(**params))
    hw.init(info)
    hw.configure()
    hw.read_checked(0.0, 0.001)
    hw.activate()
    return hw


def _hold_torques(hw, effort):
    n = len(hw.joint_names)
    hw.set_joint_commands({"position": np.zeros(n), "velocity": np.zeros(n), "effort": effort,
                           "kp": np.zeros(n), "kd": np.zeros(n)})


def test_a_delay_line_gives_back_the_sample_pushed_that_many_pushes_ago():
    line = DelayLine(2, 1)
    out = [float(line.push(np.array([k]))[0]) for k in range(6)]
    assert out == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]
    assert [float(DelayLine(0, 1).push(np.array([k]))[0]) for k in range(3)] == [0.0, 1.0, 2.0]


def test_motors_make_their_torque_constant_times_the_command_and_report_the_command(humanoid):
    hw = _system(humanoid, torque_constant_scale={"left_knee": 0.8})
    effort = np.full(len(hw.joint_names), 5.0)
    _hold_torques(hw, effort)
    hw.write(0.0, 0.001)
    applied = hw.data.qfrc_applied[hw.h.joint_dof_adr]
    k = hw.joint_names.index("left_knee")
    assert applied[k] == pytest.approx(4.0) and np.allclose(np.delete(applied, k), 5.0)
    hw.read(0.001, 0.001)
    assert hw.joint_state["effort"][k] == pytest.approx(5.0)  # what the drive reports


def test_the_simulated_links_carry_the_scaled_mass_and_the_moved_centre_of_mass(humanoid):
    nominal = _system(humanoid)
    hw = _system(humanoid, link_mass_scale={"torso_link": 1.1}, link_com_offset={"torso_link": (0.01, 0.0, -0.02)})
    b = mujoco.mj_name2id(hw.model, mujoco.mjtObj.mjOBJ_BODY, "torso_link")
    assert hw.model.body_mass[b] == pytest.approx(1.1 * nominal.model.body_mass[b])
    assert np.allclose(hw.model.body_inertia[b], 1.1 * nominal.model.body_inertia[b])
    assert np.allclose(hw.model.body_ipos[b] - nominal.model.body_ipos[b], [0.01, 0.0, -0.02])
    # the robot weighs more: subtree masses were recomputed
    assert hw.model.body_subtreemass[1] == pytest.approx(nominal.model.body_subtreemass[1]
                                                         + 0.1 * nominal.model.body_mass[b])


def test_joint_friction_is_every_joints_coulomb_friction_in_the_simulation(humanoid):
    free, rubbing = _system(humanoid), _system(humanoid, joint_friction=2.0)
    assert np.all(rubbing.model.dof_frictionloss[rubbing.h.joint_dof_adr] == 2.0)
    assert np.all(free.model.dof_frictionloss[free.h.joint_dof_adr] == 0.0)


def test_sensors_reach_the_controller_late_by_the_sensor_delay(humanoid):
    now, late = _system(humanoid), _system(humanoid, sensor_delay_s=0.003)
    seen_now, seen_late = [], []
    for hw, seen in ((now, seen_now), (late, seen_late)):
        n = len(hw.joint_names)
        _hold_torques(hw, np.zeros(n))  # no torque: the robot sags, the joints move
        for i in range(8):
            hw.write(i * 0.001, 0.001)
            hw.read((i + 1) * 0.001, 0.001)
            seen.append(hw.joint_state["position"].copy())
    assert not np.allclose(seen_now[0], seen_now[4])  # something moves
    for i in range(3, 8):
        assert np.allclose(seen_late[i], seen_now[i - 3])


def test_commands_act_late_by_the_actuation_delay(humanoid):
    hw = _system(humanoid, actuation_delay_s=0.002)
    n = len(hw.joint_names)
    applied = []
    for i in range(5):
        _hold_torques(hw, np.full(n, float(i + 1)))
        hw.write(i * 0.001, 0.001)
        applied.append(hw.data.qfrc_applied[hw.h.joint_dof_adr][0])
    assert applied == [1.0, 1.0, 1.0, 2.0, 3.0]


@pytest.mark.parametrize("params, error, says", [
    (dict(link_mass_scale={"torso": 1.1}), UnknownNameError, "unknown link 'torso'; valid links: base_link"),
    (dict(torque_constant_scale={"knee": 1.1}), UnknownNameError, "unknown joint 'knee'; valid joints"),
    (dict(link_mass_scale={"torso_link": 2.0}), ParameterRangeError, "outside [0.5, 1.5]"),
    (dict(sensor_delay_s=0.1), ParameterRangeError, "sensor_delay_s"),
])
def test_a_bad_robot_error_is_refused_naming_the_link_or_joint(humanoid, params, error, says):
    with pytest.raises(error) as err:
        _system(humanoid, **params)
    assert says in str(err.value)


def test_named_values_read_name_colon_values_and_refuse_other_text():
    assert named_values(["a:1.5", "", "b_c:2"], "p") == {"a": 1.5, "b_c": 2.0}
    assert named_values(["link:0.1,0,-0.2"], "p", 3) == {"link": [0.1, 0.0, -0.2]}
    with pytest.raises(ConfigError, match="entry 'link:0.1' does not read as NAME:V1,V2,V3"):
        named_values(["link:0.1"], "link_com_offset", 3)
    with pytest.raises(ConfigError, match="does not read as NAME:VALUE"):
        named_values(["knee"], "torque_constant_scale")
