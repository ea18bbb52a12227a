"""More than two options: config, the Lua script, the page and the API all carry them."""

from __future__ import annotations

from typing import Any

import pytest
from app import create_app
from app.config import MAX_OPTIONS, ConfigError, from_environ

from tests.frontend.support import vote_form

THREE = ("Pizza", "Salad", "Soup")


def test_options_come_from_vote_n_value_in_order() -> None:
    config = from_environ({"VOTE1VALUE": "A", "VOTE2VALUE": "B", "VOTE3VALUE": "C"})
    assert [config[f"VOTE{n}VALUE"] for n in (1, 2, 3)] == ["A", "B", "C"]
    assert "VOTE4VALUE" not in config
    # The seed's two, without any variable.
    defaults = from_environ({})
    assert (defaults["VOTE1VALUE"], defaults["VOTE2VALUE"]) == ("Tabs", "Spaces")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"VOTE1VALUE": "A", "VOTE2VALUE": "B", "VOTE4VALUE": "D"}, "VOTE4VALUE needs VOTE3VALUE"),
        ({f"VOTE{n}VALUE": f"o{n}" for n in range(1, MAX_OPTIONS + 2)}, f"at most {MAX_OPTIONS}"),
        ({"VOTE1VALUE": "A", "VOTE2VALUE": "B", "VOTE3VALUE": "A"}, "VOTE1VALUE and VOTE3VALUE"),
    ],
)
def test_bad_option_lists_name_the_variable(options: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        create_app({**from_environ(options), "TESTING": True})


def test_three_options_on_the_page_in_the_vote_and_the_api(make_app: Any) -> None:
    app = make_app(**{f"VOTE{n}VALUE": option for n, option in enumerate(THREE, 1)})
    client = app.test_client()
    html = client.get("/").text
    for n, option in enumerate(THREE, 1):
        assert f'id="vote-{n}">{option}</button>' in html
        assert f'id="count-{n}">0<' in html
    response = client.post("/api/vote", data=vote_form("Soup"))
    assert response.status_code == 200, response.text
    assert response.json["counts"] == [0, 0, 1]
    assert client.get("/api/results").json["options"] == {"Pizza": 0, "Salad": 0, "Soup": 1}
