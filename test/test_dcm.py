import numpy as np

from humanoid_control.dcm import net_cop_xy


def test_the_cop_of_one_foot_is_shifted_by_its_torque_over_its_normal_force():
    fz = 300.0
    wrench = [0.0, 0.0, fz, 0.02 * fz, -0.03 * fz, 0.0]  # τx = y·fz, τy = −x·fz
    np.testing.assert_allclose(net_cop_xy([[1.0, 2.0, 0.0]], [wrench]), [1.03, 2.02], atol=1e-12)


def test_two_equally_loaded_feet_press_at_their_midpoint_and_an_unequal_load_pulls_it_over():
    feet = [[0.0, 0.1, 0.0], [0.0, -0.1, 0.0]]
    equal = [[0, 0, 200.0, 0, 0, 0], [0, 0, 200.0, 0, 0, 0]]
    np.testing.assert_allclose(net_cop_xy(feet, equal), [0.0, 0.0], atol=1e-12)
    unequal = [[0, 0, 300.0, 0, 0, 0], [0, 0, 100.0, 0, 0, 0]]
    np.testing.assert_allclose(net_cop_xy(feet, unequal), [0.0, 0.05], atol=1e-12)


def test_the_cop_is_where_the_total_horizontal_moment_vanishes_with_shear_and_raised_feet():
    rng = np.random.default_rng(3)
    feet = rng.uniform(-0.2, 0.2, (2, 3))
    wrenches = np.hstack([rng.uniform(-30, 30, (2, 2)), rng.uniform(100, 300, (2, 1)), rng.uniform(-5, 5, (2, 3))])
    cop = net_cop_xy(feet, wrenches)
    z = float((feet[:, 2] * wrenches[:, 2]).sum() / wrenches[:, 2].sum())
    o = np.array([cop[0], cop[1], z])
    moment = sum(w[3:] + np.cross(p - o, w[:3]) for p, w in zip(feet, wrenches))
    np.testing.assert_allclose(moment[:2], 0.0, atol=1e-9)


def test_unloaded_feet_have_no_cop():
    assert net_cop_xy([[0, 0, 0]], [[0, 0, 0.5, 0, 0, 0]]) is None
