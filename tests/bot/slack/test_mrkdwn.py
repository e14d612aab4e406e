"""User text in mrkdwn: escaped, cut, and unable to leave a code span."""

from __future__ import annotations

from bot.slack.mrkdwn import ECHO_LIMIT, clip, echo, escape


def test_escape_turns_slack_control_characters_into_entities() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape("&lt;") == "&amp;lt;"  # typed entities stay as typed


def test_clip_keeps_short_text_and_cuts_long_text_with_an_ellipsis() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("abcd", 3) == "ab…"
    assert len(clip("x" * 5000, 3000)) == 3000


def test_echo_is_short_escaped_and_cannot_close_a_code_span() -> None:
    shown = echo("x` <!channel> `y" + "z" * 1000)
    assert "`" not in shown
    assert "<" not in shown
    assert shown.endswith("…")
    # Cut before escaping: an entity is never split, and the text typed is what counts.
    assert len(echo("<" * 1000)) == (ECHO_LIMIT - 1) * len("&lt;") + 1
