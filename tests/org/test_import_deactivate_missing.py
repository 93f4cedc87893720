"""--deactivate-missing: the file is the whole roster, so people not in it become inactive."""

from __future__ import annotations

from accord.org.models import Organisation, Person
from tests.cast import ROSTER, Cast, roster_csv
from tests.org.roster_files import import_file, import_problems


def without(*external_ids: str) -> list[tuple[str, ...]]:
    return [row for row in ROSTER if row[0] not in external_ids]


def test_people_missing_from_the_file_are_deactivated(cast: Cast) -> None:
    summary = import_file(
        cast.riverside, roster_csv(without("ned", "pat")), deactivate_missing=True
    )

    assert (summary["deactivate"], summary["unchanged"]) == (2, len(ROSTER) - 2)
    inactive = Person.objects.filter(organisation=cast.riverside, is_active=False)
    assert set(inactive.values_list("external_id", flat=True)) == {"ned", "pat"}


def test_without_the_option_missing_people_stay_active(cast: Cast) -> None:
    summary = import_file(cast.riverside, roster_csv(without("ned", "pat")))

    assert summary["deactivate"] == 0
    assert not Person.objects.filter(organisation=cast.riverside, is_active=False).exists()


def test_manager_missing_from_the_file_is_an_error_when_deactivating(cast: Cast) -> None:
    # nora is left out, but sam, nina and ned still report to her.
    problems = import_problems(cast.riverside, roster_csv(without("nora")), deactivate_missing=True)

    message = (
        "column manager_external_id: Manager 'nora' is not in this file, so deactivating "
        "people missing from the file would leave this person reporting to someone inactive."
    )
    assert problems == [f"row {row}, {message}" for row in (6, 7, 8)]


def test_manager_missing_from_the_file_is_fine_without_deactivating(cast: Cast) -> None:
    summary = import_file(cast.riverside, roster_csv(without("nora")))

    assert summary["unchanged"] == len(ROSTER) - 1
    assert cast.person("sam").manager == cast.person("nora")


def test_a_deactivated_person_back_in_the_file_is_reactivated(cast: Cast) -> None:
    import_file(cast.riverside, roster_csv(without("ned")), deactivate_missing=True)

    summary = import_file(cast.riverside, roster_csv(), deactivate_missing=True)

    assert (summary["update"], summary["deactivate"]) == (1, 0)
    assert cast.person("ned").is_active


def test_deactivating_counts_only_people_still_active(org: Organisation, cast: Cast) -> None:
    import_file(cast.riverside, roster_csv(without("ned")), deactivate_missing=True)

    summary = import_file(cast.riverside, roster_csv(without("ned")), deactivate_missing=True)

    assert summary["deactivate"] == 0
