"""Early and late touch-down: a plan's tick adjusted to what the feet measure (ROS-free).

The plan switches contacts at fixed times, for a ground where the planner expects it (blind:
flat at z = 0, or at the stance foot's height). The ground is rarely there:

* **early touch-down** — a foot that meets the ground when it is (nearly) over its landing
  spot (past ``ARRIVED`` of its swing) and carries more than ``load_fraction`` of the
  robot's weight takes its contact at once: the swing stops where the ground is, instead of
  being pushed through it until the planned time (a step up, a slope, a bump);
* **late touch-down** — a foot whose planned landing time has come but that carries less
  than that keeps swinging — the swing's late descent reaches on down — for at most
  ``max_late_s``, then takes its contact loaded or not (a step down, a dip); never while the
  other foot is in the air.

:meth:`TouchdownMonitor.adjust` takes the plan's :class:`~humanoid_control.wbc.reference.WbcReference`
and the measured normal forces [N] and returns the reference the WBC follows (the same
object when nothing changes). ``early`` and ``late`` count the touch-downs it moved."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from humanoid_control.errors import check_ranges
from humanoid_control.wbc.reference import SwingReference, WbcReference


@dataclass(frozen=True)
class TouchdownParams:
    #: [-] a foot carrying this share of the robot's weight is on the ground, [0.02, 0.5]
    load_fraction: float = 0.1
    #: [s] a planned landing waits at most this long for the ground, [0, 0.2] (0: off — the
    #: default: with 0.06 the 10° downhill walk fell, the MPC and the gait do not wait for it)
    max_late_s: float = 0.0
    #: take a swing foot's contact when it is loaded past ARRIVED of its swing (with it the 3-cm
    #: step up walks with the smaller CoP support, and rough seeds 1/7 return to the command sooner)
    early: bool = True

    def validate(self) -> "TouchdownParams":
        check_ranges(self, (("load_fraction", 0.02, 0.5), ("max_late_s", 0.0, 0.2)), "touchdown")
        return self


_ZERO_WRENCH = np.zeros(6)
#: [-] share of its swing after which a foot counts as over its landing spot (the horizontal
#: quintic has covered 90 % of the way at 0.75): a foot loaded earlier is scuffing or landing short
#: — taking the contact there put the sole centimetres from where the MPC plans its wrench, and
#: the 10° slopes fell (measured); such a foot keeps swinging and lands at the planned time
ARRIVED = 0.75


class TouchdownMonitor:
    def __init__(self, feet, weight_n: float, params: TouchdownParams | None = None):
        self.feet = tuple(feet)
        self.p = (params or TouchdownParams()).validate()
        self.threshold_n = self.p.load_fraction * float(weight_n)  # [N]
        self._early = {f: False for f in self.feet}  # landed before the plan's time (latched until it agrees)
        self._landed = {f: True for f in self.feet}  # the last swing's landing is done (loaded or timed out)
        self._late_for = {f: None for f in self.feet}  # [s] planned touch-down of the landing counted late
        self.early = 0  # touch-downs taken before the planned time
        self.late = 0  # planned landings that waited for the ground

    def adjust(self, plan, t: float, ref: WbcReference | None, forces: dict | None) -> WbcReference | None:
        """The reference for time ``t`` [s] given the plan (its ``swings``) and the feet's
        measured normal forces [N] (None: no force sensing, nothing changes)."""
        if ref is None or forces is None:
            return ref
        contacts = ref.contacts
        new_contacts = None
        late_swings = None
        for f in self.feet:
            loaded = forces.get(f, 0.0) >= self.threshold_n
            traj = plan.swings.get(f)
            if not contacts[f]:  # the plan swings this foot
                self._landed[f] = False
                if traj is None or not self.p.early:
                    continue
                if not self._early[f]:
                    if loaded and t - traj.t_start >= ARRIVED * traj.duration:  # (nearly) over its landing spot
                        self._early[f] = True
                        self.early += 1
                if self._early[f]:
                    new_contacts = new_contacts or dict(contacts)
                    new_contacts[f] = True
                continue
            self._early[f] = False
            if self._landed[f]:
                continue
            if loaded or traj is None or t >= traj.t_end + self.p.max_late_s:
                self._landed[f] = True
                continue
            if t <= traj.t_end:
                continue  # a swing still to come (the plan's next one): this foot stands
            if not all((new_contacts or contacts)[g] for g in self.feet if g != f):
                self._landed[f] = True  # the other foot is in the air: this one must carry
                continue
            if self._late_for[f] != traj.t_end:
                self._late_for[f] = traj.t_end
                self.late += 1
            st = traj.evaluate(t)  # the late descent
            new_contacts = new_contacts or dict(contacts)
            new_contacts[f] = False
            late_swings = late_swings or {}
            late_swings[f] = SwingReference(st.position, traj.yaw_at(t), st.velocity, st.acceleration, 0.0)
        if new_contacts is None:
            return ref
        wrenches = {f: ref.wrenches.get(f, _ZERO_WRENCH) for f in self.feet if new_contacts[f]}
        swing = {f: s for f, s in ref.swing.items() if not new_contacts[f]}
        swing.update(late_swings or {})
        return replace(ref, contacts=new_contacts, wrenches=wrenches, swing=swing)


__all__ = ["TouchdownMonitor", "TouchdownParams"]
