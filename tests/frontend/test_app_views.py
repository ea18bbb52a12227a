"""Page, form, API and probes through the Flask test client against a real redis-server."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import redis
from app.store import TOKEN_KEY_PREFIX, VOTES_KEY

from tests.frontend.support import OPTIONS, RESET_TOKEN, TITLE, issued_here, vote_form

FORM = "application/x-www-form-urlencoded"


def counts_on_page(html: str) -> tuple[int, int]:
    """Read both counts from the page."""
    found = dict(re.findall(r'id="count-(\d)">(\d+)<', html))
    return int(found["1"]), int(found["2"])


def test_page_shows_title_options_reset_and_counts(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert f"<title>{TITLE}</title>" in html
    for option in OPTIONS:
        assert f'name="vote" value="{option}"' in html
    assert 'value="reset"' in html
    assert counts_on_page(html) == (0, 0)
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    # No session cookie: nothing may depend on a key that differs between tasks.
    assert "Set-Cookie" not in response.headers


def test_vote_redirects_and_counts(client: Any, redis_client: redis.Redis) -> None:
    response = client.post("/", data=vote_form("Tabs"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    client.post("/", data=vote_form("Tabs"))
    client.post("/", data=vote_form("Spaces"))
    assert redis_client.hgetall(VOTES_KEY) == {"Tabs": "2", "Spaces": "1"}
    # Besides the counts, one key per counted vote's token, which expires.
    tokens = set(redis_client.keys("*")) - {VOTES_KEY}
    assert len(tokens) == 3
    assert all(key.startswith(TOKEN_KEY_PREFIX) for key in tokens)
    # As long as the token is valid (15 min), and a minute for clocks that differ.
    assert all(0 < redis_client.pttl(key) <= 960_000 for key in tokens)
    assert counts_on_page(client.get("/").text) == (2, 1)


def test_page_carries_a_fresh_token_each_time(client: Any) -> None:
    tokens = [
        re.search(r'name="token" id="token" value="([^"]+)"', client.get("/").text) for _ in "ab"
    ]
    assert all(tokens)
    first, second = (found.group(1) for found in tokens if found)
    assert first != second
    assert issued_here(first)


def test_the_same_token_counts_once(client: Any, redis_client: redis.Redis) -> None:
    form = vote_form("Tabs")
    for _ in range(3):
        assert client.post("/", data=form).status_code == 303
    assert client.post("/", data={**form, "vote": "Spaces"}).status_code == 303
    assert redis_client.hgetall(VOTES_KEY) == {"Tabs": "1"}


@pytest.mark.parametrize(
    "form",
    [
        {"vote": "Tabs"},
        {"vote": "Tabs", "token": ""},
        {"vote": "Tabs", "token": "short"},
        {"vote": "Tabs", "token": "a" * 21 + "!"},
        {"vote": "Tabs", "token": "a" * 23},
    ],
)
def test_a_vote_needs_a_valid_token(
    client: Any, redis_client: redis.Redis, form: dict[str, str]
) -> None:
    response = client.post("/", data=form)
    assert response.status_code == 400
    assert "token" in response.text
    assert redis_client.dbsize() == 0


def test_follow_redirect_shows_new_count(client: Any) -> None:
    response = client.post("/", data=vote_form("Spaces"), follow_redirects=True)
    assert response.status_code == 200
    assert counts_on_page(response.text) == (0, 1)


def test_api_results(client: Any) -> None:
    client.post("/", data=vote_form("Tabs"))
    response = client.get("/api/results")
    assert response.status_code == 200
    assert response.get_json() == {"title": TITLE, "options": {"Tabs": 1, "Spaces": 0}}
    # Options keep the page order.
    assert response.text.index("Tabs") < response.text.index("Spaces")


def test_reset(client: Any, redis_client: redis.Redis) -> None:
    client.post("/", data=vote_form("Tabs"))
    client.post("/", data=vote_form("Spaces"))
    response = client.post("/", data={"vote": "reset", "reset_token": RESET_TOKEN})
    assert response.status_code == 303
    assert client.get("/api/results").get_json()["options"] == {"Tabs": 0, "Spaces": 0}
    assert counts_on_page(client.get("/").text) == (0, 0)


def test_reset_disabled(make_app: Any, redis_client: redis.Redis) -> None:
    client = make_app(RESET_ENABLED=False).test_client()
    client.post("/", data=vote_form("Tabs"))
    assert 'value="reset"' not in client.get("/").text
    response = client.post("/", data={"vote": "reset", "reset_token": RESET_TOKEN})
    assert response.status_code == 403
    assert "Reset is disabled." in response.text
    assert redis_client.hgetall(VOTES_KEY) == {"Tabs": "1"}


@pytest.mark.parametrize(
    "form",
    [
        {"vote": "reset"},
        {"vote": "reset", "reset_token": ""},
        {"vote": "reset", "reset_token": RESET_TOKEN[:-1]},
        {"vote": "reset", "reset_token": RESET_TOKEN + "x"},
        {"vote": "reset", "reset_token": "é" + RESET_TOKEN[1:]},
    ],
)
def test_reset_needs_the_operator_token(
    client: Any, redis_client: redis.Redis, form: dict[str, str]
) -> None:
    client.post("/", data=vote_form("Tabs"))
    # No Origin, Referer or Sec-Fetch-Site: a script, which the cross-site check lets through.
    response = client.post("/", data=form)
    assert response.status_code == 403
    assert "operator token" in response.text
    assert redis_client.hgetall(VOTES_KEY) == {"Tabs": "1"}


def test_title_and_options_are_escaped(make_app: Any) -> None:
    client = make_app(
        TITLE="<script>alert('title')</script>",
        VOTE1VALUE='"><img src=x onerror=alert(1)>',
        VOTE2VALUE="<b>bold</b>",
    ).test_client()
    html = client.get("/").text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    assert "<img" not in html
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html
    assert "<b>bold</b>" not in html
    # The escaped value posts back as the option itself.
    assert client.post("/", data=vote_form('"><img src=x onerror=alert(1)>')).status_code == 303


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (vote_form("Emacs"), 400, "Unknown option."),
        (vote_form("tabs"), 400, "Unknown option."),
        (vote_form(""), 400, "Unknown option."),
        ({}, 400, "Send the &#39;vote&#39; field"),
        ({"other": "Tabs"}, 400, "Unexpected field &#39;other&#39;"),
        ({"vote": "Tabs", "other": "x"}, 400, "Unexpected field &#39;other&#39;"),
        ({"vote": ["Tabs", "Spaces"]}, 400, "Send each field once"),
        ({"vote": ["Tabs", "Tabs"]}, 400, "Send each field once"),
        ({**vote_form("Tabs"), "padding": "x" * 2000}, 413, "Request Entity Too Large"),
    ],
)
def test_bad_input_is_refused_without_new_key(
    client: Any, redis_client: redis.Redis, data: dict[str, Any], status: int, message: str
) -> None:
    response = client.post("/", data=data)
    assert response.status_code == status
    assert message in response.text
    assert len(response.data) < 2000
    assert redis_client.dbsize() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        # Only the page's own urlencoded form is accepted.
        ("vote=Tabs", "text/plain", 415, "application/x-www-form-urlencoded"),
        ("vote=Tabs", None, 415, "application/x-www-form-urlencoded"),
        ("", "text/plain", 400, "Send the &#39;vote&#39; field"),
        ("vote=Tabs&" + "&".join(f"f{n}=1" for n in range(10)), FORM, 400, "not valid"),
        (b"vote=Tabs\xff", FORM, 400, "not valid"),
        ("vote=%FF", FORM, 400, "Unknown option."),
    ],
)
def test_malformed_forms_are_refused_without_new_key(
    client: Any,
    redis_client: redis.Redis,
    body: str | bytes | None,
    content_type: str | None,
    status: int,
    message: str,
) -> None:
    response = client.post("/", data=body, content_type=content_type)
    assert response.status_code == status
    assert message in response.text
    assert redis_client.dbsize() == 0


def test_multipart_form_is_refused(client: Any, redis_client: redis.Redis) -> None:
    response = client.post("/", data=vote_form("Tabs"), content_type="multipart/form-data")
    assert response.status_code == 415
    assert redis_client.dbsize() == 0


def test_security_headers_on_every_response(client: Any) -> None:
    for response in (
        client.post("/", data={**vote_form("Tabs"), "padding": "x" * 2000}),  # 413 from Werkzeug
        client.get("/missing"),
        client.get("/healthz"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert len(response.headers.getlist("Content-Security-Policy")) == 1
    static = client.get("/static/style.css")
    assert static.status_code == 200
    assert static.headers["X-Frame-Options"] == "DENY"
    # The static file keeps the caching Flask gives it instead of no-store.
    assert static.headers.getlist("Cache-Control") == ["no-cache"]
    static.close()


def test_api_errors_are_json(client: Any) -> None:
    response = client.post("/api/results")
    assert response.status_code == 405
    assert "error" in response.get_json()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.evil.example"},
        {"Referer": "https://evil.example/vote.html"},
    ],
)
def test_cross_site_post_is_rejected(
    client: Any, redis_client: redis.Redis, headers: dict[str, str]
) -> None:
    response = client.post("/", data=vote_form("Tabs"), headers=headers)
    assert response.status_code == 403
    assert "not accepted" in response.text
    assert redis_client.dbsize() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "http://localhost"},
        {"Origin": "https://localhost"},
        {"Referer": "http://localhost/"},
        {},
    ],
)
def test_same_origin_post_is_accepted(
    client: Any, redis_client: redis.Redis, headers: dict[str, str]
) -> None:
    response = client.post("/", data=vote_form("Tabs"), headers=headers)
    assert response.status_code == 303
    assert redis_client.hget("voting-app:votes", "Tabs") == "1"


def test_probes(client: Any) -> None:
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}


def test_redis_down_answers_503_quickly(make_app: Any) -> None:
    # Nothing listens on port 1 of loopback.
    client = make_app(REDIS_PORT=1).test_client()
    for path, kind in (("/", "text/html"), ("/api/results", "application/json")):
        started = time.monotonic()
        response = client.get(path)
        assert time.monotonic() - started < 1.0
        assert response.status_code == 503
        assert response.mimetype == kind
        assert response.headers["Retry-After"] == "5"
        assert "unavailable" in response.text
    form = vote_form("Tabs")
    response = client.post("/", data=form)
    assert response.status_code == 503
    # The error page offers to send the same vote, token and all, again.
    assert f'name="token" value="{form["token"]}"' in response.text
    assert 'name="vote" value="Tabs"' in response.text
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_api_vote_answers_the_counts_and_the_next_token(
    client: Any, redis_client: redis.Redis
) -> None:
    client.post("/", data=vote_form("Spaces"))
    form = vote_form("Tabs")
    first = client.post("/api/vote", data=form)
    assert first.status_code == 200
    answer = first.get_json()
    assert answer["counted"] is True
    assert answer["counts"] == [1, 1]
    assert issued_here(answer["token"]) and answer["token"] != form["token"]
    # Sent again (a retry after a lost answer): recognised, not counted twice.
    again = client.post("/api/vote", data=form).get_json()
    assert (again["counted"], again["counts"]) == (False, [1, 1])
    assert redis_client.hgetall(VOTES_KEY) == {"Tabs": "1", "Spaces": "1"}


@pytest.mark.parametrize(
    ("data", "headers", "status"),
    [
        (vote_form("Emacs"), {}, 400),
        ({"vote": "Tabs"}, {}, 400),
        ({"vote": "reset", "reset_token": RESET_TOKEN}, {}, 400),
        (vote_form("Tabs"), {"Sec-Fetch-Site": "cross-site"}, 403),
        (vote_form("Tabs"), {"Origin": "https://evil.example"}, 403),
        ({**vote_form("Tabs"), "padding": "x" * 2000}, {}, 413),
        ({**vote_form("Tabs"), "vote": ["Tabs", "Tabs"]}, {}, 400),
    ],
)
def test_api_vote_refusals_are_json(
    client: Any,
    redis_client: redis.Redis,
    data: dict[str, str],
    headers: dict[str, str],
    status: int,
) -> None:
    response = client.post("/api/vote", data=data, headers=headers)
    assert response.status_code == status
    assert "error" in response.get_json()
    assert redis_client.hgetall(VOTES_KEY) == {}


def test_api_vote_takes_only_posts(client: Any) -> None:
    response = client.get("/api/vote")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert "error" in response.get_json()
    # The security headers come around it like every other response.
    assert response.headers["X-Frame-Options"] == "DENY"


def test_api_vote_answers_503_json_while_redis_is_away(make_app: Any) -> None:
    client = make_app(REDIS_PORT=1).test_client()
    response = client.post("/api/vote", data=vote_form("Tabs"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "unavailable" in response.get_json()["error"]


def test_load_balancer_check_fails_until_redis_answered_once(make_app: Any) -> None:
    """A release that never reaches Redis (wrong host, port or password) never gets healthy."""
    unreachable = make_app(REDIS_PORT=1).test_client()
    response = unreachable.get("/readyz/lb")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reason": "unreachable"}
    refused = make_app(REDIS_PASSWORD="not-the-password-at-all").test_client()
    assert refused.get("/readyz/lb").get_json() == {"status": "unavailable", "reason": "auth"}


def test_load_balancer_check_rides_out_an_outage_after_the_first_success(
    make_app: Any, redis_server: Any
) -> None:
    """Once a process has reached Redis, an outage is Redis's, not this task's: replacing every
    web task would not help, so the load balancer's check stays green while /readyz says why."""
    client = make_app().test_client()
    assert client.get("/readyz/lb").get_json() == {"status": "ready"}
    redis_server.pause()
    try:
        assert client.get("/readyz").status_code == 503
        response = client.get("/readyz/lb")
        assert response.status_code == 200
        assert response.get_json() == {"status": "degraded", "reason": "unreachable"}
    finally:
        redis_server.resume()
    assert client.get("/readyz/lb").get_json() == {"status": "ready"}
