"""Notebook display of a framework: an HTML table of the tree (``Framework._repr_html_``)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missionlens.framework.model import Framework

__all__ = ["framework_html"]


def framework_html(fw: Framework) -> str:
    """Header, then the tree with each node's indicators, as one HTML fragment (text escaped)."""
    node_ids = set(fw.node_ids)
    esc = html.escape
    parts = [
        f"<div><strong>{esc(fw.title)}</strong> <code>{esc(fw.id)}</code> "
        f"v{esc(fw.version)} &middot; fingerprint <code>{fw.fingerprint}</code><br>"
        f"{len(fw.dimensions)} dimensions &middot; {len(fw.indicators)} indicators"
        "</div>",
        "<table><thead><tr><th>node / indicator</th><th>name</th><th>level</th>"
        "<th>scale / aggregation</th><th>weight</th><th>phases</th><th>findings</th>"
        "</tr></thead><tbody>",
    ]

    def walk(node_id: str) -> None:
        depth = fw.depth(node_id)
        pad = f"padding-left:{1.2 * depth:.1f}em"
        if node_id in node_ids:
            node = fw.node(node_id)
            parts.append(
                f"<tr><td style='{pad}'><strong>{esc(node.id)}</strong></td>"
                f"<td><strong>{esc(node.name)}</strong></td><td>{esc(node.level or '')}</td>"
                f"<td>{esc(node.aggregation.method)}</td><td>{node.weight:g}</td>"
                "<td></td><td></td></tr>"
            )
            for child in fw.children(node_id):
                walk(child)
        else:
            ind = fw.indicator(node_id)
            parts.append(
                f"<tr><td style='{pad}'><code>{esc(ind.id)}</code></td>"
                f"<td title='{esc(ind.definition)}'>{esc(ind.name)}</td>"
                f"<td>{esc(ind.level or '')}</td><td>{esc(ind.scale)}</td>"
                f"<td>{ind.weight:g}</td><td>{esc(', '.join(ind.phases))}</td>"
                f"<td>{esc(', '.join(str(f) for f in ind.findings))}</td></tr>"
            )

    walk(fw.root.id)
    parts.append("</tbody></table>")
    return "".join(parts)
