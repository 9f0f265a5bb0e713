"""Numba kernels of the whole-body QP assembly, each with a pure-numpy twin.

The QP's decision vector is ``x = [qdd (nv) | w_0 (6) | w_1 (6) | ...]`` (see
:mod:`humanoid_control.wbc.layout`); contact quantities are stacked along a first axis of
length nc (contacts in layout order). Every kernel writes into preallocated arrays and
returns nothing, so the steady-state tick allocates no QP matrices.

``*_numpy`` functions are the readable reference (vectorised numpy); the ``@njit`` loops of
the same name without the suffix compute the same numbers faster. ``test/kernels/test_wbc_kernels.py``
checks that every pair agrees. :func:`warm_up` compiles (or loads from the on-disk cache)
every kernel; the controller calls it at start-up so no compilation happens in the loop.
Set ``HUMANOID_CONTROL_NUMBA=0`` to run the numpy twins instead (debugging, profiling)."""
from __future__ import annotations

import numpy as np
from numba import njit

from humanoid_control.kernels import compile_all, select

from humanoid_control.constants import GRAVITY
INF = 1e20  # the solver's infinity for one-sided rows


# ---------------------------------------------------------------- dynamics terms
def copy_symmetric_numpy(dst, upper):
    """``dst`` = the symmetric matrix whose upper triangle is that of ``upper`` (Pinocchio's
    CRBA fills only the upper triangle of M)."""
    dst[:] = np.triu(upper) + np.triu(upper, 1).T


@njit(cache=True)
def _copy_symmetric(dst, upper):
    n = upper.shape[0]
    for i in range(n):
        for j in range(i, n):
            dst[i, j] = upper[i, j]
            dst[j, i] = upper[i, j]


# ---------------------------------------------------------------- tasks: weighted least squares
def add_weighted_gram_numpy(H, g, J, r, w, col0):
    """``H[c, c] += Jᵀ diag(w) J`` and ``g[c] -= Jᵀ diag(w) r`` on the columns
    ``c = col0 .. col0 + J.shape[1]``. J (m, k), r (m,), w (m,) row weights."""
    k = J.shape[1]
    WJ = J * w[:, None]
    H[col0:col0 + k, col0:col0 + k] += WJ.T @ J
    g[col0:col0 + k] -= WJ.T @ r


@njit(cache=True, fastmath=False)
def _add_weighted_gram(H, g, J, r, w, col0):
    m, k = J.shape
    for i in range(k):
        gi = 0.0
        for a in range(m):
            gi += w[a] * J[a, i] * r[a]
        g[col0 + i] -= gi
        for j in range(i, k):
            s = 0.0
            for a in range(m):
                s += w[a] * J[a, i] * J[a, j]
            H[col0 + i, col0 + j] += s
            if j != i:
                H[col0 + j, col0 + i] += s


def add_diagonal_numpy(H, g, w, target, col0):
    """``||diag(sqrt w) (x[c] - target)||²`` with ``c = col0 ..``: a diagonal task
    (identity Jacobian): ``H[c, c] += diag(w)``, ``g[c] -= w * target``."""
    k = w.shape[0]
    idx = np.arange(col0, col0 + k)
    H[idx, idx] += w
    g[col0:col0 + k] -= w * target


@njit(cache=True)
def _add_diagonal(H, g, w, target, col0):
    for i in range(w.shape[0]):
        H[col0 + i, col0 + i] += w[i]
        g[col0 + i] -= w[i] * target[i]


def add_pd_task_numpy(H, g, J, drift, e, vel, v_ref, a_ref, kp, kd, w, col0, identity):
    """An acceleration task ``J x[c] = a_des - drift`` with the PD law
    ``a_des = a_ref + kp e - kd (vel - v_ref)`` (all (m,)), weighted by w (m,), added to the
    cost like :func:`add_weighted_gram_numpy`; ``identity``: J is the identity (m = k) and
    is ignored."""
    r = a_ref + kp * e - kd * (vel - v_ref) - drift
    if identity:
        add_diagonal_numpy(H, g, w, r, col0)
    else:
        add_weighted_gram_numpy(H, g, J, r, w, col0)


@njit(cache=True)
def _add_pd_task(H, g, J, drift, e, vel, v_ref, a_ref, kp, kd, w, col0, identity):
    m = e.shape[0]
    r = np.empty(m)
    for a in range(m):
        r[a] = a_ref[a] + kp[a] * e[a] - kd[a] * (vel[a] - v_ref[a]) - drift[a]
    if identity:
        _add_diagonal(H, g, w, r, col0)
    else:
        _add_weighted_gram(H, g, J, r, w, col0)


# ---------------------------------------------------------------- balance
def dcm_balance_numpy(out, corners_sole, R, p, stance, com, com_velocity, dcm_ref_xy, gain, margin, max_acceleration):
    """Support rectangle of the stance soles and DCM feedback (see
    :mod:`humanoid_control.dcm`) in one call. corners_sole (nc, 4, 3) [m] in each
    sole frame; R (nc, 3, 3), p (nc, 3) the soles in the world; stance (nc,) bool. Writes
    out (7,) = [CoM acceleration xy (m/s²), CoP xy clipped (m), DCM xy (m), saturated]."""
    from humanoid_control.dcm import DcmBalance, support_rectangle

    if stance.any():
        world = corners_sole @ R.transpose(0, 2, 1) + p[:, None, :]
        lo, hi = support_rectangle([world[stance, :, :2].reshape(-1, 2)])
    else:
        lo, hi = support_rectangle([com[None, :2]])
    b = DcmBalance(gain, margin, max_acceleration).compute(com, com_velocity, dcm_ref_xy, lo, hi,
                                                           com[2] - p[:, 2].mean())
    out[0:2] = b.com_acceleration_xy
    out[2:4] = b.cop_xy
    out[4:6] = b.dcm_xy
    out[6] = float(b.saturated)


@njit(cache=True)
def _dcm_balance(out, corners_sole, R, p, stance, com, com_velocity, dcm_ref_xy, gain, margin, max_acceleration):
    lo0, lo1, hi0, hi1 = np.inf, np.inf, -np.inf, -np.inf
    any_stance = False
    for k in range(corners_sole.shape[0]):
        if not stance[k]:
            continue
        any_stance = True
        for c in range(corners_sole.shape[1]):
            for i in range(2):
                s = p[k, i]
                for j in range(3):
                    s += R[k, i, j] * corners_sole[k, c, j]
                if i == 0:
                    lo0, hi0 = min(lo0, s), max(hi0, s)
                else:
                    lo1, hi1 = min(lo1, s), max(hi1, s)
    if not any_stance:
        lo0, hi0, lo1, hi1 = com[0], com[0], com[1], com[1]
    zf = 0.0
    for k in range(p.shape[0]):
        zf += p[k, 2]
    height = com[2] - zf / p.shape[0]
    omega = np.sqrt(GRAVITY / max(height, 0.1))
    saturated = False
    acc2 = 0.0
    for i in range(2):
        xi = com[i] + com_velocity[i] / omega
        pd = dcm_ref_xy[i] + (1.0 + gain) * (xi - dcm_ref_xy[i])
        lo = (lo0 if i == 0 else lo1) + margin
        hi = (hi0 if i == 0 else hi1) - margin
        pc = min(max(pd, lo), hi)
        saturated |= pc != pd
        out[i] = omega * omega * (com[i] - pd)
        acc2 += out[i] * out[i]
        out[2 + i] = pc
        out[4 + i] = xi
    norm = np.sqrt(acc2)
    if norm > max_acceleration:
        out[0] *= max_acceleration / norm
        out[1] *= max_acceleration / norm
    out[6] = 1.0 if saturated else 0.0


# ---------------------------------------------------------------- constraints
def floating_base_rows_numpy(A, b, M, h, J_feet, nv):
    """Unactuated rows ``M[:6] qdd - Σ J_c[:, :6]ᵀ w_c = -h[:6]``: A (6, n), b (6,)."""
    A[:, :nv] = M[:6]
    for k in range(J_feet.shape[0]):
        A[:, nv + 6 * k:nv + 6 * k + 6] = -J_feet[k, :, :6].T
    b[:] = -h[:6]


@njit(cache=True)
def _floating_base_rows(A, b, M, h, J_feet, nv):
    for i in range(6):
        for j in range(nv):
            A[i, j] = M[i, j]
        for k in range(J_feet.shape[0]):
            for a in range(6):
                A[i, nv + 6 * k + a] = -J_feet[k, a, i]
        b[i] = -h[i]


def contact_acceleration_rows_numpy(A, b, J_feet, drift, velocity, active, kd, nv):
    """Per contact, 6 rows: stance ``J_c qdd = -dJ_c·v - kd J_c v``; swing ``w_c = 0``.
    A (6 nc, n), b (6 nc,); active (nc,) bool."""
    A[:] = 0.0
    for k in range(J_feet.shape[0]):
        rows = slice(6 * k, 6 * k + 6)
        if active[k]:
            A[rows, :nv] = J_feet[k]
            b[rows] = -drift[k] - kd * velocity[k]
        else:
            A[rows, nv + 6 * k:nv + 6 * k + 6] = np.eye(6)
            b[rows] = 0.0


@njit(cache=True)
def _contact_acceleration_rows(A, b, J_feet, drift, velocity, active, kd, nv):
    A[:, :] = 0.0
    for k in range(J_feet.shape[0]):
        for a in range(6):
            r = 6 * k + a
            if active[k]:
                for j in range(nv):
                    A[r, j] = J_feet[k, a, j]
                b[r] = -drift[k, a] - kd * velocity[k, a]
            else:
                A[r, nv + 6 * k + a] = 1.0
                b[r] = 0.0


def wrench_cone_rows_numpy(C, lo, up, U, R, active, fz_min, fz_max, nv):
    """Per contact, the m rows of ``U (m, 6)`` applied to the wrench in the sole frame,
    ``w_sole = blockdiag(Rᵀ, Rᵀ) w``: ``U w_sole <= 0`` and, on the last row (fz),
    ``fz_min <= fz <= fz_max`` in stance, ``fz = 0`` in swing. C (m nc, n); U (nc, m, 6);
    R (nc, 3, 3) world_R_sole."""
    C[:] = 0.0
    m = U.shape[1]
    for k in range(U.shape[0]):
        rows = slice(m * k, m * k + m)
        c0 = nv + 6 * k
        C[rows, c0:c0 + 3] = U[k, :, :3] @ R[k].T
        C[rows, c0 + 3:c0 + 6] = U[k, :, 3:] @ R[k].T
        lo[rows] = -INF
        up[rows] = 0.0
        last = m * k + m - 1
        lo[last], up[last] = (fz_min, fz_max) if active[k] else (0.0, 0.0)


@njit(cache=True)
def _wrench_cone_rows(C, lo, up, U, R, active, fz_min, fz_max, nv):
    C[:, :] = 0.0
    m = U.shape[1]
    for k in range(U.shape[0]):
        c0 = nv + 6 * k
        for a in range(m):
            r = m * k + a
            for j in range(3):
                s_f = 0.0
                s_t = 0.0
                for i in range(3):  # (U R^T)[a, j] = sum_i U[a, i] R[j, i]
                    s_f += U[k, a, i] * R[k, j, i]
                    s_t += U[k, a, 3 + i] * R[k, j, i]
                C[r, c0 + j] = s_f
                C[r, c0 + 3 + j] = s_t
            lo[r] = -INF
            up[r] = 0.0
        last = m * k + m - 1
        if active[k]:
            lo[last] = fz_min
            up[last] = fz_max
        else:
            lo[last] = 0.0
            up[last] = 0.0


def torque_limit_rows_numpy(C, lo, up, M, h, J_feet, tau_max, nv):
    """``-tau_max <= M[6:] qdd + h[6:] - Σ J_c[:, 6:]ᵀ w_c <= tau_max``: C (nv - 6, n)."""
    C[:, :nv] = M[6:]
    for k in range(J_feet.shape[0]):
        C[:, nv + 6 * k:nv + 6 * k + 6] = -J_feet[k, :, 6:].T
    lo[:] = -tau_max - h[6:]
    up[:] = tau_max - h[6:]


@njit(cache=True)
def _torque_limit_rows(C, lo, up, M, h, J_feet, tau_max, nv):
    for i in range(nv - 6):
        for j in range(nv):
            C[i, j] = M[6 + i, j]
        for k in range(J_feet.shape[0]):
            for a in range(6):
                C[i, nv + 6 * k + a] = -J_feet[k, a, 6 + i]
        lo[i] = -tau_max[i] - h[6 + i]
        up[i] = tau_max[i] - h[6 + i]


# ---------------------------------------------------------------- solution -> torques
def joint_torques_numpy(tau, M, h, J_feet, x, damping, dq, nv):
    """Inverse dynamics of the solution: ``tau = M[6:] qdd + h[6:] - Σ J_c[:, 6:]ᵀ w_c
    + damping ∘ dq`` [N·m] (the last term cancels the actuators' viscous friction)."""
    tau[:] = M[6:] @ x[:nv] + h[6:] + damping * dq
    for k in range(J_feet.shape[0]):
        tau -= J_feet[k, :, 6:].T @ x[nv + 6 * k:nv + 6 * k + 6]


@njit(cache=True)
def _joint_torques(tau, M, h, J_feet, x, damping, dq, nv):
    for i in range(nv - 6):
        s = h[6 + i] + damping[i] * dq[i]
        for j in range(nv):
            s += M[6 + i, j] * x[j]
        for k in range(J_feet.shape[0]):
            for a in range(6):
                s -= J_feet[k, a, 6 + i] * x[nv + 6 * k + a]
        tau[i] = s


def mit_command_numpy(out, q_joints, dq, qdd, tau, dt, q_lower, q_upper, v_max, tau_max, kp, kd):
    """MIT-mode command around the state the solution reaches one period ``dt`` [s] ahead:
    out (5, nj) = [position (rad), velocity (rad/s), effort (N·m), kp, kd], each clipped to
    the limits the driver enforces."""
    out[0] = np.clip(q_joints + dq * dt + 0.5 * qdd * dt * dt, q_lower, q_upper)
    out[1] = np.clip(dq + qdd * dt, -v_max, v_max)
    out[2] = np.clip(tau, -tau_max, tau_max)
    out[3] = kp
    out[4] = kd


@njit(cache=True)
def _mit_command(out, q_joints, dq, qdd, tau, dt, q_lower, q_upper, v_max, tau_max, kp, kd):
    for i in range(q_joints.shape[0]):
        out[0, i] = min(max(q_joints[i] + dq[i] * dt + 0.5 * qdd[i] * dt * dt, q_lower[i]), q_upper[i])
        out[1, i] = min(max(dq[i] + qdd[i] * dt, -v_max[i]), v_max[i])
        out[2, i] = min(max(tau[i], -tau_max[i]), tau_max[i])
        out[3, i] = kp
        out[4, i] = kd


def net_cop_numpy(out, positions, wrenches, min_normal_force_N):
    """Centre of pressure of the contact wrenches (see :func:`humanoid_control.dcm.net_cop_xy`)
    into out (2,); returns False (out untouched) when they carry less than the minimum."""
    from humanoid_control.dcm import net_cop_xy

    cop = net_cop_xy(positions, wrenches, min_normal_force_N)
    if cop is None:
        return False
    out[:] = cop
    return True


@njit(cache=True)
def _net_cop(out, positions, wrenches, min_normal_force_N):
    nc = positions.shape[0]
    fz = 0.0
    zfz = 0.0
    for k in range(nc):
        fz += wrenches[6 * k + 2]
        zfz += positions[k, 2] * wrenches[6 * k + 2]
    if fz < min_normal_force_N:
        return False
    z = zfz / fz
    x = 0.0
    y = 0.0
    for k in range(nc):
        w = wrenches[6 * k:6 * k + 6]
        dz = positions[k, 2] - z
        x += positions[k, 0] * w[2] - w[4] - dz * w[0]
        y += positions[k, 1] * w[2] + w[3] - dz * w[1]
    out[0] = x / fz
    out[1] = y / fz
    return True


def active_set_qp_numpy(H, g, A, b, C, lo, up, active, K, rhs, x, max_solves, tol):
    """The QP ``min ½xᵀHx + gᵀx, A x = b, lo <= C x <= up`` by a primal active-set method
    started from ``active`` (int8 per row of C: 0 free, +1 held at ``up``, -1 held at
    ``lo``; updated in place): each round solves the KKT system of the equalities and the
    held rows exactly (``K``, ``rhs``: work buffers of at least n + m + rows(C)), then adds
    the most violated free row, or else drops the held row whose multiplier has the wrong
    sign (+1 rows need μ >= 0, -1 rows μ <= 0), until neither exists and the equalities hold
    to 1e-6 (the KKT conditions of the convex QP hold: ``x`` is its solution). Returns the
    number of KKT solves, or -1 when ``max_solves`` were not enough, more rows than unknowns
    would be held, or the system was too ill-conditioned (``x`` is then not a solution). This
    simple method (no step lengths) can cycle: the caller falls back to an interior solver."""
    n, m, r = H.shape[0], A.shape[0], C.shape[0]
    for solve in range(1, max_solves + 1):
        held = np.flatnonzero(active)
        k = len(held)
        N = n + m + k
        Kv = K[:N, :N]
        Kv[:] = 0.0
        Kv[:n, :n] = H
        Kv[:n, n:n + m] = A.T
        Kv[n:n + m, :n] = A
        Kv[:n, n + m:] = C[held].T
        Kv[n + m:, :n] = C[held]
        rv = rhs[:N]
        rv[:n] = -g
        rv[n:n + m] = b
        rv[n + m:] = np.where(active[held] > 0, up[held], lo[held])
        sol = np.linalg.solve(Kv, rv)
        x[:] = sol[:n]
        Cx = C @ x
        viol = np.where(active == 0, np.maximum(lo - Cx, Cx - up), -np.inf)
        worst = int(np.argmax(viol)) if r else -1
        if r and viol[worst] > tol:
            if m + k + 1 > n:  # more independent rows than unknowns cannot be held
                return -1
            active[worst] = 1 if Cx[worst] > up[worst] else -1
            continue
        mu = sol[n + m:] * active[held]  # sign-corrected: wrong where negative
        if k and mu.min() < -tol:
            active[held[int(np.argmin(mu))]] = 0
            continue
        if np.abs(A @ x - b).max(initial=0.0) > 1e-6 * (1.0 + np.abs(b).max(initial=0.0)):
            return -1  # an ill-conditioned system: the equalities are not met, so this is no answer
        return solve
    return -1


@njit(cache=True)
def _active_set_qp(H, g, A, b, C, lo, up, active, K, rhs, x, max_solves, tol):
    n, m, r = H.shape[0], A.shape[0], C.shape[0]
    held = np.empty(r, dtype=np.int64)
    for solve in range(1, max_solves + 1):
        k = 0
        for i in range(r):
            if active[i] != 0:
                held[k] = i
                k += 1
        N = n + m + k
        Kv = K[:N, :N]
        for i in range(N):
            for j in range(N):
                Kv[i, j] = 0.0
        for i in range(n):
            for j in range(n):
                Kv[i, j] = H[i, j]
            for j in range(m):
                Kv[i, n + j] = A[j, i]
                Kv[n + j, i] = A[j, i]
            for j in range(k):
                Kv[i, n + m + j] = C[held[j], i]
                Kv[n + m + j, i] = C[held[j], i]
            rhs[i] = -g[i]
        for j in range(m):
            rhs[n + j] = b[j]
        for j in range(k):
            rhs[n + m + j] = up[held[j]] if active[held[j]] > 0 else lo[held[j]]
        sol = np.linalg.solve(Kv, rhs[:N])
        for i in range(n):
            x[i] = sol[i]
        worst, worst_v, side = -1, tol, 0
        for i in range(r):
            if active[i] != 0:
                continue
            s = 0.0
            for j in range(n):
                s += C[i, j] * x[j]
            v = max(lo[i] - s, s - up[i])
            if v > worst_v:
                worst, worst_v = i, v
                side = 1 if s > up[i] else -1
        if worst >= 0:
            if m + k + 1 > n:
                return -1
            active[worst] = side
            continue
        drop, drop_v = -1, -tol
        for j in range(k):
            mu = sol[n + m + j] * active[held[j]]
            if mu < drop_v:
                drop, drop_v = held[j], mu
        if drop >= 0:
            active[drop] = 0
            continue
        worst_eq, b_max = 0.0, 0.0
        for i in range(m):
            s = 0.0
            for j in range(n):
                s += A[i, j] * x[j]
            worst_eq = max(worst_eq, abs(s - b[i]))
            b_max = max(b_max, abs(b[i]))
        if worst_eq > 1e-6 * (1.0 + b_max):
            return -1
        return solve
    return -1


# ---------------------------------------------------------------- dispatch
NUMPY_TWINS = {
    "copy_symmetric": copy_symmetric_numpy,
    "add_pd_task": add_pd_task_numpy,
    "dcm_balance": dcm_balance_numpy,
    "mit_command": mit_command_numpy,
    "net_cop": net_cop_numpy,
    "add_weighted_gram": add_weighted_gram_numpy,
    "add_diagonal": add_diagonal_numpy,
    "floating_base_rows": floating_base_rows_numpy,
    "contact_acceleration_rows": contact_acceleration_rows_numpy,
    "wrench_cone_rows": wrench_cone_rows_numpy,
    "torque_limit_rows": torque_limit_rows_numpy,
    "joint_torques": joint_torques_numpy,
    "active_set_qp": active_set_qp_numpy,
}
NUMBA_KERNELS = {
    "copy_symmetric": _copy_symmetric,
    "add_pd_task": _add_pd_task,
    "dcm_balance": _dcm_balance,
    "mit_command": _mit_command,
    "net_cop": _net_cop,
    "add_weighted_gram": _add_weighted_gram,
    "add_diagonal": _add_diagonal,
    "floating_base_rows": _floating_base_rows,
    "contact_acceleration_rows": _contact_acceleration_rows,
    "wrench_cone_rows": _wrench_cone_rows,
    "torque_limit_rows": _torque_limit_rows,
    "joint_torques": _joint_torques,
    "active_set_qp": _active_set_qp,
}
_ACTIVE = select(NUMBA_KERNELS, NUMPY_TWINS)
copy_symmetric = _ACTIVE["copy_symmetric"]
add_pd_task = _ACTIVE["add_pd_task"]
dcm_balance = _ACTIVE["dcm_balance"]
mit_command = _ACTIVE["mit_command"]
net_cop = _ACTIVE["net_cop"]
add_weighted_gram = _ACTIVE["add_weighted_gram"]
add_diagonal = _ACTIVE["add_diagonal"]
floating_base_rows = _ACTIVE["floating_base_rows"]
contact_acceleration_rows = _ACTIVE["contact_acceleration_rows"]
wrench_cone_rows = _ACTIVE["wrench_cone_rows"]
torque_limit_rows = _ACTIVE["torque_limit_rows"]
joint_torques = _ACTIVE["joint_torques"]
active_set_qp = _ACTIVE["active_set_qp"]


def example_arguments(nv: int = 9, nc: int = 2, rng=None) -> dict:
    """Random, correctly typed arguments for every kernel (warm-up and twin tests)."""
    rng = rng or np.random.default_rng(0)
    n = nv + 6 * nc
    M = rng.normal(size=(nv, nv))
    M = M @ M.T
    J = rng.normal(size=(nc, 6, nv))
    R = np.stack([np.linalg.qr(rng.normal(size=(3, 3)))[0] for _ in range(nc)])
    active = np.array([k % 2 == 0 for k in range(nc)])
    U = rng.normal(size=(nc, 11, 6))
    nj = nv - 6
    m = 3
    corners = np.array([[[sx * 0.1, sy * 0.05, 0.0] for sx in (-1, 1) for sy in (-1, 1)]] * nc)
    com = np.array([0.01, -0.02, 0.8])
    return {
        "copy_symmetric": (np.zeros((nv, nv)), np.asfortranarray(rng.normal(size=(nv, nv)))),
        "add_pd_task": (np.zeros((n, n)), np.zeros(n), rng.normal(size=(m, nv)), rng.normal(size=m),
                        rng.normal(size=m), rng.normal(size=m), rng.normal(size=m), rng.normal(size=m),
                        rng.uniform(0, 100, m), rng.uniform(0, 20, m), rng.uniform(0.5, 2, m), 0, False),
        "dcm_balance": (np.zeros(7), corners, R, rng.normal(0, 0.1, size=(nc, 3)), active, com,
                        rng.normal(0, 0.3, 3), rng.normal(0, 0.05, 2), 1.5, 0.015, 6.0),
        "mit_command": (np.zeros((5, nj)), rng.normal(size=nj), rng.normal(size=nj), rng.normal(size=nj) * 100,
                        rng.normal(size=nj) * 50, 0.001, -np.ones(nj), np.ones(nj), np.full(nj, 5.0),
                        np.full(nj, 40.0), 0.0, 2.0),
        "net_cop": (np.zeros(2), rng.normal(0, 0.1, size=(nc, 3)),
                    np.concatenate([[rng.normal(), rng.normal(), 200.0 + k, rng.normal(), rng.normal(), rng.normal()]
                                    for k in range(nc)]), 1.0),
        "add_weighted_gram": (np.zeros((n, n)), np.zeros(n), rng.normal(size=(3, nv)), rng.normal(size=3),
                              rng.uniform(0.5, 2.0, 3), 0),
        "add_diagonal": (np.zeros((n, n)), np.zeros(n), rng.uniform(0.5, 2, 6 * nc), rng.normal(size=6 * nc), nv),
        "floating_base_rows": (np.zeros((6, n)), np.zeros(6), M, rng.normal(size=nv), J, nv),
        "contact_acceleration_rows": (np.zeros((6 * nc, n)), np.zeros(6 * nc), J, rng.normal(size=(nc, 6)),
                                      rng.normal(size=(nc, 6)), active, 10.0, nv),
        "wrench_cone_rows": (np.zeros((11 * nc, n)), np.zeros(11 * nc), np.zeros(11 * nc), U, R, active,
                             5.0, 2000.0, nv),
        "torque_limit_rows": (np.zeros((nv - 6, n)), np.zeros(nv - 6), np.zeros(nv - 6), M, rng.normal(size=nv), J,
                              rng.uniform(10, 100, nv - 6), nv),
        "joint_torques": (np.zeros(nv - 6), M, rng.normal(size=nv), J, rng.normal(size=n),
                          rng.uniform(0, 1, nv - 6), rng.normal(size=nv - 6), nv),
        "active_set_qp": (np.eye(n) * 2.0 + 0.1 * np.ones((n, n)), rng.normal(size=n), rng.normal(size=(6, n)),
                          rng.normal(size=6), rng.normal(size=(4, n)), np.full(4, -0.3), np.full(4, 0.3),
                          np.zeros(4, dtype=np.int8), np.zeros((n + 10, n + 10)), np.zeros(n + 10), np.zeros(n), 20,
                          1e-9),
    }


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)
