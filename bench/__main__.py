"""Discover ``bench/bench_*.py`` and run each module's ``run(args)`` (or only those named)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from bench.common import header, peak_memory_mb, say


def discover() -> list[str]:
    folder = Path(__file__).resolve().parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(folder)])
        if m.name.startswith("bench_")
    )


class BenchArgs(list[str]):
    """What each ``run(args)`` gets: the command line's options as a list of strings (for
    benches that parse their own), with the shared options as attributes: ``size`` (accounts
    or None), ``databases`` (list), ``runs`` (int or None), ``names`` (the benches chosen)."""

    size: int | None
    databases: list[str]
    runs: int | None
    names: list[str]


def parse(argv: list[str], known: list[str]) -> BenchArgs:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        usage="python -m bench [NAME ...] [--size N] [--databases sqlite,postgres] [--runs N]",
        description=f"Run Accord's benchmarks. Available: {', '.join(known) or 'none'}. "
        "Other options are passed on to the benchmarks.",
    )
    parser.add_argument("--size", type=int, default=None,
                        help="accounts in the demo portfolio (default: each bench's own, "
                             "usually 100,000)")
    parser.add_argument("--databases", default="sqlite,postgres",
                        help="comma-separated: sqlite, postgres (default: both)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs (bench's default)")
    names: list[str] = []
    rest: list[str] = []
    for i, arg in enumerate(argv):
        follows_option = i > 0 and argv[i - 1].startswith("-") and "=" not in argv[i - 1]
        if arg.startswith("-") or follows_option:
            rest.append(arg)
        elif arg.removeprefix("bench_") in known:
            names.append(arg)
        else:
            parser.error(f"unknown benchmark {arg!r}; available: {', '.join(known)}")
    options, _unknown = parser.parse_known_args(rest)
    args = BenchArgs(rest)
    args.size = options.size
    args.databases = [d.strip() for d in options.databases.split(",") if d.strip()]
    args.runs = options.runs
    args.names = [n.removeprefix("bench_") for n in names]
    return args


def main(argv: list[str] | None = None) -> int:
    known = discover()
    args = parse(sys.argv[1:] if argv is None else argv, known)
    selected = args.names or known
    failed: list[str] = []
    for name in selected:
        header(name)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            module.run(args)
        except KeyboardInterrupt:
            raise
        except Exception:  # noqa: BLE001 - report and go on with the other benchmarks
            traceback.print_exc()
            failed.append(name)
        say(f"  ({name}: {time.perf_counter() - started:,.1f} s, "
            f"peak memory so far {peak_memory_mb():,.0f} MiB)")
    if failed:
        say(f"\nfailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
