import os
# Notebooks run in this process one after another; keep BLAS/torch from oversubscribing the 2 CI cores.
os.environ.setdefault('OMP_NUM_THREADS', '2')
