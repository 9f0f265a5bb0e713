"""Walking-speed feedback: integral action on the speed measured over whole gait cycles.

The MPC tracks a CoM velocity reference and the footstep planner places feet for the
commanded speed, but the whole chain (the MPC's model, the whole-body QP, the robot's swing
legs) walks with a bias of its own: on the 30-joint humanoid about +0.08 m/s in the
direction of travel. The CoM speed also swings within each step, so the measurement is the
mean velocity over one gait cycle (two steps, touch-down to touch-down), compared with the
command for that cycle; the error is integrated into a bias that is subtracted from the
command the MPC's reference follows. A cycle further off than ``disturbance_mps`` (a push,
a stumble) is not a bias: the footstep planner's capture-point feedback deals with it, and
integrating it would leave the robot walking off the command once the push is absorbed —
unless it repeats, axis by axis, the errors of the two cycles before within ``steady_mps``
(the one sharing a step with it and the one before that): an error that large and that
steady is the gait's own (walking at 1 m/s the humanoid starts 0.2 m/s slow), and only the
axes that repeat are learned. After a cycle further off than ``shove_mps`` (a shove) the
next ``settle_cycles`` are not learned at all: the capture steps' slow-down is steady too.

Velocities are (x, y) in the heading frame [m/s]; positions world x, y [m]; times [s].
ROS-free."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import check_ranges
from humanoid_control.planning.planar import rotation_2d, wrap_angle


@dataclass(frozen=True)
class VelocityFeedbackParams:
    gain: float = 0.5  # [-] share of a cycle's forward speed error added to the bias, [0, 1]
    gain_lateral: float = 0.5  # [-] the same sideways, when walking sideways, turning or slowly, [0, 1]
    #: [m/s] largest bias per axis, [0, 1] (walking at 1 m/s the bias reaches it: 0.3 walked
    #: 0.90 of 1 m/s over 10 s, 0.4 walks 0.93; 0.4 fell there while a cadence change still
    #: placed the steps already scheduled for the new period)
    limit_mps: float = 0.4
    #: [m/s] a cycle off the command by more is a disturbance, not a bias, (0, 2] (0.25 fed back
    #: the cycles while a push from behind wore off: the robot then walked 0.3 of 0.5 m/s)
    disturbance_mps: float = 0.15
    steady_mps: float = 0.05  # [m/s] ... except on the axes where it repeats those of the two cycles before within this, [0, 1]
    #: [m/s] a cycle off the command by more is a shove, (0, 2]: the ``settle_cycles`` cycles after
    #: it are not learned either, steady or not (walking 0.4 m/s, shoved sideways, Δv 0.5: the
    #: capture steps slowed the walk to ~0.2 m/s for three cycles, that looked steady forward, was
    #: learned as a bias, and 3 s after the push the robot walked 0.52 m/s)
    shove_mps: float = 0.3
    settle_cycles: int = 2  # [-] see shove_mps, [0, 10]
    #: [-] the corrected command keeps at least this share of each commanded component (heading
    #: frame x, y) in its direction, [0, 1]: near standstill the chain's speed answers its
    #: reference steeply and in whichever direction it walks (randomized, walking backward at
    #: 0.1 m/s it walked 0.2-0.25 over its first steps), and a bias that reversed the reference walked the humanoid
    #: forward at 0.2 m/s on a backward command, the feedback swinging with it for 5 s
    min_command_share: float = 0.25
    #: [m/s] sideways speed is also corrected (gain_lateral) when the forward command is slower
    #: than this, [0, 1] (0: only when walking sideways or turning): near standstill the cycle
    #: mean has no forward stride's sway to be noisy with, and a randomized robot (asymmetric
    #: masses and torque constants) drifted 0.02 m/s sideways against a 0.018-m/s command
    #: (tracking error 38 %; 12 % with it)
    lateral_below_mps: float = 0.15

    def validate(self) -> "VelocityFeedbackParams":
        check_ranges(self, (("gain", 0.0, 1.0), ("gain_lateral", 0.0, 1.0), ("limit_mps", 0.0, 1.0),
                            ("disturbance_mps", 1e-3, 2.0), ("steady_mps", 0.0, 1.0),
                            ("min_command_share", 0.0, 1.0), ("lateral_below_mps", 0.0, 1.0),
                            ("shove_mps", 1e-3, 2.0), ("settle_cycles", 0, 10)),
                     "velocity_feedback")
        return self


SIDEWAYS_MPS = 0.05  # [m/s] a command this fast sideways walks sideways
TURNING_RADPS = 0.1  # [rad/s] a command turning this fast turns


def walks_straight(vy: float, wz: float) -> bool:
    """The command (``vy`` [m/s] sideways, ``wz`` [rad/s]) walks straight: neither sideways
    nor turning."""
    return abs(float(vy)) < SIDEWAYS_MPS and abs(float(wz)) < TURNING_RADPS


class CycleVelocityFeedback:
    """Call :meth:`update` at every planning tick; the bias changes once per step."""

    def __init__(self, params: VelocityFeedbackParams | None = None):
        self.params = (params or VelocityFeedbackParams()).validate()
        self.bias = np.zeros(2)  # [m/s] heading frame, subtracted from the command
        self._marks: list = []  # (t, com_xy, heading, cmd_xy) at the last step starts
        self._step = None
        self._errors: list = []  # (2,) [m/s] the errors of the last two whole cycles, oldest first
        self._settling = 0  # cycles still to pass unlearned after a shove

    def reset(self) -> None:
        """Standing: forget the bias and the cycle in progress."""
        self.bias = np.zeros(2)
        self._marks.clear()
        self._step = None
        self._errors.clear()
        self._settling = 0

    def update(self, t: float, step_index: int, com_xy, heading: float, cmd_xy, wz: float = 0.0) -> np.ndarray:
        """``step_index`` of the gait phase at ``t`` (< 0 while standing), the measured CoM
        ``com_xy`` [m] world, the ``heading`` [rad], the commanded (vx, vy) [m/s] and turning
        rate ``wz`` [rad/s].
        Returns the bias (2,) [m/s] in the heading frame."""
        if step_index < 0:
            self.reset()
            return self.bias
        cmd = (float(cmd_xy[0]), float(cmd_xy[1]))
        if step_index != self._step:
            self._step = step_index
            self._learn(t, com_xy, heading, cmd, wz)
        # the reference (command − bias) never turns against the command, nor below its share of
        # it: the bias is held within that (for the command of now, which may have changed)
        keep = 1.0 - self.params.min_command_share
        for axis in range(2):
            if cmd[axis] > 0.0:
                self.bias[axis] = min(self.bias[axis], keep * cmd[axis])
            elif cmd[axis] < 0.0:
                self.bias[axis] = max(self.bias[axis], keep * cmd[axis])
        return self.bias

    def _learn(self, t: float, com_xy, heading: float, cmd: tuple, wz: float) -> None:
        """A step began: close the gait cycle that ended now and integrate its error."""
        self._marks.append((float(t), np.asarray(com_xy, dtype=float)[:2].copy(), float(heading), cmd))
        del self._marks[:-3]
        if len(self._marks) < 3 or any(m[3] != cmd for m in self._marks):
            self._errors.clear()
            return  # not a whole cycle at this command yet
        (t0, c0, h0, _), _, (t1, c1, h1, _) = self._marks
        if t1 - t0 <= 0.0:
            return
        v_world = (c1 - c0) / (t1 - t0)
        h_mid = h0 + 0.5 * wrap_angle(h1 - h0)
        error_world = v_world - rotation_2d(h_mid) @ np.array(cmd)
        error = rotation_2d(heading).T @ error_world
        before = list(self._errors)
        self._errors = (before + [error])[-2:]
        size = float(np.linalg.norm(error))  # [m/s]
        if size > self.params.shove_mps:
            self._settling = self.params.settle_cycles
            return
        if self._settling > 0:  # the shove's aftermath
            self._settling -= 1
            return
        if size > self.params.disturbance_mps:
            # steady per axis, against both cycles before: walking backward and turning the humanoid
            # ran 0.26 m/s too fast cycle after cycle while the sideways mean swung by 0.06 m/s, and
            # judged as one vector that error was never learned (0.49 of 0.25 m/s backward); against
            # the overlapping cycle alone, a push from behind wearing off looked steady forward (two
            # cycles sharing the step after the push: 0.32 and 0.33 m/s) and was learned as a bias
            if len(before) < 2:
                return
            steady = np.all([np.abs(error - e) <= self.params.steady_mps for e in before], axis=0)
            if not steady.any():
                return
            error = np.where(steady, error, 0.0)
        lim = self.params.limit_mps
        # Sideways speed is corrected only when the command walks sideways, turns or walks slower
        # than lateral_below_mps: in straight walking the step-to-step sway makes the sideways
        # mean noisy, and feeding it back made straight walks at 0.5 m/s sway out of step
        # (measured, 12 s runs).
        straight = walks_straight(cmd[1], wz) and abs(cmd[0]) >= self.params.lateral_below_mps
        gains = np.array([self.params.gain, 0.0 if straight else self.params.gain_lateral])
        self.bias = np.clip(self.bias + gains * error, -lim, lim)
