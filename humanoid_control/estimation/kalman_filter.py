"""Linear Kalman filter fusing the IMU with leg kinematics (base pose/velocity estimation).

State (12), world frame: ``x = [p_base (3) m, v_base (3) m/s, p_left (3) m, p_right (3) m]``.
Orientation comes from the IMU (its fused quaternion), so the filter stays linear:

* predict with the IMU's proper acceleration rotated to world plus gravity;
* measure each foot's position relative to the base, ``p_foot - p_base = R r_foot(q)``;
* for a foot in contact, its world velocity is zero, giving the base velocity
  ``v_base = -R (omega x r_foot + J_foot(q) dq)``, and it rests on the ground, ``z_foot = 0``
  (or the known ground's height there, ``LegKinematicsKF.ground_height``).

Feet in swing get large process/measurement noise, so only stance feet anchor the estimate.
Simulator ground truth is never an input."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from humanoid_control.kernels import estimation as kernels



@dataclass
class KfParams:
    accel_noise: float = 0.5  # [m/s²] std of the IMU acceleration in prediction
    foot_process_noise_stance: float = 0.001  # [m/√s] random walk of a stance foot
    foot_process_noise_swing: float = 10.0  # [m/√s] of a swing foot
    kinematics_noise: float = 0.002  # [m] std of foot position from kinematics
    velocity_noise: float = 0.05  # [m/s] std of base velocity from a stance leg
    height_noise: float = 0.005  # [m] std of a stance foot's height (flat ground)
    swing_noise_scale: float = 1e4  # [-] measurement noise multiplier for swing feet
    #: [m/s] a stance foot whose leg puts the base's velocity this far off the prediction is
    #: sliding or dragged: its velocity is set aside like a swinging foot's (0: off, the default —
    #: see the estimator's slip_gate_mps parameter)
    slip_gate: float = 0.0
    slip_gate_max_s: float = 0.1  # [s] for at most this long in a row (then believed again)
    #: [m/s] a stance sole whose centre puts the base's velocity this far off the prediction may be
    #: rolling on an edge: the velocity of its point that agrees best is taken (0: off; see the
    #: estimator's rolling_sole_mps parameter)
    rolling_sole: float = 0.0


class LegKinematicsKF:
    def __init__(self, contacts, params: KfParams | None = None):
        self.contacts = tuple(contacts)
        self.nc = len(self.contacts)
        self.p = params or KfParams()
        n = 6 + 3 * self.nc
        self.n = n
        self.x = np.zeros(n)
        self.P = np.eye(n) * 1e-4
        # Measurement matrices are constant: relative positions, velocities, heights.
        m = 3 * self.nc + 3 * self.nc + self.nc
        H = np.zeros((m, n))
        for k in range(self.nc):
            H[3 * k:3 * k + 3, 0:3] = -np.eye(3)
            H[3 * k:3 * k + 3, 6 + 3 * k:9 + 3 * k] = np.eye(3)
            H[3 * self.nc + 3 * k:3 * self.nc + 3 * k + 3, 3:6] = np.eye(3)
            H[6 * self.nc + k, 6 + 3 * k + 2] = 1.0
        self.H = H
        self.initialized = False
        #: ground height [m] under a foot's estimated (x, y) [m], the stance feet's height prior;
        #: None: a flat floor at z = 0 (the default; a known terrain map gives its height_at)
        self.ground_height = None
        self._stance = np.zeros(self.nc, dtype=bool)
        self._z = np.empty(m)
        self._r = np.empty(m)
        kernels.warm_up()

    def reset(self, p_base: np.ndarray, v_base: np.ndarray, feet_world: dict) -> None:
        self.x[0:3] = p_base
        self.x[3:6] = v_base
        for k, c in enumerate(self.contacts):
            self.x[6 + 3 * k:9 + 3 * k] = feet_world[c]
        self.P[:] = np.eye(self.n) * 1e-6
        self.initialized = True

    def predict(self, accel_world: np.ndarray, dt: float, contact: dict) -> None:
        """Propagate with the world-frame linear acceleration of the base [m/s²]."""
        stance = self._stance
        for k, c in enumerate(self.contacts):
            stance[k] = bool(contact[c])
        p = self.p
        kernels.kf_predict(self.x, self.P, np.ascontiguousarray(accel_world, dtype=float), float(dt), stance,
                           float(p.accel_noise), float(p.foot_process_noise_stance), float(p.foot_process_noise_swing))

    def correct(self, rel_feet_world: dict, base_velocity_from_feet: dict, contact: dict) -> None:
        """``rel_feet_world[c]`` = R r_foot (foot position relative to the base, world axes) [m];
        ``base_velocity_from_feet[c]`` = base velocity implied by a static foot c [m/s]."""
        nc = self.nc
        z, r = self._z, self._r
        for k, c in enumerate(self.contacts):
            scale = 1.0 if contact[c] else self.p.swing_noise_scale
            z[3 * k:3 * k + 3] = rel_feet_world[c]
            r[3 * k:3 * k + 3] = self.p.kinematics_noise ** 2
            z[3 * nc + 3 * k:3 * nc + 3 * k + 3] = base_velocity_from_feet[c]
            r[3 * nc + 3 * k:3 * nc + 3 * k + 3] = self.p.velocity_noise ** 2 * scale
            z[6 * nc + k] = 0.0 if self.ground_height is None else self.ground_height(self.x[6 + 3 * k:8 + 3 * k])
            r[6 * nc + k] = self.p.height_noise ** 2 * scale
        kernels.kf_correct(self.x, self.P, self.H, z, r, 6 * nc)  # the height rows move no velocity

    @property
    def base_position(self) -> np.ndarray:
        return self.x[0:3]

    @property
    def base_velocity(self) -> np.ndarray:
        return self.x[3:6]
