"""Draw the traffic graph as Mermaid (for the Markdown) and as Graphviz DOT / SVG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .load import ReviewError
from .topology import Graph, Node

_MERMAID_SHAPES = {
    "internet": ("((", "))"),
    "lb": ("[", "]"),
    "listener": ("([", "])"),
    "service": ("[[", "]]"),
    "backend": ("[(", ")]"),
    "secret": ("[/", "/]"),
}
_DOT_SHAPES = {
    "internet": "ellipse",
    "lb": "box",
    "listener": "box",
    "service": "box3d",
    "backend": "cylinder",
    "secret": "note",
}


def _ids(graph: Graph) -> dict[str, str]:
    """Short, syntax-safe node ids (addresses contain dots and brackets)."""
    return {address: f"n{index}" for index, address in enumerate(graph.nodes)}


def _mermaid_text(text: str) -> str:
    """Quote-safe Mermaid label text; line breaks become <br/>."""
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def to_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart, top to bottom; internet-facing boxes are outlined in red."""
    ids = _ids(graph)
    lines = ["flowchart TB"]
    for address, node in graph.nodes.items():
        start, end = _MERMAID_SHAPES[node.kind]
        lines.append(f'    {ids[address]}{start}"{_mermaid_text(node.label)}"{end}')
    for edge in graph.edges:
        arrow = "-.->" if edge.dashed else "-->"
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {ids[edge.source]} {arrow}{label} {ids[edge.target]}")
    public = [ids[a] for a, node in graph.nodes.items() if node.public]
    if public:
        lines.append("    classDef public stroke:#d33,stroke-width:2px")
        lines.append(f"    class {','.join(public)} public")
    return "\n".join(lines)


def _dot_text(text: str) -> str:
    """A DOT double-quoted string body."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _dot_node(node_id: str, node: Node) -> str:
    """One DOT node statement."""
    colour = ', color="#dd3333", penwidth=2' if node.public else ""
    return (
        f'    {node_id} [label="{_dot_text(node.label)}", shape={_DOT_SHAPES[node.kind]}{colour}];'
    )


def to_dot(graph: Graph, title: str) -> str:
    """A Graphviz digraph of the same graph as the Mermaid one."""
    ids = _ids(graph)
    lines = [
        "digraph review {",
        # top to bottom: the traffic chain is long and each step narrow, so it reads down one
        # screen instead of across a strip several screens wide
        f'    label="{_dot_text(title)}"; labelloc=t; rankdir=TB; nodesep=0.3; ranksep=0.4;',
        '    node [fontname="Helvetica", fontsize=11]; edge [fontname="Helvetica", fontsize=10];',
    ]
    lines += [_dot_node(ids[address], node) for address, node in graph.nodes.items()]
    for edge in graph.edges:
        attributes = [f'label="{_dot_text(edge.label)}"'] if edge.label else []
        if edge.dashed:
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"    {ids[edge.source]} -> {ids[edge.target]}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def find_dot() -> str:
    """The Graphviz `dot` executable; say so plainly when it is not installed."""
    executable = shutil.which("dot")
    if executable is None:
        raise ReviewError(
            "cannot write the SVG: Graphviz `dot` is not installed (apt-get install graphviz)"
        )
    return executable


def render_svg(dot: str, output: Path) -> None:
    """Render DOT to an SVG file with Graphviz."""
    executable = find_dot()
    result = subprocess.run(
        [executable, "-Tsvg", "-o", str(output)],
        input=dot,
        text=True,
        capture_output=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        raise ReviewError(f"dot failed to render {output}: {message[0] if message else '?'}")
