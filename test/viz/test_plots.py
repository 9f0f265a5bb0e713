"""PNG plots of a run, drawn from a recording of the humanoid standing and then walking."""
import math

import numpy as np

from humanoid_control.sim.recording import RunRecording
from humanoid_control.viz.plots import PLOT_NAMES, commanded_velocity, heading_velocity, write_plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def recording_of(robot, seconds=1.0, yaw=0.0):
    q = robot.nominal_configuration()
    rec = RunRecording(robot.joint_names, {s: f.frame for s, f in robot.config.feet.items()})
    rec.set_joint_positions(robot.joint_names, q[7:])
    rec.set_contacts({s: True for s in robot.config.feet})
    for s in robot.config.feet:
        rec.set_foot_wrench(s, (5.0, 0.0, robot.mass * 9.81 / 2, 0, 0, 0))
    quat = (0.0, 0.0, math.sin(yaw / 2), math.cos(yaw / 2))
    for k in range(int(seconds * 1000) + 1):
        rec.add_ground_truth(k * 0.001, q[:3], quat, (0.2, 0.0, 0.0), (0.0, 0.0, 0.1), q[:3])  # base frame
    return rec.arrays()


def test_every_plot_is_written_as_a_valid_png(humanoid, tmp_path):
    report = {"nodes": {"wbc": {"compute_p50_us": 400.0, "compute_p99_us": 650.0},
                        "driver": {"compute_p50_us": 200.0, "compute_p99_us": 300.0}}}
    paths = write_plots(recording_of(humanoid), report, humanoid, tmp_path / "plots", friction=0.8,
                        commands=[(0.0, (0.2, 0.0, 0.1))])
    assert [p.stem for p in paths] == list(PLOT_NAMES)
    for p in paths:
        data = p.read_bytes()
        assert data.startswith(PNG_SIGNATURE), p
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width >= 400 and height >= 300, p


def test_the_heading_velocity_is_the_world_velocity_turned_by_the_base_yaw(humanoid):
    rec = recording_of(humanoid, seconds=0.1, yaw=math.pi / 2)
    v = heading_velocity(rec)
    np.testing.assert_allclose(v[:, 0], 0.2, atol=1e-12)  # walking straight ahead, facing +y
    np.testing.assert_allclose(v[:, 1], 0.0, atol=1e-12)
    np.testing.assert_allclose(v[:, 2], 0.1)


def test_the_commanded_velocity_is_piecewise_constant_from_each_command_time():
    t = np.array([0.0, 0.9, 1.0, 2.5, 3.0])
    cmd = commanded_velocity(t, [(1.0, (0.3, 0.0, 0.0)), (3.0, (0.0, 0.0, 0.5))])
    np.testing.assert_array_equal(cmd[:, 0], [0, 0, 0.3, 0.3, 0])
    np.testing.assert_array_equal(cmd[:, 2], [0, 0, 0, 0, 0.5])
