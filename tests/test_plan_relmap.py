"""The key-people relationship map (accord.plans.relmap): levels, layout and SVG text."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.plans.relmap import (
    NODE_HEIGHT,
    NODE_WIDTH,
    Person,
    layout,
    levels,
    relationship_map,
    role_words,
)

SVG = "{http://www.w3.org/2000/svg}"
ROLES = st.sampled_from([None, "decision_maker", "champion", "influencer", "user", "blocker"])


@st.composite
def teams(draw: st.DrawFn) -> list[Person]:
    count = draw(st.integers(min_value=0, max_value=12))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count, unique=True))
    people = []
    for person_id in ids:
        boss = draw(st.one_of(st.none(), st.sampled_from(ids), st.integers(1, 10_000)))
        name = draw(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != ""))
        people.append(Person(person_id, name.replace("\x00", "?"), draw(ROLES), boss))
    return people


def _chain_has_cycle(by_id: dict[int, Person], start: int) -> bool:
    seen: set[int] = set()
    current: int | None = start
    while current is not None and current in by_id:
        if current in seen:
            return True
        seen.add(current)
        boss = by_id[current].reports_to
        current = boss if boss != current else None
    return False


def test_a_small_organisation_stands_by_levels() -> None:
    people = [
        Person(1, "Carla CEO", "decision_maker"),
        Person(2, "Frank Finance", "influencer", reports_to=1),
        Person(3, "Ian IT", "champion", reports_to=1),
        Person(4, "Uma User", "user", reports_to=3),
        Person(5, "Otto Outside", None, reports_to=99),  # manager not on the map: top
    ]
    assert levels(people) == {1: 0, 2: 1, 3: 1, 4: 2, 5: 0}
    drawn = layout(people)
    at = {n.person.id: n for n in drawn.nodes}
    assert at[1].y == at[5].y < at[2].y == at[3].y < at[4].y
    assert at[1].x < at[5].x  # top level by name: Carla before Otto
    assert at[2].x < at[3].x  # Frank before Ian under the same manager
    assert sorted(drawn.edges) == [(2, 1), (3, 1), (4, 3)]


def test_a_cycle_is_cut_and_everyone_is_drawn() -> None:
    people = [Person(1, "Ann", reports_to=2), Person(2, "Bob", reports_to=1),
              Person(3, "Cid", reports_to=3)]
    assert levels(people) == {1: 0, 2: 1, 3: 0}
    svg = relationship_map(people)
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}g")) == 3
    assert len(root.findall(f"{SVG}line")) == 2  # Cid reporting to himself draws nothing


def test_names_and_roles_are_escaped() -> None:
    people = [Person(1, '<script>alert("x")</script> & Co', "decision_maker"),
              Person(2, "O'Brien \"the boss\"", "<b>", reports_to=1)]
    svg = relationship_map(people, label="Key <people>")
    assert "<script>" not in svg and "<b>" not in svg
    root = ET.fromstring(svg)  # well-formed: every text escaped
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t and t.startswith('<script>alert("x")') for t in texts)
    assert root.get("aria-label", "").startswith("Key <people>: 2 people, 1 reporting")


def test_nobody_draws_nothing_and_roles_read_as_words() -> None:
    assert relationship_map([]) == ""
    assert role_words("decision_maker") == "Decision maker"
    assert role_words(None) == "role unknown"


@settings(max_examples=150, deadline=None)
@given(teams(), st.randoms(use_true_random=False))
def test_the_layout_is_deterministic_and_boxes_never_overlap(
    people: list[Person], rnd: random.Random
) -> None:
    shuffled = list(people)
    rnd.shuffle(shuffled)
    assert relationship_map(people) == relationship_map(shuffled)
    drawn = layout(people)
    assert sorted(n.person.id for n in drawn.nodes) == sorted(p.id for p in people)
    for i, a in enumerate(drawn.nodes):
        assert 0 <= a.x and a.x + NODE_WIDTH <= drawn.width
        assert 0 <= a.y and a.y + NODE_HEIGHT <= drawn.height
        for b in drawn.nodes[i + 1:]:
            apart_x = a.x + NODE_WIDTH <= b.x or b.x + NODE_WIDTH <= a.x
            apart_y = a.y + NODE_HEIGHT <= b.y or b.y + NODE_HEIGHT <= a.y
            assert apart_x or apart_y, (a, b)


@settings(max_examples=150, deadline=None)
@given(teams())
def test_everyone_stands_one_level_below_their_manager(people: list[Person]) -> None:
    level = levels(people)
    by_id = {p.id: p for p in people}
    for person in people:
        boss = person.reports_to
        if boss is None or boss not in by_id or boss == person.id:
            assert level[person.id] == 0
        elif not _chain_has_cycle(by_id, person.id):
            assert level[person.id] == level[boss] + 1
        else:
            assert level[person.id] in (0, level[boss] + 1)
    if people:
        ET.fromstring(relationship_map(people))  # always well-formed SVG
