"""Sets of recorded MPC problems (``.npz``): what the replay test and the MPC benchmark solve.

A file holds, per scenario, the stacked inputs of its problems (``<scenario>/x0`` (P, 9),
``<scenario>/x_ref`` (P, N + 1, 9), ``<scenario>/foot_position`` (P, N, 2, 3),
``<scenario>/foot_yaw`` (P, N, 2), ``<scenario>/contact`` (P, N, 2)) and the robot they were
recorded on (``robot/mass`` [kg], ``robot/foot_length``, ``robot/foot_width`` [m],
``robot/dt`` [s] the knot spacing, ``robot/problem_period_s`` [s] the time between two
stored problems of a scenario, which gives each problem its ``t``). A problem of N knots also gives every shorter horizon:
its first knots (:meth:`ProblemSet.problems` with ``knots``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from humanoid_control.errors import ConfigError
from humanoid_control.mpc.problem import MpcProblem

FIELDS = ("x0", "x_ref", "foot_position", "foot_yaw", "contact")


@dataclass
class ProblemSet:
    mass_kg: float
    foot_length_m: float
    foot_width_m: float
    dt_s: float  # [s] knot spacing of the recorded problems
    scenarios: dict  # name -> {field: stacked array}
    problem_period_s: float | None = None  # [s] between two problems of a scenario (None: unknown)

    @property
    def knots(self) -> int:
        return next(iter(self.scenarios.values()))["foot_yaw"].shape[1]

    def problems(self, scenario: str, knots: int | None = None) -> list:
        """The problems of ``scenario`` as MpcProblem (float64), cut to their first ``knots``."""
        if scenario not in self.scenarios:
            raise ConfigError(f"no scenario '{scenario}'; recorded: {', '.join(self.scenarios)}", "problem set")
        n = self.knots if knots is None else int(knots)
        if not 1 <= n <= self.knots:
            raise ConfigError(f"{n} knots asked, the problems have {self.knots}", "problem set")
        s = self.scenarios[scenario]
        period = self.problem_period_s
        return [MpcProblem(s["x0"][i].astype(float), s["x_ref"][i, :n + 1].astype(float),
                           s["foot_position"][i, :n].astype(float), s["foot_yaw"][i, :n].astype(float),
                           s["contact"][i, :n].astype(bool), None if period is None else i * period)
                for i in range(len(s["x0"]))]

    def save(self, path: Path) -> None:
        out = {"robot/mass": self.mass_kg, "robot/foot_length": self.foot_length_m,
               "robot/foot_width": self.foot_width_m, "robot/dt": self.dt_s}
        if self.problem_period_s is not None:
            out["robot/problem_period_s"] = self.problem_period_s
        for name, fields in self.scenarios.items():
            for key in FIELDS:
                out[f"{name}/{key}"] = fields[key].astype(bool if key == "contact" else np.float32)
        np.savez_compressed(path, **out)

    @classmethod
    def load(cls, path: Path) -> "ProblemSet":
        with np.load(path) as z:
            data = {k: z[k] for k in z.files}
        scenarios: dict = {}
        for key, value in data.items():
            name, _, field = key.partition("/")
            if name != "robot":
                scenarios.setdefault(name, {})[field] = value
        missing = [f"{n}/{f}" for n, fields in scenarios.items() for f in FIELDS if f not in fields]
        if missing or "robot/mass" not in data:
            raise ConfigError(f"{path} is not a problem set (missing {', '.join(missing) or 'robot/mass'})", str(path))
        return cls(float(data["robot/mass"]), float(data["robot/foot_length"]), float(data["robot/foot_width"]),
                   float(data["robot/dt"]), scenarios,
                   float(data["robot/problem_period_s"]) if "robot/problem_period_s" in data else None)
