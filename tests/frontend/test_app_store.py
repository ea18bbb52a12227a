"""How the app holds its Redis connections, against a real redis-server."""

from __future__ import annotations

import gc
import threading
from typing import Any

import redis
from app.store import VOTES_KEY

from tests.frontend.support import vote_form


def vote_in_new_thread(client: Any) -> int:
    """Post one vote from a thread that ends afterwards; return the status."""
    statuses: list[int] = []
    thread = threading.Thread(
        target=lambda: statuses.append(client.post("/", data=vote_form("Tabs")).status_code)
    )
    thread.start()
    thread.join()
    return statuses[0]


def test_threads_that_end_give_their_connection_back(
    client: Any, redis_client: redis.Redis
) -> None:
    # Connections are counted by id: those of earlier tests' apps may close meanwhile (their
    # pools close idle connections), which a count of the server's clients would mistake.
    before = {entry["id"] for entry in redis_client.client_list()}
    for _ in range(20):
        assert vote_in_new_thread(client) == 303
        gc.collect()
    # One connection served all twenty threads in turn.
    opened = {entry["id"] for entry in redis_client.client_list()} - before
    assert len(opened) == 1, opened
    assert redis_client.hget(VOTES_KEY, "Tabs") == "20"


def test_a_dropped_connection_is_replaced_within_the_request(
    client: Any, redis_client: redis.Redis
) -> None:
    assert client.post("/", data=vote_form("Tabs")).status_code == 303
    # As a Redis restart or an idle timeout would: the server closes the app's socket.
    assert redis_client.client_kill_filter(_type="normal", skipme=True) >= 1
    assert client.post("/", data=vote_form("Tabs")).status_code == 303
    assert redis_client.hget(VOTES_KEY, "Tabs") == "2"
