from dataclasses import replace

import numpy as np
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.mpc.centroidal_mpc import GRAVITY, SOLVER_CLASSES, MpcParams, MpcProblem, create_mpc

MASS, LENGTH, WIDTH = 37.4, 0.22, 0.11
PARAMS = MpcParams(horizon_s=0.8, knots=16, friction_coefficient=0.5)


def _problem(mpc, vx=0.0, swing=((4, 12, 0),), yaw=0.0, x0=None):
    N = mpc.N
    if x0 is None:
        x0 = np.zeros(9)
        x0[2] = 0.8
    x_ref = np.tile(x0, (N + 1, 1))
    x_ref[:, 3] = vx
    x_ref[:, 0] = x0[0] + vx * np.arange(N + 1) * mpc.p.dt
    feet = np.zeros((N, 2, 3))
    c, s = np.cos(yaw), np.sin(yaw)
    feet[:, 0, :2] = [-s * 0.1, c * 0.1]
    feet[:, 1, :2] = [s * 0.1, -c * 0.1]
    contact = np.ones((N, 2), bool)
    for k0, k1, foot in swing:
        contact[k0:k1, foot] = False
    return MpcProblem(x0, x_ref, feet, np.full((N, 2), yaw), contact)


@pytest.fixture(scope="module", params=sorted(SOLVER_CLASSES))
def mpc(request):
    return create_mpc(MASS, LENGTH, WIDTH, replace(PARAMS, solver=request.param))


def test_swing_feet_carry_no_wrench_and_stance_feet_carry_the_weight(mpc):
    prob = _problem(mpc)
    sol = mpc.solve(prob)
    assert sol.ok
    np.testing.assert_array_equal(sol.wrenches[~prob.contact], 0.0)
    total_fz = sol.wrenches[:, :, 2].sum(axis=1)
    assert np.all(np.abs(total_fz - MASS * 9.81) < 0.15 * MASS * 9.81)


@pytest.mark.parametrize("yaw", [0.0, 0.7])
def test_stance_wrenches_stay_inside_friction_pyramids_cop_limits_and_yaw_limits(mpc, yaw):
    x0 = np.array([0.05, -0.02, 0.8, 0.4, 0.3, 0.0, 0.0, 0.0, 0.0])  # moving: the MPC must work for it
    prob = _problem(mpc, vx=0.3, yaw=yaw, x0=x0)
    sol = mpc.solve(prob)
    assert sol.ok
    mu, tol = PARAMS.friction_coefficient, 1e-2
    R = np.array([[np.cos(yaw), np.sin(yaw)], [-np.sin(yaw), np.cos(yaw)]])  # world -> foot axes
    for k in range(mpc.N):
        for i in range(2):
            if not prob.contact[k, i]:
                continue
            f, tau = sol.wrenches[k, i, :3], sol.wrenches[k, i, 3:]
            fx, fy = R @ f[:2]
            tx, ty = R @ tau[:2]
            assert f[2] >= -tol
            assert abs(fx) <= mu * f[2] + tol and abs(fy) <= mu * f[2] + tol
            assert abs(tx) <= WIDTH / 2 * f[2] + tol and abs(ty) <= LENGTH / 2 * f[2] + tol
            assert abs(tau[2]) <= mu * min(WIDTH, LENGTH) / 2 * f[2] + tol


def test_the_planned_states_follow_the_centroidal_dynamics_of_the_planned_wrenches(mpc):
    prob = _problem(mpc, vx=0.2)
    sol = mpc.solve(prob)
    dt = mpc.p.dt
    for k in range(mpc.N):
        acc = sol.wrenches[k, :, :3].sum(axis=0) / MASS + GRAVITY
        np.testing.assert_allclose(sol.states[k + 1, 3:6], sol.states[k, 3:6] + dt * acc, atol=1e-9)
        np.testing.assert_allclose(sol.states[k + 1, 0:3],
                                   sol.states[k, 0:3] + dt * sol.states[k, 3:6] + 0.5 * dt * dt * acc, atol=1e-9)


@pytest.mark.parametrize("solver", sorted(SOLVER_CLASSES))
def test_the_com_moves_to_a_reference_inside_the_support_and_settles_there(solver):
    mpc = create_mpc(MASS, LENGTH, WIDTH, MpcParams(horizon_s=1.5, knots=30, solver=solver))
    prob = _problem(mpc, swing=())
    prob.x_ref[:, 0] = 0.04  # [m] forward, within the soles (±0.11 m)
    sol = mpc.solve(prob)
    assert sol.ok
    assert abs(sol.states[-1, 0] - 0.04) < 0.01 and abs(sol.states[-1, 3]) < 0.05


def test_in_single_support_the_com_leans_towards_the_stance_foot(mpc):
    sol = mpc.solve(_problem(mpc, swing=((4, 12, 0),)))  # left foot swings, right (y = -0.1) holds
    assert sol.states[8, 1] < -0.005


def test_malformed_mpc_inputs_are_named(mpc):
    prob = _problem(mpc)
    prob.foot_yaw = np.zeros((3, 2))
    with pytest.raises(ConfigError, match="foot_yaw"):
        mpc.solve(prob)
    prob = _problem(mpc)
    prob.x0[0] = np.nan
    with pytest.raises(ConfigError, match="x0"):
        mpc.solve(prob)
    with pytest.raises(ConfigError, match="horizon_s"):
        MpcParams(horizon_s=0.2).validate()
