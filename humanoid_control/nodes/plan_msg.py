"""humanoid_control_msgs/CentroidalPlan <-> the field dict of
:mod:`humanoid_control.planning.plan_codec` (one place for the message's field list)."""
from __future__ import annotations

from humanoid_control_msgs.msg import CentroidalPlan

from humanoid_control.nodes.common import to_array

ARRAY_FIELDS = ("states", "wrenches", "phase_start", "phase_end", "swing")
SCALAR_FIELDS = ("ok", "dt", "base_yaw0", "base_yaw_rate", "mass", "solve_time_ms", "walking", "uneven_ground", "solve_cpu_ms",
                 "budget_exceeded")


def fields_to_msg(fields: dict, ns: int, msg: CentroidalPlan | None = None) -> CentroidalPlan:
    """Fill ``msg`` (or a new message) from encoded plan fields, stamped ``ns`` [ns] in odom."""
    m = msg if msg is not None else CentroidalPlan()
    m.header.stamp.sec, m.header.stamp.nanosec = ns // 1_000_000_000, ns % 1_000_000_000
    m.header.frame_id = "odom"
    for key in SCALAR_FIELDS:
        setattr(m, key, fields[key])
    for key in ARRAY_FIELDS:
        setattr(m, key, to_array(fields[key]))
    m.feet = list(fields["feet"])
    m.phase_swing_foot = [int(x) for x in fields["phase_swing_foot"]]
    m.iterations = int(fields["iterations"])
    return m


def msg_to_fields(m: CentroidalPlan) -> dict:
    """The field dict :func:`~humanoid_control.planning.plan_codec.decode` takes."""
    return {k: getattr(m, k) for k in (*SCALAR_FIELDS, *ARRAY_FIELDS, "feet", "phase_swing_foot", "iterations")}
