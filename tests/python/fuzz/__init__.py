"""Differential fuzzing of cotan against NumPy: random programs
(programs.py), run in a worker process that a crash cannot take the test
run down with (worker.py, runner.py)."""
