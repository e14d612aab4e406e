"""`admin eligibility`: the words read into a change, and the settings described."""

from __future__ import annotations

import pytest

from bot.people.admin import BadEligibilityCommand, apply, describe
from bot.people.eligibility import EligibilityPolicy

DEFAULT = EligibilityPolicy()


def test_no_words_show_the_settings() -> None:
    assert apply(DEFAULT, ()) is None
    text = "\n".join(describe(DEFAULT))
    assert "Guests: excluded" in text
    assert "same manager: kept apart" in text


def test_each_change() -> None:
    step = apply(DEFAULT, ("guests", "allow"))
    assert step is not None
    assert not step.exclude_guests
    step = apply(step, ("exclude", "<@U0SAM|sam>", "U0KAI"))
    assert step is not None
    assert step.excluded_user_ids == {"U0SAM", "U0KAI"}
    step = apply(step, ("include", "<@U0KAI>"))
    assert step is not None
    assert step.excluded_user_ids == {"U0SAM"}
    step = apply(step, ("group", "<!subteam^S0EXEC|@execs>"))
    assert step is not None
    assert step.excluded_usergroup_id == "S0EXEC"
    step = apply(step, ("same-manager", "off"))
    assert step is not None
    step = apply(step, ("hr-fields", "locked"))
    assert step is not None
    assert (step.same_manager_apart, step.hr_fields_editable) == (False, False)
    assert apply(step, ("group", "none")) == EligibilityPolicy(
        exclude_guests=False,
        same_manager_apart=False,
        hr_fields_editable=False,
        excluded_user_ids=frozenset({"U0SAM"}),
    )


@pytest.mark.parametrize(
    "words",
    [("guests",), ("guests", "maybe"), ("exclude",), ("exclude", "sam"), ("group",), ("what",)],
)
def test_words_that_make_no_change_say_how_to_type_one(words: tuple[str, ...]) -> None:
    with pytest.raises(BadEligibilityCommand) as caught:
        apply(DEFAULT, words)
    assert "admin eligibility" in str(caught.value) or "`" in str(caught.value)
