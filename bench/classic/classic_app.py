"""The classic design this project replaces, for the load benchmark only.

The shape of the Azure voting sample's app: one Redis client for the process, a counter key
per option, `POST /` increments with INCR then reads both counters with two GETs and renders
the page, `GET /` reads and renders. Written here from that description, served by the same
gunicorn config as the real app, so the benchmark compares designs and not servers.
"""

from __future__ import annotations

import os

import redis
from flask import Flask, render_template, request

OPTIONS = ("Tabs", "Spaces")


def create_app() -> Flask:
    """The app, connected to the Redis named by the real app's environment variables."""
    app = Flask(__name__)
    client = redis.Redis(
        host=os.environ.get("REDIS", "localhost"),
        port=int(os.environ.get("REDIS_PORT", "6379")),
        password=os.environ.get("REDIS_PWD") or None,
    )
    title = os.environ.get("TITLE", "Tabs or Spaces?")

    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        if request.method == "POST":
            vote = request.form["vote"]
            if vote == "reset":
                for option in OPTIONS:
                    client.set(option, 0)
            else:
                client.incr(vote, 1)
        first = int(client.get(OPTIONS[0]) or 0)
        second = int(client.get(OPTIONS[1]) or 0)
        return render_template("index.html", title=title, options=OPTIONS, counts=(first, second))

    return app
