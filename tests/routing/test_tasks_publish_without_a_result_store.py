"""Routing's tasks are published from webhooks a caller waits on: with the broker down,
publishing must give up in about a second. A task with a result first subscribes to the
result store, whose retries (20 x 1 s on Redis) held a webhook 19 s in the fault drill
(bench/fault_drill.py) — past Twilio's 15 s. So they keep no result, and publishing is bounded
by the broker's connect timeout and the publish retry policy."""

from django.conf import settings

from routing.tasks import routing_sweep_task, wrap_up_end_task


def test_routings_tasks_keep_no_result():
    assert wrap_up_end_task.ignore_result and routing_sweep_task.ignore_result


def test_publishing_gives_up_within_seconds_when_the_broker_is_away():
    policy = settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    tries = policy["max_retries"] + 1
    worst = tries * settings.CELERY_BROKER_CONNECTION_TIMEOUT + policy["max_retries"] * max(
        policy["interval_max"], policy["interval_start"]
    )
    assert worst < 5  # well inside Twilio's 15 s, with the request's own work beside it
