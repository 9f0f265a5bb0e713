"""The estimator node's per-sample body, ROS-free: the state estimator, the time step from
consecutive stamps, and its output in the layout of ``/odom`` and ``/contact_states``."""
from __future__ import annotations

import numpy as np

from humanoid_control.errors import ConfigError
from humanoid_control.estimation.kalman_filter import KfParams
from humanoid_control.estimation.state_estimator import StateEstimator
from humanoid_control.planning.terrain_map import TerrainMap
from humanoid_control.robot.model import RobotModel
from humanoid_control.timing import NodeStats, Stopwatch, TimingStats

#: [s] bounds of the filter's time step between two samples
DT_MIN_S, DT_MAX_S = 1e-4, 0.05


class EstimatorOutput:
    """The newest estimate, in preallocated arrays (overwritten by the next update).

    ``odom`` (13,): base position [m] (odom), orientation quaternion xyzw (odom ← base),
    linear velocity [m/s] and angular velocity [rad/s] in the base frame (REP-105 twist in
    the child frame); ``in_contact``, ``normal_force`` [N], ``probability`` [-] per foot in
    the robot config's foot order."""

    def __init__(self, n_feet: int):
        self.stamp_ns = -1
        self.odom = np.zeros(13)
        self.in_contact = np.zeros(n_feet, dtype=bool)
        self.normal_force = np.zeros(n_feet)
        self.probability = np.zeros(n_feet)


class EstimatorCore:
    def __init__(self, cfg: dict, robot: RobotModel | None = None):
        if cfg["contact_off_N"] >= cfg["contact_on_N"]:
            raise ConfigError(f"contact_off_N ({cfg['contact_off_N']}) must be < contact_on_N ({cfg['contact_on_N']})",
                              "estimator parameters")
        self.cfg = cfg
        self.robot = robot if robot is not None else RobotModel.load(cfg["robot"])
        self.est = StateEstimator(self.robot, KfParams(accel_noise=cfg["accel_noise"],
                                                       kinematics_noise=cfg["kinematics_noise"],
                                                       velocity_noise=cfg["velocity_noise"],
                                                       slip_gate=cfg["slip_gate_mps"],
                                                       slip_gate_max_s=cfg["slip_gate_max_s"],
                                                       rolling_sole=cfg["rolling_sole_mps"],
                                                       height_noise=cfg["foot_height_noise"]),
                                  cfg["contact_on_N"], cfg["contact_off_N"])
        terrain = TerrainMap.from_param(cfg.get("terrain_map", ""), "estimator.terrain_map")
        if terrain is not None:  # the stance feet's height prior follows the known ground
            self.est.kf.ground_height = terrain.height_at
        self.sides = tuple(self.robot.config.feet)
        self.out = EstimatorOutput(len(self.sides))
        self.stats = TimingStats(0.001)
        self.rejected = 0
        self.last_rejection = ""
        self._last_ns = None

    def update(self, ns: int, joint_q: np.ndarray, joint_dq: np.ndarray, imu: np.ndarray,
               normal_forces: dict) -> EstimatorOutput:
        """One sample stamped ``ns``: joints in Pinocchio order [rad, rad/s], ``imu`` (10,)
        = quaternion xyzw, gyro [rad/s], accelerometer [m/s²]; ``normal_forces`` foot → [N]."""
        sw = Stopwatch()
        dt = 0.001 if self._last_ns is None else min(max((ns - self._last_ns) * 1e-9, DT_MIN_S), DT_MAX_S)
        contact = self.est.update_odom(joint_q, joint_dq, imu, normal_forces, dt)
        self._last_ns = ns
        o = self.out
        o.stamp_ns = ns
        o.odom[:] = self.est.odom
        det = self.est.detector
        for i, s in enumerate(self.sides):
            o.in_contact[i] = contact[s]
            o.normal_force[i] = normal_forces[s]
            o.probability[i] = det.probability(normal_forces[s])
        self.stats.add(sw.us())
        return o

    def reject(self, why: str) -> None:
        self.rejected += 1
        self.last_rejection = why

    def node_stats(self, name: str = "estimator", recent_s: float | None = None) -> NodeStats:
        return NodeStats.of(name, self.stats, 0, "ok", {"rejected": self.rejected, "last_rejection": self.last_rejection,
                                                        "foot_slides": self.est.foot_slides},
                            recent_s=recent_s)
