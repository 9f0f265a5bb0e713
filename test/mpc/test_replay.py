"""Replay: MPC problems recorded from walking runs (bench/record_mpc_problems.py: forward,
turning, a push while walking, a stop; the project humanoid and Talos) solved by the
interior-point solver match the dense condensed reference, and its plans obey the friction
pyramids, the CoP limits and the zero wrench of swing feet at every knot.

Tolerances: wrenches within 0.5 % of the robot's weight (forces) and of m g ℓ (sole torques,
ℓ the half length), CoM trajectory within 1 mm; constraints to 1e-6 of m g."""
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from humanoid_control.mpc.centroidal_mpc import MpcParams, create_mpc
from humanoid_control.mpc.problem_set import ProblemSet

DATA = Path(__file__).parent / "data"
ROBOTS = ("humanoid", "talos")
SCENARIOS = ("forward", "turning", "push", "stop")
PARAMS = MpcParams()  # the shipped horizon: 0.8 s, 16 knots


@pytest.fixture(scope="module", params=ROBOTS)
def recorded(request):
    return ProblemSet.load(DATA / f"walking_problems_{request.param}.npz")


def _solvers(ps: ProblemSet, params: MpcParams):
    return tuple(create_mpc(ps.mass_kg, ps.foot_length_m, ps.foot_width_m, replace(params, solver=s))
                 for s in ("riccati", "dense"))


def _assert_inside_the_contact_constraints(sol, prob, ps: ProblemSet, mu: float, tol: float) -> None:
    half_w, half_l = ps.foot_width_m / 2, ps.foot_length_m / 2
    lever_yaw = mu * min(half_w, half_l)
    for k in range(len(prob.contact)):
        for i in range(2):
            w = sol.wrenches[k, i]
            if not prob.contact[k, i]:
                assert np.all(w == 0.0), f"knot {k}: the swing foot carries {w}"
                continue
            c, s = np.cos(prob.foot_yaw[k, i]), np.sin(prob.foot_yaw[k, i])
            fx, fy = c * w[0] + s * w[1], -s * w[0] + c * w[1]
            tx, ty = c * w[3] + s * w[4], -s * w[3] + c * w[4]
            fz = w[2]
            assert fz >= -tol
            assert abs(fx) <= mu * fz + tol and abs(fy) <= mu * fz + tol, f"knot {k} foot {i}: outside the pyramid"
            assert abs(tx) <= half_w * fz + tol and abs(ty) <= half_l * fz + tol, f"knot {k} foot {i}: CoP off the sole"
            assert abs(w[5]) <= lever_yaw * fz + tol


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_recorded_walking_problems_solve_like_the_dense_reference_inside_the_constraints(recorded, scenario):
    riccati, dense = _solvers(recorded, PARAMS)
    weight = recorded.mass_kg * 9.81
    torque_unit = weight * recorded.foot_length_m / 2
    problems = recorded.problems(scenario, PARAMS.knots)[::2]
    assert len(problems) >= 40
    for prob in problems:
        a, b = riccati.solve(prob), dense.solve(prob)
        assert a.ok and a.status == "converged" and not a.budget_exceeded
        assert b.ok
        np.testing.assert_allclose(a.wrenches[..., :3], b.wrenches[..., :3], rtol=0, atol=0.005 * weight)
        np.testing.assert_allclose(a.wrenches[..., 3:], b.wrenches[..., 3:], rtol=0, atol=0.005 * torque_unit)
        np.testing.assert_allclose(a.states[:, :3], b.states[:, :3], rtol=0, atol=1e-3)
        _assert_inside_the_contact_constraints(a, prob, recorded, PARAMS.friction_coefficient, 1e-6 * weight)


def test_the_longest_horizon_matches_too(recorded):
    params = MpcParams(horizon_s=recorded.knots * recorded.dt_s, knots=recorded.knots)
    riccati, dense = _solvers(recorded, params)
    weight = recorded.mass_kg * 9.81
    for scenario in SCENARIOS:
        for prob in recorded.problems(scenario)[::12]:
            a, b = riccati.solve(prob), dense.solve(prob)
            assert a.status == "converged" and b.ok
            np.testing.assert_allclose(a.wrenches[..., :3], b.wrenches[..., :3], rtol=0, atol=0.005 * weight)
            np.testing.assert_allclose(a.states[:, :3], b.states[:, :3], rtol=0, atol=1e-3)


def test_a_solve_out_of_time_returns_a_feasible_plan_and_says_so(recorded):
    riccati = create_mpc(recorded.mass_kg, recorded.foot_length_m, recorded.foot_width_m,
                         replace(PARAMS, max_solve_time_s=1e-6))
    prob = recorded.problems("push", PARAMS.knots)[50]
    sol = riccati.solve(prob)
    assert sol.ok and sol.budget_exceeded and sol.status == "out_of_time" and sol.iterations == 1
    _assert_inside_the_contact_constraints(sol, prob, recorded, PARAMS.friction_coefficient,
                                           1e-9 * recorded.mass_kg * 9.81)
    # the plan still obeys the model: the CoM follows the planned forces
    acc = sol.wrenches[:, :, :3].sum(axis=1) / recorded.mass_kg + np.array([0, 0, -9.81])
    dt = PARAMS.dt
    np.testing.assert_allclose(sol.states[1:, 3:6], sol.states[:-1, 3:6] + dt * acc, atol=1e-9)


def test_a_problem_set_names_a_scenario_it_does_not_have(recorded):
    from humanoid_control.errors import ConfigError
    with pytest.raises(ConfigError, match="recorded: forward"):
        recorded.problems("jumping")
    with pytest.raises(ConfigError, match="knots asked"):
        recorded.problems("forward", 99)


def test_a_warm_started_solve_finds_the_plan_a_cold_one_finds(recorded):
    cold, warm = (create_mpc(recorded.mass_kg, recorded.foot_length_m, recorded.foot_width_m,
                             replace(PARAMS, warm_start=w)) for w in (False, True))
    weight = recorded.mass_kg * 9.81
    for prob in recorded.problems("push", PARAMS.knots)[40:60]:
        assert prob.t is not None
        a, b = cold.solve(prob), warm.solve(prob)
        assert a.status == b.status == "converged"
        np.testing.assert_allclose(a.wrenches[..., :3], b.wrenches[..., :3], rtol=0, atol=0.005 * weight)
