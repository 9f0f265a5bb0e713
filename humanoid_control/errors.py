"""The package's exception family: every error a user can cause derives from
:class:`HumanoidControlError`, carries the offending data and, where there is a finite set
of valid choices, lists them."""
from __future__ import annotations


def _rebuild(cls, args: tuple, state: dict) -> "HumanoidControlError":
    """An error of ``cls`` with its message ``args`` and attributes ``state``, made without
    calling its ``__init__`` (whose arguments differ from class to class)."""
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class HumanoidControlError(Exception):
    """Base of every error raised on purpose by humanoid_control. Errors pickle with their
    message and data, so one raised in a worker process (the campaigns' and sweeps' pools)
    reaches the parent as itself, not as a broken pool."""

    def __reduce__(self):
        return _rebuild, (type(self), self.args, dict(self.__dict__))


class ConfigError(HumanoidControlError):
    """A configuration file or parameter is missing, malformed or out of range.

    ``source`` names the file (and line when known) or the parameter."""

    def __init__(self, message: str, source: str | None = None):
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class ParameterRangeError(ConfigError):
    """A numeric parameter lies outside its documented bounds."""

    def __init__(self, name: str, value, lower, upper, unit: str = "", source: str | None = None):
        self.name, self.value, self.lower, self.upper, self.unit = name, value, lower, upper, unit
        u = f" [{unit}]" if unit else ""
        super().__init__(f"parameter '{name}' = {value!r}{u} is outside [{lower}, {upper}]", source)


def check_ranges(obj, ranges, source: str) -> None:
    """Raise :class:`ParameterRangeError` for the first ``(field, lower, upper)`` of
    ``ranges`` whose value on ``obj`` lies outside its bounds."""
    for name, lower, upper in ranges:
        value = getattr(obj, name)
        if not lower <= value <= upper:
            raise ParameterRangeError(name, value, lower, upper, source=source)


class UnknownNameError(ConfigError):
    """A joint, frame, robot or interface name does not exist; ``valid`` lists the names that do."""

    def __init__(self, kind: str, name: str, valid, source: str | None = None, plural: str | None = None):
        """``plural``: how the valid ones are named (default: ``kind`` + "s")."""
        self.kind, self.name, self.valid = kind, name, list(valid)
        shown = ", ".join(self.valid[:60]) + (" …" if len(self.valid) > 60 else "")
        super().__init__(f"unknown {kind} '{name}'; valid {plural or kind + 's'}: {shown}", source)


class UrdfError(HumanoidControlError):
    """A URDF file cannot be read or does not describe a usable robot."""

    def __init__(self, path: str, problem: str, line: int | None = None):
        self.path, self.problem, self.line = path, problem, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"URDF {where}: {problem}")


class LifecycleError(HumanoidControlError):
    """A hardware interface was used in a lifecycle state that does not allow it."""


class SolverError(HumanoidControlError):
    """A QP could not be solved; ``status`` is the solver's own status text."""

    def __init__(self, message: str, status: str = ""):
        self.status = status
        super().__init__(f"{message} (status: {status})" if status else message)


class VideoError(HumanoidControlError):
    """A video of a run could not be rendered or encoded (offscreen GL, ffmpeg)."""
