from tests.clients.receiver import receiver  # noqa: F401 (the firm's webhook receiver)
