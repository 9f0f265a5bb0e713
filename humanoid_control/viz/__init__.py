"""Pictures of a run: PNG plots (matplotlib), an offscreen video (MuJoCo + imageio/ffmpeg) and
MuJoCo's interactive viewer, all drawn from a :class:`~humanoid_control.sim.recording.RunRecording`."""
