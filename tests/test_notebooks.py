"""Run every library and workflow notebook the way `nbdev_test` does, one pytest test per notebook.

Cells tagged `#| slow` are skipped unless HIPPO_NB_FLAGS contains `slow` (the same flag `nbdev_test --flags slow` takes).
"""
import os
from pathlib import Path

import pytest
from nbdev.test import test_nb

NBS = Path(__file__).resolve().parents[1]/'nbs'
NOTEBOOKS = sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith('_'))
SKIP_FLAGS = [f for f in ['slow'] if f not in os.environ.get('HIPPO_NB_FLAGS', '').split()]

@pytest.mark.parametrize('notebook', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook(notebook):
    ok, seconds = test_nb(notebook, skip_flags=SKIP_FLAGS)
    assert ok, f'{notebook.name} failed (traceback above)'
