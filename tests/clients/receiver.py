"""A firm's webhook receiver for the tests: a real HTTP server on 127.0.0.1, in a thread.

`Receiver.status` is what it answers (200 by default; 500 plays a broken endpoint), after
`delay` seconds; `got`
lists what reached it: (headers as a lower-cased dict, body as text), in arrival order.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook


class Receiver:
    def __init__(self):
        self.status = 200
        self.delay = 0.0  # seconds before answering: a slow endpoint widens a race's window
        self.got: list[tuple[dict[str, str], str]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                with receiver.lock:
                    receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    status = receiver.status
                time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        return [headers["webhook-id"] for headers, _ in self.got]

    def verified(self, secret: str) -> list[dict]:
        """Every body received, each checked with the standardwebhooks package itself."""
        return [Webhook(secret).verify(body, headers) for headers, body in self.got]

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.got]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()
