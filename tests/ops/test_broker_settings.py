"""The settings work with either broker: RabbitMQ (amqp://, production's) or Redis. Each
case loads config.settings in a fresh process with that environment, as a deployment does."""

from tests.ops.fresh_process import printed_json

SHOW = (
    "import json, django\n"
    "django.setup()\n"
    "from config.celery import app\n"
    "print(json.dumps({\n"
    "    'backend': type(app.backend).__name__,\n"
    "    'transport_options': app.conf.broker_transport_options,\n"
    "    'retry_on_startup': app.conf.broker_connection_retry_on_startup,\n"
    "    'max_retries': app.conf.broker_connection_max_retries,\n"
    "    'connection_timeout': app.conf.broker_connection_timeout,\n"
    "    'eager': app.conf.task_always_eager,\n"
    "}))\n"
)
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def celery_settings(**env) -> dict:
    return printed_json(SHOW, cleared=("CELERY_", "DJANGO_"), **env)


def test_rabbitmq_as_broker_needs_no_result_backend():
    # Celery 5 has no amqp result backend: the broker's URL must never become one.
    shown = celery_settings(CELERY_BROKER_URL=RABBITMQ)
    assert shown["backend"] == "DisabledBackend"
    assert shown["eager"] is False


def test_rabbitmq_gets_none_of_redis_transport_options():
    shown = celery_settings(CELERY_BROKER_URL=RABBITMQ)
    assert shown["transport_options"] == {}


def test_rabbitmq_keeps_results_in_the_redis_it_is_given():
    shown = celery_settings(
        CELERY_BROKER_URL=RABBITMQ, CELERY_RESULT_BACKEND="redis://127.0.0.1:6379/2"
    )
    assert shown["backend"] == "RedisBackend"


def test_a_redis_broker_keeps_its_results_and_socket_timeouts():
    shown = celery_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert shown["backend"] == "RedisBackend"
    assert shown["transport_options"] == {"socket_timeout": 2.0, "socket_connect_timeout": 1.0}


def test_workers_retry_the_broker_for_ever_and_requests_give_up_fast():
    shown = celery_settings(CELERY_BROKER_URL=RABBITMQ)
    assert shown["retry_on_startup"] is True
    assert shown["max_retries"] is None  # a worker started before its broker waits for it
    assert shown["connection_timeout"] == 1.0
