"""A real HTTP server on 127.0.0.1 (a thread), standing in for a firm's context lookup.

`LookupServer.reply(...)` says how it answers the next requests (status, body, a delay, a
redirect); `requests` holds what it received (headers and body) for the test to verify
with the standardwebhooks package, as a firm's developer would. A test module's fixture:
`with LookupServer() as server: yield server`.
"""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LookupServer:
    def __init__(self):
        self.requests: list[dict] = []
        self.reply()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                server.requests.append({"headers": dict(self.headers), "body": body})
                if server.delay:
                    time.sleep(server.delay)
                self.send_response(server.status)
                if server.location:
                    self.send_header("Location", server.location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                # The client may give up (a timeout, a body too big), as with a real server.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/context"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def reply(self, body=None, *, status: int = 200, delay: float = 0, location: str = ""):
        if body is None:
            body = {"fields": {}}
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.status, self.delay, self.location = status, delay, location

    def __enter__(self) -> "LookupServer":
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
