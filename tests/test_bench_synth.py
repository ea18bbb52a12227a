"""The synth benchmark's process-tree sampler survives processes that end while it looks."""

import subprocess
import time

from bench import synth


def test_sampling_a_tree_whose_processes_keep_ending():
    # A few hundred short-lived children: some end between listing and reading, as node's
    # helpers and make's shells do during a synth.
    churn = subprocess.Popen(
        ["bash", "-c", "for i in $(seq 1000); do /bin/sleep 0.00$((i % 5)) & done; wait"]
    )
    samples, deadline = [], time.monotonic() + 30
    while churn.poll() is None and time.monotonic() < deadline:
        samples.append(synth._tree_rss(churn.pid))
    churn.wait(timeout=30)
    assert len(samples) > 10
    assert max(samples) > 0
