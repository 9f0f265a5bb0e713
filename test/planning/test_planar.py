import math

import numpy as np
import pytest

from humanoid_control.planning.planar import (circular_mean, convex_hull, rotation_2d, signed_distance_to_polygon,
                                              wrap_angle)


@pytest.mark.parametrize("a, wrapped", [(0.0, 0.0), (3 * math.pi / 2, -math.pi / 2), (-3 * math.pi / 2, math.pi / 2),
                                        (math.pi, -math.pi), (7.0, 7.0 - 2 * math.pi)])
def test_angles_wrap_into_minus_pi_to_pi(a, wrapped):
    assert wrap_angle(a) == pytest.approx(wrapped)


def test_the_rotation_takes_the_heading_x_axis_to_the_world_heading_direction():
    R = rotation_2d(0.3)
    np.testing.assert_allclose(R @ [1.0, 0.0], [math.cos(0.3), math.sin(0.3)])
    np.testing.assert_allclose(R.T @ R, np.eye(2), atol=1e-15)


def test_the_mean_of_two_yaws_either_side_of_the_seam_points_along_the_seam():
    assert abs(circular_mean([math.pi - 0.1, -math.pi + 0.1])) == pytest.approx(math.pi)
    assert circular_mean([0.2, 0.4]) == pytest.approx(0.3)
    with pytest.raises(ValueError):
        circular_mean([])


def test_the_convex_hull_drops_inner_points_and_runs_counter_clockwise():
    hull = convex_hull([(0, 0), (1, 0), (0.5, 0.5), (1, 1), (0, 1), (0.2, 0.9), (1, 0)])
    np.testing.assert_allclose(hull, [(0, 0), (1, 0), (1, 1), (0, 1)])
    x, y = hull[:, 0], hull[:, 1]
    assert 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)) == pytest.approx(1.0)  # > 0: CCW


@pytest.mark.parametrize("point, distance", [((0.5, 0.5), -0.5), ((0.9, 0.5), -0.1), ((2.0, 0.5), 1.0),
                                             ((2.0, 2.0), math.sqrt(2.0)), ((0.5, -0.25), 0.25), ((1.0, 0.5), 0.0)])
def test_the_signed_distance_to_a_polygon_is_negative_inside_and_euclidean_outside(point, distance):
    square = convex_hull([(0, 0), (1, 0), (1, 1), (0, 1)])
    assert signed_distance_to_polygon(point, square) == pytest.approx(distance, abs=1e-12)
