"""Reference benchmark: TSID (C++, eiquadprog-fast) on the Talos standing problem that
bench/wbc_tick.py gives the project's WBC, on the same state sequence, in the same run.

The formulation mirrors ours: CoM task, base-orientation task, posture task, two rigid 6-D
foot contacts (friction pyramid, unilateral normal force, contact forces regularised towards
the weight share), actuation bounds as a hard constraint. Timed: ``computeProblemData +
solve`` per tick, what a TSID controller pays each period.

TSID is a bench-only dependency: ``bench/build_tsid.sh`` builds it from its PyPI source
distributions against the project's Pinocchio (the PyPI wheel crashes with pin 4.x).

    .venv/bin/python bench/tsid_tick.py [--ticks N]
"""
from __future__ import annotations

import argparse
import gc
import time

import numpy as np

from humanoid_control.robot.model import RobotModel
from humanoid_control.wbc.controller import WbcParams

from wbc_tick import WARMUP_TICKS, stats_us, sway_states


class TsidStanding:
    """TSID's InverseDynamicsFormulationAccForce for ``robot`` standing on its two soles,
    with the project WBC's default gains and weights."""

    def __init__(self, robot: RobotModel, tsid):
        import pinocchio as pin

        p = WbcParams()
        self.tsid = tsid
        urdf = str(robot.config.urdf_path)
        self.wrapper = tsid.RobotWrapper(urdf, [], pin.JointModelFreeFlyer(), False)
        self.wrapper.model().armature[6:] = robot.config.rotor_inertia
        self.form = tsid.InverseDynamicsFormulationAccForce("tsid", self.wrapper, False)
        q0 = robot.nominal_configuration()
        v0 = np.zeros(robot.nv)
        self.form.computeProblemData(0.0, q0, v0)
        data = self.form.data()
        weight_share = robot.mass * 9.81 / len(robot.config.feet)
        keep = []  # TSID holds references to tasks, contacts and samples: they must outlive it
        for side, foot in robot.config.feet.items():
            hl, hw = foot.length / 2, foot.width / 2
            corners = np.array([[-hl, -hl, hl, hl], [-hw, hw, -hw, hw], [0.0, 0.0, 0.0, 0.0]])
            contact = tsid.Contact6d(f"contact_{side}", self.wrapper, foot.frame, corners, np.array([0.0, 0.0, 1.0]),
                                     p.friction_coefficient, 5.0, 2000.0)
            contact.setKp(np.zeros(6))
            contact.setKd(p.contact_kd * np.ones(6))
            contact.setReference(self.wrapper.framePosition(data, self.wrapper.model().getFrameId(foot.frame)))
            contact.setForceReference(np.tile([0.0, 0.0, weight_share / 4], 4))
            self.form.addRigidContact(contact, p.wrench_weight)
            keep.append(contact)
        com = tsid.TaskComEquality("com", self.wrapper)
        com.setKp(np.array([0.0, 0.0, p.com_kp_z]))
        com.setKd(np.array([p.com_kd_xy, p.com_kd_xy, p.com_kd_z]))
        keep += [tsid.TrajectoryEuclidianConstant("com", self.wrapper.com(data))]
        keep += [keep[-1].computeNext()]
        com.setReference(keep[-1])
        self.form.addMotionTask(com, p.com_weight, 1, 0.0)
        base = tsid.TaskSE3Equality("base", self.wrapper, robot.config.base_link)
        base.setKp(p.orientation_kp * np.ones(6))
        base.setKd(p.orientation_kd * np.ones(6))
        base.setMask(np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0]))
        base_id = self.wrapper.model().getFrameId(robot.config.base_link)
        keep += [tsid.TrajectorySE3Constant("base", self.wrapper.framePosition(data, base_id))]
        keep += [keep[-1].computeNext()]
        base.setReference(keep[-1])
        self.form.addMotionTask(base, p.orientation_weight, 1, 0.0)
        posture = tsid.TaskJointPosture("posture", self.wrapper)
        posture.setKp(p.posture_kp * np.ones(robot.nj))
        posture.setKd(p.posture_kd * np.ones(robot.nj))
        keep += [tsid.TrajectoryEuclidianConstant("posture", q0[7:])]
        keep += [keep[-1].computeNext()]
        posture.setReference(keep[-1])
        self.form.addMotionTask(posture, p.posture_weight, 1, 0.0)
        bounds = tsid.TaskActuationBounds("torque_limits", self.wrapper)
        bounds.setBounds(-robot.tau_max, robot.tau_max)
        self.form.addActuationTask(bounds, 1.0, 0, 0.0)
        self.solver = tsid.SolverHQuadProgFast("eiquadprog-fast")
        self.solver.resize(self.form.nVar, self.form.nEq, self.form.nIn)
        self._keep = keep + [com, base, posture, bounds]

    def tick(self, t: float, q: np.ndarray, v: np.ndarray):
        hqp = self.form.computeProblemData(t, q, v)
        sol = self.solver.solve(hqp)
        return sol, self.form.getActuatorForces(sol)


def bench_tsid(ticks: int, robot_name: str = "talos") -> dict:
    """TSID tick statistics [µs], or ``{"error": why}`` when TSID is not installed."""
    try:
        import tsid
    except ImportError as exc:
        return {"error": f"tsid not importable ({exc}); run bench/build_tsid.sh .venv (make bench does)"}
    robot = RobotModel.load(robot_name)
    ref = TsidStanding(robot, tsid)
    tick, failures = [], 0
    for k, (q, v) in enumerate(sway_states(robot, ticks + WARMUP_TICKS)):
        t0 = time.perf_counter()
        sol, tau = ref.tick(k * 1e-3, q, v)
        t1 = time.perf_counter()
        failures += sol.status != 0
        if k >= WARMUP_TICKS:
            tick.append((t1 - t0) * 1e6)
    return {"nv": robot.nv, "qp_vars": ref.form.nVar, "qp_eq": ref.form.nEq, "qp_in": ref.form.nIn,
            "tick": stats_us(tick), "failures": failures, "version": getattr(tsid, "__version__", "?")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ticks", type=int, default=3000)
    args = ap.parse_args()
    gc.collect()
    gc.disable()
    try:
        r = bench_tsid(args.ticks)
    finally:
        gc.enable()
    print(r)


if __name__ == "__main__":
    main()
