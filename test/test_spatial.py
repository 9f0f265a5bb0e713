import numpy as np
import pinocchio as pin

from humanoid_control.spatial import cross3, rotate_by_quaternion


def test_cross3_equals_numpys_cross_product():
    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.normal(size=3), rng.normal(size=3)
        np.testing.assert_allclose(cross3(a, b), np.cross(a, b), rtol=1e-14, atol=1e-14)


def test_rotating_by_a_quaternion_equals_multiplying_by_its_rotation_matrix():
    rng = np.random.default_rng(1)
    for _ in range(20):
        R = pin.rpy.rpyToMatrix(*rng.uniform(-3, 3, 3))
        q = pin.Quaternion(R).coeffs()  # x, y, z, w
        v = rng.normal(size=3)
        np.testing.assert_allclose(rotate_by_quaternion(q, v), R @ v, atol=1e-12)


def test_the_yaw_of_a_quaternion_is_its_heading_for_one_or_many():
    import math

    import numpy as np

    from humanoid_control.spatial import yaw_of_quaternion
    yaws = np.array([0.0, 0.4, -2.5, math.pi / 2])
    quats = np.column_stack([np.zeros(4), np.zeros(4), np.sin(yaws / 2), np.cos(yaws / 2)])
    np.testing.assert_allclose(yaw_of_quaternion(quats), yaws, atol=1e-12)
    assert abs(float(yaw_of_quaternion((0.0, 0.0, math.sin(0.2), math.cos(0.2)))) - 0.4) < 1e-12
