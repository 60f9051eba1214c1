"""Build the reference data file (common/refdata.py) if it is missing: deploys, `make setup`,
gunicorn's `when_ready` and CI run it so no request waits the few seconds of a first build."""

from django.core.management.base import BaseCommand

from common import refdata


class Command(BaseCommand):
    help = "Build the read-only reference data file (places, phone prefixes) if it is missing."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rebuild even if it exists")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="delete files built for other library versions (none of this release's)",
        )

    def handle(self, *args, force: bool = False, prune: bool = False, **options):
        path = refdata.refdata_build(force=force)
        self.stdout.write(f"{path} ({path.stat().st_size // 1024} KiB)")
        if prune:
            for stale in path.parent.glob("refdata-*.sqlite3"):
                if stale != path:
                    stale.unlink()
                    self.stdout.write(f"removed {stale.name}")
