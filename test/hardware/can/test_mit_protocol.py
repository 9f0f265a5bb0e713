"""The MIT-mode codec: round trips within one LSB over every shipped model's range, the
special frames, and no unhandled exception on random or corrupt frames."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humanoid_control.hardware.can.mit_protocol import (ENTER_MOTOR_MODE, EXIT_MOTOR_MODE, REPLY_LAYOUTS, SET_ZERO,
                                                          CanFrameError, MitCommand, MitRanges, MitReply, float_to_uint,
                                                          pack_command, pack_reply, saturated, unpack_command,
                                                          unpack_reply)
from humanoid_control.hardware.can.motor_config import load_motor_models

MODELS = load_motor_models()


@pytest.mark.parametrize("model", sorted(MODELS))
@settings(max_examples=300, deadline=None)
@given(u=st.tuples(*[st.floats(-1.0, 1.0, allow_nan=False)] * 5))
def test_a_command_packs_and_unpacks_within_one_lsb_over_the_model_range(model, u):
    r, _ = MODELS[model]
    cmd = MitCommand(u[0] * r.p_max, u[1] * r.v_max, abs(u[2]) * r.kp_max, abs(u[3]) * r.kd_max, u[4] * r.t_max)
    back = unpack_command(pack_command(cmd, r), r)
    lsb = r.lsb()
    assert abs(back.position - cmd.position) <= lsb["p"]
    assert abs(back.velocity - cmd.velocity) <= lsb["v"]
    assert abs(back.kp - cmd.kp) <= lsb["kp"] and abs(back.kd - cmd.kd) <= lsb["kd"]
    # all other fields at their top: the torque code is kept below the special frames (0xFFC..0xFFE), up to 4 LSB off
    top = all(abs(x - m) < 0.5 * lsb[k] for x, m, k in ((back.position, r.p_max, "p"), (back.velocity, r.v_max, "v"),
                                                          (back.kp, r.kp_max, "kp"), (back.kd, r.kd_max, "kd")))
    assert abs(back.torque - cmd.torque) <= (4 if top else 1) * lsb["t"]


@pytest.mark.parametrize("model", sorted(MODELS))
@settings(max_examples=300, deadline=None)
@given(u=st.tuples(*[st.floats(-1.0, 1.0, allow_nan=False)] * 3), temp=st.integers(0, 150), err=st.integers(0, 15),
       motor_id=st.integers(1, 15))
def test_a_reply_packs_and_unpacks_within_one_lsb_with_temperature_and_error_code(model, u, temp, err, motor_id):
    r, layout = MODELS[model]
    rep = MitReply(motor_id, u[0] * r.p_max, u[1] * r.v_max, u[2] * r.t_max, float(temp), err)
    back = unpack_reply(pack_reply(rep, r, layout), r, layout, motor_id)
    lsb = r.lsb()
    assert back.motor_id == motor_id
    assert abs(back.position - rep.position) <= lsb["p"] and abs(back.velocity - rep.velocity) <= lsb["v"]
    assert abs(back.torque - rep.torque) <= lsb["t"]
    if layout == "id6":
        assert math.isnan(back.temperature) and back.error_code == 0
    else:
        assert back.temperature == temp and back.error_code == err


def test_the_command_layout_puts_each_field_in_its_bits():
    r = MitRanges(p_max=12.5, v_max=50.0, t_max=18.0, kp_max=500.0, kd_max=5.0)
    frame = pack_command(MitCommand(12.5, -50.0, 500.0, 0.0, 18.0), r)
    # p = 0xFFFF, v = 0x000, kp = 0xFFF, kd = 0x000, t = 0xFFF
    assert frame == bytes([0xFF, 0xFF, 0x00, 0x0F, 0xFF, 0x00, 0x0F, 0xFF])
    mid = pack_command(MitCommand(0.0, 0.0, 250.0, 2.5, 0.0), r)
    assert (mid[0] << 8 | mid[1]) in (32767, 32768) and (mid[2] << 4 | mid[3] >> 4) in (2047, 2048)


def test_values_beyond_the_range_saturate_and_are_reported():
    r = MitRanges(12.5, 50.0, 18.0)
    cmd = MitCommand(0.0, 0.0, 10.0, 1.0, 40.0)
    assert saturated(cmd, r) == "torque"
    assert unpack_command(pack_command(cmd, r), r).torque == pytest.approx(18.0)
    with pytest.raises(ValueError, match="NaN"):
        float_to_uint(math.nan, -1.0, 1.0, 12)


def test_a_command_never_spells_a_special_frame():
    r = MitRanges(12.5, 50.0, 18.0)
    top = pack_command(MitCommand(12.5, 50.0, 500.0, 5.0, 18.0 * (0xFFD / 0xFFF * 2 - 1)), r)
    assert top not in (ENTER_MOTOR_MODE, EXIT_MOTOR_MODE, SET_ZERO)
    for special in (ENTER_MOTOR_MODE, EXIT_MOTOR_MODE, SET_ZERO):
        with pytest.raises(CanFrameError, match="special frame"):
            unpack_command(special, r)


def test_a_reply_from_another_motor_or_of_the_wrong_length_is_a_frame_error_naming_the_bytes():
    r = MitRanges(12.5, 50.0, 18.0)
    frame = pack_reply(MitReply(3, 0.1, 0.2, 0.3), r, "id6")
    with pytest.raises(CanFrameError, match="motor ID 3, expected 4"):
        unpack_reply(frame, r, "id6", 4)
    with pytest.raises(CanFrameError, match="must be 8 bytes, got 6") as exc:
        unpack_reply(frame, r, "ak8")
    assert exc.value.data == frame


@pytest.mark.parametrize("layout", REPLY_LAYOUTS)
def test_a_hundred_thousand_random_frames_decode_without_an_unhandled_exception(layout):
    r, _ = MODELS["tmotor_ak10_9"]
    rng = np.random.default_rng(7)
    ok = bad = 0
    for _ in range(100_000):
        data = rng.integers(0, 256, int(rng.integers(0, 9)), dtype=np.uint8).tobytes()
        for decode in (lambda d: unpack_reply(d, r, layout, int(rng.integers(1, 16))), lambda d: unpack_command(d, r)):
            try:
                out = decode(data)
            except CanFrameError:
                bad += 1
                continue
            ok += 1
            values = [out.position, out.velocity] + ([out.torque] if hasattr(out, "torque") else [])
            assert all(math.isfinite(v) for v in values)
            assert abs(out.position) <= r.p_max + 1e-9
    assert ok > 0 and bad > 0  # both paths exercised
