"""Footstep planner: where the swing foot lands (world frame, on flat ground).

Placement by divergent-component-of-motion (DCM) stepping on the linear inverted
pendulum (ω = √(g / z_c)). With the stance foot at p and the DCM ξ = c + ċ/ω now,

    ξ(t_td) = p + (ξ − p) · e^{ω (t_td − t)}                 DCM predicted at touch-down
    p'      = ξ(t_td) − R(yaw_td) · b                         landing point
    b       = [ L_x / (e^{ωT} − 1),  L_y / (e^{ωT} − 1) − s · w / (e^{ωT} + 1) ]

where ``L = v_cmd · T`` is the commanded stride per step of period T, ``w`` the nominal
stance width and ``s`` = +1 when the left foot lands (−1 for the right). In steady walking
this lands each foot one stride ahead, alternating ±w; any DCM error (a push, a velocity
error) moves the landing point by exactly that error, which brings the DCM back within a
step — the capture-point feedback that makes a pushed robot step into the push. Walking
straight or turning (not sideways), ``sway_share`` < 1 expects less of the pendulum's sideways
swing (a CoM held from swaying): the feet land nearer under the DCM, the gain on its error
stays 1.

Then the step is made kinematically feasible in the stance foot's frame: forward/backward
reach, lateral reach, and a minimum lateral distance that grows with the relative yaw so
the two sole rectangles never overlap or cross; relative yaw is limited per step and a
foot only turns "outwards" first (the left foot leads a left turn)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from humanoid_control.errors import ConfigError
from humanoid_control.planning.planar import clamp, rectangle_half_extent, rotation_2d, wrap_angle
from humanoid_control.planning.velocity_feedback import SIDEWAYS_MPS

from humanoid_control.constants import GRAVITY


@dataclass(frozen=True)
class FootstepParams:
    nominal_width_m: float = 0.2  # [m] centre-to-centre stance width, [0.05, 0.6]
    foot_length_m: float = 0.22  # [m] sole length, (0, 0.5]
    foot_width_m: float = 0.11  # [m] sole width, (0, 0.3]
    clearance_m: float = 0.03  # [m] free space kept between the soles, [0, 0.2]
    #: [m] sideways walking: the trailing step keeps this above the minimum, [0, 0.2] (0.04 left
    #: the trailing foot clamped at the minimum at 0.4 m/s: the error went into the next leading
    #: step and the gait fell into a four-step lurch; 0.08 walks it steadily, measured)
    lateral_margin_m: float = 0.08
    straight_margin_m: float = 0.04  # [m] straight walking: the stance is at least the minimum lateral distance plus this, [0, 0.2]
    #: [m] swing foot ahead of the stance foot, [0.05, 1] (0.35 caught standing shoves up to
    #: Δv ~0.78 m/s forward and backward; 0.4 catches 0.8, measured)
    max_forward_m: float = 0.4
    max_backward_m: float = 0.4  # [m] swing foot behind the stance foot (0.25 could not catch a 0.45-m/s shove backward), [0.05, 1]
    max_width_m: float = 0.4  # [m] largest centre-to-centre lateral distance (the legs' reach), [0.1, 1]
    width_slack_m: float = 0.22  # [m] a step lands at most this much wider than the gait's leading step, [0, 1]
    capture_shortfall_m: float = 0.03  # [m] a step the gait's width limit keeps this far from the DCM's wish may use the legs' full reach (max_width_m), [0, 1]
    max_yaw_step_rad: float = 0.7  # [rad] largest change of foot yaw per step (0.35 capped turning at ~0.45 rad/s, 0.6 at ~0.9; 0.7 turns 1 rad/s), [0, 1]
    com_height_m: float = 0.8  # [m] for ω of the capture-point feedback, [0.2, 2]
    #: [-] walking straight or turning (not sideways; standing: 1), the share of the point-foot pendulum's sideways DCM
    #: swing the stepping law expects at touch-down, [0, 1]: 1 is the law above; with less the
    #: feet land nearer under the DCM (b_y between w/(e^{ωT}+1) and w/2). A CoM kept from swaying
    #: (an MPC whose reference has no sway) needs less than 1, or the law wants the feet closer
    #: than the soles allow and its sideways feedback is clamped away (see LocomotionParams)
    sway_share: float = 1.0
    #: [s] (T_slow, T_fast): sway_share holds for steps of T_slow or longer and rises linearly to 1
    #: at T_fast or shorter (faster cadences); (0, 0): sway_share for every step period
    sway_share_cadence_s: tuple = (0.0, 0.0)

    def validate(self) -> "FootstepParams":
        if self.min_lateral_m(0.0) > self.nominal_width_m:
            raise ConfigError(f"footstep: nominal_width_m = {self.nominal_width_m} is below the minimum lateral "
                              f"distance foot_width_m + clearance_m = {self.min_lateral_m(0.0):.3f}", "footstep")
        if not 0.0 <= self.sway_share <= 1.0:
            raise ConfigError(f"footstep: sway_share = {self.sway_share} is outside [0, 1]", "footstep")
        slow, fast = self.sway_share_cadence_s
        if fast < 0.0 or slow < fast:
            raise ConfigError(f"footstep: sway_share_cadence_s = {self.sway_share_cadence_s} must be (T_slow, "
                              f"T_fast) with T_slow >= T_fast >= 0 [s]", "footstep")
        if self.max_width_m < self.nominal_width_m:
            raise ConfigError(f"footstep: max_width_m = {self.max_width_m} < nominal_width_m = "
                              f"{self.nominal_width_m}", "footstep")
        return self

    def min_lateral_m(self, relative_yaw_rad: float) -> float:
        """Smallest centre-to-centre lateral distance [m] (stance frame) at which two soles
        with this relative yaw cannot touch, wherever one is along the other: the stance sole
        reaches W/2 sideways, the turned one (L/2)·|sin ψ| + (W/2)·cos ψ, plus ``clearance_m``.
        (L·|sin ψ| + W, twice the turned sole's corner, kept the foot leading a turn up to 3 cm
        further out than the other: turning in place at 0.33 rad/s the humanoid drifted 0.069 m/s
        sideways, 0.041 with the exact bound.)"""
        turned = rectangle_half_extent(0.5 * math.pi - relative_yaw_rad, self.foot_length_m, self.foot_width_m)
        return 0.5 * self.foot_width_m + turned + self.clearance_m

    @property
    def omega(self) -> float:
        """[1/s] natural frequency of the linear inverted pendulum."""
        return math.sqrt(GRAVITY / self.com_height_m)


@dataclass(frozen=True)
class Footstep:
    foot: str
    position: np.ndarray  # (3,) [m] world, sole centre on the ground
    yaw: float  # [rad] world
    t_touchdown: float  # [s]
    #: (2,) [m] world: the desired landing point minus this feasible one — the DCM error the
    #: step leaves uncorrected because the leg cannot reach (zero when nothing was clamped)
    shortfall_m: np.ndarray = field(default_factory=lambda: np.zeros(2))

    @property
    def wish_xy(self) -> np.ndarray:
        """(2,) [m] world: where the stepping law wanted the foot, before the reach limits."""
        return self.position[:2] + self.shortfall_m


class FootstepPlanner:
    def __init__(self, params: FootstepParams | None = None, left: str = "left", right: str = "right"):
        self.params = (params or FootstepParams()).validate()
        self.left, self.right = left, right
        #: the walking planner sets this on uneven ground: the pendulum's full sway (share 1) there
        self.full_sway = False

    def side_sign(self, foot: str) -> float:
        """+1 for the left foot (it lies on the +y side of the stance frame), −1 for the right."""
        if foot == self.left:
            return 1.0
        if foot == self.right:
            return -1.0
        raise ConfigError(f"unknown foot '{foot}'; valid feet: {self.left}, {self.right}", "footstep")

    def plan(self, foot: str, t: float, t_touchdown: float, step_period_s: float,
             com_xy, com_velocity_xy, base_yaw: float, cmd_velocity, stance_xy, stance_yaw: float,
             ground_z: float = 0.0) -> Footstep:
        """Landing place of ``foot`` (the swing foot).

        ``com_xy`` [m] and ``com_velocity_xy`` [m/s] are measured (world); ``cmd_velocity``
        is (vx, vy [m/s] in the base heading frame, wz [rad/s]); ``stance_xy`` / ``stance_yaw``
        the other foot's sole (world), the pendulum's pivot until touch-down."""
        p = self.params
        w = p.omega
        dt = max(t_touchdown - t, 0.0)
        wz = float(cmd_velocity[2])
        yaw_td = base_yaw + wz * dt
        stance = np.asarray(stance_xy, dtype=float)
        dcm = np.asarray(com_xy, dtype=float) + np.asarray(com_velocity_xy, dtype=float) / w
        dcm_td = stance + (dcm - stance) * math.exp(w * dt)
        target = dcm_td - self.dcm_offset(foot, cmd_velocity, step_period_s, yaw_td)
        yaw = yaw_td + wz * step_period_s / 2
        step = self.make_feasible(foot, target, yaw, stance_xy, stance_yaw, t_touchdown, ground_z,
                                  self.width_limit(float(cmd_velocity[1]), step_period_s, wz))
        if float(np.linalg.norm(step.shortfall_m)) > p.capture_shortfall_m:  # a capture step: full reach
            step = self.make_feasible(foot, target, yaw, stance_xy, stance_yaw, t_touchdown, ground_z)
        return step

    def dcm_offset(self, foot: str, cmd_velocity, step_period_s: float, heading_rad: float) -> np.ndarray:
        """(2,) [m] world: where the DCM is, relative to ``foot``, when it touches down in
        steady walking at the commanded velocity (the vector ``R(yaw) · b`` above; walking
        straight or turning, b_y = w/2 − sway_share · (w/2 − w/(e^{ωT}+1)): the pendulum's swing
        about the middle of the stance, w/2 − w/(e^{ωT}+1), scaled by ``sway_share``)."""
        vx, vy, wz = (float(c) for c in cmd_velocity[:3])
        grow = math.exp(self.params.omega * step_period_s)
        width = self.stance_width(vy, step_period_s, wz)
        inside = width / (grow + 1.0)  # [m] the point-foot pendulum's DCM inside the landing foot
        # Turning too: the MPC's reference has no sway there either, and with the pendulum's full
        # sway the law wanted both feet 3-5 cm closer than the soles allow, the clamped steps lost
        # the sideways feedback and the CoM wandered over 14 cm while turning in place at 0.5 rad/s
        # (5 cm with the share). Walking sideways keeps the pendulum (with the share, starting at
        # 0.4 m/s took 2 s of lurching); standing, capture steps are the pendulum's.
        if (vx != 0.0 or wz != 0.0) and abs(vy) < SIDEWAYS_MPS:
            inside = width / 2 - self.sway_share_at(step_period_s) * (width / 2 - inside)
        b = np.array([vx * step_period_s / (grow - 1.0),
                      vy * step_period_s / (grow - 1.0) - self.side_sign(foot) * inside])
        return rotation_2d(heading_rad) @ b

    def sway_share_at(self, step_period_s: float) -> float:
        """[-] the sway share walking straight with steps ``step_period_s`` [s] long: ``sway_share``
        at the slow end of ``sway_share_cadence_s``, rising linearly to 1 at its fast end (1 while
        ``full_sway``)."""
        share = 1.0 if self.full_sway else self.params.sway_share
        slow, fast = self.params.sway_share_cadence_s
        if step_period_s >= slow:  # (0, 0): always
            return share
        if step_period_s <= fast:
            return 1.0
        return share + (1.0 - share) * (slow - step_period_s) / (slow - fast)

    def stance_width(self, vy: float, step_period_s: float, wz: float = 0.0) -> float:
        """Mean centre-to-centre width [m] of the gait at lateral speed ``vy`` [m/s] and turning
        rate ``wz`` [rad/s]: the nominal width, widened when walking sideways so the trailing
        foot's step (width − |vy|·T) keeps the minimum lateral distance plus
        ``lateral_margin_m``; without that the trailing foot would be clamped every step and the
        lateral speed would run away. Straight walking keeps the nominal width (at least the
        minimum plus ``straight_margin_m``). Turning, at least the width at which the two feet
        turned about their middle keep apart: the foot leading the turn is ψ = 2·|wz|·T (at most
        ``max_yaw_step_rad``) ahead of the other in yaw, and turned so about the middle of a
        stance w wide it lies (w/2)·(1 + cos ψ) out from the other, which must be at least the
        minimum lateral distance at ψ."""
        p = self.params
        turn = min(2.0 * abs(wz) * step_period_s, p.max_yaw_step_rad)  # [rad]
        turning = 2.0 * p.min_lateral_m(turn) / (1.0 + math.cos(turn)) if wz != 0.0 else 0.0
        if vy == 0.0:
            return max(p.nominal_width_m, p.min_lateral_m(0.0) + p.straight_margin_m, turning)
        return max(p.nominal_width_m, p.min_lateral_m(0.0) + p.lateral_margin_m + abs(vy) * step_period_s, turning)

    def width_limit(self, vy: float, step_period_s: float, wz: float = 0.0) -> float:
        """Widest centre-to-centre step [m] at lateral speed ``vy`` [m/s]: the gait's leading
        step (stance width + |vy|·T) plus ``width_slack_m`` for capture steps, within the
        legs' reach ``max_width_m``. Straight walking keeps the hip abduction it does not need
        in reserve (wider steps at 0.8 m/s swayed the robot off its speed, measured); walking
        sideways gets the reach its leading steps need."""
        p = self.params
        gait = self.stance_width(vy, step_period_s, wz) + abs(vy) * step_period_s
        return min(p.max_width_m, gait + p.width_slack_m)

    def make_feasible(self, foot: str, target_xy, yaw: float, stance_xy, stance_yaw: float,
                      t_touchdown: float = 0.0, ground_z: float = 0.0, max_width_m: float | None = None) -> Footstep:
        """Clamp a desired landing pose into the reachable, collision-free region relative
        to the stance foot (``max_width_m`` [m]: a narrower width limit than the reach)."""
        p = self.params
        widest = p.max_width_m if max_width_m is None else min(max_width_m, p.max_width_m)
        sign = self.side_sign(foot)
        rel_yaw = wrap_angle(yaw - stance_yaw)
        # turning: the foot on the inside of the turn follows, it does not lead
        if rel_yaw * sign < 0:
            rel_yaw = 0.0
        rel_yaw = clamp(rel_yaw, -p.max_yaw_step_rad, p.max_yaw_step_rad)
        R = rotation_2d(stance_yaw)
        stance = np.asarray(stance_xy, dtype=float)
        rel = R.T @ (np.asarray(target_xy, dtype=float) - stance)
        rel[0] = clamp(rel[0], -p.max_backward_m, p.max_forward_m)
        min_lateral = p.min_lateral_m(rel_yaw)
        lateral = clamp(sign * rel[1], min_lateral, max(widest, min_lateral))
        # the leg reaches an ellipse, not a box: a step both far forward (or back) and far out
        # is pulled towards the nominal stance (the box's corner is 0.69 m from the stance
        # foot; a capture step there put the humanoid in a split it could not leave)
        reach_x = p.max_forward_m if rel[0] > 0 else p.max_backward_m
        base = max(min(p.nominal_width_m, widest), min_lateral)
        ex = rel[0] / reach_x
        ey = (lateral - base) / (p.max_width_m - base) if lateral > base and p.max_width_m > base else 0.0
        excess = math.hypot(ex, ey)
        if excess > 1.0:
            rel[0] /= excess
            lateral = base + (lateral - base) / excess
        rel[1] = sign * lateral
        xy = stance + R @ rel
        return Footstep(foot, np.array([xy[0], xy[1], ground_z]), wrap_angle(stance_yaw + rel_yaw), t_touchdown,
                        np.asarray(target_xy, dtype=float)[:2] - xy)
