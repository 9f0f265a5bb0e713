import numpy as np
import pinocchio as pin
import pytest

from humanoid_control.errors import UnknownNameError
from humanoid_control.wbc.constraints.contact_wrench_cone import FRICTION_ROWS, ROWS_PER_FOOT, wrench_cone_matrix
from humanoid_control.wbc.controller import WbcParams, WholeBodyController
from humanoid_control.wbc.dynamics_terms import DynamicsComputer

RNG = np.random.default_rng(3)


def _random_state(robot, scale=0.3):
    q = robot.nominal_configuration()
    q[7:] += RNG.uniform(-0.1, 0.1, robot.nj)
    q[3:7] = pin.Quaternion(pin.rpy.rpyToMatrix(*RNG.uniform(-0.1, 0.1, 3))).coeffs()
    v = RNG.normal(0, scale, robot.nv)
    return q, v


def _fd_velocity(robot, fn, q, v, eps=1e-7):
    """d/dt fn(q(t)) along q_dot = v, by central differences on the manifold."""
    qp = pin.integrate(robot.model, q, v * eps)
    qm = pin.integrate(robot.model, q, -v * eps)
    return (fn(qp) - fn(qm)) / (2 * eps)


def test_com_jacobian_matches_finite_differences(humanoid):
    dyn = DynamicsComputer(humanoid)
    q, v = _random_state(humanoid)
    t = dyn.compute(q, v)
    com = lambda qq: pin.centerOfMass(humanoid.model, humanoid.model.createData(), qq).copy()
    np.testing.assert_allclose(t.J_com @ v, _fd_velocity(humanoid, com, q, v), atol=1e-6)


def test_foot_jacobians_match_finite_differences_of_the_sole_position_and_rotation(humanoid):
    dyn = DynamicsComputer(humanoid)
    q, v = _random_state(humanoid)
    t = dyn.compute(q, v)
    for side, fid in humanoid.foot_frame_ids.items():
        pos = lambda qq: humanoid.frame_placement(qq, fid).translation.copy()
        np.testing.assert_allclose(t.J_feet[side][:3] @ v, _fd_velocity(humanoid, pos, q, v), atol=1e-6)
        R0 = humanoid.frame_placement(q, fid).rotation
        rot = lambda qq: pin.log3(humanoid.frame_placement(qq, fid).rotation @ R0.T)
        np.testing.assert_allclose(t.J_feet[side][3:] @ v, _fd_velocity(humanoid, rot, q, v), atol=1e-6)


def test_foot_drift_matches_finite_differences_of_the_jacobian_times_velocity(humanoid):
    """dJ·v (classical, LWA linear part) = d/dt (J v) at constant v."""
    dyn = DynamicsComputer(humanoid)
    q, v = _random_state(humanoid)
    t = dyn.compute(q, v)
    for side in humanoid.foot_frame_ids:
        def lin_vel(qq):
            return DynamicsComputer(humanoid).compute(qq, v).J_feet[side][:3] @ v
        np.testing.assert_allclose(t.feet_drift[side][:3], _fd_velocity(humanoid, lin_vel, q, v, 1e-6), atol=1e-4)


def test_com_drift_matches_finite_differences(humanoid):
    dyn = DynamicsComputer(humanoid)
    q, v = _random_state(humanoid)
    t = dyn.compute(q, v)
    def com_vel(qq):
        return DynamicsComputer(humanoid).compute(qq, v).J_com @ v
    np.testing.assert_allclose(t.com_drift, _fd_velocity(humanoid, com_vel, q, v, 1e-6), atol=1e-4)


@pytest.mark.parametrize("robot_name, cone", [("humanoid", "pyramid"), ("talos", "pyramid"), ("humanoid", "octagon")])
def test_qp_solution_satisfies_dynamics_friction_cones_cop_and_torque_limits(robot_name, cone, request):
    robot = request.getfixturevalue(robot_name)
    wbc = WholeBodyController(robot, WbcParams(friction_cone=cone))
    q, v = _random_state(robot, scale=0.1)
    q[:3] = robot.nominal_configuration()[:3]
    sol = wbc.update(q, v, {"left": True, "right": True})
    assert sol.ok, sol.status
    t = wbc.dyn.compute(q, v)
    # Full equations of motion: M qdd + h = S^T tau + sum J^T w
    rhs = np.concatenate([np.zeros(6), sol.tau - robot.damping * v[6:]])
    for c, w in sol.wrenches.items():
        rhs += t.J_feet[c].T @ w
    np.testing.assert_allclose(t.M @ sol.qdd + t.h, rhs, atol=1e-4)
    assert np.all(np.abs(sol.tau - robot.damping * v[6:]) <= robot.tau_max + 1e-4)
    mu = wbc.p.friction_coefficient
    for c, w in sol.wrenches.items():
        R = t.feet_placement[c].rotation
        f, tau = R.T @ w[:3], R.T @ w[3:]
        foot = robot.config.feet[c]
        assert f[2] > 0
        if cone == "octagon":  # inside the real (circular) friction cone
            assert np.hypot(f[0], f[1]) <= mu * f[2] + 1e-4
        else:
            assert abs(f[0]) <= mu * f[2] + 1e-4 and abs(f[1]) <= mu * f[2] + 1e-4
        assert abs(tau[2]) <= mu * wbc.p.yaw_friction_arm_m * f[2] + 1e-4  # torsion within the sole's friction
        assert abs(-tau[1] / f[2]) <= foot.length / 2 + 1e-4  # CoP x inside the sole
        assert abs(tau[0] / f[2]) <= foot.width / 2 + 1e-4
        # stance foot does not accelerate
        np.testing.assert_allclose(t.J_feet[c] @ sol.qdd + t.feet_drift[c], -wbc.p.contact_kd * t.feet_velocity[c], atol=1e-4)
    assert sum(w[2] for w in sol.wrenches.values()) == pytest.approx(robot.mass * 9.81, rel=0.3)


def test_the_octagon_s_friction_rows_stay_inside_the_real_cone_reaching_it_every_forty_five_degrees():
    mu = 0.4
    U = wrench_cone_matrix(mu, 0.1, 0.05, 0.02, "octagon")
    assert U.shape == (7 + FRICTION_ROWS["octagon"], 6)
    np.testing.assert_array_equal(U[8:], wrench_cone_matrix(mu, 0.1, 0.05, 0.02)[4:])  # CoP, yaw, fz rows as before
    friction = U[:FRICTION_ROWS["octagon"]]
    np.testing.assert_array_equal(friction[:, 3:], 0.0)
    for angle in np.linspace(0.0, 2.0 * np.pi, 721):  # the largest tangential force per newton of fz
        d = np.array([np.cos(angle), np.sin(angle)])
        reach = min(-row[2] / (row[:2] @ d) for row in friction if row[:2] @ d > 1e-12)
        assert mu * np.cos(np.pi / 8) - 1e-9 <= reach <= mu + 1e-9
    for angle in np.arange(8) * np.pi / 4:  # forward, sideways and the diagonals: the whole mu
        f = np.array([mu * np.cos(angle), mu * np.sin(angle), 1.0, 0, 0, 0])
        assert np.all(friction @ f <= 1e-9)
    # the pyramid |fx|, |fy| <= mu fz lets this diagonal force through at sqrt(2) times the cone
    diagonal = np.array([mu, mu, 1.0, 0, 0, 0])
    assert np.any(friction @ diagonal > 0)
    pyramid = wrench_cone_matrix(mu, 0.1, 0.05, 0.02)
    assert pyramid.shape == (ROWS_PER_FOOT, 6) and np.all(pyramid[:FRICTION_ROWS["pyramid"]] @ diagonal <= 1e-12)


def test_an_unknown_friction_cone_shape_is_refused_with_the_shapes_there_are():
    with pytest.raises(UnknownNameError) as e:
        wrench_cone_matrix(0.5, 0.1, 0.05, 0.02, "cone")
    assert "'cone'" in str(e.value) and "pyramid" in str(e.value) and "octagon" in str(e.value)


def test_a_swing_foot_carries_no_wrench(humanoid):
    wbc = WholeBodyController(humanoid)
    q = humanoid.nominal_configuration()
    sol = wbc.update(q, np.zeros(humanoid.nv), {"left": True, "right": False})
    np.testing.assert_allclose(sol.wrenches["right"], 0.0, atol=1e-6)
    assert sol.wrenches["left"][2] > 0.5 * humanoid.mass * 9.81


def test_qp_dimensions_stay_fixed_when_contacts_switch(humanoid):
    wbc = WholeBodyController(humanoid)
    q = humanoid.nominal_configuration()
    a, _, _ = wbc.build(q, np.zeros(humanoid.nv), {"left": True, "right": True})
    A_stance, C_stance = a.A.copy(), a.C.copy()
    b, _, _ = wbc.build(q, np.zeros(humanoid.nv), {"left": False, "right": True})
    assert A_stance.shape == b.A.shape and C_stance.shape == b.C.shape
    assert b.C.shape[0] == 2 * ROWS_PER_FOOT + humanoid.nj
    # the left foot's contact rows changed meaning (no acceleration -> no wrench), not number
    left = slice(6, 12)
    assert np.any(A_stance[left, :humanoid.nv]) and not np.any(b.A[left, :humanoid.nv])
    np.testing.assert_array_equal(b.A[left, humanoid.nv:humanoid.nv + 6], np.eye(6))


def _fallen_state(robot):
    """A base lying at 75° with wild joint rates: the contact and torque constraints
    cannot all hold (what the WBC sees while the robot falls)."""
    q = robot.nominal_configuration()
    q[3:7] = pin.Quaternion(pin.rpy.rpyToMatrix(0.0, 1.3, 0.0)).coeffs()
    q[2] = 0.3
    q[7:] += np.random.default_rng(2).normal(0, 0.5, robot.nj)
    return q, np.random.default_rng(1).normal(0, 30.0, robot.nv)


def test_a_tick_the_torque_limits_make_infeasible_is_solved_with_them_relaxed_and_its_command_still_clipped(humanoid):
    wbc = WholeBodyController(humanoid)
    q0, v0 = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    both = {"left": True, "right": True}
    assert wbc.update(q0, v0, both).ok and wbc.relaxed_solves == 0
    q, v = _fallen_state(humanoid)
    sol = wbc.update(q, v, both)
    assert sol.ok and sol.status.startswith("RELAXED_") and wbc.relaxed_solves == 1 and wbc.failures == 0
    assert np.any(np.abs(sol.tau) > humanoid.tau_max)  # what this state would take...
    _, _, tau, _, _ = wbc.joint_command(sol, q, v)
    assert np.all(np.abs(tau) <= humanoid.tau_max)  # ...is clipped to what the actuators give
    good = wbc.update(q0, v0, both)
    assert good.ok and good.iterations < 50  # the next tick is not poisoned


def test_a_tick_without_any_solution_is_reported_and_returns_the_last_valid_torques(humanoid):
    wbc = WholeBodyController(humanoid)
    q0, v0 = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    both = {"left": True, "right": True}
    assert wbc.update(q0, v0, both).ok
    solve = wbc.solve
    wbc.solve = lambda qp: (False, "PROXQP_PRIMAL_INFEASIBLE", 7, np.full(qp.H.shape[0], np.nan))
    bad = wbc.update(*_fallen_state(humanoid), both)
    wbc.solve = solve
    assert not bad.ok and wbc.failures == 1 and bad.status == "RELAXED_TORQUE:PROXQP_PRIMAL_INFEASIBLE"  # standing: no stepping support to relax
    np.testing.assert_array_equal(bad.tau, wbc.last_solution.tau)  # not garbage
    good = wbc.update(q0, v0, both)
    assert good.ok and good.iterations < 50


def test_a_tick_proxsuite_solves_gets_an_answer_that_does_not_depend_on_proxsuite_s_last_bits(humanoid, monkeypatch):
    # ProxSuite's last bits vary with where its buffers lie in memory, and two lockstep runs of
    # one randomized walk parted on it: its answer is polished by the exact KKT solve on its rows
    from humanoid_control.wbc import controller as wbc_module
    wbc = WholeBodyController(humanoid)
    q, v = _random_state(humanoid)
    both = {"left": True, "right": True}
    qp, _, _ = wbc.build(q, v, both, None)
    kernel = wbc_module.kernels.active_set_qp
    answers, raw, solve = [], [], wbc._qp.solve
    for jitter in (0.0, 1e-12, -3e-12):  # ProxSuite's answer, as it might come from another heap
        wbc._kkt, state = None, {"proxsuite": False}

        def active_set(*args):  # the hot / cold starts give up (more rounds needed), the polish does not
            return kernel(*args) if state["proxsuite"] else -1

        def proxsuite(*args, _jitter=jitter):
            state["proxsuite"] = True
            r = solve(*args)
            r.x *= 1.0 + _jitter
            r.z *= 1.0 + _jitter
            raw.append(r.x.copy())
            return r

        monkeypatch.setattr(wbc_module.kernels, "active_set_qp", active_set)
        monkeypatch.setattr(wbc._qp, "solve", proxsuite)
        polished = wbc.polished_solves
        ok, status, iterations, x = wbc.solve(qp)
        assert ok and status == "PROXQP_SOLVED" and wbc.polished_solves == polished + 1
        answers.append(x)
    np.testing.assert_array_equal(answers[1], answers[0])  # bit for bit
    np.testing.assert_array_equal(answers[2], answers[0])
    assert not np.array_equal(raw[1], raw[0])  # (what ProxSuite said did differ)
    np.testing.assert_allclose(answers[0], raw[0], atol=1e-4 * np.abs(raw[0]).max())  # the same optimum, to its tolerance


def test_the_joint_command_stays_inside_the_limits_the_driver_enforces(humanoid):
    wbc = WholeBodyController(humanoid)
    q, v = _fallen_state(humanoid)
    v[6:] = 3.0 * humanoid.v_max  # joints spinning beyond their rated speed
    q[7:] = humanoid.q_upper + 0.2
    sol = wbc.update(q, v, {"left": True, "right": True})
    q_des, dq_des, tau, kp, kd = wbc.joint_command(sol, q, v)
    assert np.all(q_des <= humanoid.q_upper) and np.all(q_des >= humanoid.q_lower)
    assert np.all(np.abs(dq_des) <= humanoid.v_max)
    assert np.all(np.abs(tau) <= humanoid.tau_max)


def test_with_a_plan_the_swing_foot_is_unloaded_and_follows_its_reference_acceleration(humanoid):
    from humanoid_control.wbc.reference import SwingReference, WbcReference
    wbc = WholeBodyController(humanoid)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    terms = wbc.dyn.compute(q, v)
    foot = terms.feet_placement["left"].translation
    swing = SwingReference(foot + np.array([0.0, 0.0, 0.0]), 0.0, np.zeros(3), np.array([0.0, 0.0, 2.0]))
    com = terms.com.copy()
    ref = WbcReference({"left": False, "right": True}, com, np.zeros(3), np.array([0.0, -0.5, 0.0]),
                       {"right": np.array([0, 0, humanoid.mass * 9.81, 0, 0, 0])}, {"left": swing})
    sol = wbc.update(q, v, {}, ref)
    assert sol.ok
    np.testing.assert_allclose(sol.wrenches["left"], 0.0, atol=1e-6)
    foot_acc = terms.J_feet["left"] @ sol.qdd + terms.feet_drift["left"]
    assert foot_acc[2] > 0.8  # the swing foot rises as planned (a weighted compromise, not exact tracking)
    # the stance foot carries the weight (plus the vertical CoM acceleration the swing asks)
    assert sol.wrenches["right"][2] > 0.9 * humanoid.mass * 9.81


def test_a_lift_first_swing_foot_is_pulled_up_to_its_height_reference_harder(humanoid):
    # lift-first swings over a riser lagged their height reference by 5-7 cm with the flat-ground
    # gains and the toe met the riser (session 29): their vertical row is tracked stiffer
    from humanoid_control.wbc.reference import SwingReference, WbcReference
    params = WbcParams()
    assert (params.swing_kp_z_uneven, params.swing_kd_z_uneven) == (1000.0, 63.0)  # critically damped
    wbc = WholeBodyController(humanoid, params)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    terms = wbc.dyn.compute(q, v)
    rise = {}
    for lifts in (False, True, False):
        swing = SwingReference(terms.feet_placement["left"].translation + np.array([0.0, 0.0, 0.03]), 0.0, np.zeros(3),
                               np.zeros(3), lifts_over_edge=lifts)  # 3 cm above the foot, at rest
        ref = WbcReference({"left": False, "right": True}, terms.com.copy(), np.zeros(3), np.zeros(3),
                           {"right": np.array([0, 0, humanoid.mass * 9.81, 0, 0, 0])}, {"left": swing},
                           uneven_ground=True)  # (the mode alone does not stiffen: a stumble's re-lift)
        sol = wbc.update(q, v, {}, ref)
        assert sol.ok
        task = wbc.foot_tasks["left"]
        kp_z, kd_z = (params.swing_kp_z_uneven, params.swing_kd_z_uneven) if lifts else (params.swing_kp, params.swing_kd)
        np.testing.assert_array_equal(task.kp, [params.swing_kp] * 2 + [kp_z] + [params.swing_kp] * 3)  # only z
        np.testing.assert_array_equal(task.kd, [params.swing_kd] * 2 + [kd_z] + [params.swing_kd] * 3)
        rise[lifts] = float((terms.J_feet["left"] @ sol.qdd + terms.feet_drift["left"])[2])  # [m/s²]
    assert rise[False] > 0.4 * params.swing_kp * 0.03  # upwards: kp * error, less the weighted compromise (6.3 of 12)
    assert rise[True] > 2.0 * rise[False]  # 1000 against 400 (15.7)


def test_the_qp_follows_the_plans_wrenches_when_walking_on_a_command_and_its_own_balance_otherwise(humanoid):
    from humanoid_control.wbc.controller import WbcParams
    from humanoid_control.wbc.reference import WbcReference
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    weight = humanoid.mass * 9.81
    # the plan puts the CoP 4 cm ahead of both sole centres (x = −τy / fz) with the CoM held still:
    # the QP's CoM task disagrees, and the wrench weight decides who wins
    planned = {f: np.array([0.0, 0.0, weight / 2, 0.0, -0.04 * weight / 2, 0.0]) for f in ("left", "right")}
    cops = {}
    for walking in (False, True):
        wbc = WholeBodyController(humanoid, WbcParams(wrench_weight=1e-4, wrench_weight_walking=0.1,
                                                      wrench_weight_ramp_s=0.0))
        terms = wbc.dyn.compute(q, v)
        ref = WbcReference({"left": True, "right": True}, terms.com.copy(), np.zeros(3), np.zeros(3), planned,
                           walking=walking)
        sol = wbc.update(q, v, {}, ref)
        assert sol.ok
        assert wbc.wrench_task.weight == (0.1 if walking else 1e-4)
        cops[walking] = np.array([-sol.wrenches[f][4] / sol.wrenches[f][2] for f in ("left", "right")])
    # walking, the CoP goes nearer the plan's 4 cm (measured 4.5 mm ahead) than otherwise (7 mm
    # behind: the QP's own balance); here the CoM task, asked to hold the CoM still, pulls back
    assert cops[True].min() > 0.003 and cops[False].max() < 0.0


@pytest.mark.parametrize("mu, arm", [(0.5, 0.02), (0.3, 0.02), (0.5, 0.04)])
def test_each_sole_s_yaw_torque_is_bounded_by_the_friction_coefficient_times_the_torsion_arm(humanoid, mu, arm):
    from humanoid_control.wbc.reference import WbcReference
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    weight = humanoid.mass * 9.81
    # the plan asks the soles for opposite yaw torques of 0.05 m · fz, more than the bound allows
    # (together no net moment: the robot may stand still with them)
    planned = {f: np.array([0.0, 0.0, weight / 2, 0.0, 0.0, sign * 0.05 * weight / 2])
               for f, sign in (("left", 1.0), ("right", -1.0))}
    wbc = WholeBodyController(humanoid, WbcParams(friction_coefficient=mu, yaw_friction_arm_m=arm,
                                                  wrench_weight=0.1, wrench_weight_walking=0.1))
    terms = wbc.dyn.compute(q, v)
    sol = wbc.update(q, v, {}, WbcReference({"left": True, "right": True}, terms.com.copy(), np.zeros(3),
                                            np.zeros(3), planned, walking=True))
    assert sol.ok
    for f, w in sol.wrenches.items():
        R = terms.feet_placement[f].rotation
        fz, tz = (R.T @ w[:3])[2], (R.T @ w[3:])[2]
        assert abs(tz) / fz == pytest.approx(mu * arm, abs=1e-3)  # pushed to the bound, not past it


def _standing_plan_ticks(humanoid):
    """A WBC whose wrench weight ramps 1e-4 -> 0.1 over 0.2 s, and ``tick(walking, uneven_ground)``:
    one build on a plan's tick standing on both feet, returning the wrench task's weight."""
    from humanoid_control.wbc.reference import WbcReference
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    wbc = WholeBodyController(humanoid, WbcParams(wrench_weight=1e-4, wrench_weight_walking=0.1,
                                                  wrench_weight_ramp_s=0.2, dt=0.001))
    com = wbc.dyn.compute(q, v).com.copy()
    share = np.array([0.0, 0.0, humanoid.mass * 9.81 / 2, 0.0, 0.0, 0.0])

    def tick(walking: bool, uneven_ground: bool = False) -> float:
        ref = WbcReference({"left": True, "right": True}, com, np.zeros(3), np.zeros(3),
                           {"left": share, "right": share}, walking=walking, uneven_ground=uneven_ground)
        wbc.build(q, v, {}, ref)
        return float(wbc.wrench_task.weight)
    return wbc, tick


def test_the_wrench_weight_ramps_between_standing_and_walking_instead_of_jumping(humanoid):
    wbc, tick = _standing_plan_ticks(humanoid)
    w = np.array([tick(k < 250) for k in range(300)])  # walking for 0.25 s, then not
    assert w[0] == pytest.approx(1e-4 * 1000 ** (1 / 200))  # one tick up: geometric, 3 decades in 200 ticks
    assert w[99] == pytest.approx(np.sqrt(1e-4 * 0.1), rel=1e-6)  # half way (in decades) after 0.1 s
    assert np.all(np.diff(w[:250]) >= 0.0) and w[199] == pytest.approx(0.1) and w[249] == 0.1  # held there
    assert np.all(np.diff(w[250:]) < 0.0) and w[299] == pytest.approx(0.1 / 1000 ** (50 / 200))  # down alike
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.nv)
    wbc.build(q, v, {"left": True, "right": True}, None)  # no plan: at once
    assert wbc.wrench_task.weight == 1e-4


def test_on_uneven_ground_the_plan_s_wrenches_are_dropped_at_once_and_taken_up_again_by_the_ramp(humanoid):
    wbc, tick = _standing_plan_ticks(humanoid)
    for _ in range(250):
        tick(True, False)
    assert wbc.wrench_task.weight == pytest.approx(0.1)
    assert tick(False, False) == pytest.approx(0.1 / 1000 ** (1 / 200))  # handed back: one ramp step
    assert tick(False, True) == 1e-4  # a riser met: at once
    assert tick(True, False) == pytest.approx(1e-4 * 1000 ** (1 / 200))  # flat again: up by the ramp


def test_a_robot_facing_backwards_stands_facing_backwards_not_forwards(humanoid):
    # feet yawed π − 0.01 and π + 0.01 (= −π + 0.01): their arithmetic mean would be 0
    wbc = WholeBodyController(humanoid)
    q = humanoid.nominal_configuration().copy()
    q[3:7] = pin.Quaternion(pin.rpy.rpyToMatrix(0.0, 0.0, np.pi - 0.01)).coeffs()
    q[humanoid.model.joints[humanoid.model.getJointId("left_hip_yaw")].idx_q] += 0.02
    terms = wbc.dyn.compute(q, np.zeros(humanoid.model.nv))
    wbc.reset_references(terms)
    R = wbc.orientation_task.rotation_ref
    assert abs(np.arctan2(R[1, 0], R[0, 0])) == pytest.approx(np.pi, abs=1e-6)


def test_the_reported_cop_is_that_of_the_solved_contact_wrenches(humanoid):
    wbc = WholeBodyController(humanoid)
    q, v = humanoid.nominal_configuration(), np.zeros(humanoid.model.nv)
    sol = wbc.update(q, v, {c: True for c in humanoid.config.feet})
    terms = wbc.dyn.compute(q, v)
    lever = sum(np.cross(terms.feet_placement[c].translation, sol.wrenches[c][:3]) + sol.wrenches[c][3:]
                for c in humanoid.config.feet)
    fz = sum(sol.wrenches[c][2] for c in humanoid.config.feet)
    assert sol.ok and fz > 0.9 * humanoid.mass * 9.81
    # CoP (ground at the soles' height, zero shear when standing still): x = −M_y / F_z, y = M_x / F_z
    np.testing.assert_allclose(sol.cop_xy, [-lever[1] / fz, lever[0] / fz], atol=2e-3)


@pytest.mark.parametrize("robot_name", ["humanoid", "talos"])
def test_the_drift_terms_are_those_of_a_kinematics_pass_at_zero_joint_acceleration(robot_name, request):
    robot = request.getfixturevalue(robot_name)
    m = robot.model
    rng = np.random.default_rng(3)
    q = pin.integrate(m, robot.nominal_configuration(), rng.normal(size=robot.nv) * 0.1)
    v = rng.normal(size=robot.nv)
    t = DynamicsComputer(robot).compute(q, v)
    d = m.createData()
    pin.forwardKinematics(m, d, q, v, np.zeros(robot.nv))
    pin.updateFramePlacements(m, d)
    lwa = pin.ReferenceFrame.LOCAL_WORLD_ALIGNED
    for k, fid in enumerate(robot.foot_frame_ids.values()):
        np.testing.assert_allclose(t.contact_drift[k], pin.getFrameClassicalAcceleration(m, d, fid, lwa).vector,
                                   atol=1e-9)
    np.testing.assert_allclose(t.base_drift, pin.getFrameClassicalAcceleration(m, d, robot.base_frame_id, lwa).vector,
                               atol=1e-9)
    pin.centerOfMass(m, d, pin.KinematicLevel.ACCELERATION, False)
    np.testing.assert_allclose(t.com_drift, d.acom[0], atol=1e-9)


@pytest.mark.parametrize("robot_name", ["humanoid", "talos"])
def test_the_kernel_s_terms_equal_pinocchio_s_at_random_states(robot_name, request):
    robot = request.getfixturevalue(robot_name)
    fast, ref = DynamicsComputer(robot), DynamicsComputer(robot)
    assert fast.uses_kernel
    rng = np.random.default_rng(5)
    for _ in range(20):
        q = robot.nominal_configuration()
        q[:3] += rng.uniform(-0.5, 0.5, 3)
        q[3:7] = pin.Quaternion(pin.rpy.rpyToMatrix(*rng.uniform(-0.6, 0.6, 3))).coeffs()
        q[7:] = rng.uniform(robot.q_lower, robot.q_upper)
        v = rng.normal(0, 1.0, robot.nv)
        a, b = fast.compute(q, v), ref.compute_pinocchio(q, v)
        for name in ("M", "h", "com", "com_velocity", "J_com", "com_drift", "base_rotation", "J_base", "base_drift",
                     "J_contacts", "contact_drift", "contact_velocity", "contact_rotation", "contact_position"):
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=0, atol=1e-9, err_msg=name)
        for side in robot.foot_frame_ids:
            np.testing.assert_array_equal(a.feet_placement[side].translation, a.contact_position[list(robot.foot_frame_ids).index(side)])
