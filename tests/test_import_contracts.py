"""The import contracts in pyproject.toml (checked by `lint-imports` in `make test`) place every
module of every app in a layer: a module no layer names would be free of the layer rule."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "agents", "clients", "teams", "routing", "campaigns", "mailroom", "billing"]


def contracts() -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {c["id"]: c["layers"] for c in config["contracts"]}


def named_in(layers: list[str]) -> set[str]:
    return {
        name.strip().strip("()") for layer in layers for name in layer.replace("|", ":").split(":")
    }


def modules_of(app: str) -> set[str]:
    """The app's modules, a package (like `management`) counting as one."""
    found = set()
    for path in (ROOT / app).iterdir():
        if path.name in {"__init__.py", "migrations", "__pycache__"}:
            continue
        if path.suffix == ".py" or (path / "__init__.py").exists():
            found.add(f"{app}.{path.stem}")
    return found


def test_every_module_of_every_app_is_in_a_layer_of_its_contract():
    layers = contracts()
    unplaced = {app: sorted(modules_of(app) - named_in(layers[app])) for app in APPS}
    assert unplaced == {app: [] for app in APPS}


def test_every_module_a_contract_names_exists():
    layers = contracts()
    missing = {app: sorted(named_in(layers[app]) - modules_of(app)) for app in APPS}
    assert missing == {app: [] for app in APPS}


def test_the_apps_contract_lists_every_app_top_down():
    assert contracts()["apps"] == [
        "config | demo",
        "billing",
        "mailroom",
        "campaigns",
        "routing",
        "teams",
        "clients",
        "agents",
        "accounts",
        "common",
    ]
