import contextlib
import io
from collections.abc import Iterator

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@contextlib.contextmanager
def demo_seeded(django_db_blocker, tmp_path_factory, *, times: int = 1) -> Iterator[str]:
    """A fresh `seed_demo` (run `times` times) for a whole module, yielding what the first
    printed. It runs inside a transaction rolled back after the module's last test (6 s on
    SQLite, ~30 s on PostgreSQL, each time); each test's own transaction is a savepoint within
    it, so no test sees another's changes. Tests that only read the demo belong in
    tests/demo/seeded/, which seeds once for all its modules (its conftest.py)."""
    media = tmp_path_factory.mktemp("private-media")
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        for _ in range(times - 1):
            call_command("seed_demo", stdout=io.StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)
