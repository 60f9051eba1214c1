"""Inbound email benchmark (issue 18): messages/s of parse + ingest + route for 10,000
generated messages, against the floor of `mailroom.parsing.parse` alone over the same bytes,
and the process's memory as it goes (flat: no growth from 1k to 10k messages).

Not a test. The messages: a firm's customers (2,000 senders) writing to one queue's address
in English, Hindi, Tamil and Kannada, a fifth of them replies naming an earlier message
(In-Reply-To), one in ten with attachments (a PNG stored, a ZIP refused), one in fifty an
auto-reply. Each is fed to `mailroom.ingest.message_ingest` as the webhook would (parsed
once, stored, threaded, its language detected, attachments checked, loops counted, a new
conversation routed by `mailroom.assignment.conversation_route`).

Memory is the resident set (/proc/self/statm; its high-water mark from getrusage), read
after 1k, 5k and 10k messages: tracemalloc would slow the run several times over and miss
C allocations (lingua's models, nh3).

    .venv/bin/python bench/mail_bench.py --messages 10000 --write-docs

The database is DATABASE_URL's when its name contains "bench", else a SQLite file
var/mail_bench.sqlite3 (migrated on first use: that first run takes longer). The bench
firm's mail is deleted first.
"""

import argparse
import os
import random
import resource
import sys
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
DOCS = ROOT / "docs" / "performance.md"
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def docs_markers(vendor: str) -> tuple[str, str]:
    """The docs section of one database's run (each run rewrites its own)."""
    return f"<!-- mail:{vendor}:start -->", f"<!-- mail:{vendor}:end -->"


TO = "claims@mail-bench.example"
TEXTS = {
    "en": "Hello, I sent my claim papers last week and have heard nothing. When will it be paid?",
    "hi": "नमस्ते, मैंने पिछले हफ्ते अपने दावे के कागज़ भेजे थे। भुगतान कब होगा, कृपया बताइए।",
    "ta": "வணக்கம், கடந்த வாரம் என் கோரிக்கை ஆவணங்களை அனுப்பினேன். பணம் எப்போது கிடைக்கும்?",
    "kn": "ನಮಸ್ಕಾರ, ಕಳೆದ ವಾರ ನನ್ನ ಕ್ಲೈಮ್ ಕಾಗದಗಳನ್ನು ಕಳುಹಿಸಿದ್ದೇನೆ. ಹಣ ಯಾವಾಗ ಸಿಗುತ್ತದೆ?",
}
QUOTE = "\n\nOn Mon, 1 Dec 2026 at 10:00, Acme claims <claims@mail-bench.example> wrote:\n> {}\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
    + bytes(2000)
)
CHECKPOINTS = (1_000, 5_000, 10_000)


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def messages_generate(count: int, *, to: str = TO, seed: int = 18) -> list[bytes]:
    """`count` raw messages, the same for the same seed."""
    rng = random.Random(seed)
    out: list[bytes] = []
    ids: list[str] = []
    for n in range(count):
        language = rng.choice(list(TEXTS))
        message = EmailMessage()
        sender = rng.randrange(2000)
        message["From"] = f"Customer {sender} <customer{sender}@bench.example>"
        message["To"] = to
        message["Date"] = format_datetime(dt_now())
        message_id = f"bench-{seed}-{n}@bench.example"
        message["Message-ID"] = f"<{message_id}>"
        text = TEXTS[language]
        if ids and rng.random() < 0.2:
            parent = rng.choice(ids)
            message["In-Reply-To"] = f"<{parent}>"
            message["References"] = f"<{parent}>"
            message["Subject"] = f"Re: Claim {n}"
            text = "Thank you, one more question about it. " + text + QUOTE.format(text)
        else:
            message["Subject"] = f"Claim {n}"
        if rng.random() < 0.02:
            message["Auto-Submitted"] = "auto-replied"
        message.set_content(text)
        if rng.random() < 0.1:
            message.add_attachment(PNG, maintype="image", subtype="png", filename="scan.png")
            message.add_attachment(b"PK\x03\x04zip", maintype="application", subtype="zip")
        ids.append(message_id)
        out.append(message.as_bytes())
    return out


def dt_now():
    from django.utils import timezone

    return timezone.now()


def floor_run(raws: list[bytes]) -> float:
    """Seconds to parse every message, nothing else."""
    from mailroom.parsing import parse

    started = time.perf_counter()
    for raw in raws:
        parse(raw)
    return time.perf_counter() - started


def ingest_run(raws: list[bytes], checkpoints=CHECKPOINTS) -> dict:
    """Seconds to ingest every message (parse, store, thread, route), and the memory read
    at each checkpoint, and the part of the time spent routing (`conversation_route`, timed
    around the call ingest makes): {"seconds", "memory": [(messages, rss, peak MiB)],
    "routing_seconds", "routes"}."""
    from mailroom import assignment
    from mailroom.ingest import message_ingest

    routing = {"seconds": 0.0, "calls": 0}
    route = assignment.conversation_route

    def route_timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return route(*args, **kwargs)
        finally:
            routing["seconds"] += time.perf_counter() - began
            routing["calls"] += 1

    memory = []
    assignment.conversation_route = route_timed
    try:
        started = time.perf_counter()
        for n, raw in enumerate(raws, start=1):
            message_ingest(raw=raw, source="webhook", recipient=TO)
            if n in checkpoints or n == len(raws):
                memory.append((n, rss_mib(), peak_mib()))
        seconds = time.perf_counter() - started
    finally:
        assignment.conversation_route = route
    return {
        "seconds": seconds,
        "memory": memory,
        "routing_seconds": routing["seconds"],
        "routes": routing["calls"],
    }


AGENTS = 800  # x an email capacity of 10: room for every conversation 10k messages open


def world(agents: int = AGENTS):
    """The bench firm, its line (English, Hindi, Tamil, Kannada) and queue, and `agents`
    verified agents engaged on it, available, each speaking all four, capacity 10; its mail
    gone. Routing then really assigns every new conversation (a real candidate search and
    its row locks), not only finds nobody."""
    from clients.models import ClientFirm
    from mailroom.models import Address, Conversation, Queue
    from tests.factories import PhoneLineFactory

    firm, _ = ClientFirm.objects.get_or_create(
        name="Mail Bench Firm",
        defaults={
            "engagement_type": "partial",
            "contact_name": "Bench",
            "contact_email": "firm@mail-bench.example",
        },
    )
    Conversation.objects.filter(firm=firm).delete()
    queue = Queue.objects.filter(firm=firm).first()
    if queue is None:
        line = firm.lines.first() or PhoneLineFactory(
            firm=firm, name="Mail bench", languages=["en", "hi", "ta", "kn"]
        )
        queue = Queue.objects.create(firm=firm, line=line, name="Bench email")
    Address.objects.get_or_create(queue=queue, email=TO)
    agents_engage(firm, queue.line, agents)
    from django.db import connection

    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum keeps them on a live database: a freshly
        # filled bench database still has an empty table's, and PostgreSQL then ranks 800
        # agents as if there were one.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return queue


def agents_engage(firm, line, count: int) -> None:
    from django.utils import timezone

    from agents.models import AgentProfile
    from clients.models import Engagement
    from tests.billing.factories import engaged
    from tests.factories import verified_agent

    have = Engagement.objects.filter(firm=firm, lines=line).count()
    languages = (("en", 4), ("hi", 4), ("ta", 4), ("kn", 4))
    for n in range(have, count):
        agent = verified_agent(f"bench-agent-{n}@mail-bench.example", languages=languages)
        engaged(agent, firm, lines=[line])
    AgentProfile.objects.filter(engagements__firm=firm).update(
        duty_status=AgentProfile.Duty.AVAILABLE, duty_changed_at=timezone.now(), email_capacity=10
    )


def database_prepare() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if "bench" not in url:
        (ROOT / "var").mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'mail_bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def results_of(count: int, seed: int = 18, agents: int = AGENTS) -> dict:
    """The whole measurement at `count` messages (in the current database)."""
    from mailroom.models import Conversation, Message

    world(agents)
    raws = messages_generate(count, seed=seed)
    floor_run(raws[:50])  # warm-up: lingua's models, nh3, the parser's regexes
    floor = floor_run(raws)
    ingest = ingest_run(raws)
    return {
        "messages": count,
        "bytes": sum(len(raw) for raw in raws),
        "floor_seconds": floor,
        "ingest_seconds": ingest["seconds"],
        "memory": ingest["memory"],
        "routing_seconds": ingest["routing_seconds"],
        "routes": ingest["routes"],
        "stored": Message.objects.filter(to_email=TO).count(),
        "conversations": Conversation.objects.filter(address__email=TO).count(),
        "stopped": Conversation.objects.filter(address__email=TO, status="stopped").count(),
        "closed": Conversation.objects.filter(address__email=TO, status="closed").count(),
        "assigned": Conversation.objects.filter(address__email=TO, agent__isnull=False).count(),
        "agents": agents,
    }


def report(results: dict, vendor: str) -> str:
    n = results["messages"]
    floor_rate = n / results["floor_seconds"]
    ingest_rate = n / results["ingest_seconds"]
    rows = "\n".join(f"| {at:,} | {rss:.0f} | {peak:.0f} |" for at, rss, peak in results["memory"])
    first, last = results["memory"][0][1], results["memory"][-1][1]
    routes = max(1, results["routes"])
    return (
        f"## Inbound email (issue 18), on {VENDORS.get(vendor, vendor)}\n\n"
        f"`bench/mail_bench.py --messages {n}` on {vendor} ({dt_now():%Y-%m-%d}): {n:,} "
        f"generated messages ({results['bytes'] / 1e6:.1f} MB; English, Hindi, Tamil, "
        "Kannada; a fifth replies, one in ten with a PNG and a ZIP, one in fifty automatic).\n\n"
        "| | messages/s | ratio to floor |\n| --- | ---: | ---: |\n"
        f"| parse + ingest + route (`message_ingest`) | {ingest_rate:,.0f} | "
        f"{floor_rate / ingest_rate:.1f}x slower |\n"
        f"| floor: `parse()` alone, same bytes | {floor_rate:,.0f} | 1x |\n\n"
        f"Stored {results['stored']:,} messages in {results['conversations']:,} conversations "
        f"({results['stopped']} stopped as loops); {results['assigned']:,} of them assigned to "
        f"{results['agents']:,} engaged agents (capacity 10 each) by the real routing; "
        f"{results['closed']:,} were automatic mail (out-of-office, bounces), stored closed "
        "and not routed.\n\n"
        f"Of the ingest time, routing (`conversation_route`, {results['routes']:,} calls) took "
        f"{results['routing_seconds']:,.0f} s of {results['ingest_seconds']:,.0f} s, "
        f"{results['routing_seconds'] / routes * 1000:.1f} ms a conversation: one ranking "
        "query over every engaged agent (verified, available, compliant, speaking the "
        "language, skilled, covered now by an engagement on the line, under capacity), then "
        "the ranked candidates' rows locked and the chosen one's open conversations counted "
        "again.\n\n"
        "| after messages | RSS MiB | peak RSS MiB |\n| ---: | ---: | ---: |\n"
        f"{rows}\n\n"
        f"Memory from the first checkpoint to the last: {last - first:+.0f} MiB. What ingest "
        "adds over the floor is the database (about 20 statements a message: the "
        "address, the dedupe check, the thread lookup, the rows, the loop counts), the quoted-"
        "history trim, nh3 and the language detection of each message's new text.\n"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    database_prepare()
    from django.db import connection

    results = results_of(args.messages, seed=args.seed)
    text = report(results, connection.vendor)
    print(text)
    if args.write_docs:
        from bench.routing_bench import marked_section_write

        marked_section_write(text, *docs_markers(connection.vendor), path=DOCS)


if __name__ == "__main__":
    main()
