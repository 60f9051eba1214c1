"""Logs operators can read: a 4xx is one warning line without a traceback, a 500 keeps its
traceback, production writes one JSON object per line and development plain text."""

import json
import logging
from unittest import mock

import pytest
from django.test import Client

from tests.ops.fresh_process import run_python


def request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_403_is_a_warning_without_a_traceback(client, alice, caplog):
    client.force_login(alice)  # an agent on a firm's page: PermissionDenied
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/client/calls/").status_code == 403
    [record] = request_records(caplog)
    assert (record.levelname, record.status_code) == ("WARNING", 403)
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_404_is_a_warning_without_a_traceback(client, carol, caplog):
    client.force_login(carol)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/client/calls/999999/").status_code == 404
    [record] = request_records(caplog)
    assert (record.levelname, record.status_code) == ("WARNING", 404)
    assert record.exc_info is None


@pytest.mark.django_db
def test_a_500_keeps_its_traceback(caplog):
    client = Client(raise_request_exception=False)
    with (
        mock.patch("config.views._database_ok", side_effect=RuntimeError("boom")),
        caplog.at_level(logging.ERROR, logger="django.request"),
    ):
        assert client.get("/healthz").status_code == 500
    [record] = request_records(caplog)
    assert (record.levelname, record.status_code) == ("ERROR", 500)
    assert record.exc_info and record.exc_info[0] is RuntimeError


LOG_ONE = (
    "import django, logging\n"
    "django.setup()\n"
    "logging.getLogger('homeshore.check').warning('settled %s runs', 3)\n"
)


def logged_line(**env) -> str:
    result = run_python(LOG_ONE, cleared=("DJANGO_", "LOG_"), **env)
    [line] = [ln for ln in result.stderr.splitlines() if "settled" in ln]
    return line


def test_production_logs_one_json_object_per_line():
    line = logged_line(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="log-test-" + "k" * 50)
    record = json.loads(line)
    assert record["message"] == "settled 3 runs"
    assert (record["level"], record["logger"]) == ("WARNING", "homeshore.check")
    assert record["time"]


def test_development_logs_plain_text():
    line = logged_line(DJANGO_DEBUG="true")
    assert line.endswith("WARNING homeshore.check settled 3 runs")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
