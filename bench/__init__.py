"""Benchmarks: `make bench` runs `python -m bench`, which prints every figure the issues name."""
