"""Streaming contact-list import (issue 17): rows/s and peak memory for 100k vs 1M rows, against
the floor.

Not a test. On PostgreSQL, in the database DATABASE_URL names (a dedicated one: its name must
contain "bench" or start with "hs_"; migrated, and the contact and import tables truncated):

- data: a CSV like a firm's export (`number` an Indian mobile in E.164, name, language code,
  external_id, two fields of the firm's own), every 50th row repeating an earlier row's
  external id (so duplicates are merged), written to a temporary directory;
- the import: `campaigns.imports.import_start` (the file stored privately, as an upload) then
  `import_run` in this process, timed whole and by phase (reading and staging the rows; the
  one apply transaction). Each size runs in a fresh child process, so its peak resident set
  (`resource.getrusage(RUSAGE_SELF).ru_maxrss`, read at the end of the child: the kernel's
  high-water mark, all allocations, C's included) is its own; the RSS measured just before
  `import_run` is subtracted to give what the import itself added. Flat means the 1M run adds
  no more than the 100k run does, give or take the allocator;
- the floor, the least work giving the same rows: PostgreSQL `COPY` of the same file into a
  bare unlogged table, then the set-based apply in SQL (one INSERT … SELECT DISTINCT ON
  (external_id) for the contacts, one for their numbers, one for list membership) — no
  per-row checks (the file's numbers are already E.164, its languages valid), the time zone
  one constant (every number is an Indian mobile). And, for where the time goes, the parsing
  alone: the csv module and clients.contacts' row rules (phonenumbers, text checks), no
  database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hs_imports \\
        .venv/bin/python bench/import_bench.py --rows 100000 1000000 --write-docs

`--results FILE` renders (and with --write-docs writes) what an earlier run printed, without
running again; `--before FILE` adds an earlier version's results below, for comparison.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
DOCS_START, DOCS_END = "<!-- imports:start -->", "<!-- imports:end -->"
LANGUAGES = ["en", "hi", "kn", "ta", "te", "ml", "mr", "bn"]
CITIES = ["Mangaluru", "Mysuru", "Chennai", "Pune", "Kolkata", "Kochi", "Hyderabad"]
DUPLICATE_EVERY = 50


def rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def file_write(path: Path, rows: int, seed: int = 1) -> int:
    """The CSV; returns how many distinct contacts it holds."""
    rng = random.Random(seed)
    distinct = 0
    with path.open("w", newline="") as out:
        out.write("number,name,language,external_id,plan,city\n")
        for n in range(rows):
            if n and n % DUPLICATE_EVERY == 0:
                k = rng.randrange(n)  # an earlier row's contact (not a repeat itself): merged
                k = k - 1 if k and k % DUPLICATE_EVERY == 0 else k
                ext, number = f"E{k}", f"+9198{k:08d}"
            else:
                ext, number = f"E{n}", f"+9198{n:08d}"
                distinct += 1
            out.write(
                f"{number},Person {n},{rng.choice(LANGUAGES)},{ext},"
                f"{rng.choice(['Gold', 'Silver', 'Bronze'])},{rng.choice(CITIES)}\n"
            )
    return distinct


def django_setup():
    import django

    django.setup()
    from django.conf import settings

    # As a worker runs (DEBUG off): with it on, every statement's SQL is kept in
    # connection.queries — 2,000-row INSERTs of a million-row import, hundreds of MB.
    settings.DEBUG = False

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("PostgreSQL only: DATABASE_URL=postgres://…/hs_imports")
    if "bench" not in db["NAME"] and not db["NAME"].startswith("hs_"):
        sys.exit(f"Refusing to truncate {db['NAME']!r}: use a dedicated database.")


def tables_truncate() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE campaigns_importrow, campaigns_importjob, campaigns_listmember,"
            " campaigns_contactlist, clients_contactnumber, clients_contact CASCADE"
        )
        cur.execute("DROP TABLE IF EXISTS bench_import_floor")


def world():
    from accounts.models import User
    from campaigns.models import ContactList
    from clients.models import ClientFirm

    admin, _ = User.objects.get_or_create(
        email="import-bench@homeshore.example",
        defaults={"role": User.Role.ADMIN, "is_staff": True},
    )
    firm = ClientFirm.objects.create(
        name=f"Import Bench {time.time_ns()}",
        engagement_type="partial",
        contact_name="Bench",
        contact_email="bench@firm.example",
    )
    return admin, firm, ContactList.objects.create(firm=firm, name="Bench list")


def child(rows: int, workdir: Path) -> dict:
    """One import of `rows` rows, in this (fresh) process."""
    django_setup()
    from django.core.files import File

    from campaigns import imports, tasks
    from campaigns.models import ImportJob, ListMember
    from clients.models import Contact

    tables_truncate()
    path = workdir / f"list_{rows}.csv"
    distinct = file_write(path, rows)
    admin, firm, contact_list = world()
    tasks.import_publish = lambda **kw: None  # this process runs it, timed
    phases = {}
    for name in ("_stage", "_apply"):
        inner = getattr(imports, name)

        def timed(run, _inner=inner, _name=name):
            started = time.perf_counter()
            try:
                return _inner(run)
            finally:
                phases[_name.strip("_")] = time.perf_counter() - started

        setattr(imports, name, timed)
    with path.open("rb") as handle:
        job = imports.import_start(
            actor=admin,
            kind="contacts",
            firm=firm,
            contact_list=contact_list,
            upload=File(handle, name=path.name),
        )
    before = rss_kib()
    started = time.perf_counter()
    imports.import_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    peak = rss_kib()
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportJob.Status.DONE, (job.status, job.errors[:3])
    contacts = Contact.objects.filter(firm=firm).count()
    assert contacts == distinct == job.created_count, (contacts, distinct, job.created_count)
    assert ListMember.objects.filter(contact_list=contact_list).count() == distinct
    return {
        "rows": rows,
        "bytes": path.stat().st_size,
        "contacts": contacts,
        "merged": job.rows_merged,
        "seconds": seconds,
        "stage_seconds": phases.get("stage"),
        "apply_seconds": phases.get("apply"),
        "rss_before_kib": before,
        "rss_peak_kib": peak,
        **floor(path, rows, distinct),
        **parse_alone(path),
    }


FLOOR_SQL = [
    "CREATE UNLOGGED TABLE bench_import_floor (number text, name text, language text,"
    " external_id text, plan text, city text, line bigserial)",
    "COPY bench_import_floor (number, name, language, external_id, plan, city) FROM STDIN"
    " WITH (FORMAT csv, HEADER true)",
    # Later rows win, as the import merges them: one contact per external id.
    "INSERT INTO clients_contact (firm_id, external_id, name, language, time_zone, fields,"
    " created_at, updated_at)"
    " SELECT DISTINCT ON (external_id) %(firm)s, external_id, name, language, 'Asia/Calcutta',"
    " jsonb_build_object('plan', plan, 'city', city), now(), now()"
    " FROM bench_import_floor ORDER BY external_id, line DESC",
    "INSERT INTO clients_contactnumber (contact_id, firm_id, number)"
    " SELECT DISTINCT ON (f.number) c.id, %(firm)s, f.number FROM bench_import_floor f"
    " JOIN clients_contact c ON c.firm_id = %(firm)s AND c.external_id = f.external_id"
    " ORDER BY f.number",
    "INSERT INTO campaigns_listmember (contact_list_id, contact_id, added_at)"
    " SELECT %(list)s, id, now() FROM clients_contact WHERE firm_id = %(firm)s",
]


def floor(path: Path, rows: int, distinct: int) -> dict:
    from django.db import connection, transaction

    from clients.models import Contact

    _admin, firm, contact_list = world()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(FLOOR_SQL[0])
        with path.open() as handle:
            cur.copy_expert(FLOOR_SQL[1], handle)
        for statement in FLOOR_SQL[2:]:
            cur.execute(statement, {"firm": firm.pk, "list": contact_list.pk})
    seconds = time.perf_counter() - started
    assert Contact.objects.filter(firm=firm).count() == distinct
    return {"floor_seconds": seconds}


def parse_alone(path: Path) -> dict:
    import csv

    from clients.contacts import header_parse, row_parse

    started = time.perf_counter()
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        columns, extra = header_parse(next(reader))
        for cells in reader:
            row_parse(reader.line_num, dict(zip(columns, cells, strict=False)), extra)
    return {"parse_seconds": time.perf_counter() - started}


HEADER = [
    "| rows | file | import | rows/s | read+stage | apply | peak RSS | added by the import |"
    " floor | floor rows/s | vs floor | parse alone |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]


def table(results: list[dict]) -> list[str]:
    lines = list(HEADER)
    for r in results:
        added = (r["rss_peak_kib"] - r["rss_before_kib"]) / 1024
        lines.append(
            f"| {r['rows']:,} | {r['bytes'] / 2**20:.0f} MiB | {r['seconds']:.1f} s"
            f" | {r['rows'] / r['seconds']:,.0f} | {r['stage_seconds']:.1f} s"
            f" | {r['apply_seconds']:.1f} s | {r['rss_peak_kib'] / 1024:.0f} MiB"
            f" | {added:.0f} MiB | {r['floor_seconds']:.1f} s"
            f" | {r['rows'] / r['floor_seconds']:,.0f} | {r['seconds'] / r['floor_seconds']:.1f} x"
            f" | {r['parse_seconds']:.1f} s |"
        )
    return lines


def section(results: list[dict], before: list[dict] | None = None, label: str = "") -> str:
    lines = [
        "## Contact list import (issue 17)",
        "",
        "`bench/import_bench.py`: a CSV of N rows (every 50th repeats an earlier contact),",
        "imported by `campaigns.imports.import_run` on PostgreSQL (this 2-CPU machine, the",
        "database on the same host). Peak memory: `ru_maxrss` of a fresh child process per",
        "size (the kernel's high-water mark of its resident set, C allocations included), and",
        "what the import added to the RSS it started with. Floor: `COPY` of the same file",
        "into a bare unlogged table plus the set-based apply in three INSERT … SELECT",
        "statements (no per-row checks: the least work giving the same rows); vs floor is the",
        "import's time over the floor's. Parse: the csv module and the row rules alone",
        "(phonenumbers, text checks), no database.",
        "",
        *table(results),
    ]
    if before:
        lines += ["", label or "Before, on the same machine:", "", *table(before)]
    return "\n".join(lines) + "\n"


def results_read(path: str) -> list[dict]:
    """The result lines (JSON, one per size) an earlier run printed."""
    lines = Path(path).read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def run(sizes: list[int]) -> list[dict]:
    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    results = []
    with tempfile.TemporaryDirectory(prefix="import_bench_") as workdir:
        for rows in sizes:
            command = [sys.executable, __file__, "--child", str(rows), "--workdir", workdir]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), flush=True)
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--results", help="render the results an earlier run printed (a file)")
    parser.add_argument("--before", help="and, below them, an earlier version's (a file)")
    parser.add_argument("--before-label", default="", help="the sentence above those")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        os.environ["PRIVATE_MEDIA_ROOT"] = str(Path(args.workdir) / "private")
        print(json.dumps(child(args.child, Path(args.workdir))))
        return
    results = results_read(args.results) if args.results else run(args.rows)
    before = results_read(args.before) if args.before else None
    text = section(results, before, args.before_label)
    print(text)
    if args.write_docs:
        from bench.routing_bench import marked_section_write

        marked_section_write(text, DOCS_START, DOCS_END)


if __name__ == "__main__":
    main()
