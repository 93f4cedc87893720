from accord.surveys.instruments import core_instrument, load_instrument

from .definitions import as_yaml, definition, item


def test_agree_items_count_agree_and_strongly_agree_as_favourable():
    say = load_instrument(as_yaml(definition())).item("say")

    assert say.favourable == (4, 5)
    assert [say.is_favourable(answer) for answer in range(1, 6)] == [0, 0, 0, 1, 1]


def test_reverse_coded_agreement_is_favourable_when_the_respondent_disagrees():
    leave = core_instrument().item("intent_to_leave")

    assert leave.reverse_coded
    assert leave.score(1) == 5
    assert leave.is_favourable(1) and leave.is_favourable(2)
    assert not leave.is_favourable(4) and not leave.is_favourable(5)


def test_reverse_coding_mirrors_the_zero_to_ten_scale():
    data = definition()
    item(data, "recommend")["reverse_coded"] = True
    recommend = load_instrument(as_yaml(data)).item("recommend")

    assert recommend.score(0) == 10
    assert recommend.score(10) == 0
    assert recommend.is_favourable(1)


def test_declared_favourable_codes_replace_the_default():
    data = definition()
    item(data, "say")["favourable"] = [5]

    say = load_instrument(as_yaml(data)).item("say")

    assert say.favourable == (5,)
    assert not say.is_favourable(4)


def test_scoring_an_answer_outside_the_scale_fails_loudly():
    say = load_instrument(as_yaml(definition())).item("say")

    try:
        say.score(6)
    except ValueError as error:
        assert "agree5" in str(error)
    else:
        raise AssertionError("6 is not an agree5 answer")
