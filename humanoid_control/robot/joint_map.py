"""Mapping joint-indexed arrays between orders (URDF/Pinocchio, MuJoCo, ROS messages),
always by name, never by position."""
from __future__ import annotations

import numpy as np

from humanoid_control.errors import UnknownNameError


class JointMap:
    """Reorders arrays given in ``source`` joint order into ``target`` order.

    ``index[i]`` is the position in ``source`` of ``target[i]``. Every target name must
    exist in the source (extra source names are dropped)."""

    def __init__(self, source, target, what: str = "joint"):
        self.source = list(source)
        self.target = list(target)
        pos = {n: i for i, n in enumerate(self.source)}
        missing = [n for n in self.target if n not in pos]
        if missing:
            raise UnknownNameError(what, missing[0], self.source)
        self.index = np.array([pos[n] for n in self.target], dtype=np.intp)

    def __call__(self, values_in_source_order) -> np.ndarray:
        """Values in target order (a new array)."""
        return np.asarray(values_in_source_order, dtype=float)[self.index]

    def scatter(self, values_in_target_order, out_in_source_order: np.ndarray) -> np.ndarray:
        """Write target-ordered values into their slots of a source-ordered array."""
        out_in_source_order[self.index] = values_in_target_order
        return out_in_source_order

    @property
    def is_identity(self) -> bool:
        return len(self.source) == len(self.target) and bool(np.all(self.index == np.arange(len(self.index))))
