"""Numba kernels of the centroidal MPC's structured solver: a primal-dual interior-point
method whose Newton steps are solved by a Riccati recursion, so one iteration costs time
linear in the number of knots. Same contract as the other kernel modules: ``*_numpy`` is the
reference, the ``@njit`` function computes the same numbers (``test/kernels/test_lq_ipm_kernels.py``),
:func:`warm_up` compiles them, ``HUMANOID_CONTROL_NUMBA=0`` selects the twins.

The problem (knots k = 0..N−1, nx states, nu inputs, nf contacts of nr inequality rows each):

    minimise   Σ_k ½ (x_{k+1} − xr_{k+1})ᵀ diag(W_k) (x_{k+1} − xr_{k+1}) + ½ (u_k − ur_k)ᵀ diag(R) (u_k − ur_k)
    subject to x_0 = x0,  x_{k+1} = A x_k + B_k u_k + d,
               G_{k,i} u_{k,i} ≤ h_{k,i}  for every contact i in stance at knot k,
               u_{k,i} = 0                for every contact i not in stance,

where u_{k,i} is the i-th block of ``nu / nf`` inputs. Arrays: A (nx, nx), d (nx,),
B (N, nx, nu), W (N, nx), xr (N + 1, nx) (row 0 unused), R (nu,), ur (N, nu),
G (N, nf, nr, nu / nf), h (N, nf, nr), stance (N, nf) bool, x0 (nx,).

The method keeps the iterate primal feasible (the dynamics are linear, slacks are s = h − G u),
so every iterate — also the one returned when the time budget runs out — is a plan that obeys
the dynamics and every inequality; it starts from ``u`` as given, which must be strictly inside
(stance contacts: s > 0). Steps are Mehrotra predictor–corrector, with separate primal and
dual step lengths (on the recorded walking problems: Talos, 32 knots, at most 16 iterations
instead of 23 with one step length); the Riccati factorisation of an iteration serves both of
its solves."""
from __future__ import annotations

import time

import numpy as np
from numba import njit, objmode

from humanoid_control.kernels import compile_all, select

# status codes returned with the iteration count
CONVERGED, MAX_ITERATIONS, OUT_OF_TIME, NOT_INTERIOR, NOT_POSITIVE_DEFINITE = 0, 1, 2, 3, 4
STATUS_NAMES = ("converged", "max_iterations", "out_of_time", "start_not_interior", "not_positive_definite")
STEP_FRACTION = 0.995  # [-] of the distance to the boundary a step may go


# ---------------------------------------------------------------------------------- numpy twins
def _free_mask(stance, nu):
    return np.repeat(stance, nu // stance.shape[1], axis=1)  # (N, nu)


def rollout_lq_numpy(x, A, d, B, x0, u):
    """x (N + 1, nx) ← states under the inputs u (N, nu): x_{k+1} = A x_k + B_k u_k + d."""
    x[0] = x0
    for k in range(B.shape[0]):
        x[k + 1] = A @ x[k] + B[k] @ u[k] + d


def _gu(G, u, stance):
    """(N, nf, nr) G_{k,i} u_{k,i}, zero for contacts not in stance."""
    N, nf, nr, m = G.shape
    out = np.einsum("kirj,kij->kir", G, u.reshape(N, nf, m))
    return out * stance[:, :, None]


def _gt(G, y, stance):
    """(N, nu) Σ_i G_{k,i}ᵀ y_{k,i} over stance contacts."""
    N, nf, nr, m = G.shape
    return np.einsum("kirj,kir->kij", G, y * stance[:, :, None]).reshape(N, nf * m)


def riccati_factor_numpy(P, K, Quu, Qux, A, B, W, R, G, sigma, stance):
    """Backward Riccati factorisation of the Newton system for barrier weights ``sigma``
    (N, nf, nr): Quu (N, nu, nu) = R + Gᵀ Σ G + Bᵀ P B (fixed inputs: identity rows),
    Qux (N, nu, nx), feedback K (N, nu, nx) = −Quu⁻¹ Qux, cost-to-go Hessians P (N + 1, nx, nx).
    Returns False when a Quu is not positive definite."""
    N, nf, nr, m = G.shape
    free = _free_mask(stance, B.shape[2])
    P[N] = np.diag(W[N - 1])
    for k in range(N - 1, -1, -1):
        PB = P[k + 1] @ B[k]
        H = np.diag(R) + B[k].T @ PB
        for i in range(nf):
            if stance[k, i]:
                Gi = G[k, i]
                H[i * m:(i + 1) * m, i * m:(i + 1) * m] += Gi.T @ (sigma[k, i][:, None] * Gi)
        Hx = PB.T @ A
        fixed = ~free[k]
        H[fixed, :] = 0.0
        H[:, fixed] = 0.0
        H[fixed, fixed] = 1.0
        Hx[fixed, :] = 0.0
        try:
            np.linalg.cholesky(H)
        except np.linalg.LinAlgError:
            return False
        Quu[k], Qux[k] = H, Hx
        K[k] = -np.linalg.solve(H, Hx)
        Pk = A.T @ P[k + 1] @ A + Hx.T @ K[k]
        if k > 0:
            Pk += np.diag(W[k - 1])
        P[k] = 0.5 * (Pk + Pk.T)
    return True


def riccati_solve_numpy(du, dx, p, A, B, Quu, Qux, K, qx, qu, stance):
    """Newton step (du (N, nu), dx (N + 1, nx), dx_0 = 0) of the factorised system for the
    linear terms qx (N + 1, nx) on the states (row 0 unused) and qu (N, nu) on the inputs;
    p (N + 1, nx) receives the cost-to-go gradients."""
    N = B.shape[0]
    free = _free_mask(stance, B.shape[2])
    kff = np.zeros_like(qu)
    p[N] = qx[N]
    for k in range(N - 1, -1, -1):
        Qu = (qu[k] + B[k].T @ p[k + 1]) * free[k]
        kff[k] = -np.linalg.solve(Quu[k], Qu)
        p[k] = A.T @ p[k + 1] + Qux[k].T @ kff[k] + (qx[k] if k > 0 else 0.0)
    dx[0] = 0.0
    for k in range(N):
        du[k] = K[k] @ dx[k] + kff[k]
        dx[k + 1] = A @ dx[k] + B[k] @ du[k]


def _step_to_boundary(s, ds, lam, dlam, stance):
    a = 1.0
    act = np.broadcast_to(stance[:, :, None], s.shape)
    for v, dv in ((s, ds), (lam, dlam)):
        neg = act & (dv < 0)
        if np.any(neg):
            a = min(a, float(np.min(-v[neg] / dv[neg])))
    return a


def lq_ipm_numpy(u, x, lam, s, A, d, B, W, xr, R, ur, G, h, stance, x0, settings):
    """Solve the problem of the module docstring in place: u (N, nu) starts strictly inside
    and ends at the solution; x (N + 1, nx), lam and s (N, nf, nr) (duals and slacks of the
    inequality rows) are outputs. settings (5,) = [μ tolerance, stationarity tolerance
    (relative to the first iterate's gradient), max iterations, deadline (time.perf_counter
    seconds; 0: none), initial μ]. Returns (iterations, status code)."""
    tol_mu, tol_d, max_iter, deadline, mu0 = settings
    N, nx, nu = B.shape
    act = np.broadcast_to(stance[:, :, None], s.shape)
    free = _free_mask(stance, nu)
    m = max(int(act.sum()), 1)
    u *= free
    s[...] = np.where(act, h - _gu(G, u, stance), 1.0)
    if np.any(s[act] <= 0.0):
        return 0, NOT_INTERIOR
    lam[...] = np.where(act, mu0 / s, 0.0)
    P, p, dxa = np.zeros((N + 1, nx, nx)), np.zeros((N + 1, nx)), np.zeros((N + 1, nx))
    K, Qux, Quu = np.zeros((N, nu, nx)), np.zeros((N, nu, nx)), np.zeros((N, nu, nu))
    du, qx = np.zeros((N, nu)), np.zeros((N + 1, nx))
    g_scale = -1.0
    for it in range(int(max_iter)):
        rollout_lq_numpy(x, A, d, B, x0, u)
        if it > 0 and deadline > 0.0 and time.perf_counter() > deadline:
            return it, OUT_OF_TIME
        qx[1:] = W * (x[1:] - xr[1:])
        qu0 = R * (u - ur)
        nu_next = qx[N].copy()  # adjoint of the dynamics: gradient of the cost w.r.t. the inputs
        grad = np.zeros((N, nu))
        for k in range(N - 1, -1, -1):
            grad[k] = qu0[k] + B[k].T @ nu_next
            nu_next = qx[k] + A.T @ nu_next if k > 0 else nu_next
        if g_scale < 0.0:
            g_scale = max(1.0, float(np.max(np.abs(grad * free))))
        r_dual = float(np.max(np.abs((grad + _gt(G, lam, stance)) * free)))
        mu = float(np.sum(s[act] * lam[act])) / m
        if mu < tol_mu and r_dual < tol_d * g_scale:
            return it, CONVERGED
        sigma = np.where(act, lam / s, 0.0)
        if not riccati_factor_numpy(P, K, Quu, Qux, A, B, W, R, G, sigma, stance):
            return it, NOT_POSITIVE_DEFINITE
        # predictor (affine scaling): r_c = s λ
        riccati_solve_numpy(du, dxa, p, A, B, Quu, Qux, K, qx, qu0, stance)
        ds = -_gu(G, du, stance)
        dl = np.where(act, -lam - lam * ds / s, 0.0)
        a = _step_to_boundary(s, ds, lam, dl, stance)
        mu_aff = float(np.sum(((s + a * ds) * (lam + a * dl))[act])) / m
        centring = (mu_aff / mu) ** 3
        # corrector: r_c = s λ + Δs Δλ − σ μ
        rc = np.where(act, s * lam + ds * dl - centring * mu, 0.0)
        qu = qu0 + _gt(G, np.where(act, lam - rc / s, 0.0), stance)
        riccati_solve_numpy(du, dxa, p, A, B, Quu, Qux, K, qx, qu, stance)
        ds = -_gu(G, du, stance)
        dl = np.where(act, (-rc - lam * ds) / s, 0.0)
        a_primal = min(1.0, STEP_FRACTION * _step_to_boundary(s, ds, s, ds, stance))
        a_dual = min(1.0, STEP_FRACTION * _step_to_boundary(lam, dl, lam, dl, stance))
        u += a_primal * du
        s += a_primal * ds
        lam += a_dual * dl
    rollout_lq_numpy(x, A, d, B, x0, u)
    return int(max_iter), MAX_ITERATIONS


# ---------------------------------------------------------------------------------- Numba kernels
@njit(cache=True)
def _rollout_lq(x, A, d, B, x0, u):
    N, nx, nu = B.shape
    for i in range(nx):
        x[0, i] = x0[i]
    for k in range(N):
        for i in range(nx):
            acc = d[i]
            for j in range(nx):
                acc += A[i, j] * x[k, j]
            for j in range(nu):
                acc += B[k, i, j] * u[k, j]
            x[k + 1, i] = acc


@njit(cache=True)
def _cholesky_in_place(H, n):
    """Lower Cholesky factor of H (n × n) in its lower triangle; False if not positive definite."""
    for j in range(n):
        acc = H[j, j]
        for m in range(j):
            acc -= H[j, m] * H[j, m]
        if acc <= 0.0:
            return False
        ljj = np.sqrt(acc)
        H[j, j] = ljj
        for i in range(j + 1, n):
            acc = H[i, j]
            for m in range(j):
                acc -= H[i, m] * H[j, m]
            H[i, j] = acc / ljj
    return True


@njit(cache=True)
def _cholesky_solve(L, b, n):
    """b ← (L Lᵀ)⁻¹ b for the lower factor L (n × n)."""
    for i in range(n):
        acc = b[i]
        for m in range(i):
            acc -= L[i, m] * b[m]
        b[i] = acc / L[i, i]
    for i in range(n - 1, -1, -1):
        acc = b[i]
        for m in range(i + 1, n):
            acc -= L[m, i] * b[m]
        b[i] = acc / L[i, i]


@njit(cache=True)
def _column_pattern(M3, out_rows, out_count):
    """Rows where column j of any M3[k] (K, n, m) is non-zero: out_rows[j, :out_count[j]]."""
    K, n, m = M3.shape
    for j in range(m):
        c = 0
        for i in range(n):
            nz = False
            for k in range(K):
                if M3[k, i, j] != 0.0:
                    nz = True
                    break
            if nz:
                out_rows[j, c] = i
                c += 1
        out_count[j] = c


@njit(cache=True)
def _times_sparse_columns(out, X, M, rows, cnt):
    """out ← X M, visiting only the non-zeros of M's columns (``rows[j, :cnt[j]]``)."""
    for i in range(X.shape[0]):
        for j in range(M.shape[1]):
            acc = 0.0
            for t in range(cnt[j]):
                l = rows[j, t]
                acc += X[i, l] * M[l, j]
            out[i, j] = acc


@njit(cache=True)
def _riccati_factor(P, Quu, Qux, A, B, W, R, G, sigma, stance, a_rows, a_cnt, b_rows, b_cnt):
    """Unlike the twin, Quu[k] holds the lower Cholesky factor L of Quu on return and Qux[k]
    holds Y = L⁻¹ Qux (the feedback K = −L⁻ᵀ Y is never formed): P_k = Aᵀ P A − Yᵀ Y + W.
    The products skip the structural zeros of A and B (their column patterns
    ``a_rows``/``a_cnt``, ``b_rows``/``b_cnt``)."""
    N, nx, nu = B.shape
    nf, nr, m = G.shape[1], G.shape[2], G.shape[3]
    PB = np.empty((nx, nu))
    PA = np.empty((nx, nx))
    for i in range(nx):
        for j in range(nx):
            P[N, i, j] = 0.0
        P[N, i, i] = W[N - 1, i]
    for k in range(N - 1, -1, -1):
        Pn = P[k + 1]
        Bk = B[k]
        _times_sparse_columns(PB, Pn, Bk, b_rows, b_cnt)
        _times_sparse_columns(PA, Pn, A, a_rows, a_cnt)
        H = Quu[k]
        for i in range(nu):
            for j in range(i + 1):
                acc = 0.0
                for t in range(b_cnt[i]):
                    l = b_rows[i, t]
                    acc += Bk[l, i] * PB[l, j]
                H[i, j] = acc
            H[i, i] += R[i]
        for f in range(nf):
            if stance[k, f]:
                o = f * m
                for r in range(nr):
                    sg = sigma[k, f, r]
                    for i in range(m):
                        gi = G[k, f, r, i] * sg
                        if gi != 0.0:
                            for j in range(i + 1):
                                H[o + i, o + j] += gi * G[k, f, r, j]
        Hx = Qux[k]
        _times_sparse_columns(Hx, PB.T, A, a_rows, a_cnt)
        for f in range(nf):
            if not stance[k, f]:
                for i in range(f * m, (f + 1) * m):
                    for j in range(nu):
                        H[i, j] = 0.0
                        H[j, i] = 0.0
                    H[i, i] = 1.0
                    for j in range(nx):
                        Hx[i, j] = 0.0
        if not _cholesky_in_place(H, nu):
            return False
        # Y = L⁻¹ Qux in place of Qux (forward substitution, one column of Qux at a time)
        for j in range(nx):
            for i in range(nu):
                acc = Hx[i, j]
                for t in range(i):
                    acc -= H[i, t] * Hx[t, j]
                Hx[i, j] = acc / H[i, i]
        # P_k = Aᵀ P A − Yᵀ Y (+ the stage weight)
        Pk = P[k]
        for i in range(nx):
            for j in range(i + 1):
                acc = 0.0
                for t in range(a_cnt[i]):
                    l = a_rows[i, t]
                    acc += A[l, i] * PA[l, j]
                for l in range(nu):
                    acc -= Hx[l, i] * Hx[l, j]
                if k > 0 and i == j:
                    acc += W[k - 1, i]
                Pk[i, j] = acc
        for i in range(nx):
            for j in range(i + 1, nx):
                Pk[i, j] = Pk[j, i]
    return True


@njit(cache=True)
def _riccati_solve(du, dx, p, A, B, L, Y, qx, qu, stance, a_rows, a_cnt, b_rows, b_cnt):
    """The Newton step from the factors of :func:`_riccati_factor`: backward z_k = L⁻¹ Q_u,
    p_k = Aᵀ p_{k+1} − Yᵀ z_k + q_x; forward du_k = −L⁻ᵀ (Y dx_k + z_k)."""
    N, nx, nu = B.shape
    nf = stance.shape[1]
    m = nu // nf
    z = np.empty((N, nu))
    for i in range(nx):
        p[N, i] = qx[N, i]
    for k in range(N - 1, -1, -1):
        Lk = L[k]
        for j in range(nu):
            if stance[k, j // m]:
                acc = qu[k, j]
                for t in range(b_cnt[j]):
                    l = b_rows[j, t]
                    acc += B[k, l, j] * p[k + 1, l]
            else:
                acc = 0.0
            for t in range(j):
                acc -= Lk[j, t] * z[k, t]
            z[k, j] = acc / Lk[j, j]
        for i in range(nx):
            acc = qx[k, i] if k > 0 else 0.0
            for t in range(a_cnt[i]):
                l = a_rows[i, t]
                acc += A[l, i] * p[k + 1, l]
            for l in range(nu):
                acc -= Y[k, l, i] * z[k, l]
            p[k, i] = acc
    for i in range(nx):
        dx[0, i] = 0.0
    v = np.empty(nu)
    for k in range(N):
        Lk = L[k]
        for j in range(nu):
            acc = z[k, j]
            for l in range(nx):
                acc += Y[k, j, l] * dx[k, l]
            v[j] = acc
        for j in range(nu - 1, -1, -1):  # v ← L⁻ᵀ v
            acc = v[j]
            for t in range(j + 1, nu):
                acc -= Lk[t, j] * v[t]
            v[j] = acc / Lk[j, j]
        for j in range(nu):
            du[k, j] = -v[j]
        for i in range(nx):
            dx[k + 1, i] = 0.0
        for j in range(nx):
            for t in range(a_cnt[j]):
                l = a_rows[j, t]
                dx[k + 1, l] += A[l, j] * dx[k, j]
        for j in range(nu):
            for t in range(b_cnt[j]):
                l = b_rows[j, t]
                dx[k + 1, l] += B[k, l, j] * du[k, j]


@njit(cache=True)
def _gu_into(out, G, u, stance):
    N, nf, nr, m = G.shape
    for k in range(N):
        for f in range(nf):
            for r in range(nr):
                acc = 0.0
                if stance[k, f]:
                    for j in range(m):
                        acc += G[k, f, r, j] * u[k, f * m + j]
                out[k, f, r] = acc


@njit(cache=True)
def _boundary(s, ds, lam, dlam, stance):
    N, nf, nr = s.shape
    a = 1.0
    for k in range(N):
        for f in range(nf):
            if stance[k, f]:
                for r in range(nr):
                    if ds[k, f, r] < 0.0:
                        a = min(a, -s[k, f, r] / ds[k, f, r])
                    if dlam[k, f, r] < 0.0:
                        a = min(a, -lam[k, f, r] / dlam[k, f, r])
    return a


@njit(cache=True)
def _lq_ipm(u, x, lam, s, A, d, B, W, xr, R, ur, G, h, stance, x0, settings):
    tol_mu, tol_d, max_iter, deadline, mu0 = settings[0], settings[1], int(settings[2]), settings[3], settings[4]
    N, nx, nu = B.shape
    nf, nr, m = G.shape[1], G.shape[2], G.shape[3]
    n_act = 0
    for k in range(N):
        for f in range(nf):
            if stance[k, f]:
                n_act += nr
            else:
                for j in range(m):
                    u[k, f * m + j] = 0.0
    n_act = max(n_act, 1)
    gu = np.empty((N, nf, nr))
    _gu_into(gu, G, u, stance)
    for k in range(N):
        for f in range(nf):
            for r in range(nr):
                if stance[k, f]:
                    s[k, f, r] = h[k, f, r] - gu[k, f, r]
                    if s[k, f, r] <= 0.0:
                        return 0, NOT_INTERIOR
                    lam[k, f, r] = mu0 / s[k, f, r]
                else:
                    s[k, f, r] = 1.0
                    lam[k, f, r] = 0.0
    a_rows = np.empty((nx, nx), dtype=np.int64)
    a_cnt = np.empty(nx, dtype=np.int64)
    _column_pattern(A.reshape(1, nx, nx), a_rows, a_cnt)
    b_rows = np.empty((nu, nx), dtype=np.int64)
    b_cnt = np.empty(nu, dtype=np.int64)
    _column_pattern(B, b_rows, b_cnt)
    P = np.empty((N + 1, nx, nx))
    p = np.empty((N + 1, nx))
    Qux = np.empty((N, nu, nx))
    L = np.empty((N, nu, nu))
    du = np.empty((N, nu))
    dxa = np.empty((N + 1, nx))
    qx = np.zeros((N + 1, nx))
    qu0 = np.empty((N, nu))
    qu = np.empty((N, nu))
    ds = np.empty((N, nf, nr))
    dl = np.empty((N, nf, nr))
    rc = np.empty((N, nf, nr))
    sigma = np.zeros((N, nf, nr))
    adj = np.empty(nx)
    adj_prev = np.empty(nx)
    g_scale = -1.0
    for it in range(max_iter):
        _rollout_lq(x, A, d, B, x0, u)
        if it > 0 and deadline > 0.0:
            with objmode(now="float64"):
                now = time.perf_counter()
            if now > deadline:
                return it, OUT_OF_TIME
        for k in range(1, N + 1):
            for i in range(nx):
                qx[k, i] = W[k - 1, i] * (x[k, i] - xr[k, i])
        for k in range(N):
            for j in range(nu):
                qu0[k, j] = R[j] * (u[k, j] - ur[k, j])
        # stationarity residual through the adjoint of the dynamics
        for i in range(nx):
            adj[i] = qx[N, i]
        r_dual = 0.0
        g_max = 0.0
        for k in range(N - 1, -1, -1):
            for f in range(nf):
                if not stance[k, f]:
                    continue
                for j in range(f * m, (f + 1) * m):
                    g = qu0[k, j]
                    for t in range(b_cnt[j]):
                        l = b_rows[j, t]
                        g += B[k, l, j] * adj[l]
                    g_max = max(g_max, abs(g))
                    for r in range(nr):
                        g += G[k, f, r, j - f * m] * lam[k, f, r]
                    r_dual = max(r_dual, abs(g))
            if k > 0:
                for i in range(nx):
                    acc = qx[k, i]
                    for t in range(a_cnt[i]):
                        l = a_rows[i, t]
                        acc += A[l, i] * adj[l]
                    adj_prev[i] = acc
                for i in range(nx):
                    adj[i] = adj_prev[i]
        if g_scale < 0.0:
            g_scale = max(1.0, g_max)
        mu = 0.0
        for k in range(N):
            for f in range(nf):
                if stance[k, f]:
                    for r in range(nr):
                        mu += s[k, f, r] * lam[k, f, r]
                        sigma[k, f, r] = lam[k, f, r] / s[k, f, r]
        mu /= n_act
        if mu < tol_mu and r_dual < tol_d * g_scale:
            return it, CONVERGED
        if not _riccati_factor(P, L, Qux, A, B, W, R, G, sigma, stance, a_rows, a_cnt, b_rows, b_cnt):
            return it, NOT_POSITIVE_DEFINITE
        # predictor (affine scaling): r_c = s λ
        _riccati_solve(du, dxa, p, A, B, L, Qux, qx, qu0, stance, a_rows, a_cnt, b_rows, b_cnt)
        _gu_into(ds, G, du, stance)
        for k in range(N):
            for f in range(nf):
                for r in range(nr):
                    ds[k, f, r] = -ds[k, f, r]
                    dl[k, f, r] = (-lam[k, f, r] - lam[k, f, r] * ds[k, f, r] / s[k, f, r]) if stance[k, f] else 0.0
        a = _boundary(s, ds, lam, dl, stance)
        mu_aff = 0.0
        for k in range(N):
            for f in range(nf):
                if stance[k, f]:
                    for r in range(nr):
                        mu_aff += (s[k, f, r] + a * ds[k, f, r]) * (lam[k, f, r] + a * dl[k, f, r])
        mu_aff /= n_act
        centring = (mu_aff / mu) ** 3
        # corrector: r_c = s λ + Δs Δλ − σ μ
        for k in range(N):
            for j in range(nu):
                qu[k, j] = qu0[k, j]
            for f in range(nf):
                if stance[k, f]:
                    for r in range(nr):
                        rc[k, f, r] = s[k, f, r] * lam[k, f, r] + ds[k, f, r] * dl[k, f, r] - centring * mu
                        y = lam[k, f, r] - rc[k, f, r] / s[k, f, r]
                        for j in range(m):
                            qu[k, f * m + j] += G[k, f, r, j] * y
                else:
                    for r in range(nr):
                        rc[k, f, r] = 0.0
        _riccati_solve(du, dxa, p, A, B, L, Qux, qx, qu, stance, a_rows, a_cnt, b_rows, b_cnt)
        _gu_into(ds, G, du, stance)
        for k in range(N):
            for f in range(nf):
                for r in range(nr):
                    ds[k, f, r] = -ds[k, f, r]
                    dl[k, f, r] = ((-rc[k, f, r] - lam[k, f, r] * ds[k, f, r]) / s[k, f, r]) if stance[k, f] else 0.0
        a_primal = min(1.0, STEP_FRACTION * _boundary(s, ds, s, ds, stance))
        a_dual = min(1.0, STEP_FRACTION * _boundary(lam, dl, lam, dl, stance))
        for k in range(N):
            for j in range(nu):
                u[k, j] += a_primal * du[k, j]
            for f in range(nf):
                for r in range(nr):
                    s[k, f, r] += a_primal * ds[k, f, r]
                    lam[k, f, r] += a_dual * dl[k, f, r]
    _rollout_lq(x, A, d, B, x0, u)
    return max_iter, MAX_ITERATIONS


NUMPY_TWINS = {"lq_ipm": lq_ipm_numpy}
NUMBA_KERNELS = {"lq_ipm": _lq_ipm}
lq_ipm = select(NUMBA_KERNELS, NUMPY_TWINS)["lq_ipm"]


def example_arguments(N: int = 6, rng=None) -> dict:
    """A random, strictly feasible problem of the module docstring's form (nx 4, two contacts
    of two inputs and three rows each)."""
    rng = rng or np.random.default_rng(0)
    nx, nf, m, nr = 4, 2, 2, 3
    nu = nf * m
    A = np.eye(nx) + 0.05 * rng.normal(size=(nx, nx))
    B = 0.1 * rng.normal(size=(N, nx, nu))
    G = rng.normal(size=(N, nf, nr, m))
    stance = rng.random((N, nf)) < 0.8
    u = rng.normal(size=(N, nu))
    h = np.einsum("kirj,kij->kir", G, u.reshape(N, nf, m)) + rng.uniform(0.1, 1.0, size=(N, nf, nr))
    xr = rng.normal(size=(N + 1, nx))
    settings = np.array([1e-9, 1e-8, 60.0, 0.0, 1.0])
    return {"lq_ipm": (u, np.zeros((N + 1, nx)), np.zeros((N, nf, nr)), np.zeros((N, nf, nr)), A, 0.01 * rng.normal(size=nx),
                       B, rng.uniform(0.5, 2.0, size=(N, nx)), xr, rng.uniform(0.1, 1.0, size=nu),
                       rng.normal(size=(N, nu)), G, h, stance, rng.normal(size=nx), settings)}


def warm_up() -> None:
    compile_all(NUMBA_KERNELS, example_arguments)
