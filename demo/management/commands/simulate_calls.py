"""Simulated calls through the real Twilio webhooks, signed, end to end.

Inbound (`--calls`, `--days`, `--back-on-duty`): callers ring the demo lines
(`routing.simulation`). Outbound (`--outbound N`): N attempts across the running campaigns,
placed by the dialer, rung through a local stand-in for Twilio's REST API and played back
through the outbound webhooks, the agents' dispositions through the wrap-up service
(`campaigns.simulator`). `--serve-twilio PORT` keeps a stand-in running for a server whose
TWILIO_API_BASE_URL points at it (`make run`): an agent's Call rings through it.
Forecast (`--forecast REQUEST_ID`): the request's demand replayed on a simulated clock against
its booked agents (or `--agents N`), the service level reached next to Erlang C's
(`routing.forecast`).

It lives in the demo app, above routing and campaigns (routing's simulator cannot import
campaigns), and is the only `simulate_calls`.
"""

import contextlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from campaigns.simulator import SIMULATED_ACCOUNT_SID, serve_twilio, simulate_outbound
from routing.forecast import forecast_simulate
from routing.simulation import SimulationError, base_url_check, simulate_inbound


def in_transaction() -> bool:
    return connection.in_atomic_block


class Command(BaseCommand):
    help = "Simulate calls through the Twilio webhooks (signed): inbound, outbound, or both."

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=None, help="inbound calls (20)")
        parser.add_argument("--days", type=int, default=0, help="spread calls over past days")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--base-url", default="", help="e.g. http://127.0.0.1:8000")
        parser.add_argument(
            "--back-on-duty",
            action="store_true",
            help="put agents taken offline by missed offers back on duty after each call",
        )
        parser.add_argument(
            "--outbound", type=int, default=0, help="attempts across the running campaigns"
        )
        parser.add_argument(
            "--serve-twilio",
            type=int,
            default=0,
            metavar="PORT",
            help="run a Twilio stand-in on 127.0.0.1:PORT for the server at --base-url",
        )
        forecast = parser.add_argument_group("forecast (--forecast REQUEST_ID)")
        forecast.add_argument(
            "--forecast",
            type=int,
            default=None,
            metavar="REQUEST_ID",
            help="replay a staffing request's demand; report the service level next to Erlang C",
        )
        forecast.add_argument(
            "--agents",
            type=int,
            default=None,
            help="agents taking the calls (default: those booked now, else the request's need)",
        )
        forecast.add_argument("--minutes", type=float, default=60, help="simulated minutes (60)")
        forecast.add_argument(
            "--patience",
            type=float,
            default=None,
            metavar="SECONDS",
            help="callers on hold hang up after this long on average (exponential)",
        )
        forecast.add_argument(
            "--handle-spread",
            type=float,
            default=1.0,
            help="talk times' coefficient of variation: 1 exponential (Erlang C), 0 fixed",
        )
        forecast.add_argument(
            "--wrap-up",
            type=int,
            default=0,
            metavar="SECONDS",
            help="the agent submits the disposition this long after each call (0)",
        )
        forecast.add_argument(
            "--answer-after",
            type=int,
            default=0,
            metavar="SECONDS",
            help="the agent's phone rings this long before they answer (0)",
        )
        forecast.add_argument(
            "--hold-pause",
            type=int,
            default=None,
            metavar="SECONDS",
            help="the hold's pause between routing's checks (ROUTING_HOLD_PAUSE_SECONDS)",
        )
        forecast.add_argument(
            "--warm-up",
            type=float,
            default=0,
            metavar="MINUTES",
            help="calls in these first minutes are played but not counted",
        )

    def handle(self, *args, calls, days, seed, base_url, back_on_duty=False, **options):
        outbound, serve = options.get("outbound") or 0, options.get("serve_twilio") or 0
        try:
            if options.get("forecast") is not None:
                self._forecast(options, seed=seed, base_url=base_url)
                return
            if serve:
                self._serve(serve, base_url or "http://127.0.0.1:8000", seed)
                return
            if calls is None:
                calls = 0 if outbound else 20
            if calls:
                tally = simulate_inbound(
                    calls=calls, days=days, seed=seed, base_url=base_url, back_on_duty=back_on_duty
                )
                summary = ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))
                self.stdout.write(self.style.SUCCESS(f"Simulated {calls} calls — {summary}"))
            if outbound and not settings.CELERY_TASK_ALWAYS_EAGER and not in_transaction():
                # Each placement's dial task would go, on commit, to a worker, which cannot
                # reach this process's stand-in. (Inside a transaction — seed_demo's — the
                # simulator dials what the transaction has not sent yet itself.)
                raise CommandError(
                    "With a broker, outbound calls are dialled by the worker: run the stand-in "
                    "with --serve-twilio PORT and start the web server and the worker with the "
                    "TWILIO_* settings it prints."
                )
            if outbound:
                tally = simulate_outbound(attempts=outbound, seed=seed, base_url=base_url)
                summary = ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))
                made = sum(tally.values())
                self.stdout.write(self.style.SUCCESS(f"Simulated {made} attempts — {summary}"))
        except SimulationError as error:
            raise CommandError(str(error)) from error

    def _forecast(self, options: dict, *, seed: int | None, base_url: str) -> None:
        if base_url:
            raise CommandError(
                "--forecast drives a simulated clock inside this process: a server's clock "
                "cannot be driven, so it runs without --base-url."
            )
        report = forecast_simulate(
            request_id=options["forecast"],
            agents=options["agents"],
            minutes=options["minutes"],
            seed=seed,
            patience=options["patience"],
            handle_spread=options["handle_spread"],
            wrap_up=options["wrap_up"],
            answer_after=options["answer_after"],
            hold_pause=options["hold_pause"],
            warm_up=options["warm_up"],
        )
        for line in report.lines():
            self.stdout.write(line)

    def _serve(self, port: int, base_url: str, seed: int | None) -> None:
        base_url_check(base_url)
        self.stdout.write(
            f"Twilio stand-in on http://127.0.0.1:{port}, calling back {base_url}. Serve with\n"
            f"  TWILIO_ACCOUNT_SID={SIMULATED_ACCOUNT_SID} "
            f"TWILIO_API_BASE_URL=http://127.0.0.1:{port} TWILIO_PUBLIC_BASE_URL={base_url}"
        )
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C, or `make run` ending
            serve_twilio(port=port, base_url=base_url, seed=seed)
