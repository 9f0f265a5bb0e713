"""Campaign trials without running them: the draws, the config, the judging, the summary."""
import json
import math

import numpy as np
import pytest
import yaml

from humanoid_control.errors import ConfigError, ParameterRangeError, UnknownNameError
from humanoid_control.sim.campaign import (LIMITS, SCENARIOS, CampaignConfig, RobotFacts, Trial, default_config_path,
                                           draw_trial, judge, parse_randomize, summarize, wilson_interval,
                                           yaml_value)


@pytest.fixture(scope="module")
def cfg():
    return CampaignConfig.load(default_config_path())


@pytest.fixture(scope="module")
def facts():
    return RobotFacts.of("humanoid")


def test_the_wilson_interval_matches_the_textbook_values():
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(50, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert wilson_interval(99, 100)[0] == pytest.approx(0.9455, abs=1e-4)


def test_a_trial_is_the_same_every_time_it_is_drawn_and_differs_from_its_neighbours(cfg, facts):
    a, b = draw_trial(7, 3, "mixed", facts, cfg), draw_trial(7, 3, "mixed", facts, cfg)
    assert a.sim_args == b.sim_args and a.params == b.params
    assert draw_trial(7, 4, "mixed", facts, cfg).params != a.params
    assert draw_trial(8, 3, "mixed", facts, cfg).params != a.params


def test_the_robot_floor_and_sensors_of_a_trial_do_not_depend_on_its_scenario(cfg, facts):
    trials = [draw_trial(1, 5, s, facts, cfg) for s in SCENARIOS]
    for key in ("link_mass_scale", "link_com_offset_m", "torque_constant_scale", "floor_friction", "sim_seed",
                "actuation_delay_s", "imu_gyro_bias"):
        assert all(t.params[key] == trials[0].params[key] for t in trials), key
    assert [t.scenario for t in trials] == list(SCENARIOS)


def test_every_drawn_value_lies_inside_its_configured_range(cfg, facts):
    R = cfg.ranges
    seen = set()
    for i in range(60):
        t = draw_trial(3, i, "mixed", facts, cfg)
        p = t.params
        seen.add(t.scenario)
        assert set(p["link_mass_scale"]) == set(facts.links) and set(p["torque_constant_scale"]) == set(facts.joints)
        assert all(R["link_mass_scale"].low <= v <= R["link_mass_scale"].high for v in p["link_mass_scale"].values())
        assert all(abs(x) <= R["link_com_offset_m"].high for v in p["link_com_offset_m"].values() for x in v)
        assert R["floor_friction"].low <= p["floor_friction"] <= R["floor_friction"].high
        assert R["actuation_delay_s"].low <= p["actuation_delay_s"] <= R["actuation_delay_s"].high
        if "push" in p:
            assert p["push"]["delta_v_mps"] <= 0.5 and R["push_delta_v_mps"].low <= p["push"]["delta_v_mps"]
            fx, fy = (float(x) for x in p["push"]["text"].split(":")[1].split(",")[:2])
            assert math.hypot(fx, fy) * 0.1 / facts.mass == pytest.approx(p["push"]["delta_v_mps"], abs=2e-3)
        if t.scenario == "terrain":
            assert p["terrain"].split(":")[0] in ("slope", "step", "rough")
            assert "--terrain" in t.sim_args
    assert seen == set(SCENARIOS)  # mixed draws every scenario


def test_a_trial_s_sim_arguments_parse_and_carry_its_draws(cfg, facts):
    from humanoid_control.cli import _parser

    t = draw_trial(2, 9, "walk-push", facts, cfg)
    args = _parser().parse_args(["sim"] + t.sim_args)
    assert args.push == [t.params["push"]["text"]] and args.friction == pytest.approx(t.params["floor_friction"])
    params = dict(p.split("=", 1) for p in args.param)
    assert json.loads(params["driver.seed"]) == t.params["sim_seed"]
    assert len(json.loads(params["driver.link_mass_scale"])) == len(facts.links)
    assert float(args.duration) == pytest.approx(t.params["push"]["t_s"] + 3.1, abs=1e-3)


@pytest.mark.parametrize("value", [6e-06, 0.25, -1e-7, 3, 1.0, [2e-05, -0.004, 0.0]])
def test_a_drawn_number_reads_back_from_its_param_text_as_the_same_number(value):
    assert yaml.safe_load(yaml_value(value)) == pytest.approx(value, abs=1e-12)


def test_drawn_text_reads_back_from_its_param_text_as_the_same_text():
    assert yaml.safe_load(yaml_value(["left_knee:0.93", ""])) == ["left_knee:0.93", ""]
    assert yaml.safe_load(yaml_value("slope:3.00@1.20")) == "slope:3.00@1.20"


def test_every_param_of_a_trial_passes_the_node_schemas(cfg, facts):
    from humanoid_control.cli import sim_spec_for_args

    for i in range(6):
        spec, _ = sim_spec_for_args(draw_trial(0, i, "walk", facts, cfg).sim_args)  # raises on a bad value
        assert spec.params["driver"]["imu_orientation_noise_std"] == pytest.approx(
            draw_trial(0, i, "walk", facts, cfg).params["imu_orientation_noise_std"], abs=1e-12)


def _write(tmp_path, change):
    data = yaml.safe_load(default_config_path().read_text())
    change(data["campaign"])
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("change, error, says", [
    (lambda c: c.pop("floor_friction"), ConfigError, "'floor_friction' must be {low: A, high: B, unit: -}"),
    (lambda c: c["sensor_delay_s"].update(unit="ms"), ConfigError, "'sensor_delay_s' is in s, the file says 'ms'"),
    (lambda c: c["floor_friction"].update(low=0.9, high=0.5), ConfigError, "low 0.9 is above high 0.5"),
    (lambda c: c["push_delta_v_mps"].update(high=5.0), ParameterRangeError, "push_delta_v_mps.high"),
    (lambda c: c.update(gravity={"low": 9, "high": 10, "unit": "m/s²"}), UnknownNameError, "campaign entry 'gravity'"),
    (lambda c: c.update(walk_max_tracking_error="big"), ConfigError, "'walk_max_tracking_error' must be a number"),
])
def test_a_bad_campaign_file_is_refused_naming_the_entry_and_the_file(tmp_path, change, error, says):
    path = _write(tmp_path, change)
    with pytest.raises(error) as err:
        CampaignConfig.load(path)
    assert says in str(err.value) and str(path) in str(err.value)


def test_the_shipped_campaign_file_has_every_range_with_its_unit(cfg):
    assert set(cfg.ranges) == set(LIMITS)
    assert all(cfg.ranges[n].unit == LIMITS[n][0] for n in LIMITS)


@pytest.mark.parametrize("text", ["7", "a:1", "7:-1", "-1:2", "1:2:3"])
def test_a_bad_randomize_value_is_refused(text):
    with pytest.raises(ConfigError, match="--randomize"):
        parse_randomize(text)


def test_parse_randomize_reads_seed_and_index():
    assert parse_randomize("7:12") == (7, 12)


def _report(fell=False, err=0.05, push=None):
    return {"fell": fell, "velocity_tracking_error": err, "base_height_min_m": 0.8, "max_tilt_rad": 0.05,
            "steps_taken": 10, "foot_slip_max_m": 0.001, "pushes": [push] if push else []}


def test_judging_names_the_failure_mode_of_each_scenario(cfg):
    walk = Trial(0, 1, "walk", {})
    assert judge(walk, _report(err=0.1), "", cfg)["success"] is True
    assert judge(walk, _report(err=0.4), "", cfg)["failure"] == "tracking error > 0.25"
    assert judge(walk, _report(fell=True), "", cfg)["failure"] == "fell"
    assert judge(walk, None, "the MPC worker died", cfg)["failure"] == "error"
    stand = Trial(0, 2, "stand-push", {})
    assert judge(stand, _report(push={"recovered": False}), "", cfg)["failure"] == "not recovered"
    wp = Trial(0, 3, "walk-push", {})
    e = judge(wp, _report(push={"back_to_command": True, "speed_error_end_mps": 0.04}), "", cfg)
    assert e["success"] and e["figures"]["speed_error_end_mps"] == 0.04


def test_the_summary_counts_successes_falls_and_failure_modes_per_scenario(cfg):
    entries = [judge(Trial(0, i, "walk", {}), _report(err=0.1 if i < 8 else 0.5), "", cfg) for i in range(10)]
    entries += [judge(Trial(0, 10 + i, "stand-push", {}), _report(fell=i == 0, push={"recovered": True}), "", cfg)
                for i in range(5)]
    s = summarize(entries)
    assert (s["trials"], s["successes"], s["falls"]) == (15, 12, 1)
    assert s["success_rate"] == pytest.approx(0.8) and s["ci95_low"] < 0.8 < s["ci95_high"]
    assert s["by_scenario"]["walk"]["successes"] == 8 and s["by_scenario"]["stand-push"]["falls"] == 1
    assert s["failure_modes"] == {"tracking error > 0.25": 2, "fell": 1}
    assert np.isfinite(s["mean_tracking_error"])


def test_a_failure_s_replay_command_carries_the_campaign_s_scenario_config_and_params():
    cmd = Trial(3, 17, "walk", {}).replay_command("talos", "/cfg", "walk", ("mpc.stumble_tilt_deg=0", 'driver.x="a b"'))
    assert cmd == ("humanoid-control sim --robot talos --randomize 3:17 --scenario walk --config-dir /cfg "
                   "--param mpc.stumble_tilt_deg=0 --param 'driver.x=\"a b\"'")
    assert Trial(3, 17, "walk", {}).replay_command("humanoid") == "humanoid-control sim --robot humanoid --randomize 3:17"


def test_a_trial_that_crashes_is_that_trial_s_failure_naming_the_error(monkeypatch):
    import humanoid_control.cli as cli_module
    from humanoid_control.sim import campaign

    def boom(args):
        raise RuntimeError("the simulator blew up")

    monkeypatch.setattr(cli_module, "sim_spec_for_args", boom)
    e = campaign.run_trial("humanoid", 0, 1, "walk")
    assert e["success"] is False and e["failure"] == "error" and e["fell"] is None
    assert e["error"].startswith("RuntimeError: the simulator blew up (") and "test_campaign.py" in e["error"]
