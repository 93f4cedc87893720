"""Who reports to whom after an org-chart import: external ids unique in the file, every
manager known, no reporting cycle, and no one too many managers below the top."""

from __future__ import annotations

from accord.org.importing.people import StoredPerson
from accord.org.importing.roster import ImportPlan, RosterRow
from accord.org.spreadsheets import IssueCollector

# Managers above anyone: real organisations have a dozen or two. The reporting path of ids
# must fit its column, and a manager column filled down by mistake makes one long chain.
MAX_REPORTING_DEPTH = 50


def check_people(plan: ImportPlan, stored: dict[str, StoredPerson], issues: IssueCollector) -> None:
    """External ids are unique, managers exist, reporting lines have no cycles, and
    deactivating the missing leaves no one reporting to an inactive manager."""
    in_file = _rows_by_external_id(plan.rows, issues)
    managers = _managers_after_import(plan, stored, in_file, issues)
    if not _check_cycles(managers, in_file, issues):
        _check_reporting_depth(managers, in_file, issues)


def _rows_by_external_id(rows: list[RosterRow], issues: IssueCollector) -> dict[str, RosterRow]:
    """Each external id's first row; a later row with the same id is a problem."""
    in_file: dict[str, RosterRow] = {}
    for row in rows:
        if not row.external_id or len(row.external_id) > 100:
            continue  # reported as the row was read
        first = in_file.setdefault(row.external_id, row)
        if first is not row:
            issues.add(
                row.row,
                "external_id",
                f"Duplicate external_id {row.external_id!r} (first used on row {first.row}).",
            )
    return in_file


def _managers_after_import(
    plan: ImportPlan,
    stored: dict[str, StoredPerson],
    in_file: dict[str, RosterRow],
    issues: IssueCollector,
) -> dict[str, str]:
    """Each person's manager once the file is applied (external id → external id); a
    manager who is nowhere, or who deactivating the missing would leave inactive, is a
    problem on the row that names them."""
    managers: dict[str, str] = {
        external_id: person.manager_external_id
        for external_id, person in stored.items()
        if person.manager_external_id
    }
    for external_id, row in in_file.items():
        manager = row.manager_external_id
        if manager and manager != external_id:
            managers[external_id] = manager
        else:
            managers.pop(external_id, None)
        if not manager or manager == external_id:
            continue
        if manager not in in_file and manager not in stored:
            issues.add(
                row.row,
                "manager_external_id",
                f"Manager {manager!r} is neither in this file nor already in the organisation.",
            )
        elif manager not in in_file and plan.deactivate_missing:
            issues.add(
                row.row,
                "manager_external_id",
                f"Manager {manager!r} is not in this file, so deactivating people missing from "
                "the file would leave this person reporting to someone inactive.",
            )
    return managers


def _check_cycles(
    managers: dict[str, str], in_file: dict[str, RosterRow], issues: IssueCollector
) -> bool:
    """Whether the reporting lines loop anywhere. Each loop is reported once, on the first
    row in the file that is part of it; the loop may run through people not in the file."""
    # Follow each chain once; a chain that meets itself is a cycle.
    state: dict[str, int] = {}  # 1 = on the current chain, 2 = known to reach the top
    has_cycle = False
    for start in managers:
        chain: list[str] = []
        node: str | None = start
        while node is not None and node not in state and node in managers:
            state[node] = 1
            chain.append(node)
            node = managers[node]
        if node is not None and state.get(node) == 1:
            has_cycle = True
            cycle = chain[chain.index(node) :]
            rows_in_cycle = [in_file[m] for m in cycle if m in in_file]
            if rows_in_cycle:
                first = min(rows_in_cycle, key=lambda r: r.row)
                # Start the loop at the first row's person so the message reads from it.
                at = cycle.index(first.external_id)
                ordered = cycle[at:] + cycle[:at]
                issues.add(
                    first.row,
                    "manager_external_id",
                    "Reporting cycle: " + " → ".join([*ordered, ordered[0]]) + ".",
                )
        for member in chain:
            state[member] = 2
    return has_cycle


def _check_reporting_depth(
    managers: dict[str, str], in_file: dict[str, RosterRow], issues: IssueCollector
) -> None:
    """No one ends up more than MAX_REPORTING_DEPTH managers below the top (no cycles here)."""
    depth: dict[str, int] = {}  # managers above each person who has one
    for start in managers:
        chain: list[str] = []
        node = start
        while node in managers and node not in depth:
            chain.append(node)
            node = managers[node]
        above = depth.get(node, 0)
        for member in reversed(chain):
            above += 1
            depth[member] = above
    too_deep = [external_id for external_id, d in depth.items() if d > MAX_REPORTING_DEPTH]
    for external_id in too_deep:
        if external_id in in_file:
            issues.add(
                in_file[external_id].row,
                "manager_external_id",
                f"This person would have {depth[external_id]} managers above them; at most "
                f"{MAX_REPORTING_DEPTH} are allowed (was the column filled down by mistake?).",
            )
    if too_deep and not any(external_id in in_file for external_id in too_deep):
        issues.add(
            None,
            "manager_external_id",
            f"People already in Accord would have more than {MAX_REPORTING_DEPTH} managers "
            "above them after this import.",
        )
