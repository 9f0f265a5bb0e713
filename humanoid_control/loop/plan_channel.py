"""The control loop ↔ MPC worker hand-over in shared memory (ROS-free): the newest state
one way, the plan that answers it the other.

Through a ``multiprocessing`` pipe each MPC period cost the loop's thread ~300 µs in real
time — a fresh pickler per message, a select and two reads per plan, a write per state (all
measured in the loop's thread, where each is 3–5× slower than alone). Here:

* the state goes as raw numbers into a block of shared memory (q, v, the last /cmd_vel),
  then one semaphore post wakes the worker;
* the plan comes back as one pickled buffer in another block; the loop notices it by
  reading a sequence number (no system call), and in lockstep, where it must wait, by a
  second semaphore.

One request is in flight at a time (the loop sends a state only when the previous one has
been answered), so neither block is read while it is written."""
from __future__ import annotations

import multiprocessing as mp
import secrets
from multiprocessing import shared_memory

import numpy as np

from humanoid_control.errors import HumanoidControlError

#: int64 words of the state block's header: sequence, stop flag, stamp [ns], nq, nv,
#: twist given (0/1), twist received [ns], the controller's flags (-1: none;
#: loop/mpc_core.py controller_flags)
_STATE_HEADER = 8
#: float64 words for q, v and the twist (vx, vy, wz)
STATE_CAPACITY = 1024
#: int64 words of the plan block's header: sequence, payload length [bytes]
_PLAN_HEADER = 2
#: [bytes] largest pickled plan (a 1.6-s, 32-knot plan of a two-footed robot is ~8 kB)
PLAN_CAPACITY = 1 << 18


class PlanChannel:
    """Two shared-memory blocks and two semaphores. The loop's side creates them
    (:meth:`create`) and hands :meth:`spec` to the worker, which attaches with
    :meth:`attach`. :meth:`close` detaches; the creator also unlinks."""

    def __init__(self, names: tuple, state_ready, plan_ready, create: bool):
        size_state = 8 * (_STATE_HEADER + STATE_CAPACITY)
        size_plan = 8 * _PLAN_HEADER + PLAN_CAPACITY
        if create:
            self._shm = [shared_memory.SharedMemory(name=names[0], create=True, size=size_state),
                         shared_memory.SharedMemory(name=names[1], create=True, size=size_plan)]
        else:
            self._shm = [shared_memory.SharedMemory(name=n) for n in names]
        self.owner = create
        self.names = names
        s, p = self._shm[0].buf, self._shm[1].buf
        self._state_header = np.ndarray((_STATE_HEADER,), np.int64, s, 0)
        self._state = np.ndarray((STATE_CAPACITY,), np.float64, s, 8 * _STATE_HEADER)
        self._plan_header = np.ndarray((_PLAN_HEADER,), np.int64, p, 0)
        self._plan = np.ndarray((PLAN_CAPACITY,), np.uint8, p, 8 * _PLAN_HEADER)
        if create:
            self._state_header[:] = 0
            self._plan_header[:] = 0
        self.state_ready = state_ready  # posted by the loop: a state is there (or stop)
        self.plan_ready = plan_ready  # posted by the worker after a plan, when asked to
        self._seen_plan = int(self._plan_header[0])

    @classmethod
    def create(cls, ctx=None) -> "PlanChannel":
        ctx = ctx or mp.get_context("spawn")
        token = secrets.token_hex(6)
        return cls((f"hc_state_{token}", f"hc_plan_{token}"), ctx.Semaphore(0), ctx.Semaphore(0), True)

    def spec(self) -> tuple:
        """What the worker needs to attach (picklable for a spawned process)."""
        return self.names, self.state_ready, self.plan_ready

    @classmethod
    def attach(cls, spec: tuple) -> "PlanChannel":
        names, state_ready, plan_ready = spec
        return cls(names, state_ready, plan_ready, False)

    # ------------------------------------------------------------------ the loop's side
    def send_state(self, ns: int, q: np.ndarray, v: np.ndarray, twist=None, flags: int | None = None) -> None:
        """The state stamped ``ns`` (and a live /cmd_vel ``((vx, vy, wz), received_ns)``, the
        controller's ``flags``)."""
        nq, nv = q.shape[0], v.shape[0]
        if nq + nv + 3 > STATE_CAPACITY:
            raise HumanoidControlError(f"a state of {nq} + {nv} numbers does not fit the MPC channel "
                                       f"({STATE_CAPACITY})")
        h, x = self._state_header, self._state
        x[0:nq] = q
        x[nq:nq + nv] = v
        h[2], h[3], h[4] = ns, nq, nv
        if twist is None:
            h[5] = 0
        else:
            (vx, vy, wz), received_ns = twist
            x[nq + nv], x[nq + nv + 1], x[nq + nv + 2] = vx, vy, wz
            h[5], h[6] = 1, -1 if received_ns is None else received_ns
        h[7] = -1 if flags is None else int(flags)
        h[0] += 1
        self.state_ready.release()

    def plan_arrived(self) -> bool:
        """A plan newer than the last taken is there (one memory read)."""
        return int(self._plan_header[0]) != self._seen_plan

    def wait_plan(self, timeout_s: float) -> bool:
        """Lockstep: until the worker posts its plan (False after ``timeout_s``)."""
        return self.plan_ready.acquire(timeout=timeout_s)

    def take_plan(self) -> bytes:
        """The newest plan's bytes (the worker's pickled answer)."""
        self._seen_plan = int(self._plan_header[0])
        return self._plan[:int(self._plan_header[1])].tobytes()

    def request_stop(self) -> None:
        self._state_header[1] = 1
        self.state_ready.release()

    # ------------------------------------------------------------------ the worker's side
    def wait_state(self, timeout_s: float):
        """The next state as (ns, q, v, twist or None, flags or None), or None on time-out;
        "stop" when the loop asked the worker to stop."""
        if not self.state_ready.acquire(timeout=timeout_s):
            return None
        h, x = self._state_header, self._state
        if h[1]:
            return "stop"
        ns, nq, nv = int(h[2]), int(h[3]), int(h[4])
        q, v = x[0:nq].copy(), x[nq:nq + nv].copy()
        twist = None
        if h[5]:
            received = int(h[6])
            twist = ((float(x[nq + nv]), float(x[nq + nv + 1]), float(x[nq + nv + 2])),
                     None if received < 0 else received)
        flags = None if h[7] < 0 else int(h[7])
        return ns, q, v, twist, flags

    def put_plan(self, payload: bytes, notify: bool) -> None:
        n = len(payload)
        if n > PLAN_CAPACITY:
            raise HumanoidControlError(f"a plan of {n} bytes does not fit the MPC channel ({PLAN_CAPACITY})")
        self._plan[:n] = np.frombuffer(payload, np.uint8)
        self._plan_header[1] = n
        self._plan_header[0] += 1
        if notify:
            self.plan_ready.release()

    def close(self) -> None:
        self._state_header = self._state = self._plan_header = self._plan = None
        for shm in self._shm:
            shm.close()
            if self.owner:
                try:
                    shm.unlink()
                except FileNotFoundError:
                    pass
        self._shm = []


__all__ = ["PlanChannel", "STATE_CAPACITY", "PLAN_CAPACITY"]
