"""Offscreen video of a run: MuJoCo renders the recorded configurations, imageio/ffmpeg encodes.

MuJoCo picks its OpenGL backend when it is imported, so the CLI renders in a child process
(``python -m humanoid_control.viz.video``) with ``MUJOCO_GL=osmesa`` (software rendering,
Debian's ``libosmesa6``; the Makefile installs it) unless ``MUJOCO_GL`` is already set. The
camera tracks the base; each foot's measured contact force is drawn as an arrow from the
sole (1 mm per N: the robot's weight is about half a metre).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from humanoid_control.errors import HumanoidControlError, VideoError

FORCE_SCALE_M_PER_N = 0.001  # [m/N] arrow length per newton
MIN_ARROW_FORCE_N = 5.0  # [N] smaller forces are not drawn
RENDER_TIMEOUT_S = 1800.0  # [s] the child process is stopped after this


@dataclass(frozen=True)
class VideoResult:
    path: str
    frames: int
    fps: float
    width: int  # [px]
    height: int  # [px]


def save_recording(rec, path: Path) -> None:
    """The recording's arrays in one ``.npz`` (what the rendering process reads)."""
    sides = list(rec.foot_wrench)
    np.savez(path, t=rec.t, base_pos=rec.base_pos, base_quat=rec.base_quat, base_vel=rec.base_vel,
             base_wz=rec.base_wz, com=rec.com, joint_pos=rec.joint_pos, sides=np.array(sides),
             **{f"wrench_{s}": rec.foot_wrench[s] for s in sides}, **{f"contact_{s}": rec.in_contact[s] for s in sides})


def load_recording(path: Path):
    from humanoid_control.sim.recording import RecordingArrays

    z = np.load(path)
    sides = [str(s) for s in z["sides"]]
    return RecordingArrays(t=z["t"], base_pos=z["base_pos"], base_quat=z["base_quat"], base_vel=z["base_vel"],
                           base_wz=z["base_wz"], com=z["com"], joint_pos=z["joint_pos"],
                           foot_wrench={s: z[f"wrench_{s}"] for s in sides},
                           in_contact={s: z[f"contact_{s}"] for s in sides})


def render_video(rec, robot, out: Path, fps: float = 25.0, width: int = 480, height: int = 320,
                 terrain: str = "flat") -> VideoResult:
    """Render ``rec`` (a RecordingArrays) of ``robot`` on ``terrain`` (``--terrain`` text)
    into ``out`` (.mp4); in this process (its MuJoCo must have been imported with an
    offscreen ``MUJOCO_GL``)."""
    import imageio.v2 as imageio
    import mujoco

    from humanoid_control.hardware.mujoco_model import build_mujoco_model, set_qpos_from_pinocchio

    from humanoid_control.sim.terrain import Terrain

    model, h = build_mujoco_model(robot, robot.joint_names, scenery=True, terrain=Terrain.parse(terrain))
    model.vis.global_.offwidth = max(model.vis.global_.offwidth, width)
    model.vis.global_.offheight = max(model.vis.global_.offheight, height)
    data = mujoco.MjData(model)
    cam = mujoco.MjvCamera()
    cam.type = mujoco.mjtCamera.mjCAMERA_TRACKING
    cam.trackbodyid = h.base_body
    cam.distance, cam.azimuth, cam.elevation = 3.0, 135.0, -15.0
    try:
        renderer = mujoco.Renderer(model, height, width)
    except Exception as exc:
        raise VideoError(f"MuJoCo cannot render offscreen (MUJOCO_GL={os.environ.get('MUJOCO_GL', '')!r}): {exc}; "
                         "install Debian's libosmesa6 (make install does) or set MUJOCO_GL=egl") from None
    frames = 0
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with imageio.get_writer(out, fps=fps, codec="libx264", quality=7, macro_block_size=16) as writer:
            for i in rec.frame_indices(fps):
                q = rec.configuration(int(i))
                if not np.all(np.isfinite(q)):
                    continue  # before the first joint state
                set_qpos_from_pinocchio(data.qpos, h, q)
                mujoco.mj_forward(model, data)  # positions and the subtree CoM the camera tracks
                renderer.update_scene(data, camera=cam)
                _draw_forces(renderer.scene, data, h, rec, int(i))
                writer.append_data(renderer.render())
                frames += 1
    finally:
        renderer.close()
    if frames == 0:
        raise VideoError("the recording has no sample with joint positions: nothing to render")
    return VideoResult(str(out), frames, fps, width, height)


def _draw_forces(scene, data, h, rec, i: int) -> None:
    import mujoco

    for side, wrench in rec.foot_wrench.items():
        f_sole = wrench[i, 0:3]
        if np.linalg.norm(f_sole) < MIN_ARROW_FORCE_N or scene.ngeom >= scene.maxgeom:
            continue
        body = h.foot_bodies[side]
        start = data.xpos[body].copy()
        f_world = data.xmat[body].reshape(3, 3) @ f_sole
        geom = scene.geoms[scene.ngeom]
        mujoco.mjv_initGeom(geom, mujoco.mjtGeom.mjGEOM_ARROW, np.zeros(3), np.zeros(3), np.zeros(9),
                            np.array([0.9, 0.2, 0.1, 0.9], dtype=np.float32))
        mujoco.mjv_connector(geom, mujoco.mjtGeom.mjGEOM_ARROW, 0.015, start, start + FORCE_SCALE_M_PER_N * f_world)
        scene.ngeom += 1


def render_in_child(rec, robot_arg: str, out: Path, fps: float = 25.0, width: int = 480,
                    height: int = 320, terrain: str = "flat") -> VideoResult:
    """Render in a child process with an offscreen GL (see the module docstring)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="humanoid_control_video_") as tmp:
        npz = Path(tmp) / "recording.npz"
        save_recording(rec, npz)
        env = dict(os.environ)
        env.setdefault("MUJOCO_GL", "osmesa")
        if env["MUJOCO_GL"] == "osmesa":
            env.setdefault("PYOPENGL_PLATFORM", "osmesa")
        cmd = [sys.executable, "-m", "humanoid_control.viz.video", str(npz), str(out), "--robot", robot_arg,
               "--fps", str(fps), "--width", str(width), "--height", str(height), "--terrain", terrain]
        try:
            p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=RENDER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise VideoError(f"rendering took longer than {RENDER_TIMEOUT_S:.0f} s") from None
    if p.returncode != 0:
        raise VideoError(f"the rendering process failed (exit {p.returncode}): {p.stderr.strip()[-1500:]}")
    return VideoResult(**json.loads(p.stdout.strip().splitlines()[-1]))


def extract_frame(video: Path, t_s: float, out_png: Path) -> Path:
    """Write the frame of ``video`` shown at ``t_s`` [s] as a PNG (the README's picture)."""
    import imageio.v2 as imageio

    reader = imageio.get_reader(str(video), format="FFMPEG")
    try:
        fps = reader.get_meta_data()["fps"]
        frame = None
        for i, f in enumerate(reader):
            frame = f
            if i >= round(t_s * fps):
                break
    finally:
        reader.close()
    if frame is None:
        raise VideoError(f"{video}: no frame to extract")
    Path(out_png).parent.mkdir(parents=True, exist_ok=True)
    imageio.imwrite(out_png, frame)
    return Path(out_png)


def main(argv=None) -> int:
    from humanoid_control.robot.model import RobotModel

    ap = argparse.ArgumentParser(prog="python -m humanoid_control.viz.video",
                                 description="render a recorded run (.npz) into a video, or (--frame) save one "
                                             "frame of a video as a PNG")
    ap.add_argument("recording", type=Path, nargs="?")
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--frame", nargs=3, metavar=("VIDEO", "T", "OUT_PNG"), help="save the frame at T [s] of VIDEO")
    ap.add_argument("--robot", default="humanoid")
    ap.add_argument("--fps", type=float, default=25.0)
    ap.add_argument("--width", type=int, default=480)
    ap.add_argument("--height", type=int, default=320)
    ap.add_argument("--terrain", default="flat", help="the ground of the run (humanoid-control sim --terrain)")
    args = ap.parse_args(argv)
    if args.frame:
        video, t_s, png = args.frame
        try:
            print(extract_frame(Path(video), float(t_s), Path(png)))
        except (HumanoidControlError, OSError, ValueError) as exc:
            print(f"--frame: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.recording is None or args.out is None:
        ap.error("give RECORDING and OUT, or --frame VIDEO T OUT_PNG")
    try:
        result = render_video(load_recording(args.recording), RobotModel.load(args.robot), args.out, args.fps,
                              args.width, args.height, args.terrain)
    except HumanoidControlError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
