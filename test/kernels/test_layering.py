"""kernels/ sits at the bottom of the package: it imports only numpy, numba and the leaf
modules (constants, dcm), never the domains that use it (wbc, estimation, mpc…)."""
import ast
from pathlib import Path

import humanoid_control

LEAVES = {"humanoid_control.kernels", "humanoid_control.constants", "humanoid_control.dcm"}


def _imports(path: Path) -> set:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m.startswith("humanoid_control")}


def test_the_kernels_import_nothing_above_them():
    root = Path(humanoid_control.__file__).parent
    for path in sorted((root / "kernels").glob("*.py")) + [root / "dcm.py", root / "constants.py"]:
        above = {m for m in _imports(path) if not any(m == leaf or m.startswith(leaf + ".") for leaf in LEAVES)}
        assert not above, f"{path.name} imports {sorted(above)}"
