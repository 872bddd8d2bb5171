"""The benchmark scripts still run (tiny arguments, seconds each); their figures come from full runs, quoted in the notes."""
import os, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SLOW = 'slow' in os.environ.get('HIPPO_NB_FLAGS', '')

def bench(script:str, *args:str) -> str:
    res = subprocess.run([sys.executable, str(ROOT/'bench'/script), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    return res.stdout

def test_training_throughput():
    out = bench('training_throughput.py', '--rows', '48', '--repeats', '1', '--learn-epochs', '1')
    assert 'trainer/bare' in out and 'split (default)' in out and 'held-out QA loss' in out

def test_generation_throughput():
    out = bench('generation_throughput.py', '--batch', '4', '--new-tokens', '3', '--repeats', '1')
    assert 'batched/one' in out and 'replay generation' in out

def test_hippocampus_memory():
    out = bench('hippocampus_memory.py', '--n-task', '300', '--n-time', '300', '--runs_dir', 'runs/no-such-study')
    assert 'PQ 16x8bit' in out and 'no finished hmi' in out

@pytest.mark.skipif(not SLOW, reason='full-size models (about 40 s, 5 GB): HIPPO_NB_FLAGS=slow')
def test_full_scale_step():
    out = bench('full_scale_step.py')
    assert 'skipped' in out or ('training step' in out and 'via learn_task' in out)

def test_gpu_script_dry_run():
    res = subprocess.run(['bash', str(ROOT/'bench'/'paper_gpu.sh')], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, 'DRY_RUN': '1', 'PATH': f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert '134 cells' in res.stdout and 'papermill nbs/paper.ipynb' in res.stdout
