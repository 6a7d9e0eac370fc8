"""Accord's benchmarks: ``python -m bench [names...] [--size N]`` (``make bench``).

Each ``bench/bench_<name>.py`` module has ``run(args)``; it prints figures and never asserts
on time. Helpers shared by the benchmarks live in ``bench/common.py``.
"""
