"""Benchmarks of qbo-wizard against same-run baselines (see run.py)."""
