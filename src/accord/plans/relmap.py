"""The key people of an account plan drawn as a small relationship map (pure, SVG text).

Nodes are the plan's key people with their buying role; an edge runs from a person to the
one they report to. The layout is by levels and deterministic: a person who reports to
nobody on the map (or to someone not on it) stands on the top level, everyone else one level
below their manager. A "reports to" cycle (a typing slip: A reports to B, B to A) is broken
where the walk meets it, in the order of the people's names and ids, so every input gets one
drawing. Within a level people follow their managers' order, then name, then id.

Only the standard library: every text is escaped with ``html.escape`` here; the caller marks
the returned string safe for the template.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

NODE_WIDTH = 168
NODE_HEIGHT = 46
GAP_X = 20
GAP_Y = 54
MARGIN = 12
#: longest name drawn in full; longer ones are cut with an ellipsis (the tooltip has all)
NAME_CHARS = 24

ROLE_COLOURS = {
    "decision_maker": "#3b6fd9",
    "champion": "#1a9e6a",
    "influencer": "#a24cc2",
    "user": "#5d6778",
    "blocker": "#c2412d",
}
NO_ROLE_COLOUR = "#8a93a3"


@dataclass(frozen=True)
class Person:
    """One key person: the contact's id, name, buying role and whom they report to."""

    id: int
    name: str
    role: str | None = None
    reports_to: int | None = None


@dataclass(frozen=True)
class Node:
    person: Person
    level: int
    x: int  # left edge
    y: int  # top edge

    @property
    def centre(self) -> int:
        return self.x + NODE_WIDTH // 2


@dataclass(frozen=True)
class Layout:
    nodes: tuple[Node, ...]
    edges: tuple[tuple[int, int], ...]  # (person id, id of the one they report to)
    width: int
    height: int


def _key(person: Person) -> tuple[str, int]:
    return (person.name.casefold(), person.id)


def levels(people: Iterable[Person]) -> dict[int, int]:
    """Each person's level: 0 for who reports to nobody on the map, else their manager's + 1
    (a cycle is cut where the walk, in name order, first closes it)."""
    by_id = {p.id: p for p in people}
    level: dict[int, int] = {}
    for start in sorted(by_id.values(), key=_key):
        chain: list[int] = []
        seen: set[int] = set()
        current: int | None = start.id
        while current is not None and current in by_id and current not in level:
            if current in seen:  # a cycle: this one is its top
                level[current] = 0
                break
            seen.add(current)
            chain.append(current)
            boss = by_id[current].reports_to
            current = boss if boss != current else None
        for person_id in reversed(chain):
            if person_id in level:
                continue
            boss = by_id[person_id].reports_to
            above = level.get(boss) if boss is not None and boss != person_id else None
            level[person_id] = 0 if above is None else above + 1
    return level


def layout(people: Sequence[Person]) -> Layout:
    """Where each person's box stands, and the edges to draw."""
    unique = {p.id: p for p in sorted(people, key=_key)}
    level = levels(unique.values())
    rows: dict[int, list[Person]] = {}
    for person in unique.values():
        rows.setdefault(level[person.id], []).append(person)
    order: dict[int, int] = {}
    for depth in sorted(rows):
        rows[depth].sort(
            key=lambda p: (order.get(p.reports_to, -1) if p.reports_to is not None else -1,
                           *_key(p))
        )
        for index, person in enumerate(rows[depth]):
            order[person.id] = index
    widest = max((len(r) for r in rows.values()), default=0)
    width = 2 * MARGIN + widest * NODE_WIDTH + max(widest - 1, 0) * GAP_X
    nodes: list[Node] = []
    for depth in sorted(rows):
        row = rows[depth]
        used = len(row) * NODE_WIDTH + (len(row) - 1) * GAP_X
        left = (width - used) // 2
        for index, person in enumerate(row):
            nodes.append(
                Node(person, depth, left + index * (NODE_WIDTH + GAP_X),
                     MARGIN + depth * (NODE_HEIGHT + GAP_Y))
            )
    edges = tuple(
        (p.id, p.reports_to) for p in unique.values()
        if p.reports_to is not None and p.reports_to in unique and p.reports_to != p.id
    )
    height = 2 * MARGIN + len(rows) * NODE_HEIGHT + max(len(rows) - 1, 0) * GAP_Y
    return Layout(tuple(nodes), edges, width, height)


def role_words(role: str | None) -> str:
    """``decision_maker`` → "Decision maker"; no role → "role unknown"."""
    return role.replace("_", " ").capitalize() if role else "role unknown"


def _text(value: str) -> str:
    """``value`` escaped for SVG text and attributes, without the characters XML forbids
    (control characters are refused at the edge; this keeps the drawing well-formed anyway)."""
    kept = "".join(
        c for c in value
        if (c >= " " or c in "\t\n") and not 0xD800 <= ord(c) <= 0xDFFF and c not in "\ufffe\uffff"
    )
    return escape(kept)


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def _edge(lower: Node, upper: Node) -> str:
    """A line from a person's box to their manager's, with an arrow at the manager."""
    x1, y1 = lower.centre, lower.y
    if upper.level < lower.level:
        x2, y2 = upper.centre, upper.y + NODE_HEIGHT
    else:  # a cut cycle or a same-level link: from the side
        x2 = upper.x + (NODE_WIDTH if upper.x < lower.x else 0)
        y2 = upper.y + NODE_HEIGHT // 2
        y1 = lower.y + NODE_HEIGHT // 2
        x1 = lower.x + (0 if upper.x < lower.x else NODE_WIDTH)
    who = f"{_text(lower.person.name)} reports to {_text(upper.person.name)}"
    return (
        f'<line class="relmap-edge" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
        f'stroke="#8a93a3" stroke-width="1.5" marker-end="url(#relmap-arrow)">'
        f"<title>{who}</title></line>"
    )


def _node(node: Node) -> str:
    person = node.person
    colour = ROLE_COLOURS.get(person.role or "", NO_ROLE_COLOUR)
    role = role_words(person.role)
    name = _text(person.name)
    return (
        f'<g class="relmap-node" data-contact="{person.id}">'
        f"<title>{name} — {_text(role)}</title>"
        f'<rect x="{node.x}" y="{node.y}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" '
        f'fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
        f'<rect x="{node.x}" y="{node.y}" width="6" height="{NODE_HEIGHT}" rx="3" '
        f'fill="{colour}"/>'
        f'<text x="{node.x + 14}" y="{node.y + 19}" font-size="13" fill="#1d2330" '
        f'font-weight="600">{_text(_short(person.name))}</text>'
        f'<text x="{node.x + 14}" y="{node.y + 36}" font-size="11" fill="{colour}">'
        f"{_text(role)}</text></g>"
    )


def relationship_map(people: Sequence[Person], *, label: str = "Key people") -> str:
    """The map as one ``<svg role="img">`` (empty string for nobody)."""
    if not people:
        return ""
    drawn = layout(people)
    at = {node.person.id: node for node in drawn.nodes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="relmap" role="img" '
        f'aria-label="{_text(label)}: {len(drawn.nodes)} people, '
        f'{len(drawn.edges)} reporting lines" viewBox="0 0 {drawn.width} {drawn.height}" '
        f'width="{drawn.width}" height="{drawn.height}" font-family="sans-serif">',
        '<defs><marker id="relmap-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#8a93a3"/></marker></defs>',
    ]
    parts += [_edge(at[low], at[high]) for low, high in drawn.edges]
    parts += [_node(node) for node in drawn.nodes]
    parts.append("</svg>")
    return "".join(parts)
