from accord.surveys.instruments import SCALES, core_instrument, default_registry

REQUIRED_CONSTRUCTS = {
    "burnout",
    "intent_to_leave",
    "satisfaction",
    "feeling_valued",
    "recommend",
    "communication",
    "shared_priorities",
    "voice",
    "trust_senior_leaders",
    "trust_direct_leader",
    "psychological_safety",
    "practice_efficiency",
    "teamwork",
    "leader_managing_self",
    "leader_teamwork",
    "leader_coaching",
    "leader_advocacy",
}
OUTCOMES = {"burnout", "intent_to_leave", "satisfaction", "feeling_valued", "recommend"}


def test_core_instrument_covers_every_construct_the_product_reports():
    instrument = core_instrument()

    assert instrument.key == ("accord-core", 1)
    assert {item.construct for item in instrument.items} >= REQUIRED_CONSTRUCTS
    assert {item.construct for item in instrument.outcomes()} == OUTCOMES


def test_core_instrument_is_short_enough_for_a_phone():
    assert 22 <= len(core_instrument().items) <= 28


def test_every_core_item_has_english_and_spanish_text():
    for item in core_instrument().items:
        assert item.text.en.strip(), item.id
        assert item.text.es.strip(), item.id
        assert item.text.en != item.text.es, item.id
        for option in item.options:
            assert option.en.strip() and option.es.strip(), item.id


def test_core_burnout_is_a_single_item_with_five_labelled_options():
    burnout = [item for item in core_instrument().items if item.construct == "burnout"]

    assert len(burnout) == 1
    assert burnout[0].scale == "burnout5"
    assert len(burnout[0].options) == 5
    assert burnout[0].favourable == (1, 2)


def test_core_recommend_uses_the_zero_to_ten_scale_with_nine_and_ten_favourable():
    recommend = core_instrument().item("recommend_workplace")

    assert recommend.scale == "likelihood11"
    assert recommend.favourable == (9, 10)


def test_core_psychological_safety_asks_about_speaking_up_and_mistakes():
    ids = {item.id for item in core_instrument().items if item.construct == "psychological_safety"}

    assert ids == {"safe_to_speak_up", "safe_to_admit_mistakes"}


def test_core_has_two_optional_open_comments():
    comments = [item for item in core_instrument().items if SCALES[item.scale].is_open_text]

    assert len(comments) == 2
    assert all(item.optional and not item.favourable for item in comments)


def test_core_instrument_is_in_the_default_registry():
    assert default_registry().get("accord-core", 1) == core_instrument()
