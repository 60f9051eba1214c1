import pytest

from config.celery import ping

pytestmark = [pytest.mark.broker]


def test_a_task_runs_through_a_real_worker(celery_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()
