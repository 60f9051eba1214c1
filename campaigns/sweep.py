"""The campaigns sweep (to be written): stuck attempts, expired preview holds, campaigns
due to start or end, imports whose worker died."""


def campaigns_sweep() -> dict:
    return {}
