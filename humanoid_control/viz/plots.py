"""PNG plots of a run (matplotlib, no display needed).

:func:`write_plots` draws, from a recording and the run's JSON report:
  base_height.png       ground-truth base height and the fall threshold [m]
  com_support.png       CoM path over the footprints of the stance feet (top view) [m]
  velocity_tracking.png base velocity in the heading frame against the /cmd_vel script
  contact_forces.png    per foot: normal force [N] and |tangential| / normal against μ
  node_timing.png       compute time p50 / p99 per node against the 1-ms tick [µs]
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from humanoid_control.constants import GRAVITY
from humanoid_control.spatial import yaw_of_quaternion

PLOT_NAMES = ("base_height", "com_support", "velocity_tracking", "contact_forces", "node_timing")
TICK_BUDGET_US = 1000.0  # [µs] one 1-kHz tick
MIN_LOAD_SHARE = 0.05  # friction ratios are drawn where the normal force exceeds this share of the weight


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt
    return plt


def heading_velocity(rec) -> np.ndarray:
    """(n, 3): base [vx, vy] in the heading frame [m/s] and the yaw rate wz [rad/s]."""
    yaw = yaw_of_quaternion(rec.base_quat)
    c, s = np.cos(yaw), np.sin(yaw)
    vx = c * rec.base_vel[:, 0] + s * rec.base_vel[:, 1]
    vy = -s * rec.base_vel[:, 0] + c * rec.base_vel[:, 1]
    return np.column_stack([vx, vy, rec.base_wz])


def commanded_velocity(t: np.ndarray, commands) -> np.ndarray:
    """(n, 3): the piecewise-constant script ``[(t_s, (vx, vy, wz)), …]`` sampled at ``t``."""
    out = np.zeros((len(t), 3))
    for t0, v in sorted(commands, key=lambda c: c[0]):
        out[t >= t0] = v
    return out


def foot_positions(rec, robot, every: int = 10) -> dict:
    """{side: (m, 4)} sole position (world) [m] and yaw [rad] at every ``every``-th sample
    where that foot is in contact, by forward kinematics of the recorded configuration."""
    import pinocchio as pin

    data = robot.model.createData()
    out = {s: [] for s in rec.in_contact}
    for i in range(0, len(rec.t), every):
        if not np.all(np.isfinite(rec.joint_pos[i])):
            continue
        pin.framesForwardKinematics(robot.model, data, rec.configuration(i))
        for side, flags in rec.in_contact.items():
            if flags[i]:
                placement = data.oMf[robot.foot_frame_ids[side]]
                yaw = math.atan2(placement.rotation[1, 0], placement.rotation[0, 0])
                out[side].append(np.append(placement.translation, yaw))
    return {s: np.array(v).reshape(-1, 4) for s, v in out.items()}


def write_plots(rec, report: dict, robot, out_dir: Path, friction: float, commands=()) -> list:
    """Write the five PNG plots into ``out_dir`` (created); returns their paths."""
    plt = _pyplot()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []

    def save(fig, name):
        path = out_dir / f"{name}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)

    t = rec.t
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(t, rec.base_pos[:, 2], label="base height (ground truth)")
    if len(t):
        ax.axhline(0.5 * rec.base_pos[0, 2], color="r", ls="--", label="fall threshold (half the start height)")
    ax.set(xlabel="time [s]", ylabel="height [m]", title="Base height")
    ax.legend(loc="lower left")
    save(fig, "base_height")

    fig, ax = plt.subplots(figsize=(6, 6))
    for side, pts in foot_positions(rec, robot).items():
        foot = robot.config.feet[side]
        for p in pts:
            ax.add_patch(plt.Rectangle((p[0] - foot.length / 2, p[1] - foot.width / 2), foot.length, foot.width,
                                       angle=math.degrees(p[3]), rotation_point="center", fill=False, lw=0.5,
                                       color="tab:blue" if side == "left" else "tab:orange"))
        ax.plot([], [], color="tab:blue" if side == "left" else "tab:orange", label=f"{side} footprint in contact")
    ax.plot(rec.com[:, 0], rec.com[:, 1], color="k", lw=1.2, label="CoM (ground truth)")
    ax.set(xlabel="x [m]", ylabel="y [m]", title="CoM over the support footprints")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="best", fontsize=8)
    save(fig, "com_support")

    vel = heading_velocity(rec)
    cmd = commanded_velocity(t, commands)
    fig, axes = plt.subplots(3, 1, figsize=(7, 6), sharex=True)
    for k, (ax, label) in enumerate(zip(axes, ("vx [m/s]", "vy [m/s]", "wz [rad/s]"))):
        ax.plot(t, vel[:, k], label="measured (ground truth, heading frame)")
        ax.plot(t, cmd[:, k], "--", label="commanded (/cmd_vel)")
        ax.set_ylabel(label)
    axes[0].set_title("Velocity tracking")
    axes[0].legend(loc="upper left", fontsize=8)
    axes[-1].set_xlabel("time [s]")
    save(fig, "velocity_tracking")

    weight = robot.mass * GRAVITY
    fig, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    for side, w in rec.foot_wrench.items():
        fn = w[:, 2]
        ft = np.hypot(w[:, 0], w[:, 1])
        axes[0].plot(t, fn, label=f"{side} normal force")
        loaded = fn > MIN_LOAD_SHARE * weight
        ratio = np.where(loaded, ft / np.where(loaded, fn, 1.0), np.nan)
        axes[1].plot(t, ratio, label=f"{side} |F_t| / F_n")
    axes[1].axhline(friction, color="r", ls="--", label=f"friction coefficient μ = {friction:g}")
    axes[0].set(ylabel="F_n [N]", title="Contact forces and the friction cone")
    axes[1].set(ylabel="ratio [-]", xlabel="time [s]")
    for ax in axes:
        ax.legend(loc="upper right", fontsize=8)
    save(fig, "contact_forces")

    nodes = sorted(report.get("nodes", {}).items())
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = np.arange(len(nodes))
    p50 = [n.get("compute_p50_us", math.nan) for _, n in nodes]
    p99 = [n.get("compute_p99_us", math.nan) for _, n in nodes]
    ax.bar(x - 0.2, p50, 0.4, label="p50")
    ax.bar(x + 0.2, p99, 0.4, label="p99")
    ax.axhline(TICK_BUDGET_US, color="r", ls="--", label="1-kHz tick")
    ax.set_xticks(x, [name for name, _ in nodes])
    ax.set(ylabel="compute per tick [µs]", title="Per-node compute time")
    ax.legend()
    save(fig, "node_timing")
    return paths
