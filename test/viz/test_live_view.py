"""Foxglove live view helpers."""
import numpy as np
import pytest

from humanoid_control.spatial import rotate_by_quaternion
from humanoid_control.viz.live_view import _quat_x_to


@pytest.mark.parametrize("direction", [(0, 0, 1), (1, 0, 0), (-1, 0, 0), (0.3, -0.2, 0.9), (0, -1, 0)])
def test_the_arrow_orientation_turns_x_onto_the_force_direction(direction):
    q = _quat_x_to(direction)
    assert np.linalg.norm(q) == pytest.approx(1.0)
    d = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    np.testing.assert_allclose(rotate_by_quaternion(q, np.array([1.0, 0.0, 0.0])), d, atol=1e-12)
