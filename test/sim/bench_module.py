"""Loading a ``bench/`` script as a module for its tests, as when it runs as a script:
``bench/`` first on the path (its ``sweep_common``)."""
import importlib.util
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def load_bench(name: str):
    """The module ``bench/<name>.py``."""
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # as imported: its functions pickle to a worker pool by name
    spec.loader.exec_module(module)
    return module
