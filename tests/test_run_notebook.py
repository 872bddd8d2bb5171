"""End-to-end: run `nbs/run.ipynb` with papermill the way a user does — a small run, bad parameters, a kill and a resume."""
import json, subprocess, sys, time
from pathlib import Path

import papermill as pm
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN_NB = ROOT/'nbs'/'run.ipynb'
SMALL = dict(order='sst woz', method='hmi', n_train=80, n_test=16, epochs=2, pretrain_texts=100, pretrain_epochs=1)

def run_dir(runs: Path) -> Path:
    (folder,) = [p for p in runs.iterdir() if p.is_dir() and p.name != 'pretrain']  # pretrain/: the cached checkpoint
    return folder

def metric_values(folder: Path):
    rows = [json.loads(l) for l in (folder/'metrics.jsonl').read_text().splitlines()]
    return [(r['stage'], r['eval_task'], r['epoch'], r['metric'], r['value']) for r in rows]

@pytest.fixture(scope='module')
def finished(tmp_path_factory):
    "One uninterrupted small run, as `papermill nbs/run.ipynb out.ipynb -p ...` makes it"
    runs = tmp_path_factory.mktemp('runs')
    pm.execute_notebook(str(RUN_NB), str(runs/'out.ipynb'), parameters=dict(SMALL, runs_dir=str(runs)), progress_bar=False)
    return runs

def test_small_run_writes_the_run_folder(finished):
    folder = run_dir(finished)
    assert (folder/'DONE').exists()
    for name in ('config.json', 'env.json', 'metrics.jsonl', 'acc_matrix.csv', 'summary.json', 'replay/stage1.jsonl'):
        assert (folder/name).exists(), name
    summary = json.loads((folder/'summary.json').read_text())
    assert set(summary['scores']) == {'sst', 'woz'} and 'average' in summary and 'forgetting' in summary
    out = (finished/'out.ipynb').read_text()
    assert 'average score' in out and 'after woz' in out

def test_bad_parameters_fail_before_any_work(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as err:
        pm.execute_notebook(str(RUN_NB), str(tmp_path/'out.ipynb'), progress_bar=False,
                            parameters=dict(order='sst sst', method='hmm', gamma=1.5, runs_dir=str(tmp_path/'runs')))
    message = str(err.value)
    for problem in ('order repeats a task', "method must be one of", 'gamma must be in (0, 1]'):
        assert problem in message, problem
    assert not (tmp_path/'runs').exists()

def test_killed_run_resumes_to_the_same_numbers(finished, tmp_path):
    runs = tmp_path/'runs'
    args = [sys.executable, '-m', 'papermill', str(RUN_NB), str(tmp_path/'out.ipynb'), '-p', 'runs_dir', str(runs)]
    for k, v in SMALL.items(): args += ['-p', k, str(v)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while not list(runs.glob('*/checkpoints/stage0/stage.json')):  # the first task is finished: kill it now
        assert proc.poll() is None and time.time() < deadline, 'the run ended before it could be killed'
        time.sleep(0.2)
    # kill papermill and its kernel (which runs in a session of its own) at once, as a crash or `kill -9` would
    for p in [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]: p.kill()
    proc.wait()
    folder = run_dir(runs)
    assert not (folder/'DONE').exists()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert (folder/'DONE').exists()
    assert metric_values(folder) == metric_values(run_dir(finished))
