"""Run every library and workflow notebook the way `nbdev_test` does, one pytest test per notebook.

Each notebook runs in a fresh Python process, as under `nbdev_test`, so that no global state (torch's grad mode,
random generators, thread counts) leaks from one notebook into the next. Cells tagged `#| slow` are skipped unless
HIPPO_NB_FLAGS contains `slow` (the flag `nbdev_test --flags slow` takes).
"""
import os, subprocess, sys
from pathlib import Path

import pytest

NBS = Path(__file__).resolve().parents[1]/'nbs'
NOTEBOOKS = sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith('_'))
SKIP_FLAGS = [f for f in ['slow'] if f not in os.environ.get('HIPPO_NB_FLAGS', '').split()]
RUN_ONE = 'import sys; from nbdev.test import test_nb; ok, _ = test_nb(__import__("pathlib").Path(sys.argv[1]), skip_flags=sys.argv[2:]); sys.exit(0 if ok else 1)'

@pytest.mark.parametrize('notebook', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(notebook):
    res = subprocess.run([sys.executable, '-c', RUN_ONE, str(notebook), *SKIP_FLAGS], capture_output=True, text=True)
    assert res.returncode == 0, f'{notebook.name} failed:\n{res.stderr[-6000:]}'
