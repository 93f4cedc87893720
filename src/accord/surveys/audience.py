"""Generalising invitees' reporting attributes before any token is issued.

A response is stored with the attributes it will be reported under — reporting unit, role
group, profession, tenure band — copied from its invitation. Someone who reads the database
sees each invitee's attributes next to their name, so every *combination* of the four must be
shared by at least ``k`` invitees, or a response carrying a rare combination would point at
one person. This module makes that true, losing as little as it can:

1. Units: bottom-up, a unit whose own invitees (plus those rolled into it) number fewer than
   ``k`` hands them to its parent. People handed all the way to the root without finding
   ``k`` to be counted with (nobody above them was invited) go back down, to the largest
   group that stands on its own below their own unit, or else below the nearest unit above
   it, within the root's branch: in a survey of one department, its chair is counted with
   its largest team rather than taking the department to the top. If the root still has
   fewer than ``k`` of its own, the smallest child subtrees are rolled into it until it has
   enough.
2. Organisation-wide: a profession held by fewer than ``k`` invitees becomes "Other
   clinician" (or "Other administrator", "Other staff"; "not recorded" when that would be
   every profession of the role group). A tenure band held by fewer than ``k`` invitees
   joins its smaller neighbour ("2 to 10 years").
3. Within each reporting unit, deepest first: a role group with fewer than ``k`` people (a
   team's lone manager) moves to the nearest reporting unit above when only it stands in the
   way and the rest still number ``k``. Then the unit is split top down — role group, then
   profession, then tenure — and within each cell a value held by ``k`` people keeps it,
   while the people of rarer values are generalised together (a pool of professions, or
   "not recorded") with as few others as make ``k``: only they lose the detail, not the
   whole unit. "Not recorded" is the empty string.

Pure Python on plain values, so it is tested exhaustively with generated org charts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

NOT_RECORDED = ""
OTHER_PROFESSION = {
    "clinician": "Other clinician",
    "administrator": "Other administrator",
    "other": "Other staff",
}
# (label, first year, end year): tenure measured in whole years at the cycle's opening.
TENURE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Under 2 years", 0, 2),
    ("2 to 5 years", 2, 5),
    ("5 to 10 years", 5, 10),
    ("10 years or more", 10, None),
)


@dataclass(frozen=True)
class Invitee:
    person_id: int
    unit_id: int
    role_group: str
    profession: str
    hire_date: dt.date | None


@dataclass(frozen=True)
class ReportingAttributes:
    unit_id: int
    role_group: str
    profession: str
    tenure_band: str

    def combination(self) -> tuple[int, str, str, str]:
        return (self.unit_id, self.role_group, self.profession, self.tenure_band)


class AudienceTooSmall(ValueError):
    pass


def tenure_band(hire_date: dt.date | None, on: dt.date) -> str:
    if hire_date is None or hire_date > on:
        return NOT_RECORDED
    years = on.year - hire_date.year - ((on.month, on.day) < (hire_date.month, hire_date.day))
    for label, start, end in TENURE_BANDS:
        if years >= start and (end is None or years < end):
            return label
    return NOT_RECORDED


def generalise(
    invitees: Sequence[Invitee], *, parents: dict[int, int | None], k: int, on: dt.date
) -> dict[int, ReportingAttributes]:
    """Reporting attributes per person id, every full combination shared by ≥ k invitees."""
    if len(invitees) < k:
        raise AudienceTooSmall(
            f"The audience has {len(invitees)} people; at least {k} (the minimum group size) "
            "are needed before anyone can answer anonymously."
        )
    reporting_unit = _reporting_units(invitees, parents, k)
    professions = _pooled_professions(invitees, k)
    bands = _joined_tenure_bands(invitees, k, on)
    attributes = {
        invitee.person_id: ReportingAttributes(
            unit_id=reporting_unit[(invitee.unit_id, invitee.role_group)],
            role_group=invitee.role_group,
            profession=professions[(invitee.role_group, invitee.profession)],
            tenure_band=bands[tenure_band(invitee.hire_date, on)],
        )
        for invitee in invitees
    }
    by_unit: dict[int, list[int]] = defaultdict(list)
    for person_id, attrs in attributes.items():
        by_unit[attrs.unit_id].append(person_id)
    # Deepest first, so people lifted out of a unit are planned with their new unit.
    for unit in sorted(by_unit, key=lambda u: -_depth(u, parents)):
        person_ids = by_unit.pop(unit)
        members = [attributes[pid] for pid in person_ids]
        lifted = _minority_to_lift(members, k)
        above = _reporting_ancestor(unit, parents, by_unit)
        if lifted and above is not None:
            # The lone manager of a team is reported with the unit above, rather than the
            # whole team losing its clinician/administrator split.
            for pid, member in zip(person_ids, members, strict=True):
                if member.role_group in lifted:
                    attributes[pid] = replace(member, unit_id=above)
                    by_unit[above].append(pid)
            person_ids = [pid for pid in person_ids if attributes[pid].unit_id == unit]
            members = [attributes[pid] for pid in person_ids]
        for pid, generalised in zip(person_ids, _recode_unit(members, k), strict=True):
            attributes[pid] = generalised
    return attributes


def _depth(unit: int, parents: dict[int, int | None]) -> int:
    depth = 0
    parent = parents.get(unit)
    while parent is not None:
        depth += 1
        parent = parents.get(parent)
    return depth


def _reporting_ancestor(
    unit: int, parents: dict[int, int | None], pending: dict[int, list[int]]
) -> int | None:
    """The nearest unit above that is still to be planned and has people of its own."""
    parent = parents.get(unit)
    while parent is not None:
        if pending.get(parent):
            return parent
        parent = parents.get(parent)
    return None


def _minority_to_lift(members: list[ReportingAttributes], k: int) -> set[str]:
    """Role groups to lift out of a unit: those below k, when only they stand in the way of
    keeping the role group and the rest still make a group of k."""
    counts = Counter(member.role_group for member in members)
    minority = {group for group, n in counts.items() if n < k}
    if len(members) - sum(counts[group] for group in minority) < k:
        return set()
    return minority


def _reporting_units(
    invitees: Sequence[Invitee], parents: dict[int, int | None], k: int
) -> dict[tuple[int, str], int]:
    """Each invitee unit and role group → the unit its people are reported under."""
    own = Counter(invitee.unit_id for invitee in invitees)
    depth: dict[int, int] = {}
    for unit in own:
        chain: list[int] = []
        node: int | None = unit
        while node is not None and node not in depth:
            chain.append(node)
            node = parents.get(node)
        base = -1 if node is None else depth[node]
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset

    target = {unit: unit for unit in depth}  # where each unit's people go
    held: Counter[int] = Counter(own)
    for unit in sorted(depth, key=lambda u: -depth[u]):
        parent = parents.get(unit)
        if parent is not None and 0 < held[unit] < k:
            held[parent] += held.pop(unit)
            target[unit] = parent

    def resolve(unit: int) -> int:
        while target[unit] != unit:
            unit = target[unit]
        return unit

    roots = [unit for unit in depth if parents.get(unit) is None]
    roles: dict[int, Counter[str]] = defaultdict(Counter)
    for invitee in invitees:
        roles[invitee.unit_id][invitee.role_group] += 1
    settled = _settle_in_own_branch(own, roles, held, parents, roots, resolve, k)

    # A root left with fewer than k of its own takes in its smallest child subtrees.
    for root in roots:
        while 0 < held[root] < k:
            subtrees: dict[int, list[int]] = defaultdict(list)
            for unit, count in held.items():
                child = _top_child(unit, root, parents)
                if count and child is not None:
                    subtrees[child].append(unit)
            if not subtrees:
                break
            smallest = min(subtrees, key=lambda c: (sum(held[u] for u in subtrees[c]), c))
            for unit in subtrees[smallest]:
                held[root] += held.pop(unit)
                target[unit] = root

    # Resolved again: a root that took in a holder's subtree takes its newcomers with it.
    return {
        (unit, group): resolve(settled.get((unit, group), unit))
        for unit in own
        for group in roles[unit]
    }


def _settle_in_own_branch(
    own: Counter[int],
    roles: dict[int, Counter[str]],
    held: Counter[int],
    parents: dict[int, int | None],
    roots: list[int],
    resolve: Callable[[int], int],
    k: int,
) -> dict[tuple[int, str], int]:
    """Bring back into its own branch a small group that was handed all the way to a root:
    where each (unit, role group) of it is now counted.

    A unit's people go up when the unit is small, to be counted with the people above them.
    When nobody above them is in the audience (a department's chair, in a survey of that
    department alone), they would reach the root and drag their whole branch with them.
    Instead they join the largest group that stands on its own below their own unit (or, for
    a small team with nobody below it, below the nearest unit above it that has one), each
    role group with a group where it is already numerous: the chair is counted with the
    department's largest clinical team and its nursing director with its administrators,
    and the department and every team in it can still be shown.
    They never cross into another of the root's branches: there the root keeps them, as for
    the organisation's own people.
    """
    holders = [u for u in held if held[u] >= k and resolve(u) == u and parents.get(u) is not None]
    # Who is counted at each holder, by role group: a newcomer whose role group is already
    # there in strength keeps it, where a lone administrator in a team of nurses would cost
    # the whole team its clinician/administrator split.
    holder_roles: dict[int, Counter[str]] = defaultdict(Counter)
    for unit in own:
        holder_roles[resolve(unit)] += roles[unit]
    below: dict[int, list[int]] = defaultdict(list)  # unit -> the holders in its subtree
    for holder in holders:
        above: int | None = holder
        while above is not None:
            below[above].append(holder)
            above = parents.get(above)
    settled: dict[tuple[int, str], int] = {}
    for root in roots:
        if not 0 < held[root] < k:
            continue
        for origin in [u for u in own if u != root and resolve(u) == root]:
            node: int | None = origin
            while node is not None and node != root and node not in below:
                node = parents.get(node)
            if node is None or node == root:
                continue  # nothing in its branch stands on its own: the root keeps its people
            for group, count in roles[origin].items():
                holder = max(below[node], key=lambda h: (holder_roles[h][group] >= k, held[h], -h))
                settled[(origin, group)] = holder
                held[holder] += count
                holder_roles[holder][group] += count
                held[root] -= count
    return settled


def _top_child(unit: int, root: int, parents: dict[int, int | None]) -> int | None:
    """The child of ``root`` whose subtree holds ``unit`` (None when unit is not below root)."""
    previous = None
    while unit is not None and unit != root:
        previous = unit
        unit = parents.get(unit)  # type: ignore[assignment]
    return previous if unit == root else None


def _pooled_professions(invitees: Sequence[Invitee], k: int) -> dict[tuple[str, str], str]:
    counts = Counter((invitee.role_group, invitee.profession) for invitee in invitees)
    mapping = {key: key[1] for key in counts}
    for role_group in {rg for rg, _ in counts}:
        # Only the rare ones: a pool still below k is dealt with unit by unit (step 3),
        # rather than taking every common profession's label away across the organisation.
        in_group = {prof for rg, prof in counts if rg == role_group}
        rare = {prof for prof in in_group if counts[(role_group, prof)] < k}
        # A pool of every profession would only repeat the role group.
        pool = NOT_RECORDED if rare == in_group else OTHER_PROFESSION.get(role_group, "Other staff")
        for profession in rare:
            mapping[(role_group, profession)] = pool
    return mapping


def _pool_rare(counts: Mapping[str, int], k: int) -> set[str]:
    """Values to pool: every value below k, then the smallest others while the pool is too
    small. A pool that cannot reach k takes everything (the role group alone remains)."""
    pooled = {value for value, n in counts.items() if n < k}
    remaining = sorted((n, value) for value, n in counts.items() if value not in pooled)
    while pooled and sum(counts[v] for v in pooled) < k and remaining:
        pooled.add(remaining.pop(0)[1])
    return pooled


def _joined_tenure_bands(invitees: Sequence[Invitee], k: int, on: dt.date) -> dict[str, str]:
    counts = Counter(tenure_band(invitee.hire_date, on) for invitee in invitees)
    labels = [label for label, _, _ in TENURE_BANDS]
    # Runs of adjacent bands: [[start, end]] indexes into TENURE_BANDS.
    runs = [[i, i] for i in range(len(labels))]

    def size(run: list[int]) -> int:
        return sum(counts[labels[i]] for i in range(run[0], run[1] + 1))

    while len(runs) > 1:
        small = [run for run in runs if 0 < size(run) < k]
        if not small:
            break
        run = min(small, key=size)
        index = runs.index(run)
        neighbours = [i for i in (index - 1, index + 1) if 0 <= i < len(runs)]
        other = min(neighbours, key=lambda i: size(runs[i]))
        low, high = sorted((index, other))
        runs[low : high + 1] = [[runs[low][0], runs[high][1]]]
    mapping = {NOT_RECORDED: NOT_RECORDED}
    for start, end in runs:
        name = _band_range_label(start, end)
        for i in range(start, end + 1):
            mapping[labels[i]] = name
    return mapping


def _band_range_label(start: int, end: int) -> str:
    if start == end:
        return TENURE_BANDS[start][0]
    first = TENURE_BANDS[start][1]
    last = TENURE_BANDS[end][2]
    if last is None:
        return f"{first} years or more" if first else "Any length of service"
    return f"Under {last} years" if first == 0 else f"{first} to {last} years"


def _recode_unit(members: list[ReportingAttributes], k: int) -> list[ReportingAttributes]:
    """Keep as much of a reporting unit's detail as leaves every combination with ≥ k people.

    Top down, role group first, then profession, then tenure: within each cell of the step
    before, a value held by at least ``k`` people stands on its own; the others are
    generalised together (a role group or a tenure band to "not recorded", professions to
    "Other clinician"…), taking in the smallest values that stand on their own until they
    number ``k``. Only the people of a rare value lose it, not the whole unit: twelve nurses
    of whom six are newcomers keep the newcomers' band, the six others are recorded without
    theirs. People whose role group is not recorded keep no profession either.
    """
    if len(members) < k:
        # Only an organisation with several top-level units can get here.
        raise AudienceTooSmall(
            f"Only {len(members)} invitees sit under one of the organisation's top-level "
            f"units; at least {k} are needed there, or leave that unit out of the audience."
        )
    recoded: list[ReportingAttributes] = list(members)
    everyone = list(range(len(members)))
    for role_cell in _split(recoded, everyone, "role_group", k, NOT_RECORDED):
        role_group = recoded[role_cell[0]].role_group
        if role_group == NOT_RECORDED:
            for i in role_cell:
                recoded[i] = replace(recoded[i], profession=NOT_RECORDED)
            cells = [role_cell]
        else:
            other = OTHER_PROFESSION.get(role_group, "Other staff")
            cells = _split(recoded, role_cell, "profession", k, other)
        for cell in cells:
            _split(recoded, cell, "tenure_band", k, NOT_RECORDED)
    return recoded


def _split(
    members: list[ReportingAttributes], cell: list[int], field: str, k: int, pool: str
) -> list[list[int]]:
    """Split a cell (positions in ``members``) by ``field``, recoding ``members`` in place:
    each value held by ≥ k people stands alone, the rest share the label ``pool`` — or "not
    recorded" when nobody's value can stand. Returns the new cells."""
    counts = Counter(getattr(members[i], field) for i in cell)
    pooled = _pool_rare(counts, k)
    label = NOT_RECORDED if pooled == set(counts) else pool
    change: dict[str, Any] = {field: label}
    parts: dict[str, list[int]] = defaultdict(list)
    for i in cell:
        if getattr(members[i], field) in pooled:
            members[i] = replace(members[i], **change)
        parts[getattr(members[i], field)].append(i)
    return list(parts.values())
