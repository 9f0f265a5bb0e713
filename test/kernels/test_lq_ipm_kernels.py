"""The structured interior-point kernel agrees with its numpy twin, and both find the optimum
of the problem they are given (checked against ProxSuite on the same problem, condensed)."""
import numpy as np
import proxsuite
import pytest

from humanoid_control.kernels import lq_ipm as kernels
from twins import run_both


@pytest.mark.parametrize("N", [1, 6, 24])
def test_the_numba_kernel_and_its_numpy_twin_take_the_same_steps(N):
    args = kernels.example_arguments(N, np.random.default_rng(N))["lq_ipm"]
    (a, ra), (b, rb) = run_both(kernels, "lq_ipm", args)
    assert ra == rb and ra[1] == kernels.CONVERGED
    for x, y in zip(a[:4], b[:4]):  # u, x, λ, s
        np.testing.assert_allclose(x, y, rtol=1e-8, atol=1e-9)


def _condensed(args):
    """The same problem with the states eliminated: (H, g, equality rows, inequality rows, h)."""
    u0, x, lam, s, A, d, B, W, xr, R, ur, G, h, stance, x0, settings = args
    N, nx, nu = B.shape
    nf, nr, m = G.shape[1:]
    n = N * nu
    x_free = np.zeros((N + 1, nx))
    dx_du = np.zeros((N + 1, nx, n))
    x_free[0] = x0
    for k in range(N):
        x_free[k + 1] = A @ x_free[k] + d
        dx_du[k + 1] = A @ dx_du[k]
        dx_du[k + 1][:, k * nu:(k + 1) * nu] += B[k]
    H = np.diag(np.tile(R, N))
    g = -np.tile(R, N) * ur.ravel()
    for k in range(N):
        M = dx_du[k + 1]
        H += M.T @ np.diag(W[k]) @ M
        g += M.T @ (W[k] * (x_free[k + 1] - xr[k + 1]))
    eq, rows, rhs = [], [], []
    for k in range(N):
        for f in range(nf):
            o = k * nu + f * m
            if not stance[k, f]:
                eq.extend(np.eye(n)[o:o + m])
                continue
            for r in range(nr):
                row = np.zeros(n)
                row[o:o + m] = G[k, f, r]
                rows.append(row)
                rhs.append(h[k, f, r])
    return H, g, np.array(eq).reshape(-1, n), np.array(rows).reshape(-1, n), np.array(rhs)


@pytest.mark.parametrize("seed", range(4))
def test_the_interior_point_solution_is_the_optimum_and_stays_feasible(seed):
    args = kernels.example_arguments(12, np.random.default_rng(100 + seed))["lq_ipm"]
    a = tuple(x.copy() if isinstance(x, np.ndarray) else x for x in args)
    its, status = kernels.lq_ipm(*a)
    assert status == kernels.CONVERGED and its < 40
    H, g, E, C, rhs = _condensed(args)
    qp = proxsuite.proxqp.dense.QP(H.shape[0], E.shape[0], C.shape[0])
    qp.settings.eps_abs = 1e-10
    qp.init(H, g, E, np.zeros(E.shape[0]), C, np.full(len(rhs), -1e20), rhs)
    qp.solve()
    u = a[0].ravel()
    np.testing.assert_allclose(u, qp.results.x, atol=1e-5)
    assert np.all(C @ u <= rhs + 1e-12) and np.all(E @ u == 0.0)
    # the states are the dynamics of the inputs
    x = np.zeros_like(a[1])
    kernels.rollout_lq_numpy(x, args[4], args[5], args[6], args[14], a[0])
    np.testing.assert_allclose(a[1], x, atol=1e-12)


def test_a_solve_out_of_time_returns_a_feasible_iterate():
    args = kernels.example_arguments(24, np.random.default_rng(7))["lq_ipm"]
    a = list(x.copy() if isinstance(x, np.ndarray) else x for x in args)
    a[-1] = a[-1].copy()
    a[-1][3] = 1e-9  # a deadline long past
    its, status = kernels.lq_ipm(*a)
    assert status == kernels.OUT_OF_TIME and its == 1
    _, _, E, C, rhs = _condensed(args)
    u = a[0].ravel()
    assert np.all(C @ u <= rhs) and np.all(E @ u == 0.0)


def test_a_start_outside_the_constraints_is_refused():
    args = kernels.example_arguments(6, np.random.default_rng(3))["lq_ipm"]
    a = list(x.copy() if isinstance(x, np.ndarray) else x for x in args)
    a[12] = a[12] - 10.0  # h: every row violated by the start
    assert kernels.lq_ipm(*a)[1] == kernels.NOT_INTERIOR
