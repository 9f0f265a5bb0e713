"""Numba kernels of the leg-kinematics Kalman filter, each with a pure-numpy twin (same
contract as :mod:`humanoid_control.kernels.wbc`; ``test/kernels/test_estimation_kernels.py``
checks the pairs agree). State layout: ``x = [p_base (3), v_base (3), p_foot (3) per contact]``."""
from __future__ import annotations

import numpy as np
from numba import njit

from humanoid_control.constants import GRAVITY
from humanoid_control.kernels import compile_all, select



#: where a rolling sole may rest, as fractions of its half length and half width: the middles
#: of its toe, heel and side edges, then its corners (leg_odometry's ``sole_points``)
SOLE_POINT_SIGNS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1))


def sole_points(length: float, width: float) -> np.ndarray:
    """(p, 3) [m] the points of a ``length`` × ``width`` [m] sole, in its frame (centre, z up),
    that may carry its contact alone (:data:`SOLE_POINT_SIGNS`)."""
    return np.array([[sx * 0.5 * length, sy * 0.5 * width, 0.0] for sx, sy in SOLE_POINT_SIGNS])


def kf_predict_numpy(x, P, accel_world, dt, stance, accel_noise, foot_noise_stance, foot_noise_swing):
    """In place: ``x`` (n,) and ``P`` (n, n) propagated over ``dt`` [s] with the base's world
    acceleration [m/s²] (constant-acceleration base, random-walk feet; a stance foot's walk
    uses ``foot_noise_stance`` [m/√s], a swing foot's ``foot_noise_swing``)."""
    n = x.shape[0]
    x[0:3] += x[3:6] * dt + 0.5 * accel_world * dt * dt
    x[3:6] += accel_world * dt
    F = np.eye(n)
    F[0:3, 3:6] = np.eye(3) * dt
    q_acc = accel_noise ** 2
    Q = np.zeros((n, n))
    Q[0:3, 0:3] = np.eye(3) * q_acc * dt ** 4 / 4
    Q[0:3, 3:6] = Q[3:6, 0:3] = np.eye(3) * q_acc * dt ** 3 / 2
    Q[3:6, 3:6] = np.eye(3) * q_acc * dt * dt
    for k in range(stance.shape[0]):
        s = foot_noise_stance if stance[k] else foot_noise_swing
        Q[6 + 3 * k:9 + 3 * k, 6 + 3 * k:9 + 3 * k] = np.eye(3) * s * s * dt
    P[:] = F @ P @ F.T + Q


@njit(cache=True)
def _kf_predict(x, P, accel_world, dt, stance, accel_noise, foot_noise_stance, foot_noise_swing):
    n = x.shape[0]
    for i in range(3):
        x[i] += x[3 + i] * dt + 0.5 * accel_world[i] * dt * dt
        x[3 + i] += accel_world[i] * dt
    # F P Fᵀ with F = I + dt E, E selecting v into p: rows 0..2 gain dt * rows 3..5, then columns
    for i in range(3):
        for j in range(n):
            P[i, j] += dt * P[3 + i, j]
    for i in range(n):
        for j in range(3):
            P[i, j] += dt * P[i, 3 + j]
    q_acc = accel_noise * accel_noise
    for i in range(3):
        P[i, i] += q_acc * dt ** 4 / 4
        P[i, 3 + i] += q_acc * dt ** 3 / 2
        P[3 + i, i] += q_acc * dt ** 3 / 2
        P[3 + i, 3 + i] += q_acc * dt * dt
    for k in range(stance.shape[0]):
        s = foot_noise_stance if stance[k] else foot_noise_swing
        for i in range(3):
            P[6 + 3 * k + i, 6 + 3 * k + i] += s * s * dt


def kf_correct_numpy(x, P, H, z, r, m_frame):
    """In place: the measurement ``z`` (m,) with model ``H`` (m, n) and independent noise
    variances ``r`` (m,), folded into ``x`` and ``P`` (symmetrised). The rows from ``m_frame``
    on (the leg odometry's ground-height prior; ``m``: none) move no velocity (``x[3:6]``):
    they re-anchor the vertical frame under the stance feet — a step down read as the floor
    again is not the base moving up (with the full gain, a 5-cm step made a 0.3-0.5 m/s
    vertical velocity spike). Their gain's velocity rows are zero and ``P`` is updated in
    Joseph form, right for any gain."""
    y = z - H @ x
    S = H @ P @ H.T + np.diag(r)
    K = np.linalg.solve(S, H @ P).T
    K[3:6, m_frame:] = 0.0
    x += K @ y
    A = np.eye(x.shape[0]) - K @ H
    P[:] = A @ P @ A.T + (K * r) @ K.T
    P[:] = 0.5 * (P + P.T)


@njit(cache=True)
def _kf_correct(x, P, H, z, r, m_frame):
    n = x.shape[0]
    m = r.shape[0]
    HP = H @ P
    S = HP @ H.T
    for i in range(m):
        S[i, i] += r[i]
    K = np.linalg.solve(S, HP).T
    for i in range(3, 6):
        for j in range(m_frame, m):
            K[i, j] = 0.0
    x += K @ (z - H @ x)
    A = np.eye(n) - K @ H
    KR = K.copy()
    for i in range(n):
        for j in range(m):
            KR[i, j] *= r[j]
    P[:, :] = A @ P @ A.T + KR @ K.T
    for i in range(n):
        for j in range(i + 1, n):
            s = 0.5 * (P[i, j] + P[j, i])
            P[i, j] = s
            P[j, i] = s


def quat_xyzw_to_matrix_numpy(q):
    """Rotation matrix of a quaternion (x, y, z, w), normalised first."""
    x, y, z, w = q / np.sqrt(q @ q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def matrix_to_quat_xyzw_numpy(R, out):
    """Quaternion (x, y, z, w) of a rotation matrix into ``out`` (largest-component method;
    the sign is whatever the branch gives: q and -q are the same rotation)."""
    t = R[0, 0] + R[1, 1] + R[2, 2]
    if t > 0.0:
        s = np.sqrt(t + 1.0) * 2.0
        out[:] = ((R[2, 1] - R[1, 2]) / s, (R[0, 2] - R[2, 0]) / s, (R[1, 0] - R[0, 1]) / s, 0.25 * s)
    elif R[0, 0] > R[1, 1] and R[0, 0] > R[2, 2]:
        s = np.sqrt(1.0 + R[0, 0] - R[1, 1] - R[2, 2]) * 2.0
        out[:] = (0.25 * s, (R[0, 1] + R[1, 0]) / s, (R[0, 2] + R[2, 0]) / s, (R[2, 1] - R[1, 2]) / s)
    elif R[1, 1] > R[2, 2]:
        s = np.sqrt(1.0 + R[1, 1] - R[0, 0] - R[2, 2]) * 2.0
        out[:] = ((R[0, 1] + R[1, 0]) / s, 0.25 * s, (R[1, 2] + R[2, 1]) / s, (R[0, 2] - R[2, 0]) / s)
    else:
        s = np.sqrt(1.0 + R[2, 2] - R[0, 0] - R[1, 1]) * 2.0
        out[:] = ((R[0, 2] + R[2, 0]) / s, (R[1, 2] + R[2, 1]) / s, 0.25 * s, (R[1, 0] - R[0, 1]) / s)


def leg_odometry_numpy(x, P, H, z, r, imu, base_R_imu, r_feet, J_feet, dq, stance, ground_z, dt, noise, out_odom,
                       out_rel, gated, R_feet, Jw_feet, sole_points):
    """One filter step from the IMU and the legs, all in one call.

    ``imu`` (10,): quaternion xyzw (world ← IMU), gyro [rad/s], accelerometer [m/s²] (IMU
    frame); ``base_R_imu`` (3, 3); ``r_feet`` (nc, 3) [m] and ``J_feet`` (nc, 3, nj) each
    foot's position and linear Jacobian in the base frame (base at the origin); ``dq`` (nj,)
    [rad/s]; ``stance`` (nc,) bool; ``ground_z`` (nc,) [m] the ground's height under each foot
    (the stance feet's height prior; zeros: a flat floor); ``noise`` (11,) = accel [m/s²], foot
    random walk in stance and in swing [m/√s], kinematics [m], velocity [m/s], height [m], swing
    scale [-], gravity [m/s²], slip gate [m/s] (0: off), longest gating [s], rolling sole [m/s]
    (0: off). ``R_feet`` (nc, 3, 3) the soles' frames and ``Jw_feet`` (nc, 3, nj) their angular
    velocity per joint velocity (base frame, relative to the base); ``sole_points`` (nc, p, 3)
    [m] points of each sole (sole frame) that may carry its contact alone — its edges' middles
    and corners. A rolling sole (on its toe, its heel or an edge: a nosing under a straddled
    foot, a ramp) turns about the point that rests, not about its centre: when the centre's
    velocity puts the base more than the rolling threshold off the prediction, the velocity of
    the point that agrees best is taken instead (the position rows keep the centre). Out: ``out_odom``
    (13,) = base position (odom), quaternion xyzw (odom ← base), linear and angular velocity in
    the base frame; ``out_rel`` (nc, 3) [m] each foot
    relative to the base in world axes. ``gated`` (nc,) [s], kept between calls: how long
    each stance foot's velocity has been set aside (-1: believed after that, until it agrees
    with the prediction again; 0: agrees) — a stance foot whose leg says the base
    moves more than the slip gate off the prediction is sliding (or dragged): its velocity
    counts as a swinging foot's, and from the next sample its position walks like one (it
    anchors nothing), for at most the longest gating (then it is believed again, until it
    agrees: the prediction may be what is wrong)."""
    nc = r_feet.shape[0]
    world_R_imu = quat_xyzw_to_matrix_numpy(imu[0:4])
    R = world_R_imu @ base_R_imu.T
    omega_b = base_R_imu @ imu[4:7]
    accel_world = world_R_imu @ imu[7:10]
    accel_world[2] -= noise[7]
    anchored = stance & (gated <= 0.0)  # a sliding foot walks like a swinging one: no anchor
    kf_predict_numpy(x, P, accel_world, dt, anchored, noise[0], noise[1], noise[2])
    for k in range(nc):
        scale = 1.0 if stance[k] else noise[6]
        out_rel[k] = R @ r_feet[k]
        z[3 * k:3 * k + 3] = out_rel[k]
        r[3 * k:3 * k + 3] = noise[3] ** 2
        z[3 * nc + 3 * k:3 * nc + 3 * k + 3] = -R @ (np.cross(omega_b, r_feet[k]) + J_feet[k] @ dq)
        zk = z[3 * nc + 3 * k:3 * nc + 3 * k + 3]
        off = np.linalg.norm(zk - x[3:6])  # [m/s] the base velocity this leg gives, off the prediction
        if stance[k] and noise[10] > 0.0 and off > noise[10]:  # a rolling sole?
            omega_foot = omega_b + Jw_feet[k] @ dq  # [rad/s] the sole's rate, base frame
            best = zk.copy()
            for i in range(sole_points.shape[1]):
                cand = zk - R @ np.cross(omega_foot, R_feet[k] @ sole_points[k, i])
                cand_off = np.linalg.norm(cand - x[3:6])
                if cand_off < off:
                    best, off = cand, cand_off
            zk[:] = best
        vscale = scale
        if stance[k] and noise[8] > 0.0 and off > noise[8]:
            if 0.0 <= gated[k] < noise[9]:
                vscale = noise[6]
                gated[k] += dt
            else:
                gated[k] = -1.0  # set aside long enough: believed until it agrees again
        else:
            gated[k] = 0.0
        r[3 * nc + 3 * k:3 * nc + 3 * k + 3] = noise[4] ** 2 * vscale
        z[6 * nc + k] = ground_z[k]
        r[6 * nc + k] = noise[5] ** 2 * scale
    kf_correct_numpy(x, P, H, z, r, 6 * nc)
    out_odom[0:3] = x[0:3]
    matrix_to_quat_xyzw_numpy(R, out_odom[3:7])
    out_odom[7:10] = R.T @ x[3:6]
    out_odom[10:13] = omega_b


@njit(cache=True)
def _matrix_to_quat_xyzw(R, out):
    t = R[0, 0] + R[1, 1] + R[2, 2]
    if t > 0.0:
        s = np.sqrt(t + 1.0) * 2.0
        out[0], out[1], out[2], out[3] = (R[2, 1] - R[1, 2]) / s, (R[0, 2] - R[2, 0]) / s, (R[1, 0] - R[0, 1]) / s, 0.25 * s
    elif R[0, 0] > R[1, 1] and R[0, 0] > R[2, 2]:
        s = np.sqrt(1.0 + R[0, 0] - R[1, 1] - R[2, 2]) * 2.0
        out[0], out[1], out[2], out[3] = 0.25 * s, (R[0, 1] + R[1, 0]) / s, (R[0, 2] + R[2, 0]) / s, (R[2, 1] - R[1, 2]) / s
    elif R[1, 1] > R[2, 2]:
        s = np.sqrt(1.0 + R[1, 1] - R[0, 0] - R[2, 2]) * 2.0
        out[0], out[1], out[2], out[3] = (R[0, 1] + R[1, 0]) / s, 0.25 * s, (R[1, 2] + R[2, 1]) / s, (R[0, 2] - R[2, 0]) / s
    else:
        s = np.sqrt(1.0 + R[2, 2] - R[0, 0] - R[1, 1]) * 2.0
        out[0], out[1], out[2], out[3] = (R[0, 2] + R[2, 0]) / s, (R[1, 2] + R[2, 1]) / s, 0.25 * s, (R[1, 0] - R[0, 1]) / s


@njit(cache=True)
def _leg_odometry(x, P, H, z, r, imu, base_R_imu, r_feet, J_feet, dq, stance, ground_z, dt, noise, out_odom, out_rel,
                  gated, R_feet, Jw_feet, sole_points):
    nc = r_feet.shape[0]
    nj = dq.shape[0]
    qx, qy, qz, qw = imu[0], imu[1], imu[2], imu[3]
    norm = np.sqrt(qx * qx + qy * qy + qz * qz + qw * qw)
    qx, qy, qz, qw = qx / norm, qy / norm, qz / norm, qw / norm
    W = np.empty((3, 3))  # world_R_imu
    W[0, 0], W[0, 1], W[0, 2] = 1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw)
    W[1, 0], W[1, 1], W[1, 2] = 2 * (qx * qy + qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw)
    W[2, 0], W[2, 1], W[2, 2] = 2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy)
    R = np.zeros((3, 3))
    omega = np.zeros(3)
    acc = np.zeros(3)
    for i in range(3):
        for j in range(3):
            for k in range(3):
                R[i, j] += W[i, k] * base_R_imu[j, k]
            omega[i] += base_R_imu[i, j] * imu[4 + j]
            acc[i] += W[i, j] * imu[7 + j]
    acc[2] -= noise[7]
    anchored = stance
    if noise[8] > 0.0:  # the slip gate is on: a sliding foot walks like a swinging one (no anchor)
        anchored = stance.copy()
        for c in range(nc):
            anchored[c] = stance[c] and gated[c] <= 0.0
    _kf_predict(x, P, acc, dt, anchored, noise[0], noise[1], noise[2])
    kin2, vel2, h2 = noise[3] * noise[3], noise[4] * noise[4], noise[5] * noise[5]
    v = np.zeros(3)
    for c in range(nc):
        scale = 1.0 if stance[c] else noise[6]
        rb = r_feet[c]
        # omega x r + J dq, in the base frame
        v[0] = omega[1] * rb[2] - omega[2] * rb[1]
        v[1] = omega[2] * rb[0] - omega[0] * rb[2]
        v[2] = omega[0] * rb[1] - omega[1] * rb[0]
        for i in range(3):
            acc_i = 0.0
            for j in range(nj):
                acc_i += J_feet[c, i, j] * dq[j]
            v[i] += acc_i
        off2 = 0.0  # [m²/s²] the base velocity this leg gives, off the prediction
        for i in range(3):
            rel = 0.0
            vel = 0.0
            for j in range(3):
                rel += R[i, j] * rb[j]
                vel += R[i, j] * v[j]
            out_rel[c, i] = rel
            z[3 * c + i] = rel
            r[3 * c + i] = kin2
            z[3 * nc + 3 * c + i] = -vel
            off2 += (-vel - x[3 + i]) ** 2
        if stance[c] and noise[10] > 0.0 and off2 > noise[10] * noise[10]:  # a rolling sole?
            w0, w1, w2 = omega[0], omega[1], omega[2]  # [rad/s] the sole's rate, base frame
            for j in range(nj):
                w0 += Jw_feet[c, 0, j] * dq[j]
                w1 += Jw_feet[c, 1, j] * dq[j]
                w2 += Jw_feet[c, 2, j] * dq[j]
            b0, b1, b2 = z[3 * nc + 3 * c], z[3 * nc + 3 * c + 1], z[3 * nc + 3 * c + 2]
            a0, a1, a2 = b0, b1, b2  # the centre's
            for p in range(sole_points.shape[1]):
                e0, e1, e2 = 0.0, 0.0, 0.0  # the point from the sole's centre, base frame
                for j in range(3):
                    e0 += R_feet[c, 0, j] * sole_points[c, p, j]
                    e1 += R_feet[c, 1, j] * sole_points[c, p, j]
                    e2 += R_feet[c, 2, j] * sole_points[c, p, j]
                u0, u1, u2 = w1 * e2 - w2 * e1, w2 * e0 - w0 * e2, w0 * e1 - w1 * e0  # its velocity from the turn
                c0 = a0 - (R[0, 0] * u0 + R[0, 1] * u1 + R[0, 2] * u2)
                c1 = a1 - (R[1, 0] * u0 + R[1, 1] * u1 + R[1, 2] * u2)
                c2 = a2 - (R[2, 0] * u0 + R[2, 1] * u1 + R[2, 2] * u2)
                off = (c0 - x[3]) ** 2 + (c1 - x[4]) ** 2 + (c2 - x[5]) ** 2
                if off < off2:
                    off2 = off
                    b0, b1, b2 = c0, c1, c2
            z[3 * nc + 3 * c], z[3 * nc + 3 * c + 1], z[3 * nc + 3 * c + 2] = b0, b1, b2
        vscale = scale
        if stance[c] and noise[8] > 0.0 and off2 > noise[8] * noise[8]:
            if 0.0 <= gated[c] < noise[9]:
                vscale = noise[6]  # a sliding (or dragged) stance foot: its velocity is set aside
                gated[c] += dt
            else:
                gated[c] = -1.0  # set aside long enough: believed until it agrees again
        else:
            gated[c] = 0.0
        for i in range(3):
            r[3 * nc + 3 * c + i] = vel2 * vscale
        z[6 * nc + c] = ground_z[c]
        r[6 * nc + c] = h2 * scale
    _kf_correct(x, P, H, z, r, 6 * nc)
    for i in range(3):
        out_odom[i] = x[i]
        s = 0.0
        for j in range(3):
            s += R[j, i] * x[3 + j]
        out_odom[7 + i] = s
        out_odom[10 + i] = omega[i]
    _matrix_to_quat_xyzw(R, out_odom[3:7])


NUMPY_TWINS = {"kf_predict": kf_predict_numpy, "kf_correct": kf_correct_numpy, "leg_odometry": leg_odometry_numpy}
NUMBA_KERNELS = {"kf_predict": _kf_predict, "kf_correct": _kf_correct, "leg_odometry": _leg_odometry}
kf_predict = select(NUMBA_KERNELS, NUMPY_TWINS)["kf_predict"]
kf_correct = select(NUMBA_KERNELS, NUMPY_TWINS)["kf_correct"]
leg_odometry = select(NUMBA_KERNELS, NUMPY_TWINS)["leg_odometry"]


def example_arguments(nc: int = 2, rng=None) -> dict:
    rng = rng or np.random.default_rng(0)
    n, m = 6 + 3 * nc, 7 * nc
    A = rng.normal(size=(n, n))
    P = A @ A.T * 1e-3 + np.eye(n) * 1e-4
    stance = np.array([k % 2 == 0 for k in range(nc)])
    nj = 12
    H = np.zeros((m, n))
    for k in range(nc):
        H[3 * k:3 * k + 3, 0:3] = -np.eye(3)
        H[3 * k:3 * k + 3, 6 + 3 * k:9 + 3 * k] = np.eye(3)
        H[3 * nc + 3 * k:3 * nc + 3 * k + 3, 3:6] = np.eye(3)
        H[6 * nc + k, 6 + 3 * k + 2] = 1.0
    quat = rng.normal(size=4)
    c, s = np.cos(0.3), np.sin(0.3)
    base_R_imu = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    imu = np.concatenate([quat / np.linalg.norm(quat), rng.normal(size=3), rng.normal(size=3) + [0, 0, GRAVITY]])
    noise = np.array([0.5, 0.001, 10.0, 0.002, 0.05, 0.005, 1e4, GRAVITY, 0.3, 0.1, 0.05])
    sole = sole_points(0.22, 0.1)
    return {"kf_predict": (rng.normal(size=n), P.copy(), rng.normal(size=3), 0.001, stance, 0.5, 0.001, 10.0),
            "kf_correct": (rng.normal(size=n), P.copy(), rng.normal(size=(m, n)), rng.normal(size=m),
                           rng.uniform(1e-6, 1e-2, m), 6 * nc),
            "leg_odometry": (rng.normal(size=n), P.copy(), H, np.zeros(m), np.zeros(m), imu, base_R_imu,
                             rng.normal(size=(nc, 3)), rng.normal(size=(nc, 3, nj)), rng.normal(size=nj), stance,
                             rng.normal(scale=0.05, size=nc), 0.001,
                             noise, np.zeros(13), np.zeros((nc, 3)), np.zeros(nc),
                             np.array([np.linalg.qr(rng.normal(size=(3, 3)))[0] for _ in range(nc)]),
                             rng.normal(size=(nc, 3, nj)), np.tile(sole, (nc, 1, 1)))}


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)
