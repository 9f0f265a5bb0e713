"""Offscreen video: MuJoCo renders a recording in a child process, ffmpeg encodes it."""
import imageio.v2 as imageio
import numpy as np
import pytest

from humanoid_control.errors import VideoError
from humanoid_control.sim.recording import RunRecording
from humanoid_control.viz.video import render_in_child


def test_a_one_second_recording_becomes_26_frames_that_show_the_robot(humanoid, tmp_path):
    from test_plots import recording_of

    out = tmp_path / "run.mp4"
    result = render_in_child(recording_of(humanoid, seconds=1.0), "humanoid", out, fps=25.0, width=320, height=240)
    assert result.frames == 26 and out.stat().st_size > 1000
    frames = [f for f in imageio.get_reader(str(out), format="FFMPEG")]  # list() would trust its len(): inf
    assert len(frames) == 26
    assert frames[0].shape == (240, 320, 3)
    first = frames[0].astype(float)
    assert first.std() > 10.0  # not a blank image: floor, sky and the robot
    # the robot (grey, where the floor is blue) stands in the middle of the tracking camera's picture
    centre = first[60:200, 110:210]
    grey = (centre.max(axis=2) - centre.min(axis=2) < 12) & (centre.mean(axis=2) > 70)
    assert grey.mean() > 0.1
    edge = first[60:200, :40]
    assert ((edge.max(axis=2) - edge.min(axis=2) < 12) & (edge.mean(axis=2) > 70)).mean() < 0.02


def test_a_recording_without_joint_positions_is_refused_with_a_reason(humanoid, tmp_path):
    rec = RunRecording(humanoid.joint_names, {s: f.frame for s, f in humanoid.config.feet.items()})
    rec.add_ground_truth(0.0, (0, 0, 1), (0, 0, 0, 1), (0, 0, 0), (0, 0, 0), (0, 0, 1))
    with pytest.raises(VideoError, match="no sample with joint positions"):
        render_in_child(rec.arrays(), "humanoid", tmp_path / "x.mp4")
    assert not np.isfinite(rec.arrays().joint_pos).any()


def test_one_frame_of_a_video_is_saved_as_a_png_for_the_readme(humanoid, tmp_path):
    from test_plots import recording_of

    from humanoid_control.viz.video import extract_frame

    video = render_in_child(recording_of(humanoid, seconds=0.4), "humanoid", tmp_path / "v.mp4", width=320, height=240)
    png = extract_frame(video.path, 0.2, tmp_path / "media" / "frame.png")
    image = imageio.imread(png)
    assert image.shape == (240, 320, 3) and image.std() > 10.0
