from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`manage.py seed_demo` and `demo_totp`: the demo spans every app, so it sits above them
    all (the only place allowed to import each app's `demo.py`; see the import contracts)."""

    name = "demo"
    verbose_name = "Demo data"
