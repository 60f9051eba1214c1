"""Benchmarks: standalone scripts, not tests (see bench/README.md)."""
