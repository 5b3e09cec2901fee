"""Benchmark suite of geopotential (entry point: ``python -m benchmarks.run``; see README.md)."""
