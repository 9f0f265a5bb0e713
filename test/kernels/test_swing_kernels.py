"""The swing-state kernel agrees with its numpy twin before, during and after the swing."""
import numpy as np
import pytest

from humanoid_control.kernels import swing as kernels
from twins import run_both


@pytest.mark.parametrize("classic", [True, False])
@pytest.mark.parametrize("elapsed", [-0.05, 0.0, 0.02, 0.1, 0.2, 0.3, 0.35, 0.4, 1.5])  # every piece
def test_the_kernel_and_its_twin_give_the_same_state_at_every_phase_of_a_swing(elapsed, classic):
    args = list(kernels.example_arguments(np.random.default_rng(4), elapsed)["swing_state"])
    if classic:
        args[2] = np.array([0.0, 0.35, 0.0, 0.0])
    (a, _), (b, _) = run_both(kernels, "swing_state", tuple(args))
    np.testing.assert_allclose(a[0], b[0], rtol=1e-13, atol=1e-12)


def test_a_late_swing_descends_at_its_speed_down_to_its_limit():
    out = np.zeros((3, 3))
    c = np.zeros((6, 3))  # at rest at the origin
    classic = np.array([0.0, 0.35, 0.0, 0.0])
    kernels.swing_state(out, c, classic, 0.35 + 0.2, 0.35, 0.06, 0.1, 0.05)  # 0.2 s late: 0.02 m down
    assert out[0, 2] == pytest.approx(-0.02) and out[1, 2] == pytest.approx(-0.1)
    kernels.swing_state(out, c, classic, 0.35 + 2.0, 0.35, 0.06, 0.1, 0.05)
    assert out[0, 2] == pytest.approx(-0.05) and out[1, 2] == 0.0  # held at the limit
