"""The ground of a simulation (``humanoid-control sim --terrain KIND``), ROS-free.

Kinds (the robot starts at the origin facing +x, on flat ground at z = 0):

* ``flat`` — the default;
* ``slope:DEG[@X]`` — a ramp of DEG degrees (negative: downhill) starting X m ahead
  (default 1.0), 4 m long, then level ground at its top (bottom);
* ``step:HEIGHT[@X]`` — a step up (+) or down (−) of HEIGHT m at X (default 1.0);
* ``stairs:RISE:RUN:N[@X]`` — N steps of RISE m (negative: down) and RUN m treads from X;
* ``rough:AMPLITUDE[:SEED]`` — a height field of ±AMPLITUDE m (random, 5 cm cells; flat
  within 0.3 m of the start so that the robot starts on the ground).

:class:`Terrain` knows its height at any (x, y) (:meth:`Terrain.height_at`: the report
measures the base's height above the ground beneath it) and adds its geoms to a MuJoCo
model under construction (:meth:`Terrain.add_to_spec`). The controller is blind: nothing
of the terrain reaches it."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from humanoid_control.errors import ConfigError

KINDS = ("flat", "slope:DEG[@X]", "step:HEIGHT[@X]", "stairs:RISE:RUN:N[@X]", "rough:AMPLITUDE[:SEED]")
RAMP_LENGTH_M = 4.0  # [m] horizontal length of a slope
EXTENT_M = 20.0  # [m] how far the ground reaches in every direction
ROUGH_CELL_M = 0.05  # [m] height-field resolution
ROUGH_HALF_SIZE_M = (6.0, 3.0)  # [m] half extent in x and y of the rough patch (centred 4 m ahead)
ROUGH_FLAT_RADIUS_M = 0.3  # [m] flat around the start


@dataclass(frozen=True)
class Terrain:
    kind: str  # flat | slope | step | stairs | rough
    values: tuple = ()  # the kind's numbers, as parsed
    start_x: float = 1.0  # [m] where slope, step and stairs begin
    seed: int = 0  # rough

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, text: str) -> "Terrain":
        """``--terrain`` text -> Terrain; a ConfigError names what is wrong and lists the kinds."""
        src = f"--terrain {text}"
        kinds = "; ".join(KINDS)
        head, _, at = text.strip().partition("@")
        parts = head.split(":")
        kind = parts[0].strip().lower()
        try:
            nums = [float(p) for p in parts[1:]]
            start = float(at) if at else 1.0
        except ValueError:
            raise ConfigError(f"'{text}' has a value that is not a number; kinds: {kinds}", src) from None
        expected = {"flat": 0, "slope": 1, "step": 1, "stairs": 3, "rough": (1, 2)}
        if kind not in expected:
            raise ConfigError(f"unknown terrain '{kind}'; kinds: {kinds}", src)
        n = expected[kind]
        if (len(nums) not in n) if isinstance(n, tuple) else len(nums) != n:
            raise ConfigError(f"'{text}' does not read as {KINDS[list(expected).index(kind)]}", src)
        if at and kind in ("flat", "rough"):
            raise ConfigError(f"'{kind}' takes no @X", src)
        if not 0.3 <= start <= 10.0 and kind in ("slope", "step", "stairs"):
            raise ConfigError(f"X = {start} m is outside [0.3, 10] (the robot stands at 0)", src)
        if kind == "slope" and not -30.0 <= nums[0] <= 30.0:
            raise ConfigError(f"slope {nums[0]}° is outside [-30, 30]", src)
        if kind == "step" and not -0.3 <= nums[0] <= 0.3:
            raise ConfigError(f"step {nums[0]} m is outside [-0.3, 0.3]", src)
        if kind == "stairs":
            rise, run, count = nums
            if not (-0.3 <= rise <= 0.3 and 0.1 <= run <= 2.0 and count == int(count) and 1 <= count <= 50):
                raise ConfigError(f"stairs rise {rise} m in [-0.3, 0.3], run {run} m in [0.1, 2], "
                                  f"count {count} a whole number in [1, 50]", src)
        seed = 0
        if kind == "rough":
            if not 0.0 < nums[0] <= 0.1:
                raise ConfigError(f"rough amplitude {nums[0]} m is outside (0, 0.1]", src)
            if len(nums) == 2:
                if nums[1] != int(nums[1]) or nums[1] < 0:
                    raise ConfigError(f"seed {nums[1]} is not a whole number ≥ 0", src)
                seed = int(nums[1])
            nums = nums[:1]
        return cls(kind, tuple(nums), start, seed)

    def text(self) -> str:
        """The ``--terrain`` text of this terrain (the report's ``terrain``)."""
        if self.kind == "flat":
            return "flat"
        if self.kind == "rough":
            return f"rough:{self.values[0]:g}:{self.seed}"
        return f"{self.kind}:" + ":".join(f"{v:g}" for v in self.values) + f"@{self.start_x:g}"

    # ------------------------------------------------------------------ geometry
    def profile(self) -> list:
        """Piecewise-linear ground along x for slope, step and stairs: [(x0, z0, x1, z1)]."""
        x0 = self.start_x
        out = [(-EXTENT_M, 0.0, x0, 0.0)]
        if self.kind == "slope":
            h = RAMP_LENGTH_M * math.tan(math.radians(self.values[0]))
            out += [(x0, 0.0, x0 + RAMP_LENGTH_M, h), (x0 + RAMP_LENGTH_M, h, EXTENT_M, h)]
        elif self.kind == "step":
            out.append((x0, self.values[0], EXTENT_M, self.values[0]))
        elif self.kind == "stairs":
            rise, run, count = self.values
            for k in range(int(count)):
                out.append((x0 + k * run, (k + 1) * rise, x0 + (k + 1) * run, (k + 1) * rise))
            out.append((x0 + count * run, count * rise, EXTENT_M, count * rise))
        return out

    def _rough_grid(self) -> tuple:
        """(x centres, y centres, heights (ny, nx)) of the rough patch [m]."""
        hx, hy = ROUGH_HALF_SIZE_M
        cx = 4.0
        nx, ny = int(round(2 * hx / ROUGH_CELL_M)) + 1, int(round(2 * hy / ROUGH_CELL_M)) + 1
        xs = np.linspace(cx - hx, cx + hx, nx)
        ys = np.linspace(-hy, hy, ny)
        heights = np.random.default_rng(self.seed).uniform(-self.values[0], self.values[0], (ny, nx))
        r = np.hypot(*np.meshgrid(xs, ys))
        heights[r < ROUGH_FLAT_RADIUS_M] = 0.0
        rim = (np.abs(ys)[:, None] > hy - 0.1) | (np.abs(xs - cx)[None, :] > hx - 0.1)
        heights[rim] = 0.0  # the patch's rim meets the flat floor
        return xs, ys, heights

    def height_at(self, x: float, y: float) -> float:
        """[m] ground height at (x, y)."""
        if self.kind == "flat":
            return 0.0
        if self.kind == "rough":
            xs, ys, h = self._grid()
            if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
                return 0.0
            i = min(int((y - ys[0]) / ROUGH_CELL_M), len(ys) - 2)
            j = min(int((x - xs[0]) / ROUGH_CELL_M), len(xs) - 2)
            fy, fx = (y - ys[i]) / ROUGH_CELL_M, (x - xs[j]) / ROUGH_CELL_M
            top = h[i, j] * (1 - fx) + h[i, j + 1] * fx
            bottom = h[i + 1, j] * (1 - fx) + h[i + 1, j + 1] * fx
            return float(top * (1 - fy) + bottom * fy)
        z = 0.0
        for x0, z0, x1, z1 in self.profile():
            if x0 <= x < x1:
                z = z0 + (z1 - z0) * (x - x0) / (x1 - x0)
        return z

    def _grid(self) -> tuple:
        cache = _GRIDS.get(self)
        if cache is None:
            cache = _GRIDS[self] = self._rough_grid()
        return cache

    def lowest(self) -> float:
        """[m] the lowest ground height (where the floor plane goes)."""
        if self.kind == "rough":
            return -self.values[0]
        return min(0.0, *(z for seg in self.profile() for z in (seg[1], seg[3])))

    def add_to_spec(self, spec, floor, contype: int, conaffinity: int, friction: float) -> None:
        """Shape the ground of a model under construction: ``floor`` (the plane geom) goes to
        the lowest height; boxes (slope, step, stairs) or a height field (rough) on top."""
        import mujoco

        if self.kind == "flat":
            return
        floor.pos = [0.0, 0.0, self.lowest()]

        def geom(name):
            g = spec.worldbody.add_geom()
            g.name = name
            g.contype, g.conaffinity = contype, conaffinity
            g.friction = [friction, 0.01, 0.0001]
            g.rgba = [0.55, 0.55, 0.6, 1.0]
            return g

        if self.kind == "rough":
            xs, ys, h = self._grid()
            hf = spec.add_hfield()
            hf.name = "rough_ground"
            amp = self.values[0]
            hx, hy = (xs[-1] - xs[0]) / 2, (ys[-1] - ys[0]) / 2
            hf.size = [hx, hy, 2 * amp, 0.05]  # x, y half sizes; elevation range; base thickness
            hf.nrow, hf.ncol = len(ys), len(xs)
            hf.userdata = list(((h + amp) / (2 * amp)).ravel())  # row-major, row 0 at -y
            g = geom("rough_ground")
            g.type = mujoco.mjtGeom.mjGEOM_HFIELD
            g.hfieldname = "rough_ground"
            g.pos = [(xs[0] + xs[-1]) / 2, 0.0, -amp]
            return
        bottom = self.lowest() - 0.05
        for k, (x0, z0, x1, z1) in enumerate(self.profile()):
            if max(z0, z1) <= self.lowest() + 1e-9:
                continue  # the plane is this segment
            length = math.hypot(x1 - x0, z1 - z0)
            angle = math.atan2(z1 - z0, x1 - x0)
            thick = (max(z0, z1) - bottom) / 2
            g = geom(f"ground_{k}")
            g.type = mujoco.mjtGeom.mjGEOM_BOX
            g.size = [length / 2, EXTENT_M, thick]
            # the box's top face is the segment: its centre half a thickness below the segment's middle
            nx, nz = -math.sin(angle), math.cos(angle)
            g.pos = [(x0 + x1) / 2 - nx * thick, 0.0, (z0 + z1) / 2 - nz * thick]
            g.quat = [math.cos(-angle / 2), 0.0, math.sin(-angle / 2), 0.0]  # about y: +x rises by angle


_GRIDS: dict = {}

FLAT = Terrain("flat")

__all__ = ["Terrain", "FLAT", "KINDS"]
