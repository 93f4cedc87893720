"""Survey instrument definitions: loading, strict validation and a versioned registry.

An instrument is the questionnaire itself — its items, what each one measures, the answer
scale and which answers count as favourable — written as a YAML file in the format that
docs/instrument.md describes. Nothing here touches the database: survey cycles will refer to
an instrument by ``(id, version)``, and a published version never changes in place, so
results from different cycles stay comparable item by item.

:func:`load_instrument` checks the whole file and raises :class:`InstrumentError` with every
problem found (each naming the item and the field), never only the first.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

LANGUAGES = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
ROLES = ("outcome", "driver")
# What an instrument is for: a pulse of the whole workforce, or a leader's 360 (the
# framework of behaviours raters see; its checks are in ``_Validator.leadership_rules``).
PULSE = "pulse"
LEADERSHIP_360 = "leadership-360"
PURPOSES = (PULSE, LEADERSHIP_360)
BEHAVIOUR = "behaviour"  # the role of every item of a 360 framework
BEHAVIOURS_PER_COMPETENCY = (4, 6)
COMPETENCIES = (2, 8)
OPEN_QUESTIONS_360 = 2
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MAX_ITEMS = 200

TOP_LEVEL_FIELDS = ("id", "version", "title", "purpose", "constructs", "items")
ITEM_FIELDS = (
    "id",
    "construct",
    "role",
    "text",
    "scale",
    "reverse_coded",
    "favourable",
    "optional",
    "options",
)

Role = Literal["outcome", "driver", "behaviour"]


@dataclass(frozen=True)
class Scale:
    """An answer scale. ``codes`` are the stored answer values; empty for open text."""

    id: str
    codes: tuple[int, ...]
    labels: tuple[str, ...]  # English anchor labels, for documentation and error messages
    reversible: bool
    default_favourable: tuple[int, ...] | None
    favourable_required: bool
    favourable_allowed: bool
    options_required: bool  # the file itself gives the option labels
    # A 360's "not observed": answer code 0 is offered after the scale's own answers and
    # counts as no rating of the behaviour (never as a score).
    not_observed: bool = False

    @property
    def is_open_text(self) -> bool:
        return not self.codes


SCALES: dict[str, Scale] = {
    scale.id: scale
    for scale in (
        Scale(
            id="agree5",
            codes=(1, 2, 3, 4, 5),
            labels=("strongly disagree", "disagree", "neither", "agree", "strongly agree"),
            reversible=True,
            default_favourable=(4, 5),
            favourable_required=False,
            favourable_allowed=True,
            options_required=False,
        ),
        Scale(
            id="likelihood11",
            codes=tuple(range(11)),
            labels=("0 not at all likely", "10 extremely likely"),
            reversible=True,
            default_favourable=(9, 10),
            favourable_required=False,
            favourable_allowed=True,
            options_required=False,
        ),
        Scale(
            id="burnout5",
            codes=(1, 2, 3, 4, 5),
            labels=("option 1", "option 2", "option 3", "option 4", "option 5"),
            reversible=True,
            default_favourable=None,
            favourable_required=True,
            favourable_allowed=True,
            options_required=True,
        ),
        Scale(
            id="yes_no",
            codes=(0, 1),
            labels=("0 no", "1 yes"),
            reversible=False,
            default_favourable=None,
            favourable_required=False,
            favourable_allowed=True,
            options_required=False,
        ),
        Scale(
            id="frequency5",
            codes=(1, 2, 3, 4, 5),
            labels=("never", "rarely", "sometimes", "often", "always"),
            reversible=False,
            default_favourable=(4, 5),
            favourable_required=False,
            favourable_allowed=True,
            options_required=False,
            not_observed=True,
        ),
        Scale(
            id="comment",
            codes=(),
            labels=(),
            reversible=False,
            default_favourable=None,
            favourable_required=False,
            favourable_allowed=False,
            options_required=False,
        ),
    )
}


@dataclass(frozen=True)
class Text:
    """One piece of wording in every language Accord ships."""

    en: str
    es: str


@dataclass(frozen=True)
class Construct:
    id: str
    name: Text


@dataclass(frozen=True)
class Item:
    id: str
    construct: str
    role: Role
    text: Text
    scale: str
    reverse_coded: bool
    # Codes counted as favourable, on the scored scale (after reverse-coding). Empty when the
    # item has no favourable reading (open text, or a yes/no item that does not give one).
    favourable: tuple[int, ...]
    optional: bool
    options: tuple[Text, ...]  # option labels, only for scales whose file gives them

    def score(self, answer: int) -> int:
        """The answer on the scored scale: reverse-coded items are mirrored."""
        codes = SCALES[self.scale].codes
        if answer not in codes:
            raise ValueError(f"{answer!r} is not an answer on the {self.scale} scale")
        if self.reverse_coded:
            return codes[0] + codes[-1] - answer
        return answer

    def is_favourable(self, answer: int) -> bool:
        return self.score(answer) in self.favourable


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    title: Text
    constructs: tuple[Construct, ...]
    items: tuple[Item, ...]
    purpose: str = PULSE

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def outcomes(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.role == "outcome")

    def drivers(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.role == "driver")

    def content_digest(self) -> str:
        """SHA-256 of the definition's content, independent of YAML layout and comments."""
        return _digest_of(self)


@functools.lru_cache(maxsize=64)
def _digest_of(instrument: Instrument) -> str:
    # Instruments are frozen (hashable) values: each one's digest is computed once.
    canonical = json.dumps(asdict(instrument), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class InstrumentProblem:
    """One problem in a definition. ``item`` is None for instrument-level fields."""

    item: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = (
            f"item {self.item!r}, field {self.field!r}" if self.item else f"field {self.field!r}"
        )
        return f"{where}: {self.message}"


class InstrumentError(Exception):
    """A definition that cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[InstrumentProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"- {problem}" for problem in problems)
        super().__init__(f"the instrument definition has {len(problems)} problem(s):\n{lines}")

    @classmethod
    def single(cls, field: str, message: str) -> InstrumentError:
        return cls([InstrumentProblem(None, field, message)])


class InstrumentVersionConflict(Exception):
    """A published (id, version) would change in place; a changed definition needs a new version."""


def load_instrument(source: str | Path) -> Instrument:
    """Read and validate a definition.

    ``source`` is a :class:`~pathlib.Path`, a one-line string naming a ``.yaml``/``.yml``
    file, or the YAML text itself.
    """
    if isinstance(source, Path):
        text = source.read_text(encoding="utf-8")
    elif "\n" not in source and source.strip().endswith((".yaml", ".yml")):
        text = Path(source.strip()).read_text(encoding="utf-8")
    else:
        text = source
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InstrumentError(
            [InstrumentProblem(None, "(file)", f"not readable as YAML{where}: {error}")]
        ) from error
    return _Validator().build(data)


@functools.cache
def _shipped(filename: str) -> Instrument:
    definition = resources.files("accord.surveys").joinpath(f"instruments/{filename}")
    return load_instrument(definition.read_text(encoding="utf-8"))


def core_instrument() -> Instrument:
    """Accord's own core pulse instrument, shipped with the package."""
    return _shipped("accord-core-v1.yaml")


ACTION_FEEDBACK_ID = "accord-action-feedback"


def action_feedback_instrument() -> Instrument:
    """The two questions a unit is asked after an action plan made for it was done."""
    return _shipped("accord-action-feedback-v1.yaml")


LEADERSHIP_FRAMEWORK_ID = "accord-relational-leadership"


def leadership_framework() -> Instrument:
    """Accord's own relational-leadership framework, the one a 360 asks by default."""
    return _shipped("accord-relational-leadership-v1.yaml")


class InstrumentRegistry:
    """Instruments by ``(id, version)``. A registered version is never replaced."""

    def __init__(self) -> None:
        self._instruments: dict[tuple[str, int], Instrument] = {}

    def register(self, instrument: Instrument) -> Instrument:
        """Add an instrument; registering identical content again is a no-op."""
        existing = self._instruments.get(instrument.key)
        if existing is None:
            self._instruments[instrument.key] = instrument
            return instrument
        if existing.content_digest() != instrument.content_digest():
            raise InstrumentVersionConflict(
                f"instrument {instrument.id!r} version {instrument.version} is already "
                "registered with different content; published versions never change — "
                f"give the changed definition a new version number (for example "
                f"{self.latest(instrument.id).version + 1})"
            )
        return existing

    def get(self, instrument_id: str, version: int) -> Instrument:
        return self._instruments[(instrument_id, version)]

    def all(self) -> list[Instrument]:
        return [self._instruments[key] for key in sorted(self._instruments)]

    def versions(self, instrument_id: str) -> list[int]:
        return sorted(version for (id_, version) in self._instruments if id_ == instrument_id)

    def latest(self, instrument_id: str) -> Instrument:
        versions = self.versions(instrument_id)
        if not versions:
            raise KeyError(instrument_id)
        return self._instruments[(instrument_id, versions[-1])]

    def __contains__(self, key: object) -> bool:
        return key in self._instruments

    def __len__(self) -> int:
        return len(self._instruments)


@functools.cache
def default_registry() -> InstrumentRegistry:
    """The process-wide registry, holding the shipped instruments."""
    registry = InstrumentRegistry()
    registry.register(core_instrument())
    registry.register(action_feedback_instrument())
    registry.register(leadership_framework())
    return registry


class _Validator:
    """Collects every problem in a parsed definition, then builds the instrument or raises."""

    def __init__(self) -> None:
        self.problems: list[InstrumentProblem] = []

    def problem(self, item: str | None, field: str, message: str) -> None:
        self.problems.append(InstrumentProblem(item, field, message))

    def build(self, data: Any) -> Instrument:
        if not isinstance(data, Mapping):
            self.problem(None, "(file)", "the definition must be a mapping of fields")
            raise InstrumentError(self.problems)
        for key in data:
            if key not in TOP_LEVEL_FIELDS:
                self.problem(
                    None, str(key), f"unknown field; expected {', '.join(TOP_LEVEL_FIELDS)}"
                )

        instrument_id = self.slug(None, "id", data.get("id"))
        version = self.version(data.get("version"))
        title = self.text(None, "title", data.get("title"))
        purpose = data.get("purpose", PULSE)
        if purpose not in PURPOSES:
            self.problem(None, "purpose", f"must be {' or '.join(PURPOSES)}, not {purpose!r}")
        constructs = self.constructs(data.get("constructs"))
        items = self.items(data.get("items"), {construct.id for construct in constructs})
        if not self.problems:
            if purpose == LEADERSHIP_360:
                self.leadership_rules(constructs, items)
            else:
                self.pulse_rules(items)

        if self.problems:
            raise InstrumentError(self.problems)
        assert instrument_id is not None and version is not None and title is not None
        return Instrument(
            instrument_id, version, title, tuple(constructs), tuple(items), purpose=purpose
        )

    def pulse_rules(self, items: list[Item]) -> None:
        for item in items:
            if item.role == BEHAVIOUR:
                self.problem(
                    item.id,
                    "role",
                    "behaviour is for a 360 framework (purpose: "
                    f"{LEADERSHIP_360}); a pulse item is an outcome or a driver",
                )
            if SCALES[item.scale].not_observed:
                self.problem(
                    item.id,
                    "scale",
                    f"{item.scale} is for a 360 framework (purpose: {LEADERSHIP_360})",
                )

    def leadership_rules(self, constructs: list[Construct], items: list[Item]) -> None:
        """A 360 framework: competencies of 4-6 behaviours rated on how often they are seen,
        and two open questions (strengths; what to develop)."""
        low, high = BEHAVIOURS_PER_COMPETENCY
        open_questions = [item for item in items if SCALES[item.scale].is_open_text]
        rated = [item for item in items if not SCALES[item.scale].is_open_text]
        for item in items:
            if item.role != BEHAVIOUR:
                self.problem(
                    item.id,
                    "role",
                    f"every item of a 360 framework has role {BEHAVIOUR}, not {item.role}",
                )
        for item in rated:
            if item.scale != "frequency5":
                self.problem(
                    item.id,
                    "scale",
                    "a behaviour is rated on frequency5 (how often it is seen, with not observed)",
                )
        competencies = [c for c in constructs if any(i.construct == c.id for i in rated)]
        if not COMPETENCIES[0] <= len(competencies) <= COMPETENCIES[1]:
            self.problem(
                None,
                "constructs",
                f"a 360 framework has {COMPETENCIES[0]} to "
                f"{COMPETENCIES[1]} competencies with behaviours, not {len(competencies)}",
            )
        for competency in competencies:
            count = sum(item.construct == competency.id for item in rated)
            if not low <= count <= high:
                self.problem(
                    None,
                    f"constructs.{competency.id}",
                    f"a competency has {low} to {high} behaviours, not {count}",
                )
        for item in open_questions:
            if item.construct in {c.id for c in competencies}:
                self.problem(
                    item.id,
                    "construct",
                    "an open question belongs to a construct of its own, not to a competency",
                )
        if len(open_questions) != OPEN_QUESTIONS_360:
            self.problem(
                None,
                "items",
                f"a 360 framework asks {OPEN_QUESTIONS_360} open "
                f"questions (strengths; what to develop), not {len(open_questions)}",
            )

    def slug(self, item: str | None, field: str, value: Any) -> str | None:
        if value is None:
            self.problem(item, field, "is required")
            return None
        if not isinstance(value, str) or not SLUG_PATTERN.match(value):
            self.problem(
                item,
                field,
                f"{value!r} is not a slug (lowercase letters and digits, "
                "joined by single hyphens or underscores)",
            )
            return None
        return value

    def version(self, value: Any) -> int | None:
        # bool is an int in Python; `version: yes` must not pass as 1.
        if value is None:
            self.problem(None, "version", "is required")
        elif not isinstance(value, int) or isinstance(value, bool):
            self.problem(None, "version", f"must be a whole number, not {value!r}")
        elif value < 1:
            self.problem(None, "version", f"must be 1 or more, not {value}")
        else:
            return value
        return None

    def text(self, item: str | None, field: str, value: Any) -> Text | None:
        if value is None:
            self.problem(item, field, "is required, in English (en) and Spanish (es)")
            return None
        if not isinstance(value, Mapping):
            self.problem(item, field, "must give the wording per language: en and es")
            return None
        wording: dict[str, str] = {}
        for language in value:
            if language not in LANGUAGES:
                self.problem(item, f"{field}.{language}", "unknown language; expected en and es")
        for language in LANGUAGES:
            words = value.get(language)
            name = LANGUAGE_NAMES[language]
            if words is None:
                self.problem(item, f"{field}.{language}", f"missing {name} text")
            elif not isinstance(words, str) or not words.strip():
                self.problem(item, f"{field}.{language}", f"{name} text must be non-empty text")
            else:
                wording[language] = " ".join(words.split())
        if len(wording) != len(LANGUAGES):
            return None
        return Text(en=wording["en"], es=wording["es"])

    def constructs(self, value: Any) -> list[Construct]:
        if not isinstance(value, Mapping) or not value:
            self.problem(None, "constructs", "must map each construct id to its name in en and es")
            return []
        constructs = []
        for key, name in value.items():
            construct_id = self.slug(None, f"constructs.{key}", key)
            text = self.text(None, f"constructs.{key}", name)
            if construct_id is not None and text is not None:
                constructs.append(Construct(construct_id, text))
        return constructs

    def items(self, value: Any, construct_ids: set[str]) -> list[Item]:
        if not isinstance(value, list) or not value:
            self.problem(None, "items", "must be a non-empty list of items")
            return []
        if len(value) > MAX_ITEMS:
            self.problem(None, "items", f"has {len(value)} items; at most {MAX_ITEMS} are allowed")
            return []
        items = []
        seen: set[str] = set()
        for position, raw in enumerate(value, start=1):
            label = self.item_label(raw, position)
            if not isinstance(raw, Mapping):
                self.problem(label, "(item)", "must be a mapping of fields")
                continue
            item_id = self.slug(label, "id", raw.get("id"))
            if item_id is not None:
                if item_id in seen:
                    self.problem(label, "id", f"duplicate item id {item_id!r}; ids must be unique")
                seen.add(item_id)
            item = self.item(label, raw, construct_ids)
            if item_id is not None and item is not None:
                items.append(Item(id=item_id, **item))
        return items

    @staticmethod
    def item_label(raw: Any, position: int) -> str:
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str) and raw["id"]:
            return str(raw["id"])
        return f"#{position}"

    def item(
        self, label: str, raw: Mapping[str, Any], construct_ids: set[str]
    ) -> dict[str, Any] | None:
        before = len(self.problems)
        for key in raw:
            if key not in ITEM_FIELDS:
                self.problem(label, str(key), f"unknown field; expected {', '.join(ITEM_FIELDS)}")

        construct = raw.get("construct")
        if construct is None:
            self.problem(label, "construct", "is required")
        elif construct not in construct_ids:
            self.problem(
                label,
                "construct",
                f"unknown construct {construct!r}; declare it under constructs "
                f"(declared: {', '.join(sorted(construct_ids)) or 'none'})",
            )

        role = raw.get("role")
        if role not in (*ROLES, BEHAVIOUR):
            self.problem(label, "role", f"must be outcome, driver or behaviour, not {role!r}")

        text = self.text(label, "text", raw.get("text"))
        optional = self.flag(label, "optional", raw.get("optional", False))
        reverse_coded = self.flag(label, "reverse_coded", raw.get("reverse_coded", False))

        scale_id = raw.get("scale")
        scale = SCALES.get(scale_id) if isinstance(scale_id, str) else None
        favourable: tuple[int, ...] = ()
        options: tuple[Text, ...] = ()
        if scale is None:
            self.problem(
                label,
                "scale",
                f"unknown scale {scale_id!r}; expected one of {', '.join(SCALES)}",
            )
        else:
            if reverse_coded and not scale.reversible:
                self.problem(label, "reverse_coded", f"a {scale.id} item cannot be reverse-coded")
            favourable = self.favourable(label, scale, raw.get("favourable"))
            options = self.options(label, scale, raw.get("options"))

        if len(self.problems) > before:
            return None
        return {
            "construct": construct,
            "role": role,
            "text": text,
            "scale": scale_id,
            "reverse_coded": reverse_coded,
            "favourable": favourable,
            "optional": optional,
            "options": options,
        }

    def flag(self, label: str, field: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.problem(label, field, f"must be true or false, not {value!r}")
            return False
        return value

    def favourable(self, label: str, scale: Scale, value: Any) -> tuple[int, ...]:
        if value is None:
            if scale.favourable_required:
                self.problem(
                    label,
                    "favourable",
                    f"is required for a {scale.id} item: list the answer codes that count "
                    f"as favourable ({_codes(scale)})",
                )
            return scale.default_favourable or ()
        if not scale.favourable_allowed:
            self.problem(label, "favourable", f"is not allowed for a {scale.id} item")
            return ()
        if not isinstance(value, list) or not value:
            self.problem(label, "favourable", "must be a non-empty list of answer codes")
            return ()
        codes = []
        for code in value:
            if not isinstance(code, int) or isinstance(code, bool) or code not in scale.codes:
                self.problem(
                    label,
                    "favourable",
                    f"{code!r} is not an answer code on the {scale.id} scale ({_codes(scale)})",
                )
            elif code in codes:
                self.problem(label, "favourable", f"{code} is listed twice")
            else:
                codes.append(code)
        if len(codes) == len(scale.codes):
            self.problem(label, "favourable", "cannot count every answer as favourable")
        return tuple(sorted(codes))

    def options(self, label: str, scale: Scale, value: Any) -> tuple[Text, ...]:
        if not scale.options_required:
            if value is not None:
                self.problem(label, "options", f"a {scale.id} item has fixed options; remove this")
            return ()
        if not isinstance(value, list) or len(value) != len(scale.codes):
            self.problem(
                label,
                "options",
                f"a {scale.id} item needs exactly {len(scale.codes)} options, "
                "each with en and es labels",
            )
            return ()
        options = []
        for position, option in enumerate(value, start=1):
            text = self.text(label, f"options[{position}]", option)
            if text is not None:
                options.append(text)
        return tuple(options)


def _codes(scale: Scale) -> str:
    return f"{scale.codes[0]} to {scale.codes[-1]}"
