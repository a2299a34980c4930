"""The benchmarks (bench_*.py, run by bench/run.py) and what they share (bench/support/)."""
