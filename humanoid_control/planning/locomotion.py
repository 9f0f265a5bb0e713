"""Locomotion planner: gait schedule + footsteps + swing trajectories + centroidal MPC.

Called at the MPC rate with the estimated robot state and the velocity command, it returns
a :class:`LocomotionPlan`: the MPC's CoM trajectory and contact wrenches over the horizon,
the contact schedule, and the swing trajectories. The whole-body QP samples the plan at
1 kHz with :meth:`LocomotionPlan.reference_at`. ROS-free."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pinocchio as pin

from humanoid_control.mpc.centroidal_mpc import GRAVITY, MpcParams, MpcProblem, MpcSolution, create_mpc
from humanoid_control.planning.footstep_planner import FootstepParams, FootstepPlanner
from humanoid_control.planning.gait_scheduler import GaitParams, GaitScheduler
from humanoid_control.planning.planar import (circular_mean, convex_hull, rotation_2d, signed_distance_to_polygon,
                                              wrap_angle)
from humanoid_control.planning.swing_trajectory import CLASSIC, SwingProfile, SwingTrajectory
from humanoid_control.planning.terrain_map import TerrainMap
from humanoid_control.planning.velocity_feedback import (SIDEWAYS_MPS, CycleVelocityFeedback, VelocityFeedbackParams,
                                                         walks_straight)
from humanoid_control.robot.model import RobotModel
from humanoid_control.wbc.reference import SwingReference, WbcReference


@dataclass(frozen=True)
class LocomotionParams:
    gait: GaitParams = GaitParams()
    mpc: MpcParams = MpcParams()
    walk_threshold: float = 0.02  # [m/s or rad/s] a command above this starts walking
    retarget_until_phase: float = 0.6  # [-] swing phase after which the landing spot is frozen
    reference_acceleration: float = 1.0  # [m/s²] the MPC's CoM reference approaches the command at most this fast
    #: [m/s²] across the heading, while the CoM is off the command sideways by more than
    #: reference_lateral_gate_mps (a shove): at 1 m/s² the reference carried a 0.6-m/s sideways
    #: shove on for 0.6 s and the DCM ran past the capture step; applied always, steady walking on
    #: rough ground turned off course (measured, session 16)
    reference_acceleration_lateral: float = 2.0
    reference_lateral_gate_mps: float = 0.3  # [m/s]
    max_heading_lead_rad: float = 0.25  # [rad] the heading reference runs at most this far ahead of the base
    footstep_overrides: dict = field(default_factory=dict)  # FootstepParams fields
    velocity_feedback: VelocityFeedbackParams = VelocityFeedbackParams()
    #: [m] standing, a DCM this far outside the feet's support rectangle starts recovery steps
    #: (negative: inside it); 0 = at the soles' edge, where the ankle strategy runs out
    step_trigger_margin_m: float = 0.0
    #: [m] and [m/s]: recovery steps end (a closing step, then standing) once the DCM is this
    #: far inside the support rectangle and the CoM slower than recovered_speed_mps
    recovered_margin_m: float = 0.02
    recovered_speed_mps: float = 0.1
    #: step-timing adaptation: every update the step in progress (or about to begin) may land
    #: earlier — and lift off earlier — when the leg cannot reach where the DCM needs it
    adapt_step_timing: bool = True
    #: [m/s] and [m]: walking mostly sideways (a sideways command of SIDEWAYS_MPS or more, and at
    #: least the forward one), the step timing is adapted only while the CoM is off the commanded
    #: velocity by more than sideways_timing_gate_mps, or the step as planned misses the DCM
    #: stepping law's landing by more than sideways_timing_gate_m (a shove either way; 0: always).
    #: In steady sideways walking the law's misses are the soles' minimum distance — with the DCM
    #: over the leading foot it wants the trailing one closer than the soles allow, by up to
    #: 0.10 m (measured at 0.2-0.4 m/s) — and landing that foot sooner every other cycle threw the
    #: gait into a four-step lurch: 0.194 of 0.25 m/s over 8 s, 0.258 with the gate. A shove the
    #: way it walks misses by 0.18 m and more at once while the CoM is still within 0.4 m/s of the
    #: command: gated on the speed alone, walking at 0.3 m/s a Δv 0.3-m/s push to the left as
    #: the left foot lands fell (4 of 24 such pushes at 0.2-0.4 m/s, 0 with the miss; session 40).
    #: Gated for any sideways part, a campaign walk at (0.53, -0.14, -0.32) lost its tracking
    sideways_timing_gate_mps: float = 0.4
    sideways_timing_gate_m: float = 0.12
    min_swing_s: float = 0.2  # [s] shortest swing it may make
    #: [s] ... walking mostly sideways: a shove the way it walks needs the trailing foot in and the
    #: leading one out in two quick steps: Δv 0.5 pushes along the walk at 0.2-0.4 m/s, 8 phases:
    #: 2 of 24 fell (6 with 0.2 s); in 8 directions x 4 phases 5 of 128 (14 before session 40);
    #: 0.15 s for forward walking too made 1 of bench/push_sweep.py's 48 fall (0)
    sideways_min_swing_s: float = 0.15
    min_double_support_s: float = 0.04  # [s] shortest double support before a lift-off brought forward
    min_touchdown_lead_s: float = 0.08  # [s] a touch-down is never brought closer to now than this
    max_swing_speed_mps: float = 2.5  # [m/s] a swing brought forward travels at most this fast on average
    max_swing_overshoot_m: float = 0.02  # [m] a swing brought forward may pass its landing spot by at most this
    #: cadence: walking forward or backward faster than this step length per gait step period
    #: shortens the period instead (steps of cadence_step_length_m at |vx| / period), never
    #: below min_step_period_s — 0.35-m steps every 0.4 s cap the humanoid at ~0.78 m/s
    cadence_step_length_m: float = 0.25  # [m]
    #: the same sideways: the CoM travels at most this far sideways per step (each foot moves
    #: twice that per step); at 0.4 m/s the 0.4-s period made 0.32-m lateral steps, the gait
    #: fell into a four-step lurch and averaged 0.24 m/s (0.3-s steps: 0.40, measured)
    cadence_lateral_step_m: float = 0.1  # [m]
    min_step_period_s: float = 0.28  # [s]
    #: swing-foot selection: in the double support before a step, when the scheduled foot's
    #: landing misses the DCM stepping law's wish by more than swing_swap_min_miss_m and the other
    #: foot's by swing_swap_gain_m less, the other foot steps (a push to the right just as the
    #: right foot lands: the left foot cannot cross over, so the right one steps again). With it,
    #: 3 of 48 neighbour pushes fell instead of 8 (bench/push_sweep.py); a gain of 0.05 also
    #: swapped while a push was still under way and a suite case fell
    swing_foot_selection: bool = True
    swing_swap_min_miss_m: float = 0.1  # [m]
    swing_swap_gain_m: float = 0.1  # [m]
    #: [m/s] ... and only while the CoM is off the commanded velocity by more than this (a shove):
    #: turning in place at 1 rad/s the turning steps miss by > 0.1 m and swapped 7 times in 10 s
    swing_swap_speed_error_mps: float = 0.3
    #: a shove late in a swing, towards the swinging foot's side: the swing may land later (at most
    #: max_swing_extension_s) at the DCM law's landing instead of its frozen one — the leg it would
    #: have to step across cannot catch such a shove (see _adapt_step_timing); only while the CoM is
    #: off the command by more than swing_extension_speed_error_mps; 0: off
    max_swing_extension_s: float = 0.12  # [s]
    swing_extension_speed_error_mps: float = 0.2  # [m/s]
    extension_step_height_m: float = 0.03  # [m] least apex still to come of an extended swing
    extension_min_miss_m: float = 0.06  # [m] (0.03 also extended a Romeo swing after a 0.3-m/s push from the side, and it fell)
    #: a sideways shove while walking on a command that does not walk sideways: the plan's
    #: wrenches are not followed (LocomotionPlan.walking off) for shove_hold_s after the CoM's
    #: sideways speed (heading frame) was more than shove_lateral_speed_error_mps off the command —
    #: the capture steps are caught by the QP's own balance. Following the plan there, a
    #: randomized robot that had caught a 0.33-m/s shove from the left with a wide step swung back
    #: at 0.5 m/s and fell (campaign trial 79 of seed 0). Nominal walking reads at most 0.28 m/s
    #: sideways off the command on flat ground (1 m/s forward, 0.25 turning on an arc, measured);
    #: sideways commands read 0.5 and keep following the plan. On ramps and rough ground nominal
    #: walks read up to 0.4 (a randomized robot 0.73 walking down a 9.6° ramp): there the gate
    #: fires with no shove and hands the walk over for the rest of the ramp (campaign trial 80 of
    #: seed 1 ran down at 0.46 of 0.32 m/s). 0: off
    shove_lateral_speed_error_mps: float = 0.35  # [m/s]
    shove_hold_s: float = 1.0  # [s]
    step_timing_tolerance_m: float = 0.01  # [m] a step this close to the DCM's wish keeps its timing
    step_timing_weight: float = 0.01  # [m²/s²] cost of landing earlier, per s² (0.1 s earlier = 1 cm of error)
    #: blind uneven ground: while both feet are down, flat and at estimated heights more than
    #: uneven_height_m apart (read only when walking as commanded), the next swings lift first
    #: (uneven_swing: travel from 10 % to 90 % of the swing, at the apex from 35 % to 65 %) with
    #: apex uneven_step_height_m, for uneven_hold_s after the last such reading. The foot behind a
    #: 3-cm step caught the riser with its toe and pitched 53° with the classic swing (measured);
    #: with this, 3 and 3.5-cm steps up at five positions and speeds walk (session 15)
    swing: SwingProfile = CLASSIC
    uneven_swing: SwingProfile = SwingProfile(0.1, 0.1, 0.35, 0.35)
    uneven_height_m: float = 0.025  # [m] (0: off)
    uneven_step_height_m: float = 0.06  # [m]
    uneven_hold_s: float = 2.0  # [s]
    #: [m/s] in uneven-ground mode, blind (no terrain map), the commanded horizontal speed is scaled down to at most this,
    #: [0, 2] (0: off): blind 5-cm stair flights at 0.3 m/s, two sets of 28 neighbours, fell in 28
    #: of 56 without it, 21 with it, 16 with it and the plan's wrenches dropped at once there
    #: (LocomotionPlan.uneven_ground); walked at 0.2 m/s from the start, 1 of 13 fell
    uneven_max_speed_mps: float = 0.25
    #: footholds at the stance foot's estimated height instead of z = 0: always, or in uneven mode
    #: (off: with the estimator's flat-ground prior the 10° slopes fell with it, measured)
    footholds_at_stance_height: bool = False
    uneven_footholds_at_stance_height: bool = False
    #: [m/s] shoved — the CoM more than this off the commanded velocity — the footholds are planned
    #: at the stance foot's height for shove_hold_s (0: off): on a ramp the capture steps planned
    #: at z = 0 met the ground early going up and reached down late going down, and walking 0.4 m/s
    #: on ±5/±10° ramps, pushes of Δv 0.3/0.4 from four sides at two times fell in 5 of 48 (1 with
    #: this; 0.2 m/s: 0, but the 15° descent of bench/terrain_sweep.py then fell; always on, the
    #: sweep's 15° descent and a rough walk fell; session 40)
    shove_footholds_speed_error_mps: float = 0.3
    #: stumble reflex: a swing foot tilted more than stumble_tilt_deg before it is frozen on its
    #: landing (its toe or heel caught on an edge: a 1.6-cm step met with the toe 1 cm from the
    #: riser pitched the foot 55° and spun the robot 57°, measured) starts its swing again from
    #: where it is: up to stumble_step_height_m first, then on to its landing (stumble_swing), and
    #: the swings that follow lift first (uneven-ground mode) — 0: off
    stumble_tilt_deg: float = 15.0  # [deg] (8 fired on ±1 cm rough ground: swings that scuffed a bump, 11 in a run that fell)
    #: straddle reading (blind): a foot on the ground pitched toe-up by more than straddle_tilt_deg
    #: along the walking direction — its sole resting on a nosing, the heel on the tread below —
    #: turns uneven-ground mode on at once, whether or not the other foot swings (the reading of
    #: two flat feet at two heights never comes while a foot straddles a riser: the other foot's
    #: next swing was a classic one, its toe caught the same nosing and both feet ended on it).
    #: Blind 5-cm stair flights, 84 neighbours, climbed / fell: 54 / 18 without it, 57 / 10 with
    #: 15°, 55 / 8 with 13° (which slowed a 12° ramp up: its soles pitch ~13°); ramps up to 12°
    #: keep their speed (see also STRADDLE_MAX_SPEED_EXCESS_MPS) — 0: off
    straddle_tilt_deg: float = 15.0  # [deg]
    stumble_step_height_m: float = 0.08  # [m]
    stumble_swing: SwingProfile = SwingProfile(0.35, 0.1, 0.3, 0.3)
    #: [-] share of the nominal gait's sideways sway (LocomotionPlanner.nominal_sway) the MPC's CoM
    #: reference adds to the command when walking straight, [0, 1] — 0 (the default): the command
    #: alone, so the MPC spends the stance sole's CoP on cancelling the sway the DCM stepping law
    #: plans for; the steps then settle onto the feet's minimum lateral distance and, shoved from the
    #: side at 0.5 m/s, the humanoid lurches ±0.14 m/s sideways per cycle 6 s later (the suite's
    #: xfail; 0.01 with 1). Measured with 1 on the randomized campaigns (seed 0): humanoid 92/100
    #: (90 with 0), Talos 50/50 (46); but 5 of 48 neighbour shoves fell (3 with 0), and a few suite
    #: cases move (Romeo's push sample, the toe-catch scenario): off until that is understood.
    #: Walking sideways or turning always keeps the command alone (two randomized walks lost their
    #: 25 % tracking with the sway there)
    sway_reference: float = 0.0
    #: [-] the stepping law's FootstepParams.sway_share at the nominal cadence (at least
    #: sway_reference), [0, 1]; it rises to 1 as the cadence rises to min_step_period_s. The MPC,
    #: its reference without sway, holds the CoM near the middle of the stance: at 0.3–0.5 m/s the
    #: DCM at touch-down had 0.45–0.64 of the pendulum's sway (humanoid, Talos, Romeo), so the law
    #: with the full sway (1) wanted the feet closer than the soles allow (the humanoid's stance
    #: clamped at 0.15 m); clamped there every step, it lost its sideways feedback and a shove from
    #: the side left a lurch that decayed over 6 s. With 0.5 the DCM shows 0.54 of the sway (0.24-m
    #: stance). At 1 m/s (0.28-s steps) the stance is 0.25 m wide with 1 and nothing is clamped;
    #: 0.5 or 0.75 there walked 0.86–0.87 of 1 m/s (0.91 with 1) and fell once.
    #: Measured (bench/push_sweep.py, 48 neighbour pushes at 0.3/0.5/0.7 m/s, falls / not back 3 s
    #: after), fixed share: 1: 3 / 6; 0.7: 5 / 1; 0.6: 2 / 0; 0.5: 3 / 0; 0.4: 3 / 0; 0.3: 2 / 9
    step_sway_share: float = 0.5
    #: [m] on a terrain map, a landing moved off an edge goes to the clear place ahead (walking
    #: direction) unless it is this much further from the wish than the one behind (see _on_map)
    map_forward_bias_m: float = 0.05
    #: a swing over a terrain map's edge: up first, travelling only from 25 % of the swing (its
    #: foot lags the height reference by ~3 cm early in the swing; from 10 % the toe caught risers)
    map_edge_swing: SwingProfile = SwingProfile(0.25, 0.1, 0.35, 0.35)
    #: on a terrain map with the feet on either side of an edge, a lift-off waits map_wait_step_s
    #: at a time (at most map_max_wait_s) until the DCM is map_wait_margin_m past the rear of the
    #: stance foot's CoP band (map_wait_cop_fraction of its half length behind its centre)
    map_wait_step_s: float = 0.02  # [s]
    map_max_wait_s: float = 0.3  # [s]
    map_wait_margin_m: float = 0.06  # [m]
    map_wait_cop_fraction: float = 0.6  # [-]
    #: on a terrain map, a swing past this share of its duration lands on the tread it is heading
    #: for: the stepping law's wish may still move across an edge (the clear place ahead and the
    #: one behind are on two treads), but a landing switched 24 cm back at 53 % of a swing was
    #: missed by 5 cm and the toe met the riser (mapped 5 × 25-cm stairs from 1.58 m at 0.35 m/s:
    #: the sole rocked, the stance widened to 0.5 m and the robot fell sideways). Measured on the
    #: seven mapped 28-flight sets: 177 climbed / 11 fell before, 189 / 2 with it; holding only
    #: the switches back (a swing may be sent on to the further tread): 177 / 8 — sent on late,
    #: a descent's swing shaped for its own tread came down on the nosing
    map_commit_phase: float = 0.3  # [-]


#: the planner's event counters (LocomotionPlanner.counters), as the MPC node reports them
COUNTER_KEYS = ("recovery_starts", "steps_retimed", "steps_swapped", "uneven_ground_detections", "stumbles",
                "map_waits", "steps_extended", "resyncs")
UNEVEN_MAX_SPEED_ERROR_MPS = 0.25  # [m/s] uneven ground is read only this close to the commanded velocity
#: [m/s] slower than this along a terrain map's axis the robot is not walking along it: no lift-off
#: waits, the nearer clear landing, the climbing rules for every edge
MAP_ALONG_MIN_SPEED_MPS = 0.05
#: [m/s] a straddle is read only while the CoM is not faster along the walk than the command by
#: more than this: a sole on a nosing holds the body back (measured on blind 5-cm stairs: 0.18–0.33
#: m/s at 0.2–0.4 commanded); walking down a 15° ramp at 0.63 of 0.4 m/s a landing sole rolled over
#: its heel 14–26° toe-up, and the uneven-ground mode it turned on made the walk run away and fall
STRADDLE_MAX_SPEED_EXCESS_MPS = 0.1
UNEVEN_MAX_TILT_DEG = 3.0  # [deg] a sole tilted more than this is not flat on the ground (no height reading)
#: [-] a CoM lower than this share of the standing CoM height above the higher sole: the robot is
#: down (fallen, or falling). Reflexes and the readings they count (stumbles, uneven ground, shoves
#: answered by steps) stop: a fallen run used to report 41 stumbles, counted while it lay on the
#: floor. The deepest crouch traced on blind stairs kept 0.79
DOWN_COM_HEIGHT_SHARE = 0.6
MAX_STEP_ABDUCTION_RAD = 0.26  # [rad] (≈ 15°) per leg, sets the widest stance the footstep planner may use (capture steps: a 10° limit could not catch Δv 0.5-m/s side pushes while walking)


def yaw_of(R: np.ndarray) -> float:
    return math.atan2(R[1, 0], R[0, 0])


@dataclass
class Foothold:
    foot: str
    t_liftoff: float
    t_touchdown: float
    position: np.ndarray  # (3,) [m]
    yaw: float  # [rad]


@dataclass
class LocomotionPlan:
    t0: float  # [s] the state the plan starts from
    mpc: MpcSolution
    dt: float  # [s] MPC knot spacing
    feet: tuple
    phases: list  # gait phases (snapshot)
    swings: dict  # foot -> YawSwing (current or imminent swing)
    footholds: list  # [Foothold] planned landings in the horizon
    base_yaw_rate: float = 0.0  # [rad/s] commanded
    base_yaw0: float = 0.0  # [rad] heading at t0
    mass: float = 1.0  # [kg] of the robot the plan is for (CoM acceleration = Σf / m + g)
    #: walking on a command on flat ground — not standing, not recovery steps after a shove, no
    #: terrain map, not in uneven-ground mode, not just shoved sideways
    #: (LocomotionParams.shove_lateral_speed_error_mps): the whole-body QP then follows the plan's
    #: contact wrenches (WbcParams.wrench_weight_walking). Gated off by the whole speed error
    #: (0.3 m/s) the seed-0 campaign went 98 -> 95: at 1 m/s the CoM's forward speed swings by 0.5
    #: within a step and the weight toggled. On blind steps, rough ground and mapped stairs
    #: following the plan's wrenches fell (5 suite cases)
    walking: bool = False
    #: blind uneven-ground mode (LocomotionParams.uneven_height_m, or a stumble): the whole-body
    #: QP drops the plan's wrenches at once instead of over WbcParams.wrench_weight_ramp_s
    uneven_ground: bool = False

    def contacts_at(self, t: float) -> dict:
        for p in self.phases:
            if p.contains(t):
                return {f: f != p.swing_foot for f in self.feet}
        return {f: True for f in self.feet}

    def stands_through(self, t: float) -> bool:
        """True when no swing is planned from ``t`` on (the robot stands in this plan)."""
        return not any(p.swing_foot is not None and p.t_end > t for p in self.phases)

    def reference_at(self, t: float) -> WbcReference:
        """The WBC's reference at time ``t`` [s] (t ≥ t0; beyond the horizon the last knot holds)."""
        tau = min(max(t - self.t0, 0.0), self.dt * len(self.mpc.wrenches) - 1e-9)
        k = int(tau // self.dt)
        s = tau - k * self.dt
        x = self.mpc.states[k]
        w = self.mpc.wrenches[k]
        knot_acc = self.__dict__.get("_knot_acc")
        if knot_acc is None:  # every knot's CoM acceleration, once per plan
            knot_acc = self.__dict__["_knot_acc"] = self.mpc.wrenches[:, :, 0:3].sum(axis=1) / self.mass + GRAVITY
        acc = knot_acc[k].copy()
        com = x[0:3] + s * x[3:6] + 0.5 * s * s * acc
        vel = x[3:6] + s * acc
        contacts = self.contacts_at(t)
        swing = {}
        for f, traj in self.swings.items():
            if not contacts[f]:
                st = traj.evaluate(t)
                swing[f] = SwingReference(st.position, traj.yaw_at(t), st.velocity, st.acceleration, traj.yaw_rate_at(t),
                                          traj.lifts_over_edge)
        wrenches = {f: w[i].copy() for i, f in enumerate(self.feet) if contacts[f]}
        return WbcReference(contacts, com, vel, acc, wrenches, swing,
                            base_yaw=self.base_yaw0 + self.base_yaw_rate * (t - self.t0), base_yaw_rate=self.base_yaw_rate,
                            walking=self.walking, uneven_ground=self.uneven_ground)


class YawSwing(SwingTrajectory):
    """A swing trajectory that also turns the sole from its lift-off yaw to the landing yaw."""

    def __init__(self, *args, yaw_start: float = 0.0, yaw_end: float = 0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.yaw_start, self.yaw_end = yaw_start, yaw_end

    def yaw_at(self, t: float) -> float:
        s = min(max((t - self.t_start) / self.duration, 0.0), 1.0)
        blend = s * s * (3 - 2 * s)
        return self.yaw_start + blend * wrap_angle(self.yaw_end - self.yaw_start)

    def yaw_rate_at(self, t: float) -> float:
        """[rad/s] d(yaw_at)/dt."""
        s = (t - self.t_start) / self.duration
        if not 0.0 < s < 1.0:
            return 0.0
        return 6.0 * s * (1 - s) * wrap_angle(self.yaw_end - self.yaw_start) / self.duration

    def retarget(self, t: float, new_target, yaw_end: float | None = None):
        # same t_start: only the landing yaw moves (small per update)
        return self._turning(super().retarget(t, new_target), self.yaw_start, yaw_end)

    def retime(self, t: float, new_target, t_touchdown: float, yaw_end: float | None = None, min_height: float = 0.0):
        # the turn goes on from where it is, over the shorter (or longer) swing
        return self._turning(super().retime(t, new_target, t_touchdown, min_height), self.yaw_at(t), yaw_end)

    def _turning(self, new: SwingTrajectory, yaw_start: float, yaw_end: float | None):
        """``new`` (a re-planned copy of this swing) as a YawSwing from ``yaw_start`` to
        ``yaw_end`` (default: this one's landing yaw); this swing itself when nothing changed."""
        if new is self:
            return self
        out = YawSwing.__new__(YawSwing)
        out.__dict__.update(new.__dict__)
        out.yaw_start = yaw_start
        out.yaw_end = self.yaw_end if yaw_end is None else yaw_end
        return out


class LocomotionPlanner:
    def __init__(self, robot: RobotModel, params: LocomotionParams | None = None, terrain_map: TerrainMap | None = None):
        self.robot = robot
        self.params = params or LocomotionParams()
        #: the ground ahead when known (perception, a surveyed rig): each landing rests on one
        #: tread at its height (_on_map), swings over an edge lift first (map_edge_swing) and a
        #: lift-off waits for the DCM (_wait_for_dcm_over_stance); None: blind
        self.terrain_map = terrain_map
        self.feet = tuple(robot.config.feet)
        q0 = robot.nominal_configuration()
        data = robot.model.createData()
        pin.framesForwardKinematics(robot.model, data, q0)
        soles = {f: data.oMf[robot.foot_frame_ids[f]].translation.copy() for f in self.feet}
        self.com_height = float(pin.centerOfMass(robot.model, data, q0)[2])
        width = float(abs(soles[self.feet[0]][1] - soles[self.feet[1]][1]))
        fc = robot.config.feet[self.feet[0]]
        # widest stance: each leg abducted by MAX_STEP_ABDUCTION_RAD from the nominal stance (sideways walking
        # at 0.2 m/s needs leading steps of ~0.35 m on the 0.2-m-hip humanoid; 0.4 m clamped them and it fell)
        max_width = width + 2.0 * self.com_height * math.tan(MAX_STEP_ABDUCTION_RAD)
        fp = dict(nominal_width_m=width, foot_length_m=fc.length, foot_width_m=fc.width, com_height_m=self.com_height,
                  max_width_m=max_width, clearance_m=min(0.03, max(0.0, width - fc.width - 0.01)),
                  # on a terrain map with edges (steps, stairs) the pendulum's law: with 0.5 the humanoid
                  # stopped on the third of six 5 x 30-cm stairs (0.65 on the first), with 1 it climbs them
                  sway_share=1.0 if terrain_map is not None and terrain_map.edges else
                  max(self.params.step_sway_share, self.params.sway_reference),
                  sway_share_cadence_s=(self.params.gait.step_period_s, self.params.min_step_period_s))
        fp.update(self.params.footstep_overrides)
        self.footsteps = FootstepPlanner(FootstepParams(**fp), *self.feet)
        self.gait = GaitScheduler(self.feet, self.params.gait)
        self.mpc = create_mpc(robot.mass, fc.length, fc.width, self.params.mpc, self.feet)
        self.data = robot.model.createData()
        self.swings: dict = {}
        self._swing_phase: dict = {}  # foot -> Phase the trajectory belongs to
        self.speed_feedback = CycleVelocityFeedback(self.params.velocity_feedback)
        self.heading = None  # [rad] heading reference (world yaw) the base and the steps follow
        self.recovering = False  # recovery steps after a shove are under way (no command)
        self.recovery_starts = 0  # shoves answered by steps
        self.retimed_steps = 0  # steps brought forward by the step-timing adaptation
        self.swapped_steps = 0  # steps taken by the other foot (swing-foot selection)
        self.extended_steps = 0  # swings made to land later, further out (a late shove to their side)
        self._extended: dict = {}  # step index -> [s] its swing was made longer
        self._swapped_step = None  # step index of the last swap (one per step)
        self.uneven_until = -math.inf  # [s] uneven-ground mode (see LocomotionParams.uneven_height_m) until then
        self.shove_footholds_until = -math.inf  # [s] footholds at the stance foot's height until then
        self.uneven_detections = 0
        self.shoved_until = -math.inf  # [s] a sideways shove's capture: the QP's own balance until then
        self.stumbles = 0  # swings started again after their foot caught an edge (stumble reflex)
        self._stumbled = None  # (t_start, t_end) of the last swing that did
        self.map_waits = 0  # lift-offs put off until the DCM passed over the stance foot (terrain map)
        self._waited: dict = {}  # step index -> [s] its lift-off was put off (terrain map)
        self._t_last = None
        #: the controller's commands are held by the driver (a controlled stop): the steps go on
        #: without the robot, and are re-phased when the commands reach the joints again
        self._held = False
        self.resyncs = 0  # walks re-phased after a controlled stop (see resync)

    def counters(self) -> dict:
        """{COUNTER_KEYS name: count}: shoves answered by steps (no command), steps brought forward
        (step-timing adaptation), steps the other foot took (swing-foot selection), lift-first
        swings begun (uneven ground), swings started again after catching an edge (stumbles),
        lift-offs put off 20 ms until the DCM was over the stance foot (terrain map), swings
        made to land later and further out after a late shove to their side (also counted as
        retimed), walks re-phased after the driver held the commands (:meth:`resync`)."""
        return dict(zip(COUNTER_KEYS, (self.recovery_starts, self.retimed_steps, self.swapped_steps,
                                       self.uneven_detections, self.stumbles, self.map_waits, self.extended_steps,
                                       self.resyncs)))

    # ------------------------------------------------------------------ state
    def measure(self, q: np.ndarray, v: np.ndarray) -> dict:
        m, d = self.robot.model, self.data
        pin.computeCentroidalMomentum(m, d, q, v)
        pin.framesForwardKinematics(m, d, q)
        com = d.com[0].copy()
        h = d.hg
        feet = {}
        for f in self.feet:
            M = d.oMf[self.robot.foot_frame_ids[f]]
            feet[f] = (M.translation.copy(), yaw_of(M.rotation))
        R = pin.Quaternion(q[6], q[3], q[4], q[5]).toRotationMatrix()
        return {"com": com, "com_velocity": h.linear / self.robot.mass, "angular_momentum": h.angular.copy(),
                "feet": feet, "base_yaw": yaw_of(R)}

    # ------------------------------------------------------------------ planning
    def update(self, t: float, q: np.ndarray, v: np.ndarray, cmd=(0.0, 0.0, 0.0), held: bool = False,
               contacts: dict | None = None) -> LocomotionPlan:
        """The plan from state (q, v) at ``t`` [s] for the command ``cmd`` (vx, vy [m/s], wz
        [rad/s]). ``held``: the driver holds the joints (a controlled stop: the commands of the
        last plans did not reach them) — the steps are not adapted to a robot that does not
        follow them, and on the first update after the hold the walk is re-phased to the feet
        (:meth:`resync`); ``contacts`` {foot: in contact} (the estimator's), read then."""
        p = self.params
        s = self.measure(q, v)
        vx, vy, wz = (float(c) for c in cmd)
        if held:
            self._held = True
        elif self._held:
            self._held = False
            self.resync(t, s, contacts)
        if not held:
            self._sense_uneven_ground(t, s, vx, vy, contacts)
        vx, vy = self._capped_on_uneven_ground(t, vx, vy)
        # uneven ground (blind): the stepping law's pendulum sway — with the sway share 9 of 28 blind
        # stair flights climbed (bench/stairs_sweep.py), 15 without it
        self.footsteps.full_sway = t <= self.uneven_until
        moving = max(abs(vx), abs(vy), abs(wz)) > p.walk_threshold
        self.gait.step_period_s = self.step_period_for(vx, vy)  # the steps planned from now on
        outside = self.dcm_outside_support(s)
        if not moving and not self.gait.walk_requested and self.gait.is_standing(t) \
                and outside > p.step_trigger_margin_m and not self.is_down(s) and not held:
            self.recovering = True  # a shove the ankles cannot absorb: step into it
            self.recovery_starts += 1
            self.gait.walk(t, first_swing=self._recovery_foot(s))
        elif self.recovering and (moving or (outside < -p.recovered_margin_m
                                             and np.linalg.norm(s["com_velocity"][:2]) < p.recovered_speed_mps)):
            self.recovering = False  # captured (or a command takes over): close the gait
        if moving and not self.gait.walk_requested:
            first = self.feet[0] if vy > 0 or (vy == 0 and wz >= 0) else self.feet[1]
            self.gait.walk(t, first_swing=first)
        elif not moving and not self.recovering and self.gait.walk_requested:
            self.gait.stop(t)
        self.gait.extend(t, p.mpc.horizon_s + p.gait.step_period_s)
        s["heading"] = self._update_heading(t, s, wz)
        # recovery steps (no command) have no walking speed to learn: the feedback stays reset
        step_index = -1 if (self.recovering and not moving) or held else self.gait.phase_at(t).step_index
        bx, by = self.speed_feedback.update(t, step_index, s["com"], s["heading"], (vx, vy), wz)
        if p.swing_foot_selection and not held:
            self._select_swing_foot(t, s, (vx, vy, wz))
        if p.adapt_step_timing and not held:
            self._adapt_step_timing(t, s, (vx, vy, wz))
        if 0.0 < p.shove_footholds_speed_error_mps < self._speed_error_mps(s, (vx, vy)) and not held:
            self.shove_footholds_until = t + p.shove_hold_s
        if self.terrain_map is not None:
            self._wait_for_dcm_over_stance(t, s, (vx, vy))
        # the footholds follow the speed the MPC is asked for, bias included (planned for the bare
        # command the steps held the humanoid at 0.84 m/s of 1.0 with the bias saturated, and
        # sideways at 0.38 of 0.4 m/s; the lateral bias is zero unless walking sideways or turning)
        footholds = self._plan_footholds(t, s, (vx - bx, vy - by, wz))
        self._update_swings(t, s, footholds)
        if not held:
            self._catch_stumble(t, s, (vx, vy))
        prob = self._mpc_problem(t, s, (vx - bx, vy - by, wz), footholds)
        sol = self.mpc.solve(prob)
        return LocomotionPlan(t, sol, self.mpc.p.dt, self.feet, list(self.gait.phases), dict(self.swings), footholds,
                              wz, s["heading"], self.robot.mass, walking=self._update_walking_flag(t, s, moving, vy),
                              uneven_ground=t <= self.uneven_until)

    def resync(self, t: float, s: dict, contacts: dict | None = None) -> None:
        """Re-phase a walk at ``t`` [s] to the feet of state ``s`` after a controlled stop: the
        steps went on while the driver held the joints, so the plan may now swing a foot that
        carries the robot, or stand on one in the air. When the plan's phase disagrees with
        ``contacts`` (the estimator's flags), a new step begins now: a foot off the ground swings
        at once; with both down, the one further from the DCM swings after the shortest double
        support (the nearer one carries the robot). A plan that agrees keeps its step (a swing
        about to land lands). The speed feedback's cycle is dropped either way.
        Walking at 0.8 m/s, a 0.3-s drop-out at the start of a step left the plan swinging the
        loaded foot when control resumed: it dragged, landed short and the walk ran away."""
        self.speed_feedback.reset()
        if not self.gait.walk_requested or contacts is None:
            return
        planned = self.gait.phase_at(t).swing_foot
        off = self._feet_in_the_air(contacts)
        if len(off) > 1 or (planned is None and not off) or (planned is not None and off == [planned]):
            return  # in the air, or the plan agrees with the feet
        if len(off) == 1:
            foot, double_support = off[0], 0.0
        else:
            xi = self.dcm_xy(s)
            foot = max(self.feet, key=lambda f: float(np.linalg.norm(s["feet"][f][0][:2] - xi)))
            double_support = self.params.min_double_support_s
        self.gait.restart(t, foot, double_support)
        self.swings.clear()
        self._swing_phase.clear()
        self.resyncs += 1

    def _capped_on_uneven_ground(self, t: float, vx: float, vy: float) -> tuple:
        """The commanded (vx, vy) [m/s], scaled down to ``uneven_max_speed_mps`` while in
        uneven-ground mode, blind (a riser met, feet at two heights); with a terrain map the
        planner knows the ground and walks as commanded."""
        cap = self.params.uneven_max_speed_mps
        speed = math.hypot(vx, vy)
        if cap <= 0.0 or t > self.uneven_until or speed <= cap or self.terrain_map is not None:
            return vx, vy
        return vx * cap / speed, vy * cap / speed

    def _update_walking_flag(self, t: float, s: dict, moving: bool, vy: float) -> bool:
        """LocomotionPlan.walking, the plan walks on a command on flat ground: not standing, not
        recovery steps, no terrain map, not in uneven-ground mode (nor just after a stumble,
        which turns that mode on) and not just shoved sideways (``shove_lateral_speed_error_mps``;
        a shove read now restarts ``shoved_until``) — there the QP's own balance keeps the upper
        hand. ``vy`` [m/s] the sideways command."""
        p = self.params
        if p.shove_lateral_speed_error_mps > 0.0 and abs(vy) < SIDEWAYS_MPS:
            sideways = float((rotation_2d(s["heading"]).T @ s["com_velocity"][:2])[1])  # [m/s] heading frame
            if abs(sideways - vy) > p.shove_lateral_speed_error_mps:
                self.shoved_until = t + p.shove_hold_s
        return bool(moving and not self.recovering and self.terrain_map is None and t > self.uneven_until
                    and t > self.shoved_until)

    def _sense_uneven_ground(self, t: float, s: dict, vx: float, vy: float, contacts: dict | None = None) -> None:
        """Uneven-ground mode on while both feet are down, flat, at heights further apart than
        ``uneven_height_m``, or (blind) while a foot on the ground straddles a nosing
        (``straddle_tilt_deg``), and ``uneven_hold_s`` after — read only while the robot moves as
        commanded: recovering from a shove, the estimated feet differed by > 2.5 cm on flat
        ground (measured) and the lift-first swings that followed tipped one case over.
        "Down" is the gait's double support and, when ``contacts`` {foot: in contact} (the
        estimator's) are given, the feet's contacts too: walking 1 m/s on flat ground, a push
        from the front (Δv 0.5) left a swing landing late, 4.4 cm up when the gait's double
        support began; read as a step, the mode capped the walk at 0.25 m/s for 2 s."""
        p = self.params
        if p.uneven_height_m <= 0.0 or not self._walking_as_commanded(s, (vx, vy)) or self.is_down(s):
            return
        swing = self.gait.phase_at(t).swing_foot
        airborne = self._feet_in_the_air(contacts)
        if self._straddling(s, swing, (vx, vy), airborne):
            self._uneven_ground_from(t)
            return
        if swing is not None or airborne:
            return  # a foot in the air (a late landing) tells no ground height
        d = self.data  # (placements of this update's measure)
        for f in self.feet:  # a sole on its heel, toe or edge tells no ground height
            if d.oMf[self.robot.foot_frame_ids[f]].rotation[2, 2] < math.cos(math.radians(UNEVEN_MAX_TILT_DEG)):
                return
        (za, zb) = (s["feet"][f][0][2] for f in self.feet)
        if abs(za - zb) > p.uneven_height_m:
            self._uneven_ground_from(t)

    def _uneven_ground_from(self, t: float) -> None:
        """Uneven-ground mode from ``t`` [s] for ``uneven_hold_s`` (a new reading counted)."""
        if t > self.uneven_until:
            self.uneven_detections += 1
        self.uneven_until = t + self.params.uneven_hold_s

    def _feet_in_the_air(self, contacts: dict | None) -> list:
        """The feet the estimator's ``contacts`` {foot: in contact} have off the ground ([] when
        they are not sensed: the processes layout)."""
        return [] if contacts is None else [f for f in self.feet if not contacts.get(f, True)]

    def _straddling(self, s: dict, swing_foot, cmd_xy, airborne=()) -> bool:
        """Blind, a foot on the ground (not ``swing_foot`` nor one of ``airborne``, those the
        contacts have in the air: a late landing comes in toe-up) pitched toe-up by more than
        ``straddle_tilt_deg`` along the commanded walking direction ``cmd_xy`` [m/s] (heading
        frame): its sole rests on a nosing (see ``LocomotionParams.straddle_tilt_deg``)."""
        p = self.params
        speed = math.hypot(*cmd_xy)
        if p.straddle_tilt_deg <= 0.0 or self.terrain_map is not None or speed <= p.walk_threshold:
            return False
        ux, uy = rotation_2d(s["base_yaw"]) @ (np.asarray(cmd_xy, dtype=float) / speed)  # world
        if float(s["com_velocity"][0] * ux + s["com_velocity"][1] * uy) > speed + STRADDLE_MAX_SPEED_EXCESS_MPS:
            return False  # running ahead of the command: a sole rolling over its heel (downhill), no riser
        limit = math.sin(math.radians(p.straddle_tilt_deg))
        for f in self.feet:
            if f == swing_foot or f in airborne:
                continue
            n = self.data.oMf[self.robot.foot_frame_ids[f]].rotation[:, 2]  # sole normal, world
            if -(n[0] * ux + n[1] * uy) > limit:  # leans back against the walking direction: toe up
                return True
        return False

    def is_down(self, s: dict) -> bool:
        """Whether the robot of state ``s`` (:meth:`measure`) is down: its CoM less than
        DOWN_COM_HEIGHT_SHARE of the standing CoM height above its higher sole."""
        top = max(float(s["feet"][f][0][2]) for f in self.feet)
        return float(s["com"][2]) - top < DOWN_COM_HEIGHT_SHARE * self.com_height

    def _walking_as_commanded(self, s: dict, cmd_xy) -> bool:
        """The CoM within UNEVEN_MAX_SPEED_ERROR_MPS of the commanded velocity ``cmd_xy``
        (heading frame) — not shoved."""
        v_cmd = rotation_2d(s["base_yaw"]) @ tuple(cmd_xy)
        return float(np.linalg.norm(s["com_velocity"][:2] - v_cmd)) <= UNEVEN_MAX_SPEED_ERROR_MPS

    def _speed_error_mps(self, s: dict, cmd_xy) -> float:
        """[m/s] how far the CoM's velocity is off the command ``cmd_xy`` (heading frame): a
        shove when large."""
        v_cmd = rotation_2d(s["heading"]) @ np.asarray(cmd_xy, dtype=float)  # [m/s] world
        return float(np.linalg.norm(s["com_velocity"][:2] - v_cmd))

    def step_period_for(self, vx: float, vy: float = 0.0) -> float:
        """[s] the gait's step period at forward speed ``vx`` and lateral speed ``vy`` [m/s]:
        the configured one, shorter when a step would carry the CoM further than
        ``cadence_step_length_m`` forward or ``cadence_lateral_step_m`` sideways."""
        p = self.params
        T = p.gait.step_period_s
        for speed, length in ((abs(vx), p.cadence_step_length_m), (abs(vy), p.cadence_lateral_step_m)):
            if speed * T > length:
                T = max(length / speed, min(p.min_step_period_s, T))
        return T

    def step_period_after(self, swing) -> float:
        """[s] the period of the step that begins when ``swing`` (a swing phase) lands: from its
        touch-down to the next one as scheduled, or the gait's step period when none is. The DCM
        stepping law's T for that landing: a cadence change leaves the steps already scheduled at
        the old period (with the new one, accelerating to 1 m/s placed 0.4-s steps for 0.28-s ones
        and the sideways sway grew to ±0.4 m/s for a second)."""
        for ph in self.gait.phases:
            if ph.swing_foot is not None and ph.t_start >= swing.t_end - 1e-9:
                return ph.t_end - swing.t_end
        return self.gait.step_period_s

    def dcm_xy(self, s: dict) -> np.ndarray:
        """(2,) [m] the measured DCM c + ċ/ω of a state from :meth:`measure` (world x, y)."""
        return s["com"][:2] + s["com_velocity"][:2] / self.footsteps.params.omega

    def other_foot(self, foot: str) -> str:
        return self.feet[1] if foot == self.feet[0] else self.feet[0]

    def dcm_outside_support(self, s: dict) -> float:
        """[m] how far the DCM (c + ċ/ω, measured) lies outside the support polygon, the convex
        hull of both soles (each a rectangle at its own yaw; negative: inside, by the distance to
        its nearest edge). Until session 41 the rectangle around both soles in their mean-yaw
        frame: after a stop that left the feet in a diagonal split (one 0.32 m ahead, 0.14 m
        apart) that box held a DCM 0.1 m outside the soles' hull, the robot leaned out over the
        rear sole for 1.4 s without a step and fell when one came."""
        fp = self.footsteps.params
        corners = []
        for f in self.feet:
            centre, yaw = s["feet"][f]
            R = rotation_2d(yaw)
            for dx in (-0.5 * fp.foot_length_m, 0.5 * fp.foot_length_m):
                for dy in (-0.5 * fp.foot_width_m, 0.5 * fp.foot_width_m):
                    corners.append(centre[:2] + R @ (dx, dy))
        return signed_distance_to_polygon(self.dcm_xy(s), convex_hull(corners))

    def _recovery_foot(self, s: dict) -> str:
        """The foot that steps first after a shove: the one on the side the DCM left towards
        (a push to the right is caught by the right foot stepping out), else the less loaded
        one by the DCM's side of the feet's middle."""
        xi = self.dcm_xy(s)
        (pa, ya), (pb, yb) = (s["feet"][f] for f in self.feet)
        R = rotation_2d(circular_mean([ya, yb]))
        mid = R.T @ (0.5 * (pa[:2] + pb[:2]))
        lateral = (R.T @ xi)[1] - mid[1]
        side_a = (R.T @ pa[:2])[1] - mid[1]  # > 0: feet[0] is the left one
        return self.feet[0] if lateral * side_a > 0 else self.feet[1]

    def _select_swing_foot(self, t: float, s: dict, cmd) -> None:
        """Swing-foot selection, in the double support just before a step (at most one swap per
        step): plan the step for the scheduled foot and for the other one (each about the foot
        that stays down) by the DCM stepping law; when the scheduled landing misses the law's wish
        by more than ``swing_swap_min_miss_m`` and the other foot's by ``swing_swap_gain_m``
        less, the other foot steps instead and the alternation goes on from it. Only while the
        CoM is off the commanded velocity by more than ``swing_swap_speed_error_mps``: the
        gait's own steps (turning ones miss by more) keep their order."""
        p = self.params
        swing = self.gait.next_swing(t)
        if swing is None or swing.t_start <= t:
            return
        now = self.gait.phase_at(t)
        if not (now.swing_foot is None and now.step_index == swing.step_index) or \
                self._swapped_step == swing.step_index:
            return
        if self._speed_error_mps(s, cmd[:2]) <= p.swing_swap_speed_error_mps:
            return
        xi = self.dcm_xy(s)
        period = self.step_period_after(swing)
        miss, crossing = {}, {}
        for foot in (swing.swing_foot, self.other_foot(swing.swing_foot)):
            pivot = self.other_foot(foot)
            (pivot_xy, pivot_yaw) = (s["feet"][pivot][0][:2], s["feet"][pivot][1])
            step = self.footsteps.plan(foot, t, swing.t_end, period, xi, np.zeros(2), s["heading"],
                                       cmd, pivot_xy, pivot_yaw)
            miss[foot] = float(np.linalg.norm(step.shortfall_m))
            lateral = float((rotation_2d(pivot_yaw).T @ (step.wish_xy - pivot_xy))[1])  # [m] pivot frame
            crossing[foot] = self.footsteps.side_sign(foot) * lateral < 0.0
        other = self.other_foot(swing.swing_foot)
        if miss[swing.swing_foot] <= p.swing_swap_min_miss_m or \
                miss[swing.swing_foot] - miss[other] <= p.swing_swap_gain_m:
            return
        if crossing[other] and not crossing[swing.swing_foot]:
            return  # the other foot would have to step across the scheduled one: it catches nothing
        for foot in self.feet:  # a trajectory made for the old assignment is not the new one's
            if self._swing_phase.get(foot) == (swing.t_start, swing.t_end):
                self.swings.pop(foot, None)
                self._swing_phase.pop(foot, None)
        self.gait.swap_swing_feet(t)
        self._swapped_step = swing.step_index
        self.swapped_steps += 1

    def _adapt_step_timing(self, t: float, s: dict, cmd) -> None:
        """Step-timing adaptation (the DCM grows by e^{ω·T} over a step, so a step that lands
        sooner needs less reach): among lift-off/touch-down times no later than planned, pick
        the one minimising  max(|shortfall| − tolerance, 0)² + weight · (time moved)²,
        where the shortfall is what the reachable landing misses of the DCM stepping law's.
        A frozen swing shoved late towards its own side may also land later, at the law's
        landing (:meth:`_extension_times`): the DCM grows away from the stance foot, and the
        landing the law wants grows with it within the legs' reach — the other foot, which
        cannot cross over, could not catch it. Walking at 0.5 m/s, Δv 0.5-m/s pushes from
        the side in 96 gait phases: 4 falls without it, 2 with it."""
        p = self.params
        swing = self.gait.next_swing(t)
        if swing is None:
            return
        now = self.gait.phase_at(t)
        began = swing.t_start <= t
        if not began and not (now.swing_foot is None and now.step_index == swing.step_index):
            return  # the step begins after another one: timed when its turn comes
        foot = swing.swing_foot
        other = self.other_foot(foot)
        pivot, pivot_yaw = s["feet"][other][0][:2], s["feet"][other][1]
        xi = self.dcm_xy(s)
        traj = self.swings.get(foot) if self._swing_phase.get(foot) == (swing.t_start, swing.t_end) else None
        frozen = traj is not None and began and \
            (t - swing.t_start) / (swing.t_end - swing.t_start) > p.retarget_until_phase
        lift_offs = [swing.t_start] if began else sorted({swing.t_start, max(t, now.t_start + p.min_double_support_s)})
        best = None
        period = self.step_period_after(swing)
        later = self._extension_times(t, s, cmd, swing, traj, xi, period, pivot, pivot_yaw) if frozen else []
        sideways = abs(cmd[1]) >= max(SIDEWAYS_MPS, abs(cmd[0]))
        if sideways and not later and self._speed_error_mps(s, cmd[:2]) <= p.sideways_timing_gate_mps and \
                self._planned_miss_m(t, s, cmd, swing, xi, period, pivot, pivot_yaw) <= p.sideways_timing_gate_m:
            return  # steady sideways walking keeps its timing (sideways_timing_gate_mps, _m)
        min_swing = p.sideways_min_swing_s if sideways else p.min_swing_s
        for lo in lift_offs:
            earliest = max(lo + min_swing, t + p.min_touchdown_lead_s)
            for td in ([swing.t_end] if earliest >= swing.t_end else list(np.linspace(earliest, swing.t_end, 6))) + later:
                step = self.footsteps.plan(foot, t, td, period, xi, np.zeros(2),
                                           s["heading"] + cmd[2] * (td - t), cmd, pivot, pivot_yaw)
                extended = td > swing.t_end + 1e-9  # lands later, where the law wants it now (unfrozen)
                landing = traj.target[:2] if frozen and not extended else step.position[:2]
                travel = float(np.linalg.norm(landing - s["feet"][foot][0][:2]))
                if (td < swing.t_end or extended) and td - max(t, lo) < travel / p.max_swing_speed_mps:
                    continue  # the foot cannot get there that soon
                if (td < swing.t_end or extended) and began and traj is not None and \
                        traj.retime(t, np.array([*landing, traj.target[2]]), td).horizontal_overshoot_m(t) \
                        > p.max_swing_overshoot_m:
                    continue  # it would swing past the landing (and touch down beyond the reach)
                miss = step.shortfall_m if not frozen or extended else step.wish_xy - traj.target[:2]
                excess = max(float(np.linalg.norm(miss)) - p.step_timing_tolerance_m, 0.0)
                cost = excess ** 2 + p.step_timing_weight * ((swing.t_end - td) ** 2 + (swing.t_start - lo) ** 2)
                if best is None or cost < best[0] - 1e-12:
                    best = (cost, lo, float(td), landing)
        _, lo, td, landing = best
        if abs(td - swing.t_end) < 1e-3 and lo >= swing.t_start - 1e-3:
            return
        extended = td > swing.t_end  # (only a frozen swing with a trajectory is offered later times)
        new = self.gait.retime_step(t, lo, td)
        self.retimed_steps += 1
        if extended:
            self.extended_steps += 1
            self._extended[new.step_index] = self._extended.get(new.step_index, 0.0) + (td - swing.t_end)
        if traj is not None:
            if began:
                if extended:
                    self.swings[foot] = traj.retime(t, np.array([*landing, traj.target[2]]), new.t_end,
                                                    min_height=p.extension_step_height_m)
                else:
                    self.swings[foot] = traj.retime(t, traj.target, new.t_end)
                self._swing_phase[foot] = (new.t_start, new.t_end)
            else:
                del self.swings[foot]  # not lifted yet: planned anew for its new times
                self._swing_phase.pop(foot, None)

    def _planned_miss_m(self, t: float, s: dict, cmd, swing, xi, period: float, pivot, pivot_yaw: float) -> float:
        """[m] how far the landing of ``swing`` at its planned touch-down, within the legs' reach
        about the other foot (``pivot``, ``pivot_yaw``), misses the DCM stepping law's wish for
        the DCM ``xi`` (0 when reachable)."""
        step = self.footsteps.plan(swing.swing_foot, t, swing.t_end, period, xi, np.zeros(2),
                                   s["heading"] + cmd[2] * (swing.t_end - t), cmd, pivot, pivot_yaw)
        return float(np.linalg.norm(step.shortfall_m))

    def _extension_times(self, t: float, s: dict, cmd, swing, traj, xi, period: float, pivot, pivot_yaw) -> list:
        """[s] later touch-downs the frozen swing in progress may take (see ``max_swing_extension_s``):
        only while the CoM is off the commanded velocity by more than
        ``swing_extension_speed_error_mps`` (a shove) and the DCM law's landing at the planned
        touch-down lies more than ``extension_min_miss_m`` further out on the swinging foot's
        side than the frozen one, and only as much as the step has not used yet; [] otherwise."""
        p = self.params
        if p.max_swing_extension_s <= 0.0 or traj is None:
            return []
        if self._speed_error_mps(s, cmd[:2]) <= p.swing_extension_speed_error_mps:
            return []
        foot = swing.swing_foot
        step = self.footsteps.plan(foot, t, swing.t_end, period, xi, np.zeros(2), s["heading"] + cmd[2] * (swing.t_end - t),
                                   cmd, pivot, pivot_yaw)
        outward = self.footsteps.side_sign(foot) * rotation_2d(s["heading"])[:, 1]  # (2,) world, away from the stance foot
        if float((step.wish_xy - traj.target[:2]) @ outward) <= p.extension_min_miss_m:
            return []
        self._extended = {k: e for k, e in self._extended.items() if k >= swing.step_index - 2}
        left = p.max_swing_extension_s - self._extended.get(swing.step_index, 0.0)
        if left < 0.01:
            return []
        return [swing.t_end + d for d in np.linspace(left / 4, left, 4)]

    def _wait_for_dcm_over_stance(self, t: float, s: dict, cmd_xy) -> None:
        """On a terrain map, with the feet on either side of an edge and the foot that will stand
        the higher one (climbing): the lift-off about to come waits (``map_wait_step_s`` at a
        time, at most ``map_max_wait_s`` per step) until the DCM has passed the rear of the
        centre-of-pressure band of the foot that will stand (``map_wait_margin_m`` beyond it). A landing moved off an edge is often 0.1 m further than
        the DCM law wished; lifting the other foot then leaves the body behind a foot it cannot
        pass over (its orbital energy below zero), and it stops and falls back down the stairs.
        Going down, the waits stalled the body behind the lower foot and braked it with the
        centre of pressure on the upper tread's nosing (mapped 5-cm descents: 9 of 14 flights
        reached the bottom, 4 fell; without waits going down, 12 and 1)."""
        p, tm = self.params, self.terrain_map
        now = self.gait.phase_at(t)
        swing = self.gait.next_swing(t)
        if now.swing_foot is not None or swing is None or swing.t_start <= t or swing.t_start - t > 0.015:
            return  # only just before a lift-off
        v = rotation_2d(s["heading"]) @ np.asarray(cmd_xy, dtype=float)
        v_along = float(np.dot(v, tm.axis))
        if abs(v_along) < MAP_ALONG_MIN_SPEED_MPS or self._waited.get(swing.step_index, 0.0) >= p.map_max_wait_s - 1e-9:
            return
        stance = self.other_foot(swing.swing_foot)
        s_stance, s_swing = tm.along(s["feet"][stance][0]), tm.along(s["feet"][swing.swing_foot][0])
        if not tm.edges_between(s_stance, s_swing):
            return  # both on one tread: the DCM law's own timing
        if tm.height_along(s_stance) <= tm.height_along(s_swing):
            return  # stepping down (or level): the body gains speed going down; waiting only stalls it
        half = tm.half_extent(s["feet"][stance][1], self.footsteps.params.foot_length_m,
                              self.footsteps.params.foot_width_m)
        travel = math.copysign(1.0, v_along)
        rear = s_stance - travel * p.map_wait_cop_fraction * half
        if (tm.along(self.dcm_xy(s)) - rear) * travel >= p.map_wait_margin_m:
            return
        new = self.gait.retime_step(t, swing.t_start + p.map_wait_step_s, swing.t_end + p.map_wait_step_s)
        self._waited = {k: w for k, w in self._waited.items() if k >= new.step_index - 2}  # past steps: forgotten
        self._waited[new.step_index] = self._waited.get(new.step_index, 0.0) + p.map_wait_step_s
        self.map_waits += 1
        foot = new.swing_foot
        if self._swing_phase.get(foot) == (swing.t_start, swing.t_end):
            del self.swings[foot]  # not lifted yet: planned anew for its new times
            self._swing_phase.pop(foot, None)

    def _update_heading(self, t: float, s: dict, wz: float) -> float:
        """The heading reference [rad]: the feet's mean yaw while standing; while walking it
        turns at the commanded rate, never more than max_heading_lead_rad from the base."""
        measured = s["base_yaw"]
        if self.gait.is_standing(t) and not self.gait.walk_requested:
            self.heading = circular_mean([s["feet"][f][1] for f in self.feet])
        elif self.heading is None:
            self.heading = measured
        else:
            self.heading += wz * max(t - self._t_last, 0.0)
            lead = wrap_angle(self.heading - measured)
            lim = self.params.max_heading_lead_rad
            self.heading = measured + min(max(lead, -lim), lim)
        self._t_last = t
        return self.heading

    def _plan_footholds(self, t: float, s: dict, cmd) -> list:
        """Landings of the swings that end after t, in order, each relative to the other
        foot's latest (planned) pose.

        The DCM is previewed step by step: from its measured value now, around the stance
        foot until the next touch-down, then around the foot that landed there, and so on;
        each landing is the DCM stepping law applied to that preview."""
        pose = {f: (s["feet"][f][0].copy(), s["feet"][f][1]) for f in self.feet}
        out = []
        omega = self.footsteps.params.omega
        xi = self.dcm_xy(s)  # [m] DCM at t_xi
        t_xi = t
        for ph in self.gait.upcoming_swings(t):
            foot = ph.swing_foot
            other = self.other_foot(foot)
            pivot = pose[other][0][:2]
            # The landing spot is re-planned at every update; the swing trajectory itself
            # stops following it after retarget_until_phase (see _update_swings).
            traj = self.swings.get(foot)
            if self._swing_phase.get(foot) != (ph.t_start, ph.t_end):
                traj = None  # no swing of this step yet (or one of another step)
            phase = (t - ph.t_start) / (ph.t_end - ph.t_start)
            if traj is not None and phase > self.params.retarget_until_phase:
                target, yaw_td = traj.target, traj.yaw_end  # the swing no longer follows: land where it goes
                z_td = float(target[2])
            else:
                heading = s["heading"] + cmd[2] * (t_xi - t)
                step = self.footsteps.plan(foot, t_xi, ph.t_end, self.step_period_after(ph), xi, np.zeros(2), heading,
                                           cmd, pivot, pose[other][1])
                target, yaw_td = step.position, step.yaw
                on_stance = self.params.footholds_at_stance_height or t <= self.shove_footholds_until or \
                    (self.params.uneven_footholds_at_stance_height and t <= self.uneven_until)
                z_td = float(pose[other][0][2]) if on_stance else 0.0
                if self.terrain_map is not None:
                    # a swing under way keeps to the tread it is heading for (see _on_map's ``tread_of``)
                    under_way = traj is not None and phase > self.params.map_commit_phase
                    velocity_xy = rotation_2d(heading) @ np.asarray(cmd[:2])
                    target, z_td = self._on_map(target, yaw_td, pose[other][0], velocity_xy,
                                                tread_of=traj.target if under_way else None)
            out.append(Foothold(foot, ph.t_start, ph.t_end, np.array([target[0], target[1], z_td]), yaw_td))
            pose[foot] = (out[-1].position, yaw_td)
            xi = pivot + (xi - pivot) * math.exp(omega * max(ph.t_end - t_xi, 0.0))
            t_xi = ph.t_end
        return out

    def _on_map(self, target, yaw: float, stance_position, velocity_xy, tread_of=None) -> tuple:
        """(landing (3,) [m], its height [m]) of a landing planned at ``target`` with ``yaw``
        [rad] on the terrain map, walking at ``velocity_xy`` [m/s] (world): a sole that would
        straddle an edge moves along the map's axis to the clear place just behind or just ahead
        of it (``TerrainMap.clear_around``) — the nearer one, but the one ahead (in the walking
        direction) unless it is ``map_forward_bias_m`` further: a landing short of the DCM's wish
        leaves the foot behind as the body climbs on (a trailing foot marking time on the first
        tread while the other went up two fell backwards), a longer one only brakes. Its height
        is the stance foot's estimated height plus the map's rise between the two (heights
        relative to the stance foot: the estimator's absolute height may have drifted). Walking
        down an edge, the sole rests wholly on its tread (``TerrainMap``'s descent rules).
        ``tread_of`` (3,) [m]: where a swing under way is heading (see ``map_commit_phase``) —
        of the two clear places, the one on that tread, whatever the rule above would pick."""
        tm, fp = self.terrain_map, self.footsteps.params
        out = np.array(target, dtype=float)
        half = tm.half_extent(yaw, fp.foot_length_m, fp.foot_width_m)
        s_wish = tm.along(out)
        v_along = float(np.dot(velocity_xy, tm.axis))
        travel = 0.0 if abs(v_along) < MAP_ALONG_MIN_SPEED_MPS else v_along  # going down an edge: whole sole on its tread
        behind, ahead = tm.clear_around(s_wish, half, travel)

        s_tread = None if tread_of is None else tm.along(tread_of)

        def on_tread(s_clear: float) -> bool:  # on the tread of tread_of, no edge between
            return not tm.edges_between(s_tread, s_clear)

        if behind is None and ahead is None:
            s_new = tm.keep_off_edges(s_wish, half, travel)  # treads shorter than the sole: its fallback
        elif behind is None or ahead is None:
            s_new = ahead if behind is None else behind
        elif tread_of is not None and on_tread(behind) != on_tread(ahead):
            # the swing is under way to one of the two treads: it stays with it (switched across the
            # edge late in the swing, the foot cannot follow: back, it landed against the riser)
            s_new = behind if on_tread(behind) else ahead
        elif travel == 0.0:  # hardly walking along the map: the nearer
            s_new = behind if s_wish - behind <= ahead - s_wish else ahead
        else:
            first, second = (ahead, behind) if v_along > 0 else (behind, ahead)
            if abs(first - s_wish) > abs(second - s_wish) + self.params.map_forward_bias_m:
                first, second = second, first
            s_stance = tm.along(stance_position)
            # never past more than one edge from the stance foot (skipping a tread: a 0.5-m step up two
            # treads while the body lagged fell)
            s_new = first if len(tm.edges_between(s_stance, first)) <= 1 or \
                len(tm.edges_between(s_stance, second)) > 1 else second
        out[0] += (s_new - s_wish) * tm.axis[0]
        out[1] += (s_new - s_wish) * tm.axis[1]
        z = float(stance_position[2]) + tm.height_at(out) - tm.height_at(stance_position)
        out[2] = z
        return out, z

    def _crosses_map_edge(self, start, target) -> bool:
        tm = self.terrain_map
        return tm is not None and bool(tm.edges_between(tm.along(start), tm.along(target)))

    def _update_swings(self, t: float, s: dict, footholds: list) -> None:
        p = self.params
        uneven = t <= self.uneven_until
        for fh in footholds:
            if fh.t_liftoff > t + 0.05:
                continue  # not imminent: planned again before it starts
            traj = self.swings.get(fh.foot)
            key = (fh.t_liftoff, fh.t_touchdown)
            if traj is None or self._swing_phase.get(fh.foot) != key:
                pos, yaw = s["feet"][fh.foot]
                over_edge = self._crosses_map_edge(pos, fh.position)  # over a known edge: up, then across
                h = p.uneven_step_height_m if uneven or over_edge else p.gait.step_height_m
                profile = p.map_edge_swing if over_edge else p.uneven_swing if uneven else p.swing
                traj = self.swings[fh.foot] = YawSwing(pos, fh.position, fh.t_liftoff, fh.t_touchdown - fh.t_liftoff,
                                                       h, yaw_start=yaw, yaw_end=fh.yaw, profile=profile)
                # the lift-first swings track their height stiffly (WbcParams.swing_kp_z_uneven); a
                # stumble's re-lift (_catch_stumble) does not
                traj.lifts_over_edge = over_edge or uneven
                self._swing_phase[fh.foot] = key
            elif t < fh.t_touchdown and (t - fh.t_liftoff) / (fh.t_touchdown - fh.t_liftoff) <= \
                    self.params.retarget_until_phase and t > fh.t_liftoff:
                self.swings[fh.foot] = traj.retarget(t, fh.position, fh.yaw)

    def _catch_stumble(self, t: float, s: dict, cmd_xy) -> None:
        """The stumble reflex (see ``LocomotionParams.stumble_tilt_deg``): the swing in progress,
        its foot tilted by an edge, planned again from the foot's pose — up first, then on to
        the same landing at the same time."""
        p = self.params
        if p.stumble_tilt_deg <= 0.0:
            return
        ph = self.gait.phase_at(t)
        foot = ph.swing_foot
        key = (ph.t_start, ph.t_end)
        if foot is None or self._stumbled == key or self._swing_phase.get(foot) != key:
            return
        if not 0.0 < (t - ph.t_start) / (ph.t_end - ph.t_start) <= p.retarget_until_phase or ph.t_end - t < 0.05:
            return
        if self.data.oMf[self.robot.foot_frame_ids[foot]].rotation[2, 2] > math.cos(math.radians(p.stumble_tilt_deg)):
            return
        if not self._walking_as_commanded(s, cmd_xy) or self.is_down(s):
            return  # a shove tilts the swing foot too: that swing is the capture step, not a stumble
        traj = self.swings[foot]
        pos, yaw = s["feet"][foot]
        self.swings[foot] = YawSwing(pos, traj.target, t, ph.t_end - t, p.stumble_step_height_m, yaw_start=yaw,
                                     yaw_end=traj.yaw_end, profile=p.stumble_swing)
        self._stumbled = key
        self.stumbles += 1
        self._uneven_ground_from(t)

    def nominal_sway(self, times) -> np.ndarray:
        """(len(times),) [m/s] the CoM's sideways velocity (heading frame, + left) of the
        nominal straight gait at each of ``times`` [s] (the gait's phases): the point-foot
        pendulum's periodic sway between feet the stance width w apart. Over a stance foot on
        side s (+1 left) for a single support of T_ss centred on t_m it is
        −s·(w/2)·ω·sinh(ω(t − t_m)) / cosh(ω·T_ss/2) — towards the foot, slowing, turning, and
        back; in double support it crosses towards the next stance foot at (w/2)·ω·tanh(ω·T_ss/2),
        the speed the next single support starts with. Zero while standing."""
        omega = self.footsteps.params.omega
        half = 0.5 * self.footsteps.stance_width(0.0, self.gait.step_period_s) * omega  # [m/s] (w/2)·ω
        out = np.zeros(len(times))
        for k, tau in enumerate(times):
            ph = self.gait.phase_at(float(tau))
            if ph.step_index < 0:
                continue
            if ph.swing_foot is not None:
                side = self.footsteps.side_sign(self.other_foot(ph.swing_foot))
                t_ss = ph.t_end - ph.t_start
                mid = 0.5 * (ph.t_start + ph.t_end)
                out[k] = -side * half * math.sinh(omega * (tau - mid)) / math.cosh(0.5 * omega * t_ss)
            elif math.isfinite(ph.t_end):
                nxt = self.gait.phase_at(ph.t_end + 1e-6)
                if nxt.swing_foot is not None:
                    side = self.footsteps.side_sign(self.other_foot(nxt.swing_foot))
                    out[k] = side * half * math.tanh(0.5 * omega * (nxt.t_end - nxt.t_start))
        return out

    def _mpc_problem(self, t: float, s: dict, cmd, footholds: list) -> MpcProblem:
        N, dt = self.mpc.N, self.mpc.p.dt
        vx, vy, wz = cmd
        times = t + np.arange(N + 1) * dt
        mids = times[:N] + 0.5 * dt  # contact state in the middle of each interval
        contact = self.gait.contact_table(float(mids[0]), dt, N)
        feet_pos = np.zeros((N, 2, 3))
        feet_yaw = np.zeros((N, 2))
        for i, f in enumerate(self.feet):
            feet_pos[:, i], feet_yaw[:, i] = s["feet"][f]
            for fh in footholds:  # in order: the last foothold lifted off by a knot is where the foot is
                if fh.foot == f:
                    after = mids >= fh.t_liftoff
                    feet_pos[after, i] = fh.position
                    feet_yaw[after, i] = fh.yaw
        x0 = np.concatenate([s["com"], s["com_velocity"], s["angular_momentum"]])
        x_ref = np.zeros((N + 1, 9))
        yaw = s["heading"]
        if self.gait.walk_requested or not self.gait.is_standing(t):
            yaws = yaw + wz * (times - t)
            v_cmd = np.stack([np.cos(yaws) * vx - np.sin(yaws) * vy, np.sin(yaws) * vx + np.cos(yaws) * vy], axis=1)
            if self.params.sway_reference > 0.0 and walks_straight(vy, wz):
                sway = self.params.sway_reference * self.nominal_sway(times)  # [m/s] across the heading
                v_cmd = v_cmd + np.stack([-np.sin(yaws) * sway, np.cos(yaws) * sway], axis=1)
            # from the measured velocity towards the command at a bounded acceleration, along and
            # across the heading (the command's own turning added on top)
            v_now = s["com_velocity"][:2]
            p = self.params
            R = rotation_2d(yaw)
            along, across = R.T @ (v_cmd[0] - v_now)  # [m/s] heading frame
            a_across = p.reference_acceleration_lateral if abs(across) > p.reference_lateral_gate_mps \
                else p.reference_acceleration
            elapsed = times - t  # [s]
            change = np.stack([np.clip(along, -p.reference_acceleration * elapsed, p.reference_acceleration * elapsed),
                               np.clip(across, -a_across * elapsed, a_across * elapsed)])
            v_world = v_now + (R @ change).T + (v_cmd - v_cmd[0])
            x_ref[:, 0:2] = s["com"][:2] + np.cumsum(np.vstack([[0, 0], v_world[:-1] * dt]), axis=0)
            x_ref[:, 3:5] = v_world
        else:
            mid = 0.5 * (s["feet"][self.feet[0]][0] + s["feet"][self.feet[1]][0])
            x_ref[:, 0:2] = mid[:2]
        x_ref[:, 2] = s["feet"][self.feet[0]][0][2] * 0.5 + s["feet"][self.feet[1]][0][2] * 0.5 + self.com_height
        return MpcProblem(x0, x_ref, feet_pos, feet_yaw, contact, t)
