"""End-to-end: the grid command and the paper notebook, the way a user runs them (tiny runs, a few seconds each)."""
import subprocess, sys
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

ROOT = Path(__file__).resolve().parents[1]
HIPPO_GRID = Path(sys.executable).parent/'hippo_grid'
TINY = ['--methods', 'finetune', '--orders', 'sst woz,woz sst', '--seeds', '0', '--param', 'epochs', '1',
        '--param', 'n_train', '40', '--param', 'n_test', '16', '--param', 'pretrain_texts', '100', '--param', 'pretrain_epochs', '1']

def hippo_grid(*args):
    assert HIPPO_GRID.exists(), 'hippo_grid is not installed: pip install -e ".[dev]" (settings.ini console_scripts)'
    return subprocess.run([str(HIPPO_GRID), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)

def test_dry_run_lists_the_cells():
    res = hippo_grid('--dry_run', '--methods', 'finetune lamol hmi', '--gammas', '0.2', '--gen_tokens', 'gen', '--replays', 'generated', '--seeds', '0')
    assert res.returncode == 0, res.stderr
    assert res.stdout.count('finetune') == 6 and res.stdout.count('lamol') == 6 and res.stdout.count('hmi') == 6

def test_bad_grid_fails_before_any_run(tmp_path):
    res = hippo_grid('--methods', 'ewc', '--param', 'runs_dir', str(tmp_path/'runs'))
    assert res.returncode != 0 and "unknown method(s) ['ewc']" in res.stderr
    assert not (tmp_path/'runs').exists()

@pytest.fixture(scope='module')
def grid_runs(tmp_path_factory):
    "A two-cell grid run by the command: runs dir, out dir, and the command's result"
    tmp = tmp_path_factory.mktemp('grid')
    res = hippo_grid(*TINY, '--param', 'runs_dir', str(tmp/'runs'), '--out_dir', str(tmp/'out'), '--workers', '2')
    return tmp, res

def test_grid_runs_every_cell_and_skips_finished_ones(grid_runs):
    tmp, res = grid_runs
    assert res.returncode == 0, res.stdout + res.stderr
    report = pd.read_csv(tmp/'out'/'grid.csv')
    assert list(report.status) == ['done', 'done']
    assert all((Path(d)/'DONE').exists() for d in report.run_dir)
    again = hippo_grid(*TINY, '--param', 'runs_dir', str(tmp/'runs'), '--out_dir', str(tmp/'out'))
    assert again.returncode == 0 and list(pd.read_csv(tmp/'out'/'grid.csv').status) == ['skipped', 'skipped']

def test_paper_notebook_builds_from_the_grid(grid_runs):
    tmp, _ = grid_runs
    pm.execute_notebook(str(ROOT/'nbs'/'paper.ipynb'), str(tmp/'paper.ipynb'), progress_bar=False, cwd=str(ROOT),
                        parameters=dict(runs_dir=str(tmp/'runs'), out_dir=str(tmp/'paper'), orders='sst woz,woz sst',
                                        methods='finetune lamol', gammas='0.2', gen_tokens='gen', replays='generated', seeds='0'))
    table1 = pd.read_csv(tmp/'paper'/'table1.csv', index_col=0)
    assert list(table1.index) == ['finetune'] and pd.notna(table1.loc['finetune', 'sst woz Avg'])
    missing = pd.read_csv(tmp/'paper'/'missing_runs.csv', index_col=0)
    assert missing.loc['finetune', 'finished'] == 2 and missing.loc['lamol γ=0.2 gen', 'missing'] == 2
    assert (tmp/'paper'/'fig4_forgetting.png').exists()
    assert 'n_train 40' in (tmp/'paper'/'vs_paper.md').read_text()
