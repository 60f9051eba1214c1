"""Faults for the worker tests: a database connection that can be cut, a broker that can be
stopped and started again, and the test process publishing to that broker.

Only loopback; everything is stopped when its block ends.
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import kombu.pools

from bench.tcpproxy import TcpProxy
from config.celery import app

HOST = "127.0.0.1"
__all__ = ["PrivateRedis", "TcpProxy", "free_port", "publishing_to"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own (nothing on disk) as a Celery broker: `stop()` kills
    it, `start()` brings it back on the same port, empty."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.dir = tempfile.mkdtemp(prefix="settle-redis-")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
        command += ["--bind", HOST, "--save", "", "--appendonly", "no", "--dir", self.dir]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 0.2):
                return
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> "PrivateRedis":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """The test process's Celery app sends its tasks to `url` for the block (its connection
    and producer pools are rebuilt for it, and again for the old broker afterwards)."""
    # broker_write_url, not broker_url: the CELERY_BROKER_URL environment variable (the
    # suite's broker) wins over a configured broker_url, not over a write URL.
    # The raw value, not the attribute: `conf.broker_write_url` falls back to broker_url, and
    # putting that back explicitly would pin later tests' publishing to this broker.
    saved = app.conf.get("broker_write_url"), app.conf.broker_transport_options

    def reset() -> None:  # kombu keeps its pools per connection, module-wide: all anew
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    reset()
    app.conf.broker_write_url = url
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 2}
    try:
        yield
    finally:
        reset()
        app.conf.broker_write_url, app.conf.broker_transport_options = saved
