"""Stopping a helper process of the loop (the MPC worker, the topic mirror): both are
``multiprocessing`` children that take commands as tuples on a pipe."""
from __future__ import annotations

#: [s] how long a child may take to exit after it was asked to
JOIN_TIMEOUT_S = 5.0


def stop_child(proc, conn, reply_timeout_s: float = 0.0):
    """Send ``("stop",)``; with ``reply_timeout_s`` > 0 wait that long for the child's last
    message and return it (else None); then join it (killed after JOIN_TIMEOUT_S) and close
    the pipe. A child that is already gone is fine."""
    reply = None
    try:
        conn.send(("stop",))
        if reply_timeout_s > 0 and conn.poll(reply_timeout_s):
            reply = conn.recv()
    except (OSError, EOFError, BrokenPipeError):
        pass
    proc.join(timeout=JOIN_TIMEOUT_S)
    if proc.is_alive():
        proc.kill()
        proc.join()
    conn.close()
    return reply
