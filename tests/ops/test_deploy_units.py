"""The shipped systemd units and gunicorn config: each unit restarts what dies, waits for the
services it needs, runs as its own user from the environment file, and starts a command that
exists here with arguments it accepts."""

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/srv/homeshore"  # where the units expect the checkout
NAMES = ["homeshore-web.service", "homeshore-worker.service", "homeshore-beat.service"]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((UNITS / name).read_text())
    return parser


def here(text: str) -> str:
    """A unit's paths, pointed at this checkout instead of the installed one."""
    return text.replace(INSTALLED, str(ROOT))


def test_every_unit_is_shipped():
    assert sorted(p.name for p in UNITS.glob("*.service")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_it_restarts_what_dies_and_waits_for_its_services(name):
    service, order = unit(name)["Service"], unit(name)["Unit"]
    assert service["Restart"] == "always"
    assert 1 <= int(service["RestartSec"]) <= 10
    for needed in ("postgresql.service", "rabbitmq-server.service"):
        assert needed in order["After"].split() and needed in order["Wants"].split()


@pytest.mark.parametrize("name", NAMES)
def test_it_runs_as_its_own_user_from_the_environment_file(name):
    service = unit(name)["Service"]
    assert service["User"] == "homeshore" and service["Group"] == "homeshore"
    assert service["EnvironmentFile"] == "/etc/homeshore/homeshore.env"
    assert service["WorkingDirectory"] == INSTALLED
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.parametrize("name", NAMES)
def test_its_command_is_one_the_virtualenv_has(name):
    command = shlex.split(here(unit(name)["Service"]["ExecStart"]))
    assert Path(command[0]).is_file(), command[0]
    assert command[0].startswith(str(ROOT / ".venv" / "bin"))


def test_the_web_unit_runs_gunicorn_with_the_shipped_config():
    command = shlex.split(here(unit("homeshore-web.service")["Service"]["ExecStart"]))
    assert Path(command[0]).name == "gunicorn"
    config = Path(command[command.index("--config") + 1])
    assert config == ROOT / "config" / "gunicorn.conf.py"
    checked = subprocess.run(
        [*command, "--check-config"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 0, checked.stderr[-2000:]


@pytest.mark.parametrize(
    ("name", "subcommand"),
    [("homeshore-worker.service", "worker"), ("homeshore-beat.service", "beat")],
)
def test_the_celery_units_name_our_app_and_a_subcommand_it_accepts(name, subcommand):
    command = shlex.split(here(unit(name)["Service"]["ExecStart"]))
    assert Path(command[0]).name == "celery"
    assert command[command.index("--app") + 1] == "config"
    assert command[3] == subcommand
    options = [arg.replace("%H", "host") for arg in command[4:]]
    # `--help` after the unit's own options: Celery loads the app and parses them all (an
    # app that does not load, or an option it does not know, fails here), starting nothing.
    checked = subprocess.run(
        [sys.executable, "-m", "celery", "--app", "config", subcommand, *options, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    for name in NAMES:
        (tmp_path / name).write_text(here((UNITS / name).read_text()))
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in NAMES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # verify exits 0 on a key it ignores; every complaint goes to stderr.
    assert (checked.returncode, checked.stderr) == (0, "")
