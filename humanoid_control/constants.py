"""Physical constants, one home for the whole package (SI units)."""
import numpy as np

GRAVITY = 9.81  # [m/s²] magnitude of the gravitational acceleration
GRAVITY_WORLD = np.array([0.0, 0.0, -GRAVITY])  # [m/s²] gravity in the world frame (z up, REP-103)
GRAVITY_WORLD.setflags(write=False)
