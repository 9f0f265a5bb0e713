"""A known ground profile for the footstep planner: flat or sloped pieces along one direction,
separated by vertical edges (the risers of steps and stairs).

The map is what a perception stack (or a surveyed test rig) tells the planner about the ground
ahead, in the frame the estimator's odometry starts in. With it the planner sets each sole on
one tread (:meth:`TerrainMap.keep_off_edges`: a sole straddling a riser rests on its nosing and
heel and rolls over), at the map's height relative to the stance foot, and lifts the swing over
the edges it crosses (``LocomotionPlanner``); the estimator takes the map's height under a
stance foot as its height prior. Without one both are blind (the default).

Geometry: the map's axis is the unit vector ``d = (cos heading, sin heading)`` through
``origin``; a point p lies at ``s = (p − origin)·d`` along it, and the ground height is a
function of s alone (pieces of the ``--terrain`` profile, so edges run across the axis).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from humanoid_control.errors import ConfigError
from humanoid_control.planning.planar import rectangle_half_extent

#: [m] a height jump at least this tall between neighbouring pieces is an edge (a riser)
EDGE_MIN_HEIGHT_M = 0.005
#: the ``--terrain`` kinds a map can be given as (a rough height field cannot)
MAP_KINDS = ("flat", "slope:DEG[@X]", "step:HEIGHT[@X]", "stairs:RISE:RUN:N[@X]")


@dataclass(frozen=True)
class Edge:
    """A vertical edge across the map's axis."""
    s_m: float  # [m] where along the axis
    rise_m: float  # [m] height after it minus height before it (+: a step up when walking along the axis)


class TerrainMap:
    """Ground height along one axis, with its edges (see the module docstring).

    ``pieces``: [(s0, z0, s1, z1)] [m] in increasing s, each a straight piece of ground;
    ``clearance_m`` [m]: how far a sole below an edge keeps from its riser;
    ``overhang_fraction`` [-]: how much of its length a sole above an edge may overhang it
    (its heel going up stairs, as people's feet do; walked down, see below: with 0.2 and the 3-cm
    clearance a 22-cm sole has a 4.4-cm band for its centre on a 25-cm tread, where the whole
    sole with 1 cm of clearance would have 1 cm; the overhang stays outside the WBC's 60 %
    centre-of-pressure band while stepping);
    ``inset_m`` [m]: a landing moved off an edge goes this far inside the clear stretch (or to its
    middle), not onto its limit;
    ``descent_clearance_m`` [m], ``descent_overhang_fraction`` [-]: the same two for an edge the
    sole is walked down (``travel`` given to the queries): the whole sole on its tread, up to
    its riser behind the heel (a heel coming down past a nosing does not catch it). A toe over
    a nosing going down made the sole a see-saw: braking, the whole-body QP put its centre of
    pressure at the nosing, the heel lifted, the sole slid 5–7 cm forward over it and the
    odometry went with it (mapped 5-cm descents, 28 neighbour flights judged by the drift
    distance: 17 reached the bottom and 7 fell with the climbing rules; 26 and none with 0 and
    0, 25 and 2 with 1 cm and 5 %)."""

    def __init__(self, pieces, origin=(0.0, 0.0), heading_rad: float = 0.0, clearance_m: float = 0.03,
                 overhang_fraction: float = 0.2, inset_m: float = 0.015, descent_clearance_m: float = 0.0,
                 descent_overhang_fraction: float = 0.0):
        self.pieces = [tuple(float(v) for v in p) for p in pieces]
        if not self.pieces:
            raise ConfigError("a terrain map needs at least one piece of ground", "terrain_map")
        for a, b in zip(self.pieces, self.pieces[1:]):
            if b[0] < a[2] - 1e-9:
                raise ConfigError(f"terrain map pieces overlap at s = {b[0]} m", "terrain_map")
        self.origin = (float(origin[0]), float(origin[1]))
        self.heading_rad = float(heading_rad)
        self.axis = (math.cos(heading_rad), math.sin(heading_rad))
        self.clearance_m = float(clearance_m)
        self.overhang_fraction = float(overhang_fraction)
        self.inset_m = float(inset_m)
        self.descent_clearance_m = float(descent_clearance_m)
        self.descent_overhang_fraction = float(descent_overhang_fraction)
        self.edges = [Edge(b[0], b[1] - a[3]) for a, b in zip(self.pieces, self.pieces[1:])
                      if abs(b[1] - a[3]) >= EDGE_MIN_HEIGHT_M]

    @classmethod
    def from_terrain_text(cls, text: str, clearance_m: float = 0.03, source: str = "terrain_map") -> "TerrainMap":
        """The map of a ``--terrain`` description (the same grammar: ``stairs:0.05:0.25:4@1``
        …), along x from the start; what does not read as one, or a rough height field,
        raises a ConfigError naming ``source`` and listing the kinds a map takes."""
        from humanoid_control.sim.terrain import Terrain
        kinds = "; ".join(MAP_KINDS)
        try:
            terrain = Terrain.parse(text)
        except ConfigError as exc:
            reason = str(exc).removeprefix(f"{exc.source}: ") if exc.source else str(exc)
            raise ConfigError(f"'{text}': {reason.split('; kinds:')[0]}; a map is one of: {kinds}", source) from None
        if terrain.kind == "rough":
            raise ConfigError(f"'{text}': a rough height field cannot be given as a map; a map is one of: {kinds}",
                              source)
        return cls(terrain.profile(), clearance_m=clearance_m)

    @classmethod
    def from_param(cls, text: str, source: str) -> "TerrainMap | None":
        """A node's ``terrain_map`` parameter (named ``source`` in errors) as a map; None for
        '' (blind)."""
        return cls.from_terrain_text(str(text), source=source) if str(text).strip() else None

    # ------------------------------------------------------------------ queries
    def along(self, xy) -> float:
        """[m] where the point ``xy`` [m] lies along the map's axis."""
        return (float(xy[0]) - self.origin[0]) * self.axis[0] + (float(xy[1]) - self.origin[1]) * self.axis[1]

    def height_along(self, s: float) -> float:
        """[m] ground height at ``s`` [m] along the axis (beyond the pieces: the nearest end's)."""
        first, last = self.pieces[0], self.pieces[-1]
        if s < first[0]:
            return first[1]
        for s0, z0, s1, z1 in self.pieces:
            if s0 <= s < s1:
                return z0 + (z1 - z0) * (s - s0) / (s1 - s0) if s1 > s0 else z0
        return last[3]

    def height_at(self, xy) -> float:
        """[m] ground height under the point ``xy`` [m] (map frame)."""
        return self.height_along(self.along(xy))

    def half_extent(self, yaw_rad: float, length_m: float, width_m: float) -> float:
        """[m] half the extent along the axis of a sole ``length_m`` × ``width_m`` turned by
        ``yaw_rad`` (map frame)."""
        return rectangle_half_extent(yaw_rad - self.heading_rad, length_m, width_m)

    def edges_between(self, s_a: float, s_b: float) -> list:
        """The edges strictly between ``s_a`` and ``s_b`` [m] (either order)."""
        lo, hi = min(s_a, s_b), max(s_a, s_b)
        return [e for e in self.edges if lo < e.s_m < hi]

    def _limits(self, half_extent_m: float, travel: float = 0.0) -> list:
        """[(edge position, +1/-1 the upper side along s, inner limit of the upper side, of the
        lower side)] [m] for a sole reaching ``half_extent_m`` both ways, walked along the axis
        in the direction of the sign of ``travel`` (0: either way; the climbing rules)."""
        out = []
        for e in self.edges:
            up = math.copysign(1.0, e.rise_m)
            down = up * travel < 0.0  # the upper side behind: this edge is walked down
            overhang = self.descent_overhang_fraction if down else self.overhang_fraction
            clearance = self.descent_clearance_m if down else self.clearance_m
            # centre beyond the edge on the upper side; before the riser on the lower side
            out.append((e.s_m, up, half_extent_m - overhang * 2.0 * half_extent_m, half_extent_m + clearance))
        return out

    def is_clear(self, s: float, half_extent_m: float, travel: float = 0.0) -> bool:
        """Whether a sole centred at ``s`` [m] along the axis, reaching ``half_extent_m`` [m] both
        ways, rests on one tread: above each edge by at most the overhang, below it clear of
        its riser (walked in the direction of the sign of ``travel``, see :meth:`_limits`)."""
        for e, up, above, below in self._limits(half_extent_m, travel):
            u = (s - e) * up  # [m] > 0 on the upper side
            if -below + 1e-9 < u < above - 1e-9:
                return False
        return True

    def clear_around(self, s: float, half_extent_m: float, travel: float = 0.0) -> tuple:
        """(behind, ahead) [m]: the nearest positions along the axis at or behind ``s`` and at
        or ahead of it where a sole centred there, reaching ``half_extent_m`` [m] both ways,
        rests on one tread (:meth:`is_clear`) — both ``s`` when it does already; either is None
        when there is no such place within a sole's length of ``s`` (walked in the direction of
        the sign of ``travel``, see :meth:`_limits`)."""
        if self.is_clear(s, half_extent_m, travel):
            return s, s
        limits = self._limits(half_extent_m, travel)
        candidates = [c for e, up, above, below in limits for c in (e + up * above, e - up * below)]
        reach = 2.0 * half_extent_m + max(self.clearance_m, self.descent_clearance_m)
        near = [self._inset(c, math.copysign(1.0, c - s), half_extent_m, travel) for c in candidates
                if abs(c - s) <= reach and self.is_clear(c, half_extent_m, travel)]
        behind = max((c for c in near if c <= s), default=None)
        ahead = min((c for c in near if c >= s), default=None)
        return behind, ahead

    def _inset(self, c: float, inward: float, half_extent_m: float, travel: float = 0.0) -> float:
        """[m] the clear place ``c`` moved ``inset_m`` further into its clear stretch (direction
        ``inward``, ±1), or to the stretch's middle when it is shorter than twice that: the
        odometry the map is placed by drifts a few centimetres over a flight of stairs."""
        step, far = 0.001, 0.0
        while far < 2.0 * self.inset_m and self.is_clear(c + inward * (far + step), half_extent_m, travel):
            far += step
        return c + inward * min(self.inset_m, 0.5 * far)

    def keep_off_edges(self, s: float, half_extent_m: float, travel: float = 0.0) -> float:
        """[m] the position along the axis nearest to ``s`` where a sole centred there rests on
        one tread (:meth:`is_clear`); ``s`` itself when it does. Where no such place is within a
        sole's length (treads shorter than the sole), the upper side of the nearest edge."""
        behind, ahead = self.clear_around(s, half_extent_m, travel)
        found = [c for c in (behind, ahead) if c is not None]
        if found:
            return min(found, key=lambda c: abs(c - s))
        e, up, above, _ = min(self._limits(half_extent_m, travel), key=lambda lim: abs(lim[0] - s))
        return e + up * above
