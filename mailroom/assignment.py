"""Offering conversations to agents (issue 18)."""


def conversation_route(conversation):
    """Assign a waiting conversation to the best eligible agent, or leave it waiting; returns
    the agent or None. (Written in full by the assignment work.)"""
    return None
