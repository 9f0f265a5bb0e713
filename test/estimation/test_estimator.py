"""The estimator against ground truth on recorded simulation data (sensor streams recorded
from MuJoCo while the WBC balances the robot through a push; the estimator replays them)."""
import numpy as np
import pinocchio as pin
import pytest

from humanoid_control.estimation.contact_detector import ContactDetector
from humanoid_control.estimation.state_estimator import StateEstimator
from humanoid_control.hardware.mujoco_system import MujocoSystem, SimParams
from humanoid_control.kernels import kinematics as kinematics_kernels
from humanoid_control.robot.ros2_control_tag import hardware_info_for
from humanoid_control.wbc.controller import WholeBodyController


@pytest.fixture(scope="module")
def recording(humanoid):
    r = humanoid
    hw = MujocoSystem(r, SimParams(imu_gyro_noise_std=0.002, imu_accel_noise_std=0.02, joint_velocity_noise_std=0.005,
                                   seed=1))
    hw.init(hardware_info_for(r.urdf_text, "humanoid", r.joint_names))
    hw.configure()
    hw.read(0, 0.001)
    hw.activate()
    wbc = WholeBodyController(r)
    to_pin = np.array([hw.joint_names.index(n) for n in r.joint_names])
    to_hw = np.array([r.joint_names.index(n) for n in hw.joint_names])
    rec = []
    for k in range(3000):
        hw.read(0, 0.001)
        gt = hw.ground_truth()
        R = pin.Quaternion(gt["base_orientation_xyzw"][3], *gt["base_orientation_xyzw"][:3]).toRotationMatrix()
        jq, jv = hw.joint_state["position"][to_pin], hw.joint_state["velocity"][to_pin]
        rec.append((jq.copy(), jv.copy(), hw.sensor_state["imu"].copy(),
                    {s: hw.sensor_state[f"{s}_foot_wrench"][2] for s in ("left", "right")},
                    gt["base_position"], gt["base_linear_velocity_world"]))
        q = np.concatenate([gt["base_position"], gt["base_orientation_xyzw"], jq])
        v = np.concatenate([R.T @ gt["base_linear_velocity_world"], gt["base_angular_velocity_local"], jv])
        sol = wbc.update(q, v, {"left": True, "right": True})
        qd, dqd, tau, kp, kd = wbc.joint_command(sol, q, v)
        c = hw.joint_command
        for name, val in (("position", qd), ("velocity", dqd), ("effort", tau), ("kp", kp), ("kd", kd)):
            c[name][:] = val[to_hw]
        if k == 1000:
            hw.apply_push(np.array([100.0, 40.0, 0.0]), 0.1)
        hw.write(0, 0.001)
    return rec


def test_estimator_tracks_position_and_velocity_through_a_push(humanoid, recording):
    est = StateEstimator(humanoid)
    pos_err, vel_err = [], []
    for jq, jv, imu, forces, p_true, v_true in recording:
        e = est.update(jq, jv, imu[0:4], imu[4:7], imu[7:10], forces, 0.001)
        R = pin.Quaternion(e.orientation_xyzw[3], *e.orientation_xyzw[:3]).toRotationMatrix()
        pos_err.append(np.linalg.norm(e.position - p_true))
        vel_err.append(np.linalg.norm(R @ e.linear_velocity_local - v_true))
    assert max(pos_err) < 0.02
    assert np.sqrt(np.mean(np.square(vel_err))) < 0.05
    assert max(vel_err[1200:]) > 1e-3  # the push really moved the robot: the test is not trivial


def test_estimator_does_not_use_ground_truth_inputs():
    import inspect
    src = inspect.getsource(StateEstimator.update)
    assert "ground_truth" not in src and "qpos" not in src


def test_contact_detector_has_hysteresis():
    d = ContactDetector(["l"], on_threshold=50, off_threshold=20)
    assert d.update({"l": 30})["l"] is True  # starts in contact, stays above off
    assert d.update({"l": 10})["l"] is False
    assert d.update({"l": 30})["l"] is False  # below on: still off
    assert d.update({"l": 60})["l"] is True


def test_contact_detector_rejects_inverted_thresholds():
    with pytest.raises(ValueError, match="off_threshold"):
        ContactDetector(["l"], on_threshold=10, off_threshold=20)


def test_a_gyro_behind_torso_joints_is_turned_into_the_base_rate(talos):
    """Talos' IMU rides on the torso: its gyro also measures the torso joints' motion; the
    estimator removes it (base at rest, torso pitching → base rate 0)."""
    est = StateEstimator(talos)
    assert len(est.imu_chain) == 2  # torso_1, torso_2
    q = talos.nominal_configuration()
    v = np.zeros(talos.nv)
    for name, rate in (("torso_1_joint", 0.4), ("torso_2_joint", 0.7)):  # [rad/s]
        v[talos.model.joints[talos.model.getJointId(name)].idx_v] = rate
    data = talos.model.createData()
    pin.forwardKinematics(talos.model, data, q, v)
    gyro = pin.getFrameVelocity(talos.model, data, talos.imu_frame_id, pin.LOCAL).angular  # what the IMU reads
    assert np.linalg.norm(gyro) > 0.5
    imu = np.zeros(10)
    imu[3] = 1.0
    imu[4:7] = gyro
    joint_q, joint_dq = q[7:], v[6:]
    kinematics_kernels.leg_kinematics(joint_q, *est._tree_args, est.base_R_imu, est._r_feet, est._J_feet, est._R_feet,
                                      est._Jw_feet)
    out = est.compensate_imu_chain(imu, joint_dq)
    np.testing.assert_allclose(out[4:7], 0.0, atol=1e-9)
    assert imu[4:7].tolist() == gyro.tolist()  # the caller's sample is left as it was


def test_an_imu_on_the_base_is_used_as_it_is(humanoid):
    est = StateEstimator(humanoid)
    imu = np.arange(10.0)
    assert est.imu_chain == () and est.compensate_imu_chain(imu, np.ones(humanoid.nj)) is imu


def test_with_a_known_ground_height_the_stance_feet_settle_on_it_instead_of_z_0(humanoid, recording):
    """The same stand replayed as if on a platform 10 cm up (a terrain map's height under the
    feet): the estimated base rises by the platform's height; its motion is unchanged."""
    from humanoid_control import params as P
    from humanoid_control.loop.estimator_core import EstimatorCore
    from humanoid_control.paths import share_dir

    cfg = P.node_params(share_dir() / "config", "estimator", {"terrain_map": "step:0.1@0.3"})
    flat, raised = StateEstimator(humanoid), EstimatorCore(cfg, humanoid).est
    assert flat.kf.ground_height is None and raised.kf.ground_height((1.0, 0.0)) == pytest.approx(0.1)  # the map's
    raised.kf.ground_height = lambda xy: 0.1  # the whole stand on the platform
    dz = []
    for jq, jv, imu, forces, p_true, v_true in recording[:1000]:
        a = flat.update(jq, jv, imu[0:4], imu[4:7], imu[7:10], forces, 0.001)
        b = raised.update(jq, jv, imu[0:4], imu[4:7], imu[7:10], forces, 0.001)
        dz.append(b.position[2] - a.position[2])
    assert np.mean(dz[-200:]) == pytest.approx(0.1, abs=0.01)
