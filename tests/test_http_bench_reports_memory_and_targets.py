"""bench/http_bench.py reads each worker's memory and CPU from /proc and checks the issue's
targets: decisions/s and p99 at 8 callers, the largest worker's RSS."""

import os
import subprocess
import sys

import pytest

from bench.http_bench import Run, Sample, cpu_seconds, memory_of, targets, workers_of

SQL = {"held_free": 0, "two_live": 0}


def webhook_run(rate: float, seconds: float) -> Run:
    samples = [Sample(i, seconds, "dial") for i in range(100)]
    return Run("webhook", 8, samples=samples, wall=100 / rate, sql=SQL)


def test_it_reads_rss_and_pss_of_a_process():
    mine = memory_of(os.getpid())
    assert 0 < mine["pss"] <= mine["rss"]


def test_it_finds_the_workers_of_a_master_and_their_cpu_time():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in workers_of(os.getpid())
    finally:
        child.kill()
        child.wait()
    assert cpu_seconds([os.getpid()]) > 0
    assert cpu_seconds([child.pid]) == 0  # gone: counts nothing


@pytest.mark.parametrize(
    ("rate", "seconds", "rss", "met"),
    [
        (450, 0.020, 140, {True}),
        (111, 0.020, 140, {False, True}),
        (450, 0.080, 140, {False, True}),
        (450, 0.020, 360, {False, True}),
    ],
)
def test_it_checks_the_issues_targets(rate, seconds, rss, met):
    memory = {"master": {"rss": 300, "pss": 100}, "workers": {1: {"rss": rss, "pss": 90}}}
    checks = {name: ok for name, _got, ok in targets([webhook_run(rate, seconds)], memory)}
    assert set(checks.values()) == met
    assert checks["decisions/s at 8 concurrent callers: >= 400"] == (rate >= 400)
    assert checks["webhook p99 at 8 concurrent callers: <= 50 ms"] == (seconds <= 0.05)
    assert checks["worker RSS after the load: <= 150 MiB (the largest worker)"] == (rss <= 150)
