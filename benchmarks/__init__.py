"""ccfs-tui benchmarks: ``python -m benchmarks [--rows N]`` (see ``benchmarks/run.py``)."""
