"""Gait scheduler: which foot is on the ground when, now and over a planning horizon.

A walk is a sequence of steps; each step is a double-support phase (both feet down) followed
by a single-support phase in which one foot swings. Standing is double support without end.

* ``walk`` from standing starts with a double-support phase, then swings the foot named by
  ``first_swing`` (or the one the caller prefers per step, e.g. towards a lateral command);
* ``stop`` lets the step in progress finish, adds one closing step (the planner brings the
  feet side by side) and ends in double support: the robot never stops on one foot;
* phases are fixed in time once they begin, so the MPC's preview and the WBC's contact
  switching agree on every switch time.

Times are in seconds (the controller's clock); feet are named by the robot config's
contact names (``left``/``right``)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import ConfigError, check_ranges


@dataclass(frozen=True)
class GaitParams:
    step_period_s: float = 0.4  # [s] one step: double support + single support, [0.2, 2]
    double_support_ratio: float = 0.2  # [-] share of a step with both feet down, [0.05, 0.8]
    step_height_m: float = 0.06  # [m] swing apex above the ground, [0.01, 0.2]

    def validate(self) -> "GaitParams":
        check_ranges(self, (("step_period_s", 0.2, 2.0), ("double_support_ratio", 0.05, 0.8),
                            ("step_height_m", 0.01, 0.2)), "gait")
        return self


@dataclass(frozen=True)
class Phase:
    """A time interval with a fixed set of feet in contact."""

    t_start: float  # [s]
    t_end: float  # [s] (inf for standing)
    swing_foot: str | None  # None: double support
    step_index: int = -1  # which step this phase belongs to (-1: standing)

    def contains(self, t: float) -> bool:
        return self.t_start <= t < self.t_end


@dataclass(frozen=True)
class FootPhase:
    """One foot at one instant."""

    in_contact: bool
    swing_phase: float  # [-] 0..1 through the swing (0 when in contact)
    time_to_switch_s: float  # [s] until the foot's contact state next changes (inf if none planned)


class GaitScheduler:
    def __init__(self, feet=("left", "right"), params: GaitParams | None = None):
        if len(feet) != 2:
            raise ConfigError(f"the gait scheduler needs exactly two feet, got {list(feet)}", "gait")
        self.feet = tuple(feet)
        self.params = (params or GaitParams()).validate()
        #: [s] period of the steps appended from now on (the cadence; ``params.step_period_s``
        #: unless the planner walks faster, see LocomotionParams.cadence_step_length_m)
        self.step_period_s = self.params.step_period_s
        self.phases: list[Phase] = [Phase(0.0, math.inf, None)]
        self._walking = False
        self._steps = 0
        self._next_swing = self.feet[0]

    # ------------------------------------------------------------------ commands
    @property
    def walk_requested(self) -> bool:
        """True between ``walk()`` and ``stop()``."""
        return self._walking

    def is_standing(self, t: float) -> bool:
        """True when no step is in progress at ``t`` (before a walk or after a stop has landed)."""
        return self.phase_at(t).step_index < 0

    def walk(self, t: float, first_swing: str | None = None) -> None:
        """Start (or keep) walking. From standing the first step begins at ``t``; after a
        ``stop()`` whose closing step is still under way, walking resumes when it lands."""
        if first_swing is not None and first_swing not in self.feet:
            raise ConfigError(f"unknown foot '{first_swing}'; valid feet: {', '.join(self.feet)}", "gait")
        if self._walking:
            return
        self._walking = True
        last = self.phases[-1]
        if last.swing_foot is None and math.isinf(last.t_end):  # standing (now or after the closing step)
            if first_swing is not None and self.is_standing(t):
                self._next_swing = first_swing
            start = max(t, last.t_start)
            if start > last.t_start:
                self.phases[-1] = Phase(last.t_start, start, None)
            else:
                self.phases.pop()  # the stand had not begun: drop it
            self._append_step(start)
        self.extend(t)

    def stop(self, t: float) -> None:
        """Finish the step in progress, take one closing step, then stand."""
        if not self._walking:
            return
        self._walking = False
        current = self.phase_at(t)
        keep_until = current.step_index + 1
        self.phases = [p for p in self.phases if p.t_start <= t or 0 <= p.step_index <= keep_until]
        swings = [p for p in self.phases if p.swing_foot is not None]
        if swings:
            last = swings[-1]
            self._steps = last.step_index + 1
            self._next_swing = self.feet[1] if last.swing_foot == self.feet[0] else self.feet[0]
        if self.phases[-1].step_index < keep_until:
            self._append_step(self.phases[-1].t_end)
        self.phases.append(Phase(self.phases[-1].t_end, math.inf, None))

    def restart(self, t: float, first_swing: str, double_support_s: float = 0.0) -> Phase:
        """Re-phase a walk at ``t`` [s] after its steps stopped matching the robot (the
        controller's commands were held and the feet did something else): the phase in
        progress ends at ``t``, a new step begins there — ``double_support_s`` [s] on both feet,
        then ``first_swing`` swings for the rest of a step period — and the alternation goes on
        from it. Returns the new swing phase."""
        if first_swing not in self.feet:
            raise ConfigError(f"unknown foot '{first_swing}'; valid feet: {', '.join(self.feet)}", "gait")
        if not self._walking:
            raise ConfigError(f"no walk to restart at t = {t:.3f} s (standing)", "gait")
        period = self.step_period_s
        double_support_s = min(max(0.0, float(double_support_s)), 0.5 * period)
        current = self.phase_at(t)
        kept = [p for p in self.phases if p.t_end <= t and p is not current]
        if current.t_start < t:
            kept.append(Phase(current.t_start, t, current.swing_foot, current.step_index))
        k = self._steps
        if double_support_s > 0.0:
            kept.append(Phase(t, t + double_support_s, None, k))
        swing = Phase(t + double_support_s, t + period, first_swing, k)
        kept.append(swing)
        self.phases = kept
        self._steps = k + 1
        self._next_swing = self.feet[1] if first_swing == self.feet[0] else self.feet[0]
        self.extend(t)
        return swing

    def _append_step(self, t0: float) -> None:
        period = self.step_period_s
        double_support = period * self.params.double_support_ratio
        foot = self._next_swing
        k = self._steps
        self.phases.append(Phase(t0, t0 + double_support, None, k))
        self.phases.append(Phase(t0 + double_support, t0 + period, foot, k))
        self._steps += 1
        self._next_swing = self.feet[1] if foot == self.feet[0] else self.feet[0]

    def swap_swing_feet(self, t: float) -> Phase:
        """Swing-foot selection: the step about to begin (not lifted off at ``t``) swings the
        other foot, and the alternation goes on from there (every later swing changes foot).
        Returns the new upcoming swing phase."""
        swing = self.next_swing(t)
        if swing is None or swing.t_start <= t:
            raise ConfigError(f"no step to swap feet at t = {t:.3f} s (standing, or the swing has begun)", "gait")
        flip = {self.feet[0]: self.feet[1], self.feet[1]: self.feet[0]}
        self.phases = [Phase(p.t_start, p.t_end, flip[p.swing_foot], p.step_index)
                       if p.swing_foot is not None and p.t_start > t else p for p in self.phases]
        self._next_swing = flip[self._next_swing]
        return self.next_swing(t)

    def next_swing(self, t: float) -> Phase | None:
        """The swing phase in progress at ``t``, else the next one (None when none is planned)."""
        for p in self.phases:
            if p.swing_foot is not None and p.t_end > t:
                return p
        return None

    def retime_step(self, t: float, swing_start: float, swing_end: float) -> Phase:
        """Step-timing adaptation: move the lift-off of the step in progress (or the next
        one) to ``swing_start`` and its touch-down to ``swing_end`` [s]; the phases after it
        keep their durations and move with the touch-down. A swing that has begun keeps its
        lift-off; a double support never ends before ``t``. Returns the new swing phase."""
        swing = self.next_swing(t)
        if swing is None:
            raise ConfigError(f"no step to retime at t = {t:.3f} s (standing)", "gait")
        i = self.phases.index(swing)
        before = self.phases[i - 1] if i > 0 else None
        if swing.t_start <= t:
            swing_start = swing.t_start
        else:
            floor = max(t, before.t_start if before is not None else t)
            swing_start = max(float(swing_start), floor)
        if not swing_end > max(swing_start, t):
            raise ConfigError(f"touch-down {swing_end:.3f} s must be after lift-off {swing_start:.3f} s and "
                              f"t = {t:.3f} s", "gait")
        delta = float(swing_end) - swing.t_end
        new = Phase(swing_start, float(swing_end), swing.swing_foot, swing.step_index)
        phases = self.phases[:max(i - 1, 0)]
        if before is not None:
            phases.append(Phase(before.t_start, swing_start, None, before.step_index))
        phases.append(new)
        phases += [Phase(p.t_start + delta, p.t_end + delta, p.swing_foot, p.step_index) for p in self.phases[i + 1:]]
        self.phases = phases
        return new

    def extend(self, t: float, horizon_s: float = 2.0) -> None:
        """Plan steps ahead so the schedule covers [t, t + horizon_s]; drops old phases."""
        if self._walking:
            while self.phases[-1].t_end < t + horizon_s:
                self._append_step(self.phases[-1].t_end)
        old = [i for i, p in enumerate(self.phases) if p.t_end < t - 1.0]
        if old:
            del self.phases[:old[-1] + 1]

    # ------------------------------------------------------------------ queries
    def phase_at(self, t: float) -> Phase:
        for p in self.phases:
            if p.contains(t):
                return p
        return self.phases[-1] if t >= self.phases[-1].t_start else self.phases[0]

    def foot_phase(self, foot: str, t: float) -> FootPhase:
        ph = self.phase_at(t)
        if ph.swing_foot == foot:
            duration = ph.t_end - ph.t_start
            return FootPhase(False, (t - ph.t_start) / duration, ph.t_end - t)
        switch = math.inf
        for p in self.phases:
            if p.t_start > t and p.swing_foot == foot:
                switch = p.t_start - t
                break
        return FootPhase(True, 0.0, switch)

    def contacts_at(self, t: float) -> dict:
        """{foot: in_contact} at time ``t``."""
        ph = self.phase_at(t)
        return {f: f != ph.swing_foot for f in self.feet}

    def contact_table(self, t0: float, dt: float, n: int) -> np.ndarray:
        """(n, 2) bool: contact of each foot (in ``feet`` order) at t0, t0 + dt, … (the
        phases each instant falls in, as :meth:`phase_at` finds them, in one pass)."""
        out = np.ones((n, 2), dtype=bool)
        phases = self.phases
        i = 0
        for k in range(n):
            t = t0 + k * dt
            while i < len(phases) and not phases[i].contains(t) and phases[i].t_end <= t:
                i += 1
            if i < len(phases) and phases[i].contains(t):
                ph = phases[i]
            else:
                ph = self.phase_at(t)  # before the first phase, after the last, or in a gap
            if ph.swing_foot is not None:
                out[k, self.feet.index(ph.swing_foot)] = False
        return out

    def upcoming_swings(self, t: float) -> list:
        """Swing phases that end after ``t`` (the current one first), for footstep planning."""
        return [p for p in self.phases if p.swing_foot is not None and p.t_end > t]
