import pytest

from accord.surveys.instruments import (
    InstrumentRegistry,
    InstrumentVersionConflict,
    load_instrument,
)

from .definitions import as_yaml, definition, item


def test_registering_identical_content_again_is_accepted():
    registry = InstrumentRegistry()
    first = registry.register(load_instrument(as_yaml(definition())))

    # Same content, different layout: YAML comments and key order do not matter.
    again = registry.register(load_instrument("# reloaded\n" + as_yaml(definition())))

    assert again is first
    assert len(registry) == 1


def test_a_published_version_cannot_change_in_place():
    registry = InstrumentRegistry()
    registry.register(load_instrument(as_yaml(definition())))
    changed = definition()
    item(changed, "say")["text"]["en"] = "I have a real say."

    with pytest.raises(InstrumentVersionConflict, match="new version number"):
        registry.register(load_instrument(as_yaml(changed)))

    assert registry.get("test-pulse", 1).item("say").text.en == "I have a say."


def test_a_changed_definition_is_registered_under_a_new_version():
    registry = InstrumentRegistry()
    registry.register(load_instrument(as_yaml(definition())))
    changed = definition()
    changed["version"] = 2
    item(changed, "say")["text"]["en"] = "I have a real say."

    registry.register(load_instrument(as_yaml(changed)))

    assert registry.versions("test-pulse") == [1, 2]
    assert registry.latest("test-pulse").item("say").text.en == "I have a real say."
