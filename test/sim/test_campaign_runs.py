"""Campaigns that run (lockstep, full stack): a trial's replay, a smoke campaign on two local
workers, and a local Ray on loopback."""
import json
import sys

import pytest

from humanoid_control import cli
from humanoid_control.sim.campaign import CampaignError, run_campaign, run_trial

pytestmark = pytest.mark.sim

FIGURES = ("velocity_tracking_error", "base_height_min_m", "max_tilt_rad", "steps_taken", "foot_slip_max_m")


def test_sim_randomize_replays_a_campaign_trial_with_the_same_outcome(tmp_path, ros_domain, capfd):
    entry = run_trial("humanoid", 11, 2, "walk-push")
    report = tmp_path / "replay.json"
    code = cli.main(["sim", "--randomize", "11:2", "--scenario", "walk-push", "--quiet", "--report", str(report)])
    r = json.loads(report.read_text())
    assert code == (1 if entry["fell"] else 0) and r["fell"] == entry["fell"]
    assert {k: r[k] for k in FIGURES} == {k: entry["figures"][k] for k in FIGURES}
    assert r["pushes"][0]["speed_error_end_mps"] == entry["figures"]["speed_error_end_mps"]
    assert r["randomize"] == {"seed": 11, "index": 2, "scenario": "walk-push"}
    assert "trial 2 of seed 11 (walk-push)" in capfd.readouterr().out


def test_sim_randomize_refuses_the_flags_the_trial_sets_itself(ros_domain, capfd):
    assert cli.main(["sim", "--randomize", "1:2", "--push", "1:10,0,0:0.1", "--duration", "3"]) == 2
    assert "--randomize sets --duration, --push itself; leave them out" in capfd.readouterr().err


def test_a_smoke_campaign_on_two_workers_prints_the_table_and_writes_the_report(tmp_path, ros_domain, capfd):
    out = tmp_path / "campaign"
    # the two workers in domains ros_domain + 100 and + 101: no other test of the suite uses those
    code = cli.main(["campaign", "--trials", "3", "--seed", "4", "--workers", "2", "--domain-id", str(ros_domain + 100),
                     "--out", str(out), "--quiet"])
    r = json.loads((out / "campaign.json").read_text())
    s = r["summary"]
    assert code == 0 and s["trials"] == 3 and [e["index"] for e in r["trials"]] == [0, 1, 2]
    assert s["successes"] == sum(e["success"] for e in r["trials"]) and 0 <= s["ci95_low"] <= s["success_rate"]
    for e in r["trials"]:
        assert e["seed"] == 4 and e["scenario"] in s["by_scenario"] and "link_mass_scale" in e["params"]
        assert isinstance(e["fell"], bool) and e["figures"]["base_height_min_m"] > 0.3
    replays = (out / "failures.txt").read_text().splitlines()
    assert replays == [f["replay"] for f in r["failures"]]
    text = capfd.readouterr().out
    assert "scenario" in text and "95 % CI" in text and f"{s['successes']}/3 trials succeeded" in text


def test_a_campaign_runs_its_trials_as_tasks_of_a_local_ray_on_loopback(ros_domain):
    import ray  # noqa: F401 — imported first, as another test of the process may have done (requirements-test.txt)

    r = run_campaign("humanoid", 2, 4, workers=2, ray="local", domains=[ros_domain], quiet=True)
    pool = run_campaign("humanoid", 1, 4, workers=1, domains=[ros_domain], quiet=True)
    assert r["campaign"]["ray"] == "local" and [e["index"] for e in r["trials"]] == [0, 1]
    assert r["trials"][0]["figures"] == pool["trials"][0]["figures"]  # the same trial, wherever it runs


def test_ray_missing_is_said_with_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(CampaignError, match=r"--ray needs Ray, which is not installed: pip install '.\[ray\]'"):
        run_campaign("humanoid", 1, 0, ray="local", quiet=True)
