"""The exact rule's proof (protected_classes) on hand-made tables and against brute force."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.insights.suppression import protected_by_branch, protected_classes


def table(*cells: tuple[tuple[int, ...], int]) -> tuple[np.ndarray, np.ndarray]:
    """Classes given as (levels per factor, size)."""
    factors = np.array([levels for levels, _ in cells], dtype=np.int64).T
    return factors, np.array([size for _, size in cells], dtype=np.int64)


def test_a_small_cell_inside_a_complete_table_is_protected() -> None:
    # Two units by four values, one unit-value cell of 1: no sum or difference of the unit
    # totals and value totals isolates it.
    cells = [((unit, value), 6) for unit in range(2) for value in range(4)]
    cells[5] = ((1, 1), 1)
    assert protected_classes(*table(*cells), 5).all()


def test_a_small_cell_at_the_end_of_an_l_is_exposed() -> None:
    # Unit 1 holds only one value: its total is that cell.
    trusted = protected_classes(*table(((0, 0), 6), ((0, 1), 6), ((1, 1), 2)), 5)
    assert trusted.tolist() == [True, True, False]


def test_small_cells_that_always_move_together_are_protected_by_their_sum() -> None:
    # Unit 1's two cells take the same weight in any derivation (the values are tied by
    # unit 0), and together they hold 5.
    factors, size = table(((0, 0), 6), ((0, 1), 6), ((1, 0), 2), ((1, 1), 3))
    assert protected_classes(factors, size, 5).all()
    size[3] = 2
    assert not protected_classes(factors, size, 5)[2:].any()


def test_no_classes() -> None:
    assert protected_classes(np.zeros((2, 0), dtype=np.int64), np.zeros(0, np.int64), 5).size == 0


def derivable_small_sets(factors: np.ndarray, size: np.ndarray, k: int) -> list[tuple[int, ...]]:
    """Every set of classes holding 1 to k-1 people whose indicator is a main-effects vector
    (a sum of one weight per level of every factor), by enumeration and a rank test."""
    columns = [np.ones(factors.shape[1])]
    for levels in factors:
        for level in np.unique(levels):
            columns.append((levels == level).astype(float))
    design = np.array(columns).T
    rank = np.linalg.matrix_rank(design)
    found = []
    classes = range(factors.shape[1])
    for r in range(1, factors.shape[1] + 1):
        for subset in itertools.combinations(classes, r):
            if not 0 < size[list(subset)].sum() < k:
                continue
            indicator = np.zeros(factors.shape[1])
            indicator[list(subset)] = 1
            if np.linalg.matrix_rank(np.c_[design, indicator]) == rank:
                found.append(subset)
    return found


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_no_class_it_trusts_is_in_a_derivable_small_set(data: st.DataObject) -> None:
    factor_count = data.draw(st.integers(1, 3))
    levels = [data.draw(st.integers(1, 3)) for _ in range(factor_count)]
    grid = list(itertools.product(*(range(n) for n in levels)))
    chosen = data.draw(st.lists(st.sampled_from(grid), min_size=1, max_size=9, unique=True))
    size = np.array([data.draw(st.integers(1, 7)) for _ in chosen], dtype=np.int64)
    factors = np.array(chosen, dtype=np.int64).T.reshape(factor_count, len(chosen))
    k = data.draw(st.integers(2, 5))
    trusted = protected_classes(factors, size, k)
    assert trusted[size >= k].all()
    for subset in derivable_small_sets(factors, size, k):
        assert not trusted[list(subset)].any(), (chosen, size.tolist(), subset)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_classes_proved_branch_by_branch_are_safe_in_the_whole_table(
    data: st.DataObject,
) -> None:
    # Factor 0 is the position; positions belong to branches. Proving each branch alone
    # loses the links other branches give, never safety: brute force on the whole table.
    positions = data.draw(st.integers(1, 4))
    branch_of_position = np.array(
        [data.draw(st.integers(0, 1)) for _ in range(positions)], dtype=np.int64
    )
    levels = [positions, data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))]
    grid = list(itertools.product(*(range(n) for n in levels)))
    chosen = data.draw(st.lists(st.sampled_from(grid), min_size=1, max_size=9, unique=True))
    size = np.array([data.draw(st.integers(1, 7)) for _ in chosen], dtype=np.int64)
    factors = np.array(chosen, dtype=np.int64).T.reshape(3, len(chosen))
    k = data.draw(st.integers(2, 5))
    trusted = protected_by_branch(factors, size, branch_of_position[factors[0]], k)
    assert trusted[size >= k].all()
    # Never more than the whole table's own proof, which sees every link.
    assert not (trusted & ~protected_classes(factors, size, k)).any()
    for subset in derivable_small_sets(factors, size, k):
        assert not trusted[list(subset)].any(), (chosen, size.tolist(), subset)


def test_a_branch_alone_cannot_borrow_another_branchs_links() -> None:
    # Position 0 (branch 0) ties the two values' weights; position 1 (branch 1) holds 2 and
    # 3 people. In the whole table they always move together and hold 5; branch 1 alone
    # could isolate either.
    factors, size = table(((0, 0), 6), ((0, 1), 6), ((1, 0), 2), ((1, 1), 3))
    assert protected_classes(factors, size, 5).all()
    apart = protected_by_branch(factors, size, np.array([0, 0, 1, 1]), 5)
    assert apart.tolist() == [True, True, False, False]
