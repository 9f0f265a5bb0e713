"""One ProxSuite wrapper for every QP of the stack (the WBC's and the MPC's).

``min ½ xᵀHx + gᵀx  s.t.  A x = b,  l <= C x <= u  (,  lb <= x <= ub)``, dense backend,
initialised once and then updated in place each solve, with the start the problem family
measured best (the previous solution, or the equality-constrained minimiser). A solve that
does not converge on a reused solver is retried once on a fresh one — the proximal
parameters and iterate a hard or failed solve leaves behind can mislead the next one — and a
failure leaves nothing behind for the next call.

ProxSuite's answer differs in its last bits from one solver object to the next for the same
problem (its vectorised loops split by where its own buffers lie in memory — measured: six
solver objects, two different answers), so a lockstep run whose heap differs run to run
diverged on chaotic ground (rough terrain: 12 runs of one command, 6 outcomes). The answer is
therefore rounded to :data:`MANTISSA_BITS` significant bits (~1e-9 relative, far below the
solver's tolerance): equal problems give equal answers, bar a rounding boundary falling
between the two (~2e-7 per value) — when each solve starts afresh (``QpSettings.reuse``
False, not warm-started from a previous answer whose discarded bits differ). The boundary
still fell between two runs now and then (a randomized walk in lockstep: 3 runs, 2
outcomes 0.47 m apart), so the WBC polishes a ProxSuite answer with the exact KKT solve on
the rows its multipliers hold (``WholeBodyController.solve``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import proxsuite

from humanoid_control.errors import UnknownNameError

#: how each solve starts: the previous result, or the minimiser under the equalities only
INITIAL_GUESSES = {"previous": proxsuite.proxqp.InitialGuess.WARM_START_WITH_PREVIOUS_RESULT,
                   "equality": proxsuite.proxqp.InitialGuess.EQUALITY_CONSTRAINED_INITIAL_GUESS}
SOLVED = proxsuite.proxqp.QPSolverOutput.PROXQP_SOLVED


MANTISSA_BITS = 30  # significant bits kept of each answer (see the module's docstring)
_DROP_MASK = np.uint64(~((1 << (52 - MANTISSA_BITS)) - 1) & 0xFFFFFFFFFFFFFFFF)
_HALF = np.uint64(1 << (52 - MANTISSA_BITS - 1))


def round_mantissa(x: np.ndarray) -> np.ndarray:
    """``x`` (float64) rounded to MANTISSA_BITS significant bits, in place (finite values:
    round half up on the magnitude; inf and NaN kept). Returns ``x``."""
    bits = x.view(np.uint64)
    finite = np.isfinite(x)
    bits[finite] = (bits[finite] + _HALF) & _DROP_MASK
    return x


@dataclass(frozen=True)
class QpSettings:
    eps_abs: float = 1e-5  # [-] absolute residual tolerance
    max_iter: int = 50  # outer (proximal) iterations
    max_iter_in: int = 100  # inner iterations per outer one
    initial_guess: str = "previous"  # one of INITIAL_GUESSES
    #: False: a new solver object for every solve (the answer then depends on the problem
    #: alone — see the module's docstring; costs the set-up each time)
    reuse: bool = True


@dataclass
class QpResult:
    """``x`` (n,) is a copy (the solver's buffer is reused); ``status`` ProxSuite's name."""

    ok: bool
    status: str
    iterations: int  # all iterations of the call, the cold retry's included
    x: np.ndarray
    z: np.ndarray | None = None  # (n_in,) inequality multipliers (> 0: at the upper bound, < 0: at the lower)


class DenseQp:
    def __init__(self, n: int, n_eq: int, n_in: int, settings: QpSettings | None = None, box: bool = False):
        self.n, self.n_eq, self.n_in, self.box = n, n_eq, n_in, box
        self.settings = settings or QpSettings()
        if self.settings.initial_guess not in INITIAL_GUESSES:
            raise UnknownNameError("initial guess", self.settings.initial_guess, tuple(INITIAL_GUESSES))
        self._solver = None
        self.cold_retries = 0

    def _new(self, H, g, A, b, C, lo, up, lb, ub):
        s = self.settings
        solver = proxsuite.proxqp.dense.QP(self.n, self.n_eq, self.n_in, self.box)
        solver.settings.eps_abs = s.eps_abs
        solver.settings.max_iter = s.max_iter
        solver.settings.max_iter_in = s.max_iter_in
        solver.settings.initial_guess = INITIAL_GUESSES[s.initial_guess]
        if self.box:
            solver.init(H, g, A, b, C, lo, up, lb, ub)
        else:
            solver.init(H, g, A, b, C, lo, up)
        return solver

    def solve(self, H, g, A=None, b=None, C=None, lo=None, up=None, lb=None, ub=None) -> QpResult:
        """Solve for the given matrices (None where the problem has no such block)."""
        if not self.settings.reuse:
            self._solver = None
        reused = self._solver is not None
        if reused:
            if self.box:
                self._solver.update(H, g, A, b, C, lo, up, lb, ub)
            else:
                self._solver.update(H, g, A, b, C, lo, up)
        else:
            self._solver = self._new(H, g, A, b, C, lo, up, lb, ub)
        self._solver.solve()
        iterations = int(self._solver.results.info.iter)
        if reused and self._solver.results.info.status != SOLVED:
            self.cold_retries += 1
            self._solver = self._new(H, g, A, b, C, lo, up, lb, ub)
            self._solver.solve()
            iterations += int(self._solver.results.info.iter)
        res = self._solver.results
        ok = res.info.status == SOLVED
        out = QpResult(ok, str(res.info.status).split(".")[-1], iterations, round_mantissa(res.x.copy()),
                       round_mantissa(res.z.copy()) if self.n_in else None)
        if not ok:
            self._solver = None
        return out
