"""One `seed_demo` for every module of this package, which only reads the demo (CI once
seeded it afresh for each module: ~17 s each on SQLite, more on PostgreSQL).

`demo_once` seeds inside a transaction opened before the package's first test and rolled back
after its last; each test's own transaction is a savepoint within it (rolled back), so a test
may write — click through pages, seed again — and no other test sees it. `demo_twice` seeds
once more in a savepoint for one module (rolled back after it): the state after a second seed.
Whatever the demo seeds (every app's `demo` module that `seed_demo` runs) is in it.

Only plain `django_db` tests belong here: a transactional test (`transaction=True`,
`transactional_db`, `live_server`) would flush the shared demo or not see it — the guard below
refuses it. A test that needs an empty database, or its own seed, goes in tests/demo/ (beside
this package) with `tests.demo.seeding.demo_seeded`.
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.demo.seeding import demo_seeded

_TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(scope="package")
def demo_once(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    """What the package's one `seed_demo` printed."""
    with demo_seeded(django_db_blocker, tmp_path_factory) as printed:
        yield printed


@pytest.fixture(scope="module")
def demo_twice(demo_once, django_db_blocker) -> str:
    """The demo seeded a second time, for this module only; what the first seed printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield demo_once
        transaction.set_rollback(True)


def pytest_collection_modifyitems(config, items):
    """Refuse, before anything runs, a transactional test in this package."""
    here = Path(__file__).parent
    wrong = []
    for item in items:
        if here not in Path(item.path).parents:
            continue
        marker = item.get_closest_marker("django_db")
        kwargs = marker.kwargs if marker else {}
        wants = set(getattr(item, "fixturenames", ())) & _TRANSACTIONAL
        if wants or kwargs.get("transaction") or kwargs.get("reset_sequences"):
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError(
            "transactional tests in tests/demo/seeded/, which shares one seeded demo in a"
            " transaction (put them in tests/demo/ with demo_seeded): " + ", ".join(wrong)
        )
