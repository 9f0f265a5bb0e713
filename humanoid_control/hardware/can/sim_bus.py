"""What every simulated CAN bus shares: a python-can virtual channel, the fault switches
(``reply_loss_rate``, ``corrupt_rate``, ``bus_off``) and the one path replies take through
them. The MIT motors' and the CiA 402 drives' buses differ only in what they serve."""
from __future__ import annotations

import can
import numpy as np


class SimulatedBus:
    def __init__(self, channel: str, seed: int = 0):
        self.channel = channel
        self.bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        self.rng = np.random.default_rng(seed)
        self.reply_loss_rate = 0.0  # fault: share of replies dropped [0, 1]
        self.corrupt_rate = 0.0  # fault: share of replies garbled [0, 1]
        self.bus_off = False  # fault: the bus passes nothing
        self.frames_in = 0
        self.frames_out = 0
        self._owed = []

    def _garble(self, data: bytes) -> bytes:  # pragma: no cover - abstract
        """A corrupted frame of a kind the receiver can notice (protocol-specific)."""
        raise NotImplementedError

    def _deliver(self, arbitration_id: int, make_data) -> None:
        """Send one reply through the fault injection: lost (bus-off, or at ``reply_loss_rate``),
        else garbled at ``corrupt_rate``. ``make_data()`` builds the payload only when it is sent."""
        if self.bus_off or self.rng.random() < self.reply_loss_rate:
            return
        data = make_data()
        if self.rng.random() < self.corrupt_rate:
            data = self._garble(data)
        self.bus.send(can.Message(arbitration_id=arbitration_id, data=data, is_extended_id=False))
        self.frames_out += 1

    def shutdown(self) -> None:
        self.bus.shutdown()
