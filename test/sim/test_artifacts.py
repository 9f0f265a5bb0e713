"""What a run leaves besides its report: video, plots, and the viewer's verdict (CLI)."""
import json

import imageio.v2 as imageio
import pytest

from humanoid_control import cli

pytestmark = pytest.mark.sim


def test_a_run_writes_its_video_and_plots_and_says_no_display_is_there_for_the_viewer(
        tmp_path, ros_domain, monkeypatch, capfd):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    report = tmp_path / "r.json"
    code = cli.main(["sim", "--duration", "1.2", "--quiet", "--report", str(report), "--video", str(tmp_path / "run.mp4"),
                     "--plots", str(tmp_path / "plots"), "--viewer"])
    r = json.loads(report.read_text())
    assert code == 0 and r["fell"] is False
    art = r["artifacts"]
    assert art["viewer"].startswith("not opened: no display")
    assert "no display is available" in capfd.readouterr().err
    video = art["video"]
    assert video["fps"] == 25.0 and abs(video["frames"] - 1.2 * 25) <= 1
    frames = [f for f in imageio.get_reader(video["path"], format="FFMPEG")]
    assert len(frames) == video["frames"] and frames[0].std() > 10.0
    assert sorted(p.rsplit("/", 1)[1] for p in art["plots"]) == sorted(
        f"{n}.png" for n in ("base_height", "com_support", "velocity_tracking", "contact_forces", "node_timing"))
    for p in art["plots"]:
        assert open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
