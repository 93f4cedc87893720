"""The example in docs/import-format.md imports as the document says."""

from __future__ import annotations

import re
from pathlib import Path

from accord.org.models import Organisation
from tests.org.roster_files import import_file

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-format.md"


def test_the_documented_example_file_imports_cleanly(org: Organisation) -> None:
    example = re.search(r"```csv\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert example is not None

    summary = import_file(org, example.group(1).encode())

    assert (summary["create"], summary["new_units"]) == (5, 4)
    people = {p.external_id: p for p in org.people.select_related("manager", "unit__kind")}
    assert people["E004"].manager == people["E003"]
    assert people["E004"].unit.kind.name == "unit"
    assert people["E005"].email == ""
    assert people["E002"].is_leader and people["E002"].unit.name == "Emergency"
    assert people["E001"].attributes == {"job_title": "Chief Executive Officer"}
