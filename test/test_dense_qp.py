"""The one ProxSuite wrapper: solutions, warm reuse, the cold retry and failure handling."""
import numpy as np
import pytest

from humanoid_control.dense_qp import DenseQp, QpSettings, round_mantissa
from humanoid_control.errors import HumanoidControlError


def _problem(shift=0.0):
    H = np.diag([2.0, 4.0, 1.0])
    g = np.array([-2.0, -4.0, 1.0 + shift])
    A = np.array([[1.0, 1.0, 1.0]])
    b = np.array([1.0])
    C = np.array([[0.0, 1.0, 0.0]])
    return H, g, A, b, C, np.array([-np.inf]), np.array([0.25])


def test_it_solves_an_equality_and_inequality_constrained_qp_to_its_kkt_point():
    qp = DenseQp(3, 1, 1)
    r = qp.solve(*_problem())
    assert r.ok and r.status == "PROXQP_SOLVED" and r.iterations >= 1
    x = r.x
    assert x.sum() == pytest.approx(1.0, abs=1e-5) and x[1] <= 0.25 + 1e-5
    # stationarity on the equality surface with the active bound x1 = 0.25: x0 and x2 share one multiplier
    H, g = _problem()[0:2]
    grad = H @ x + g
    assert grad[0] == pytest.approx(grad[2], abs=1e-4)


def test_a_reused_solver_answers_the_next_problem_and_keeps_no_state_after_a_failure():
    qp = DenseQp(3, 1, 0, QpSettings(1e-6, 200, 1500, "previous"), box=True)
    H, g, A, b = _problem()[0:4]
    none = (np.zeros((0, 3)), np.zeros(0), np.zeros(0))
    wide = (np.full(3, -10.0), np.full(3, 10.0))
    first = qp.solve(H, g, A, b, *none, *wide)
    second = qp.solve(H, g + np.array([0.3, 0.0, 0.0]), A, b, *none, *wide)
    assert first.ok and second.ok and not np.allclose(first.x, second.x)
    failed = qp.solve(H, g, A, b, *none, np.full(3, -0.1), np.full(3, 0.1))  # a sum of 1 from three |x| <= 0.1
    assert not failed.ok and qp.cold_retries == 1  # the reused solver was given a second, cold chance
    again = qp.solve(H, g, A, b, *none, *wide)
    assert again.ok and np.allclose(again.x, first.x, atol=1e-4)  # nothing of the failure carried over


def test_box_constraints_bound_the_solution():
    qp = DenseQp(2, 0, 0, QpSettings(1e-6, 100, 1500, "equality"), box=True)
    r = qp.solve(np.eye(2), np.array([-5.0, 5.0]), None, None, np.zeros((0, 2)), np.zeros(0), np.zeros(0),
                 np.array([-1.0, -1.0]), np.array([1.0, 1.0]))
    assert r.ok
    np.testing.assert_allclose(r.x, [1.0, -1.0], atol=1e-5)


def test_an_unknown_initial_guess_names_the_choices():
    with pytest.raises(HumanoidControlError, match="previous"):
        DenseQp(2, 0, 0, QpSettings(initial_guess="random"))


def test_the_answer_is_bit_for_bit_the_same_from_every_solver_object():
    # ProxSuite alone answers this 60-variable QP with other last bits from some solver
    # objects than from others (where its buffers lie) — enough to split a lockstep run in two
    rng = np.random.default_rng(1)
    n, n_eq, n_in = 60, 12, 40
    M = rng.standard_normal((n, n))
    problem = (M @ M.T + np.eye(n), rng.standard_normal(n), rng.standard_normal((n_eq, n)),
               rng.standard_normal(n_eq), rng.standard_normal((n_in, n)), np.full(n_in, -0.3), np.full(n_in, 0.3))
    kept, answers = [], set()
    for k in range(8):
        kept.append(np.empty(3 * k + 1))  # the heap shifts between the solver objects
        qp = DenseQp(n, n_eq, n_in)
        kept.append(qp)
        r = qp.solve(*problem)
        assert r.ok
        answers.add(r.x.tobytes())
    assert len(answers) == 1


def test_rounding_keeps_thirty_significant_bits_and_leaves_inf_and_nan_alone():
    x = np.array([1.0 + 2.0 ** -40, 1.0 + 2.0 ** -29, -3.0e5 * (1 + 2.0 ** -35), np.inf, np.nan, 0.0])
    y = round_mantissa(x.copy())
    assert y[0] == 1.0 and y[1] == 1.0 + 2.0 ** -29 and y[2] == -3.0e5
    assert np.isposinf(y[3]) and np.isnan(y[4]) and y[5] == 0.0
