import pytest

from config.celery import app, ping

pytestmark = [pytest.mark.broker]


def test_a_task_runs_through_a_real_worker(celery_worker):
    # The worker is the session's one solo worker; earlier transactional tests publish tasks
    # nobody waits for (their rows are flushed), and those queue ahead of this one. Under CI's
    # load the ping once waited past 30 s behind them: drop them first, as the fixture does.
    app.control.purge()
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()
