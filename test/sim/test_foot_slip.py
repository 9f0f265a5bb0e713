import pytest

from humanoid_control.sim.foot_slip import FootSlipMeter


def test_slip_counts_only_while_the_foot_is_loaded_and_restarts_at_each_stance():
    m = FootSlipMeter(load_on_N=30.0)
    m.update({"left": (0.0, 0.1, 0.0)}, {"left": 200.0})
    m.update({"left": (0.004, 0.1, 0.0)}, {"left": 200.0})  # slides 4 mm under load
    m.update({"left": (0.30, 0.1, 0.05)}, {"left": 0.0})  # swing: moving is not slipping
    m.update({"left": (0.31, 0.1, 0.0)}, {"left": 150.0})  # lands: new anchor
    m.update({"left": (0.312, 0.1, 0.0)}, {"left": 150.0})
    assert m.max_slip_m == pytest.approx(0.004)
