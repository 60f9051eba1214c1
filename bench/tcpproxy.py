"""A TCP proxy that can be cut, for fault drills (bench/fault_drill.py) and the worker tests
(tests/billing/faults.py): the database going away, as its clients see it. Loopback only."""

import contextlib
import selectors
import socket
import threading

HOST = "127.0.0.1"


class TcpProxy:
    """A TCP proxy (to PostgreSQL) that can be cut: open connections are reset, new ones
    refused, until `restore()` — a database restart or a network cut, as its clients see it.
    Listens on `port` (0: a free one, read back from `.port`)."""

    def __init__(self, target: tuple[str, int], port: int = 0):
        self.target, self.up, self.pairs = target, True, []
        self.server = socket.create_server((HOST, port))
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        sel.register(a, selectors.EVENT_READ, b)
        sel.register(b, selectors.EVENT_READ, a)
        try:
            while True:
                for key, _ in sel.select():
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for a, b in self.pairs:
                for s in (a, b):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
            self.pairs.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.server.close()
