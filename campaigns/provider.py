"""Placing an outbound attempt at the provider (to be written: Twilio REST, generic API).

`attempt_dial(*, attempt_id)`: ask the provider to call the agent's phone with the firm's
line as caller ID; on success `events.attempt_dialled` keeps the provider's call id; on
failure the attempt ends (failed, agent freed without a strike, contact retried).
"""


def attempt_dial(*, attempt_id: int) -> None:
    raise NotImplementedError
