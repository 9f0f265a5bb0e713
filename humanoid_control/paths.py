"""Where the package's data (config/, urdf/, launch/) lives, in a source checkout, an
editable install, a colcon install or a plain ``pip install .``."""
from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import yaml

from humanoid_control.errors import ConfigError

PACKAGE_NAME = "humanoid_control"


def share_dir() -> Path:
    """Root holding ``config/``, ``urdf/`` and ``launch/``.

    The source tree next to the Python package wins (editable installs, tests); otherwise
    the ament index (colcon builds, ``pip install .`` with data_files)."""
    here = Path(__file__).resolve().parent.parent
    if (here / "config" / "robots").is_dir() and (here / "urdf").is_dir():
        return here
    candidates = [Path(p) / "share" / PACKAGE_NAME for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    candidates.append(Path(sysconfig.get_paths()["data"]) / "share" / PACKAGE_NAME)
    for c in candidates:
        if (c / "config").is_dir():
            return c
    raise ConfigError("cannot find the humanoid_control share directory (config/, urdf/); "
                      f"looked next to the package ({here}) and in {[str(c) for c in candidates]}")


def resolve_resource(path: str, relative_to: Path | None = None) -> Path:
    """Resolve a resource string from a config file.

    ``package://NAME/rest`` looks in ``<prefix>/share/NAME`` of the ament prefixes, the
    virtual environment and cmeel's prefix (where example-robot-data installs); a relative
    path is taken relative to ``relative_to`` (the config file's folder) or the share dir."""
    if path.startswith("package://"):
        name, _, rest = path[len("package://"):].partition("/")
        if name == PACKAGE_NAME:
            return share_dir() / rest
        purelib = Path(sysconfig.get_paths()["purelib"])
        prefixes = [Path(p) for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
        prefixes += [purelib / "cmeel.prefix", Path(sysconfig.get_paths()["data"])]
        tried = []
        for prefix in prefixes:
            cand = prefix / "share" / name / rest
            tried.append(str(cand))
            if cand.exists():
                return cand
        raise ConfigError(f"cannot resolve '{path}': package '{name}' not found; tried {tried}")
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    if relative_to is not None and (relative_to / p).exists():
        return relative_to / p
    return share_dir() / p


def read_yaml_mapping(path, missing: str = "file does not exist") -> dict:
    """The top-level mapping of a YAML file; a ConfigError naming the file (and the line of a
    syntax error) when it is missing, malformed or not a mapping. An empty file is ``{}``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(missing, str(path))
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}",
                          f"{path}:{mark.line + 1}" if mark else str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level", str(path))
    return data
