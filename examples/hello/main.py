"""Synthesize the example: `python examples/hello/main.py` with the project installed
(`pip install -e .` from the project's folder, or its pipenv venv)."""

from toolchain.node import use_project_node

use_project_node()

from stack import HelloStack  # noqa: E402

from toolchain.providers import App  # noqa: E402 - jsii must start on the project's Node.js

app = App(outdir="cdktf.out")
HelloStack(app)
app.synth()
