import pytest

from config.celery import ping

pytestmark = [pytest.mark.broker]


def test_a_task_runs_through_a_real_worker(celery_worker):
    # The fixture's worker is this module's own, started after the queue is purged: nothing
    # other tests published waits ahead of the ping.
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()
