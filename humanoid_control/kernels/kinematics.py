"""Numba kernel of the driver's fall check, with its pure-numpy twin (same contract as the
other kernel modules; ``test/kernels/test_kinematics_kernels.py`` checks the pair against
each other and against Pinocchio).

The driver judges a fall without a state estimate: the base's tilt from the IMU's
orientation and its mounting, and the base's height above the lowest sole from the leg
kinematics. That needs one forward-kinematics pass from the base to the IMU and the soles
per tick; through Pinocchio's Python bindings it costs ~50 µs (a dozen calls that each
allocate), here ~2 µs. The kinematic tree comes as flat arrays
(:class:`humanoid_control.safety.fall_kinematics.FallKinematics` builds them from the
Pinocchio model), the floating base at the origin:

* joint ``i`` (1 .. njoints-1; 0 is the universe, 1 the floating base): ``parent[i]``,
  its placement in the parent joint's frame ``joint_R[i]`` (3, 3), ``joint_p[i]`` (3), its
  motion ``kind[i]`` (KIND_* below), ``axis[i]`` (3) the unit axis of its motion, ``q_index[i]``
  its angle's index in the joint angles (-1: the floating base, held at the identity);
* frames [base, IMU, sole 0, sole 1, …]: ``frame_joint[k]``, ``frame_R[k]``, ``frame_p[k]``."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from humanoid_control.kernels import compile_all, select
from humanoid_control.kernels.estimation import quat_xyzw_to_matrix_numpy

KIND_BASE = 0  # the floating base: identity (the base at the origin)
KIND_REVOLUTE = 1  # rotation by the joint angle about ``axis``
KIND_PRISMATIC = 2  # translation by the joint position along ``axis``


def _axis_rotation_numpy(axis, angle) -> np.ndarray:
    """Rodrigues: the rotation (3, 3) by ``angle`` [rad] about the unit ``axis``."""
    x, y, z = axis
    c, s = math.cos(angle), math.sin(angle)
    t = 1.0 - c
    return np.array([[t * x * x + c, t * x * y - s * z, t * x * z + s * y],
                     [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
                     [t * x * z - s * y, t * y * z + s * x, t * z * z + c]])


def tree_placements_numpy(joint_q, parent, joint_R, joint_p, kind, axis, q_index, world_R, world_p) -> None:
    """world_R (njoints, 3, 3), world_p (njoints, 3) ← every joint frame's placement, the
    floating base at the origin."""
    world_R[0] = np.eye(3)
    world_p[0] = 0.0
    for i in range(1, parent.shape[0]):
        Rp, pp = world_R[parent[i]], world_p[parent[i]]
        R = Rp @ joint_R[i]
        p = Rp @ joint_p[i] + pp
        if kind[i] == KIND_REVOLUTE:
            R = R @ _axis_rotation_numpy(axis[i], joint_q[q_index[i]])
        elif kind[i] == KIND_PRISMATIC:
            p = p + R @ (axis[i] * joint_q[q_index[i]])
        world_R[i], world_p[i] = R, p


def leg_kinematics_numpy(joint_q, parent, joint_R, joint_p, kind, axis, q_index, frame_joint, frame_R, frame_p,
                         world_R, world_p, base_R_imu, r_feet, J_feet, R_feet, Jw_feet) -> None:
    """What the state estimator needs from the legs, the floating base at the origin (world
    axes = the root joint's): ``base_R_imu`` (3, 3) the IMU frame in the base frame,
    ``r_feet`` (nc, 3) [m] the soles' origins and ``J_feet`` (nc, 3, nj) their linear
    velocity per joint velocity, ``R_feet`` (nc, 3, 3) the soles' frames and ``Jw_feet``
    (nc, 3, nj) their angular velocity per joint velocity (relative to the base, base axes).
    Frames [base, IMU, sole 0, …] as in :func:`fall_figures`."""
    tree_placements_numpy(joint_q, parent, joint_R, joint_p, kind, axis, q_index, world_R, world_p)
    fR = [world_R[frame_joint[k]] @ frame_R[k] for k in range(2)]
    base_R_imu[:] = fR[0].T @ fR[1]
    J_feet[:] = 0.0
    Jw_feet[:] = 0.0
    for k in range(r_feet.shape[0]):
        j = frame_joint[2 + k]
        r = world_R[j] @ frame_p[2 + k] + world_p[j]
        r_feet[k] = r
        R_feet[k] = world_R[j] @ frame_R[2 + k]
        while j > 1:
            a = world_R[j] @ axis[j]
            if kind[j] == KIND_REVOLUTE:
                J_feet[k, :, q_index[j]] = np.cross(a, r - world_p[j])
                Jw_feet[k, :, q_index[j]] = a
            elif kind[j] == KIND_PRISMATIC:
                J_feet[k, :, q_index[j]] = a
            j = parent[j]


@njit(cache=True)
def _leg_kinematics(joint_q, parent, joint_R, joint_p, kind, axis, q_index, frame_joint, frame_R, frame_p, world_R,
                    world_p, base_R_imu, r_feet, J_feet, R_feet, Jw_feet):
    _tree_placements(joint_q, parent, joint_R, joint_p, kind, axis, q_index, world_R, world_p)
    base_R = np.empty((3, 3))
    imu_R = np.empty((3, 3))
    _base_and_imu_rotations(world_R, frame_joint, frame_R, base_R, imu_R)
    for a in range(3):
        for b in range(3):
            base_R_imu[a, b] = base_R[0, a] * imu_R[0, b] + base_R[1, a] * imu_R[1, b] + base_R[2, a] * imu_R[2, b]
    J_feet[:] = 0.0
    Jw_feet[:] = 0.0
    r = np.empty(3)
    u = np.empty(3)
    for k in range(r_feet.shape[0]):
        j = frame_joint[2 + k]
        for a in range(3):
            s = world_p[j, a]
            for c in range(3):
                s += world_R[j, a, c] * frame_p[2 + k, c]
                R_feet[k, a, c] = (world_R[j, a, 0] * frame_R[2 + k, 0, c] + world_R[j, a, 1] * frame_R[2 + k, 1, c]
                                   + world_R[j, a, 2] * frame_R[2 + k, 2, c])
            r[a] = s
            r_feet[k, a] = s
        while j > 1:
            for a in range(3):
                u[a] = world_R[j, a, 0] * axis[j, 0] + world_R[j, a, 1] * axis[j, 1] + world_R[j, a, 2] * axis[j, 2]
            col = q_index[j]
            if kind[j] == KIND_REVOLUTE:
                d0, d1, d2 = r[0] - world_p[j, 0], r[1] - world_p[j, 1], r[2] - world_p[j, 2]
                J_feet[k, 0, col] = u[1] * d2 - u[2] * d1
                J_feet[k, 1, col] = u[2] * d0 - u[0] * d2
                J_feet[k, 2, col] = u[0] * d1 - u[1] * d0
                Jw_feet[k, 0, col] = u[0]
                Jw_feet[k, 1, col] = u[1]
                Jw_feet[k, 2, col] = u[2]
            elif kind[j] == KIND_PRISMATIC:
                J_feet[k, 0, col] = u[0]
                J_feet[k, 1, col] = u[1]
                J_feet[k, 2, col] = u[2]
            j = parent[j]


def fall_figures_numpy(joint_q, imu_q_xyzw, parent, joint_R, joint_p, kind, axis, q_index, frame_joint, frame_R,
                       frame_p, world_R, world_p) -> tuple:
    """(tilt [rad], height [m]): the angle between the base's z axis and world up, and the
    base origin's height above the lowest sole, from the joint angles ``joint_q`` [rad]
    (Pinocchio order) and the IMU's orientation in world (x, y, z, w). ``world_R`` (njoints,
    3, 3) and ``world_p`` (njoints, 3) are work buffers (the joints' placements with the base
    at the origin). An IMU quaternion that is not finite or zero gives (π, inf): treated as
    fallen; joint angles that are not finite give (0, inf): nothing to judge."""
    x, y, z, w = (float(c) for c in imu_q_xyzw)
    n = math.sqrt(x * x + y * y + z * z + w * w)
    if not n > 0.0:
        return math.pi, math.inf
    if not np.all(np.isfinite(joint_q)):
        return 0.0, math.inf
    tree_placements_numpy(joint_q, parent, joint_R, joint_p, kind, axis, q_index, world_R, world_p)
    frames_R = [world_R[frame_joint[k]] @ frame_R[k] for k in range(frame_joint.shape[0])]
    frames_p = [world_R[frame_joint[k]] @ frame_p[k] + world_p[frame_joint[k]] for k in range(frame_joint.shape[0])]
    base_R, base_p = frames_R[0], frames_p[0]
    base_R_imu = base_R.T @ frames_R[1]
    world_R_base = quat_xyzw_to_matrix_numpy(np.asarray(imu_q_xyzw, dtype=float)) @ base_R_imu.T
    tilt = math.acos(max(-1.0, min(1.0, float(world_R_base[2, 2]))))
    height = -math.inf  # of the base above the lowest sole
    for k in range(2, frame_joint.shape[0]):
        sole_in_base = base_R.T @ (frames_p[k] - base_p)
        height = max(height, -float(world_R_base[2] @ sole_in_base))
    return tilt, height


@njit(cache=True)
def _compose_with_parent(world_R, world_p, joint_R, joint_p, i, pi, M):
    """world_p[i] ← Rp · joint_p[i] + pp; M ← Rp · joint_R[i] (before the joint's own motion)."""
    for a in range(3):
        s = world_p[pi, a]
        for c in range(3):
            s += world_R[pi, a, c] * joint_p[i, c]
        world_p[i, a] = s
        for b in range(3):
            s = 0.0
            for c in range(3):
                s += world_R[pi, a, c] * joint_R[i, c, b]
            M[a, b] = s


@njit(cache=True)
def _axis_rotation(E, ux, uy, uz, th):
    """E (3, 3) ← Rodrigues' rotation by ``th`` [rad] about the unit axis (ux, uy, uz)."""
    co, si = math.cos(th), math.sin(th)
    t = 1.0 - co
    E[0, 0], E[0, 1], E[0, 2] = t * ux * ux + co, t * ux * uy - si * uz, t * ux * uz + si * uy
    E[1, 0], E[1, 1], E[1, 2] = t * ux * uy + si * uz, t * uy * uy + co, t * uy * uz - si * ux
    E[2, 0], E[2, 1], E[2, 2] = t * ux * uz - si * uy, t * uy * uz + si * ux, t * uz * uz + co


@njit(cache=True)
def _apply_joint(world_R, world_p, M, E, axis, i, k, x):
    """Joint ``i``'s own motion by its coordinate ``x`` ([rad] or [m]) on top of the parent's
    composition ``M`` (world_p[i] already at the joint's origin): world_R[i], world_p[i]."""
    if k == KIND_REVOLUTE:
        _axis_rotation(E, axis[i, 0], axis[i, 1], axis[i, 2], x)
        for a in range(3):
            for b in range(3):
                world_R[i, a, b] = M[a, 0] * E[0, b] + M[a, 1] * E[1, b] + M[a, 2] * E[2, b]
    else:
        for a in range(3):
            for b in range(3):
                world_R[i, a, b] = M[a, b]
        if k == KIND_PRISMATIC:
            for a in range(3):
                world_p[i, a] += (M[a, 0] * axis[i, 0] + M[a, 1] * axis[i, 1] + M[a, 2] * axis[i, 2]) * x


@njit(cache=True)
def _tree_placements(joint_q, parent, joint_R, joint_p, kind, axis, q_index, world_R, world_p):
    """world_R (njoints, 3, 3), world_p (njoints, 3) ← every joint frame's placement, the
    floating base at the origin (see the module's docstring for the tree arrays)."""
    for a in range(3):
        for b in range(3):
            world_R[0, a, b] = 1.0 if a == b else 0.0
        world_p[0, a] = 0.0
    M = np.empty((3, 3))
    E = np.empty((3, 3))
    for i in range(1, parent.shape[0]):
        pi = parent[i]
        _compose_with_parent(world_R, world_p, joint_R, joint_p, i, pi, M)
        k = kind[i]
        _apply_joint(world_R, world_p, M, E, axis, i, k, joint_q[q_index[i]] if k != KIND_BASE else 0.0)


@njit(cache=True)
def _base_and_imu_rotations(world_R, frame_joint, frame_R, base_R, imu_R):
    """base_R, imu_R (3, 3) ← the base's and the IMU's frames (frames 0 and 1) in world."""
    fb, fi = frame_joint[0], frame_joint[1]
    for a in range(3):
        for b in range(3):
            s0 = 0.0
            s1 = 0.0
            for c in range(3):
                s0 += world_R[fb, a, c] * frame_R[0, c, b]
                s1 += world_R[fi, a, c] * frame_R[1, c, b]
            base_R[a, b] = s0
            imu_R[a, b] = s1


@njit(cache=True)
def _fall_figures(joint_q, imu_q_xyzw, parent, joint_R, joint_p, kind, axis, q_index, frame_joint, frame_R, frame_p,
                  world_R, world_p):
    x, y, z, w = imu_q_xyzw[0], imu_q_xyzw[1], imu_q_xyzw[2], imu_q_xyzw[3]
    n = math.sqrt(x * x + y * y + z * z + w * w)
    if not n > 0.0:
        return math.pi, math.inf
    for j in range(joint_q.shape[0]):
        if not np.isfinite(joint_q[j]):
            return 0.0, math.inf
    _tree_placements(joint_q, parent, joint_R, joint_p, kind, axis, q_index, world_R, world_p)
    # base and IMU frames
    fb = frame_joint[0]
    base_R = np.empty((3, 3))
    imu_R = np.empty((3, 3))
    _base_and_imu_rotations(world_R, frame_joint, frame_R, base_R, imu_R)
    base_p = np.empty(3)
    for a in range(3):
        s = world_p[fb, a]
        for c in range(3):
            s += world_R[fb, a, c] * frame_p[0, c]
        base_p[a] = s
    x, y, z, w = x / n, y / n, z / n, w / n
    # third row of world_R_imu
    r0, r1, r2 = 2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)
    # world_R_base[2] = row_z(world_R_imu) · (base_Rᵀ · imu_R)ᵀ = row_z · imu_Rᵀ · base_R
    v0 = r0 * imu_R[0, 0] + r1 * imu_R[0, 1] + r2 * imu_R[0, 2]  # (imu_R · row_zᵀ)
    v1 = r0 * imu_R[1, 0] + r1 * imu_R[1, 1] + r2 * imu_R[1, 2]
    v2 = r0 * imu_R[2, 0] + r1 * imu_R[2, 1] + r2 * imu_R[2, 2]
    up0 = v0 * base_R[0, 0] + v1 * base_R[1, 0] + v2 * base_R[2, 0]  # world_R_base[2, :]
    up1 = v0 * base_R[0, 1] + v1 * base_R[1, 1] + v2 * base_R[2, 1]
    up2 = v0 * base_R[0, 2] + v1 * base_R[1, 2] + v2 * base_R[2, 2]
    tilt = math.acos(max(-1.0, min(1.0, up2)))
    height = -math.inf  # of the base above the lowest sole
    for k in range(2, frame_joint.shape[0]):
        fj = frame_joint[k]
        d0 = world_p[fj, 0] - base_p[0]
        d1 = world_p[fj, 1] - base_p[1]
        d2 = world_p[fj, 2] - base_p[2]
        for c in range(3):
            d0 += world_R[fj, 0, c] * frame_p[k, c]
            d1 += world_R[fj, 1, c] * frame_p[k, c]
            d2 += world_R[fj, 2, c] * frame_p[k, c]
        # sole in base = base_Rᵀ d; its world height relative to the base = world_R_base[2] · that
        s0 = base_R[0, 0] * d0 + base_R[1, 0] * d1 + base_R[2, 0] * d2
        s1 = base_R[0, 1] * d0 + base_R[1, 1] * d1 + base_R[2, 1] * d2
        s2 = base_R[0, 2] * d0 + base_R[1, 2] * d1 + base_R[2, 2] * d2
        h = -(up0 * s0 + up1 * s1 + up2 * s2)
        if h > height:
            height = h
    return tilt, height


def _skew_cross(a, b) -> np.ndarray:
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def frame_motion_numpy(q, v, parent, joint_R, joint_p, kind, axis, q_index, frame_joint, frame_R, frame_p,
                       body_mass, body_com, world_R, world_p, motion, out_R, out_p, out_J, out_velocity, out_drift,
                       out_com, out_J_com) -> None:
    """Every frame's placement, Jacobian, velocity and drift for the whole-body QP, the
    floating base where ``q`` puts it — what ``computeAllTerms`` + ``updateFramePlacements``
    + ``getFrameJacobian`` / ``getFrameVelocity`` / ``getFrameClassicalAcceleration`` (all
    LOCAL_WORLD_ALIGNED) + ``centerOfMass`` give through a dozen Python calls.

    ``q`` (7 + nj: base position [m], quaternion x y z w, joint angles), ``v`` (6 + nj:
    base linear and angular velocity in the base frame, joint velocities). Per body
    ``body_mass`` [kg] and ``body_com`` (njoints, 3) [m] in its joint's frame. Work buffers:
    ``world_R`` (njoints, 3, 3), ``world_p`` (njoints, 3), ``motion`` (njoints, 4, 3) =
    rows ω, v (at the joint origin), α, a (classical, at qdd = 0) in world axes.
    Out per frame k: ``out_R`` (nf, 3, 3) world_R_frame, ``out_p`` (nf, 3) [m],
    ``out_J`` (nf, 6, nv) linear rows then angular, ``out_velocity`` (nf, 6) and
    ``out_drift`` (nf, 6) = dJ·v (classical linear acceleration of the frame's origin,
    angular acceleration) at qdd = 0; ``out_com`` (3, 3) rows CoM [m], CoM velocity [m/s],
    dJcom·v [m/s²]; ``out_J_com`` (3, nv) the CoM Jacobian."""
    nj = parent.shape[0]
    x, y, z, w = q[3], q[4], q[5], q[6]
    Rq = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                   [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                   [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])
    world_R[0], world_p[0], motion[0] = np.eye(3), 0.0, 0.0
    for i in range(1, nj):
        pi = parent[i]
        Rp, pp = world_R[pi], world_p[pi]
        wp, vp, ap, accp = motion[pi]
        R = Rp @ joint_R[i]
        p = Rp @ joint_p[i] + pp
        if kind[i] == KIND_BASE:
            R = R @ Rq
            p = p + Rp @ joint_R[i] @ q[0:3]
            om, vel = R @ v[3:6], R @ v[0:3]
            motion[i] = (om, vel, np.zeros(3), _skew_cross(om, vel))
        else:
            u = R @ axis[i]
            rate = v[6 + q_index[i]]
            if kind[i] == KIND_REVOLUTE:
                R = R @ _axis_rotation_numpy(axis[i], q[7 + q_index[i]])
            else:
                p = p + u * q[7 + q_index[i]]
            r = p - pp
            om, vel = wp.copy(), vp + _skew_cross(wp, r)
            al, acc = ap.copy(), accp + _skew_cross(ap, r) + _skew_cross(wp, _skew_cross(wp, r))
            if kind[i] == KIND_REVOLUTE:
                om = om + u * rate
                al = al + _skew_cross(wp, u) * rate
            else:
                vel = vel + u * rate
                acc = acc + 2.0 * _skew_cross(wp, u) * rate
            motion[i] = (om, vel, al, acc)
        world_R[i], world_p[i] = R, p
    out_J[:] = 0.0
    for k in range(frame_joint.shape[0]):
        j = frame_joint[k]
        out_R[k] = world_R[j] @ frame_R[k]
        pf = world_R[j] @ frame_p[k] + world_p[j]
        out_p[k] = pf
        om, vel, al, acc = motion[j]
        r = pf - world_p[j]
        out_velocity[k, :3], out_velocity[k, 3:] = vel + _skew_cross(om, r), om
        out_drift[k, :3] = acc + _skew_cross(al, r) + _skew_cross(om, _skew_cross(om, r))
        out_drift[k, 3:] = al
        while j > 0:
            if kind[j] == KIND_BASE:
                Rb = world_R[j]
                out_J[k, :3, 0:3] = Rb
                for c in range(3):
                    out_J[k, :3, 3 + c] = _skew_cross(Rb[:, c], pf - world_p[j])
                    out_J[k, 3:, 3 + c] = Rb[:, c]
            else:
                u = world_R[j] @ axis[j]
                col = 6 + q_index[j]
                if kind[j] == KIND_REVOLUTE:
                    out_J[k, :3, col] = _skew_cross(u, pf - world_p[j])
                    out_J[k, 3:, col] = u
                else:
                    out_J[k, :3, col] = u
            j = parent[j]
    mass = body_mass[1:].sum()
    out_com[:] = 0.0
    out_J_com[:] = 0.0
    for i in range(1, nj):
        om, vel, al, acc = motion[i]
        r = world_R[i] @ body_com[i]
        c = world_p[i] + r
        j = i
        while j > 0:
            if kind[j] == KIND_BASE:
                Rb = world_R[j]
                out_J_com[:, 0:3] += body_mass[i] * Rb
                for a in range(3):
                    out_J_com[:, 3 + a] += body_mass[i] * _skew_cross(Rb[:, a], c - world_p[j])
            else:
                u = world_R[j] @ axis[j]
                col = 6 + q_index[j]
                out_J_com[:, col] += body_mass[i] * (_skew_cross(u, c - world_p[j]) if kind[j] == KIND_REVOLUTE else u)
            j = parent[j]
        out_com[0] += body_mass[i] * (world_p[i] + r)
        out_com[1] += body_mass[i] * (vel + _skew_cross(om, r))
        out_com[2] += body_mass[i] * (acc + _skew_cross(al, r) + _skew_cross(om, _skew_cross(om, r)))
    out_com /= mass
    out_J_com /= mass


@njit(cache=True)
def _cross_into(out, a0, a1, a2, b0, b1, b2):
    out[0] = a1 * b2 - a2 * b1
    out[1] = a2 * b0 - a0 * b2
    out[2] = a0 * b1 - a1 * b0


@njit(cache=True)
def _add_point_jacobian(J, w, j, p0, p1, p2, parent, kind, axis, q_index, world_R, world_p, u, t1):
    """J (3 or 6, nv) += w × the Jacobian of the world point (p0, p1, p2) carried by joint j:
    linear rows (LOCAL_WORLD_ALIGNED at the point), angular rows when J has six; ``u``, ``t1``
    work buffers (3,)."""
    angular = J.shape[0] == 6
    while j > 0:
        d0, d1, d2 = p0 - world_p[j, 0], p1 - world_p[j, 1], p2 - world_p[j, 2]
        if kind[j] == KIND_BASE:
            for b in range(3):
                _cross_into(t1, world_R[j, 0, b], world_R[j, 1, b], world_R[j, 2, b], d0, d1, d2)
                for a in range(3):
                    J[a, b] += w * world_R[j, a, b]
                    J[a, 3 + b] += w * t1[a]
                    if angular:
                        J[3 + a, 3 + b] += w * world_R[j, a, b]
        else:
            for a in range(3):
                u[a] = world_R[j, a, 0] * axis[j, 0] + world_R[j, a, 1] * axis[j, 1] + world_R[j, a, 2] * axis[j, 2]
            col = 6 + q_index[j]
            if kind[j] == KIND_REVOLUTE:
                _cross_into(t1, u[0], u[1], u[2], d0, d1, d2)
                for a in range(3):
                    J[a, col] += w * t1[a]
                    if angular:
                        J[3 + a, col] += w * u[a]
            else:
                for a in range(3):
                    J[a, col] += w * u[a]
        j = parent[j]


@njit(cache=True)
def _frame_motion(q, v, parent, joint_R, joint_p, kind, axis, q_index, frame_joint, frame_R, frame_p, body_mass,
                  body_com, world_R, world_p, motion, out_R, out_p, out_J, out_velocity, out_drift, out_com, out_J_com):
    nj = parent.shape[0]
    x, y, z, w = q[3], q[4], q[5], q[6]
    Rq = np.empty((3, 3))
    Rq[0, 0], Rq[0, 1], Rq[0, 2] = 1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)
    Rq[1, 0], Rq[1, 1], Rq[1, 2] = 2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)
    Rq[2, 0], Rq[2, 1], Rq[2, 2] = 2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)
    for a in range(3):
        for b in range(3):
            world_R[0, a, b] = 1.0 if a == b else 0.0
        world_p[0, a] = 0.0
    motion[0] = 0.0
    M = np.empty((3, 3))
    E = np.empty((3, 3))
    u = np.empty(3)
    r = np.empty(3)
    t1 = np.empty(3)
    t2 = np.empty(3)
    for i in range(1, nj):
        pi = parent[i]
        _compose_with_parent(world_R, world_p, joint_R, joint_p, i, pi, M)
        k = kind[i]
        if k == KIND_BASE:
            for a in range(3):
                world_p[i, a] += M[a, 0] * q[0] + M[a, 1] * q[1] + M[a, 2] * q[2]
                for b in range(3):
                    world_R[i, a, b] = M[a, 0] * Rq[0, b] + M[a, 1] * Rq[1, b] + M[a, 2] * Rq[2, b]
            for a in range(3):
                motion[i, 0, a] = world_R[i, a, 0] * v[3] + world_R[i, a, 1] * v[4] + world_R[i, a, 2] * v[5]
                motion[i, 1, a] = world_R[i, a, 0] * v[0] + world_R[i, a, 1] * v[1] + world_R[i, a, 2] * v[2]
                motion[i, 2, a] = 0.0
            _cross_into(t1, motion[i, 0, 0], motion[i, 0, 1], motion[i, 0, 2], motion[i, 1, 0], motion[i, 1, 1],
                        motion[i, 1, 2])
            for a in range(3):
                motion[i, 3, a] = t1[a]
            continue
        for a in range(3):
            u[a] = M[a, 0] * axis[i, 0] + M[a, 1] * axis[i, 1] + M[a, 2] * axis[i, 2]
        col = q_index[i]
        rate = v[6 + col]
        _apply_joint(world_R, world_p, M, E, axis, i, k, q[7 + col])
        for a in range(3):
            r[a] = world_p[i, a] - world_p[pi, a]
        w0, w1, w2 = motion[pi, 0, 0], motion[pi, 0, 1], motion[pi, 0, 2]
        l0, l1, l2 = motion[pi, 2, 0], motion[pi, 2, 1], motion[pi, 2, 2]
        _cross_into(t1, w0, w1, w2, r[0], r[1], r[2])  # ω × r
        _cross_into(t2, w0, w1, w2, t1[0], t1[1], t1[2])  # ω × (ω × r)
        for a in range(3):
            motion[i, 0, a] = motion[pi, 0, a]
            motion[i, 1, a] = motion[pi, 1, a] + t1[a]
            motion[i, 2, a] = motion[pi, 2, a]
            motion[i, 3, a] = motion[pi, 3, a] + t2[a]
        _cross_into(t1, l0, l1, l2, r[0], r[1], r[2])  # α × r
        _cross_into(t2, w0, w1, w2, u[0], u[1], u[2])  # ω × u
        for a in range(3):
            motion[i, 3, a] += t1[a]
            if k == KIND_REVOLUTE:
                motion[i, 0, a] += u[a] * rate
                motion[i, 2, a] += t2[a] * rate
            else:
                motion[i, 1, a] += u[a] * rate
                motion[i, 3, a] += 2.0 * t2[a] * rate
    out_J[:] = 0.0
    for f in range(frame_joint.shape[0]):
        j = frame_joint[f]
        for a in range(3):
            s = world_p[j, a]
            for c in range(3):
                s += world_R[j, a, c] * frame_p[f, c]
            out_p[f, a] = s
            r[a] = s - world_p[j, a]
            for b in range(3):
                out_R[f, a, b] = world_R[j, a, 0] * frame_R[f, 0, b] + world_R[j, a, 1] * frame_R[f, 1, b] \
                    + world_R[j, a, 2] * frame_R[f, 2, b]
        w0, w1, w2 = motion[j, 0, 0], motion[j, 0, 1], motion[j, 0, 2]
        _cross_into(t1, w0, w1, w2, r[0], r[1], r[2])
        _cross_into(t2, w0, w1, w2, t1[0], t1[1], t1[2])
        for a in range(3):
            out_velocity[f, a] = motion[j, 1, a] + t1[a]
            out_velocity[f, 3 + a] = motion[j, 0, a]
            out_drift[f, a] = motion[j, 3, a] + t2[a]
            out_drift[f, 3 + a] = motion[j, 2, a]
        _cross_into(t1, motion[j, 2, 0], motion[j, 2, 1], motion[j, 2, 2], r[0], r[1], r[2])
        for a in range(3):
            out_drift[f, a] += t1[a]
        _add_point_jacobian(out_J[f], 1.0, j, out_p[f, 0], out_p[f, 1], out_p[f, 2], parent, kind, axis, q_index,
                            world_R, world_p, u, t1)
    mass = 0.0
    for a in range(3):
        out_com[0, a] = 0.0
        out_com[1, a] = 0.0
        out_com[2, a] = 0.0
    out_J_com[:] = 0.0
    for i in range(1, nj):
        m = body_mass[i]
        mass += m
        for a in range(3):
            r[a] = world_R[i, a, 0] * body_com[i, 0] + world_R[i, a, 1] * body_com[i, 1] + world_R[i, a, 2] * body_com[i, 2]
        c0, c1, c2 = world_p[i, 0] + r[0], world_p[i, 1] + r[1], world_p[i, 2] + r[2]
        _add_point_jacobian(out_J_com, m, i, c0, c1, c2, parent, kind, axis, q_index, world_R, world_p, u, t1)
        w0, w1, w2 = motion[i, 0, 0], motion[i, 0, 1], motion[i, 0, 2]
        _cross_into(t1, w0, w1, w2, r[0], r[1], r[2])
        _cross_into(t2, w0, w1, w2, t1[0], t1[1], t1[2])
        _cross_into(u, motion[i, 2, 0], motion[i, 2, 1], motion[i, 2, 2], r[0], r[1], r[2])
        for a in range(3):
            out_com[0, a] += m * (world_p[i, a] + r[a])
            out_com[1, a] += m * (motion[i, 1, a] + t1[a])
            out_com[2, a] += m * (motion[i, 3, a] + u[a] + t2[a])
    for a in range(3):
        for b in range(3):
            out_com[a, b] /= mass
        for b in range(out_J_com.shape[1]):
            out_J_com[a, b] /= mass


NUMPY_TWINS = {"fall_figures": fall_figures_numpy, "leg_kinematics": leg_kinematics_numpy,
               "frame_motion": frame_motion_numpy}
NUMBA_KERNELS = {"fall_figures": _fall_figures, "leg_kinematics": _leg_kinematics, "frame_motion": _frame_motion}
_selected = select(NUMBA_KERNELS, NUMPY_TWINS)
fall_figures = _selected["fall_figures"]
leg_kinematics = _selected["leg_kinematics"]
frame_motion = _selected["frame_motion"]


def example_arguments(rng=None) -> dict:
    """A three-joint leg (revolute z, revolute about a tilted axis, prismatic x) with base,
    IMU and one sole frame."""
    rng = rng or np.random.default_rng(0)
    nj = 5  # universe, base, three joints
    parent = np.array([0, 0, 1, 2, 3], dtype=np.intp)
    joint_R = np.tile(np.eye(3), (nj, 1, 1))
    joint_p = rng.uniform(-0.2, 0.2, (nj, 3))
    kind = np.array([KIND_BASE, KIND_BASE, KIND_REVOLUTE, KIND_REVOLUTE, KIND_PRISMATIC], dtype=np.intp)
    axis = np.zeros((nj, 3))
    axis[2, 2] = 1.0
    axis[3] = np.array([0.6, 0.0, 0.8])
    axis[4, 0] = 1.0
    q_index = np.array([-1, -1, 0, 1, 2], dtype=np.intp)
    frame_joint = np.array([1, 1, 4], dtype=np.intp)
    frame_R = np.tile(np.eye(3), (3, 1, 1))
    frame_p = rng.uniform(-0.1, 0.1, (3, 3))
    imu = np.array([0.05, -0.02, 0.01, 1.0])
    imu /= np.linalg.norm(imu)
    tree = (parent, joint_R, joint_p, kind, axis, q_index, frame_joint, frame_R, frame_p)
    q = rng.uniform(-1, 1, 3)
    return {"fall_figures": (q, imu, *tree, np.zeros((nj, 3, 3)), np.zeros((nj, 3))),
            "leg_kinematics": (q, *tree, np.zeros((nj, 3, 3)), np.zeros((nj, 3)), np.zeros((3, 3)), np.zeros((1, 3)),
                               np.zeros((1, 3, 3)), np.zeros((1, 3, 3)), np.zeros((1, 3, 3))),
            "frame_motion": (np.concatenate([rng.uniform(-1, 1, 3), imu, q]), rng.uniform(-1, 1, 9), *tree,
                             rng.uniform(0.5, 2.0, nj), rng.uniform(-0.1, 0.1, (nj, 3)), np.zeros((nj, 3, 3)),
                             np.zeros((nj, 3)), np.zeros((nj, 4, 3)), np.zeros((3, 3, 3)), np.zeros((3, 3)),
                             np.zeros((3, 6, 9)), np.zeros((3, 6)), np.zeros((3, 6)), np.zeros((3, 3)),
                             np.zeros((3, 9)))}


def warm_up() -> None:
    """Compile every kernel of this module, outside any control loop."""
    compile_all(NUMBA_KERNELS, example_arguments)


__all__ = ["fall_figures", "fall_figures_numpy", "leg_kinematics", "leg_kinematics_numpy", "frame_motion",
           "frame_motion_numpy", "warm_up", "example_arguments", "KIND_BASE", "KIND_REVOLUTE",
           "KIND_PRISMATIC"]
