"""Every Numba kernel of the QP assembly agrees with its numpy twin, is compiled before the
control loop starts, and the assembled QP equals the dense textbook formulas."""
import numpy as np
import pytest

from humanoid_control.kernels import wbc as kernels
from twins import run_both
from humanoid_control.wbc.constraints.contact_wrench_cone import ROWS_PER_FOOT
from humanoid_control.wbc.controller import WholeBodyController


@pytest.mark.parametrize("name", sorted(kernels.NUMPY_TWINS))
@pytest.mark.parametrize("nv,nc", [(9, 2), (38, 2), (12, 4)])
def test_the_numba_kernel_and_its_numpy_twin_write_the_same_numbers(name, nv, nc):
    args = kernels.example_arguments(nv, nc, np.random.default_rng(nv * 10 + nc))
    # start from non-zero outputs: a kernel must overwrite (rows) or accumulate (costs) exactly like its twin
    start = tuple(x + 0.5 if isinstance(x, np.ndarray) and x.dtype == float else x for x in args[name])
    (a, returned_a), (b, returned_b) = run_both(kernels, name, start)
    assert returned_a == returned_b  # returned values too
    changed = False
    for x, y, original in zip(a, b, args[name]):
        if isinstance(x, np.ndarray):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12)
            changed |= x.dtype == float and not np.array_equal(x, original + 0.5)
    assert changed, f"{name} wrote nothing"


def test_no_kernel_compiles_inside_the_control_loop(humanoid):
    wbc = WholeBodyController(humanoid)  # warms the kernels up
    before = {name: len(k.signatures) for name, k in kernels.NUMBA_KERNELS.items()}
    assert all(n >= 1 for n in before.values()), before
    q = humanoid.nominal_configuration()
    rng = np.random.default_rng(0)
    for k in range(20):
        contacts = {"left": k % 3 != 0, "right": k % 3 != 1}
        v = rng.normal(0, 0.05, humanoid.nv)
        wbc.joint_command(wbc.update(q, v, contacts), q, v)
    after = {name: len(k.signatures) for name, k in kernels.NUMBA_KERNELS.items()}
    assert after == before, "a kernel met argument types it was not warmed up with"


def test_the_assembled_cost_equals_the_dense_sum_of_weighted_task_residuals(humanoid):
    wbc = WholeBodyController(humanoid)
    q = humanoid.nominal_configuration()
    v = np.random.default_rng(4).normal(0, 0.1, humanoid.nv)
    contacts = {"left": True, "right": False}
    qp, terms, _ = wbc.build(q, v, contacts)
    H = np.zeros_like(qp.H)
    g = np.zeros_like(qp.g)
    tasks = [wbc.com_task, wbc.orientation_task, wbc.posture_task, wbc.foot_tasks["right"]]
    for task in tasks:
        A, b = task.compute_residual(terms, wbc.layout)
        w = task.row_weights(len(b))
        H += A.T @ (w[:, None] * A)
        g -= A.T @ (w * b)
    nv = humanoid.nv
    w_ref = np.zeros(wbc.layout.n - nv)
    w_ref[:6] = wbc.wrench_task.wrench_ref["left"]
    H[nv:, nv:] += wbc.p.wrench_weight * np.eye(wbc.layout.n - nv)
    g[nv:] -= wbc.p.wrench_weight * w_ref
    H += 1e-8 * np.eye(wbc.layout.n)
    np.testing.assert_allclose(qp.H, H, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(qp.g, g, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(qp.H, qp.H.T)


def test_the_assembled_constraints_equal_the_equations_of_motion_and_the_sole_frame_cone(humanoid):
    wbc = WholeBodyController(humanoid)
    q = humanoid.nominal_configuration()
    v = np.random.default_rng(5).normal(0, 0.1, humanoid.nv)
    qp, t, _ = wbc.build(q, v, {"left": True, "right": False})
    nv, x = humanoid.nv, np.random.default_rng(6).normal(size=wbc.layout.n)
    qdd, wl, wr = x[:nv], x[nv:nv + 6], x[nv + 6:]
    # rows 0..5: floating-base dynamics; 6..11 left stance acceleration; 12..17 right wrench = 0
    full = t.M @ qdd + t.h - t.J_feet["left"].T @ wl - t.J_feet["right"].T @ wr
    np.testing.assert_allclose(qp.A[:6] @ x - qp.b[:6], full[:6], atol=1e-9)
    np.testing.assert_allclose(qp.A[6:12] @ x - qp.b[6:12],
                               t.J_feet["left"] @ qdd + t.feet_drift["left"] + wbc.p.contact_kd * t.feet_velocity["left"],
                               atol=1e-9)
    np.testing.assert_allclose(qp.A[12:18] @ x - qp.b[12:18], wr, atol=1e-12)
    # torque rows: the joint part of the equations of motion, bounded by the effort limits
    m = ROWS_PER_FOOT  # cone rows per foot, left then right, then the torque rows
    np.testing.assert_allclose(qp.C[2 * m:] @ x, full[6:] - t.h[6:], atol=1e-9)
    np.testing.assert_allclose(qp.u[2 * m:] - qp.l[2 * m:], 2 * humanoid.tau_max * wbc.p.torque_limit_scale)
    # cone rows act on the wrench expressed in the sole frame
    R = t.feet_placement["left"].rotation
    w_sole = np.concatenate([R.T @ wl[:3], R.T @ wl[3:]])
    np.testing.assert_allclose(qp.C[:m] @ x, wbc.constraints[2].U["left"] @ w_sole, atol=1e-9)
    assert (qp.l[m - 1], qp.u[m - 1]) == (wbc.constraints[2].fz_min, wbc.constraints[2].fz_max)
    assert (qp.l[2 * m - 1], qp.u[2 * m - 1]) == (0.0, 0.0)  # the swing foot's normal force is pinned to zero


def test_the_active_set_solve_finds_proxsuites_optimum_with_binding_rows_or_says_it_cannot():
    from humanoid_control.dense_qp import DenseQp, QpSettings

    solved = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        n, m, r = 12, 4, 10
        L = rng.normal(size=(n, n))
        H, g = L @ L.T + np.eye(n), rng.normal(size=n) * 5.0
        x0 = rng.normal(size=n) * 0.1  # a feasible point: the problem has a solution
        A, C = rng.normal(size=(m, n)), rng.normal(size=(r, n))
        b = A @ x0
        lo, up = C @ x0 - np.abs(rng.normal(size=r)) * 0.5, C @ x0 + np.abs(rng.normal(size=r)) * 0.5
        lo[0] = -np.inf  # a one-sided row
        ref = DenseQp(n, m, r, QpSettings(1e-10, 1000, 1500, "equality")).solve(H, g, A, b, C, lo, up)
        assert ref.ok
        active = np.zeros(r, dtype=np.int8)
        x = np.zeros(n)
        K, rhs = np.zeros((n + m + r, n + m + r)), np.zeros(n + m + r)
        solves = kernels.active_set_qp(H, g, A, b, C, lo, up, active, K, rhs, x, 40, 1e-10)
        if solves < 0:
            continue  # it said it could not: the caller asks ProxSuite
        solved += 1
        assert active.any()  # rows bind: not the equality-only case
        np.testing.assert_allclose(x, ref.x, atol=1e-6)
        again = kernels.active_set_qp(H, g, A, b, C, lo, up, active, K, rhs, x, 40, 1e-10)
        assert again == 1  # hot-started from its own active set: one KKT solve
        np.testing.assert_allclose(x, ref.x, atol=1e-6)
    assert solved >= 7  # measured 9 of 12 (the others cycle: ProxSuite answers those in the controller)


def test_the_active_set_solve_gives_up_rather_than_answer_wrongly():
    rng = np.random.default_rng(7)
    n, m, r = 8, 2, 12
    H, g = np.eye(n), rng.normal(size=n) * 20.0
    A, b, C = rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=(r, n))
    lo, up = np.full(r, -0.01), np.full(r, 0.01)
    active = np.zeros(r, dtype=np.int8)
    x = np.zeros(n)
    K, rhs = np.zeros((n + m + r, n + m + r)), np.zeros(n + m + r)
    try:
        solves = kernels.active_set_qp(H, g, A, b, C, lo, up, active, K, rhs, x, 1, 1e-10)
    except np.linalg.LinAlgError:
        solves = -1
    assert solves == -1  # one solve is not enough here: it says so instead of returning an infeasible x
