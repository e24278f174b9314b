"""`newsdigest eval`: score the text core on `../shared/eval` beside the baselines it ships.

Each task module exposes `run(data_dir: Path) -> list[Table]`; the CLI prints the tables. Baselines
and metric definitions come from each eval folder's own `baseline.py`, loaded by path.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

CACHE_DIR = Path(os.environ.get("NEWSDIGEST_CACHE", "data/cache"))  # eval vectors and ONNX exports


def load_baseline(folder: Path) -> ModuleType:
    """The eval folder's `baseline.py` as a module (the folder is data, not a package)."""
    spec = importlib.util.spec_from_file_location(f"{folder.name}_baseline", folder / "baseline.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(folder / "baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
