"""The complete test of isolation against the plainest possible oracle: every union of small
classes enumerated, each tested for membership in the table's row space with exact rational
elimination (the auditor's), on random tables of levels."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.insights.isolation import isolated_sets

from .auditor import _ExactRowSpace


def one_hot(factors: np.ndarray) -> np.ndarray:
    rows = []
    for levels in factors:
        for level in sorted(set(levels.tolist()) - {-1}):
            rows.append((levels == level).astype(np.int64))
    return np.array(rows, dtype=np.int64).reshape(len(rows), factors.shape[1])


def brute_force(factors: np.ndarray, size: np.ndarray, k: int) -> set[tuple[int, ...]]:
    table = one_hot(factors)
    space = _ExactRowSpace(table) if len(table) else None
    small = [c for c in range(len(size)) if 0 < size[c] < k]
    found = set()
    for r in range(1, len(small) + 1):
        for chosen in itertools.combinations(small, r):
            people = int(size[list(chosen)].sum())
            if not 1 <= people < k:
                continue
            vector = np.zeros(len(size), dtype=np.int64)
            vector[list(chosen)] = 1
            if space is not None and space.contains(vector):
                found.add(chosen)
    return found


@st.composite
def tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    classes = draw(st.integers(1, 11))
    factor_count = draw(st.integers(1, 4))
    factors = []
    for f in range(factor_count):
        levels = draw(st.integers(1, 5))
        # The first factor is a position (every class has one) in most tables: that takes
        # the shortcut of solving for one class per position.
        low = draw(st.sampled_from([0, 0, -1])) if f == 0 else -1
        factors.append(
            draw(st.lists(st.integers(low, levels - 1), min_size=classes, max_size=classes))
        )
    size = draw(st.lists(st.integers(1, 7), min_size=classes, max_size=classes))
    k = draw(st.integers(3, 6))
    return np.array(factors, dtype=np.int64), np.array(size, dtype=np.int64), k


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_the_sets_found_are_isolated_and_cover_every_isolated_class(
    table: tuple[np.ndarray, np.ndarray, int],
):
    factors, size, k = table
    result = isolated_sets(factors, size, k, limit=10_000)
    assert result.decided
    truth = brute_force(factors, size, k)
    assert set(result.sets) <= truth
    # Every isolated set is a union of sets found (its parts that share no null-space
    # coordinate), so the classes marked are exactly the classes of some isolated set.
    assert {c for found in result.sets for c in found} == {c for s in truth for c in s}


def test_a_lone_small_class_at_its_own_level_is_isolated():
    # Two units; the second's only class has 2 people: its own unit group isolates it.
    factors = np.array([[0, 0, 1]])
    assert isolated_sets(factors, np.array([6, 5, 2]), 5).sets == ((2,),)


def test_two_breakdowns_of_one_unit_isolate_nothing_small_when_margins_are_large():
    # A unit broken down by two dimensions of two values: the four intersections (2, 8, 8,
    # 2 people) are not released, and no combination of the margins isolates one of them.
    position = [0, 0, 0, 0]
    first = [0, 0, 1, 1]
    second = [0, 1, 0, 1]
    result = isolated_sets(np.array([position, first, second]), np.array([2, 8, 8, 2]), 5)
    assert result.decided and not result.sets


def test_a_too_large_table_is_left_undecided():
    classes = 4_000
    factors = np.array([np.arange(classes), np.arange(classes) % 1_600])
    result = isolated_sets(factors, np.ones(classes, dtype=np.int64), 5)
    assert not result.decided
