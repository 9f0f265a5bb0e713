"""What a planner asks of the whole-body QP for one tick (world frame, SI units).

Without a reference the WBC stands: both feet in contact, CoM over the middle of the feet
by DCM feedback. With one (from the centroidal MPC and the gait), it tracks the planned
CoM motion and contact wrenches, switches contacts as planned and moves swing feet along
their trajectories."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SwingReference:
    position: np.ndarray  # (3,) [m] sole centre, world
    yaw: float  # [rad] sole yaw, world (soles stay level)
    velocity: np.ndarray  # (3,) [m/s]
    acceleration: np.ndarray  # (3,) [m/s²]
    yaw_rate: float = 0.0  # [rad/s]
    lifts_over_edge: bool = False  # a lift-first swing: stiff vertical gains (SwingTrajectory.lifts_over_edge)


@dataclass
class WbcReference:
    contacts: dict  # foot -> bool (planned stance)
    com_position: np.ndarray  # (3,) [m]
    com_velocity: np.ndarray  # (3,) [m/s]
    com_acceleration: np.ndarray  # (3,) [m/s²] feed-forward (Σf/m + g of the plan)
    wrenches: dict = field(default_factory=dict)  # foot -> (6,) [N, N·m] world axes at the sole
    swing: dict = field(default_factory=dict)  # foot -> SwingReference (feet not in contact)
    base_yaw: float | None = None  # [rad] heading of the base; None = keep the current reference
    base_yaw_rate: float = 0.0  # [rad/s] turning rate of that heading (feed-forward)
    walking: bool = False  # the plan walks on a command: the QP follows its wrenches (WbcParams.wrench_weight_walking)
    uneven_ground: bool = False  # the planner reads blind uneven ground: the plan's wrenches are dropped at once
