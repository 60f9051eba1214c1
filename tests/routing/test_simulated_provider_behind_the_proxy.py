"""The simulated provider posts to a production server over plain HTTP as the TLS proxy in
front of it would (found in the review: `simulate_calls --base-url http://…` against gunicorn
with DJANGO_DEBUG=false had every webhook redirected to https, and no call got through)."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from twilio.request_validator import RequestValidator

from routing.simulation import SignedPoster


def test_a_webhook_posted_over_http_says_it_came_through_https_and_is_signed(settings):
    settings.TWILIO_AUTH_TOKEN = "review-token"
    seen: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            seen["headers"] = dict(self.headers)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<Response/>")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        answer = SignedPoster(base).post("/telephony/x/", {"CallSid": "CA1"})
    finally:
        server.server_close()

    assert answer == "<Response/>"
    assert seen["headers"]["X-Forwarded-Proto"] == "https"
    validator = RequestValidator("review-token")
    signature = seen["headers"]["X-Twilio-Signature"]
    assert validator.validate(base + "/telephony/x/", {"CallSid": "CA1"}, signature)
