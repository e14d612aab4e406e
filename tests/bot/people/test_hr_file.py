"""Checking an HR export: every problem reported with its row, before any lookup."""

from __future__ import annotations

import pytest

from bot.people.hr_file import HrFileError, decode, parse_hr_file


def problems(text: str) -> list[str]:
    with pytest.raises(HrFileError) as caught:
        parse_hr_file(text)
    return list(caught.value.problems)


def test_a_good_file_links_each_person_to_their_manager_row() -> None:
    hr = parse_hr_file(
        "email,function,level,time_zone,manager_email,start_date,title\n"
        "Boss@Acme.example.com,General management,6,europe/berlin,,2020-01-02,CEO\n"
        "ana@acme.example.com,engineering,3,America/New_York,boss@acme.example.com,,\n"
        "\n"
    )
    boss, ana = hr.rows
    assert boss.email == "boss@acme.example.com"
    assert boss.function == "general-management"
    assert boss.time_zone == "Europe/Berlin"
    assert boss.start_date is not None
    assert ana.manager_row == boss.row == 2
    assert ana.level == 3


def test_semicolons_instead_of_commas_are_named() -> None:
    found = problems("email;function;level\na@x.example.com;sales;2\n")
    assert found == [
        "row 1 (header): the columns are separated by ';', not commas; save the file as "
        "comma-separated CSV"
    ]


def test_an_unknown_column_is_refused_with_a_suggestion() -> None:
    found = problems("email,levle\na@x.example.com,2\n")
    assert found[0].startswith("row 1 (header): unknown column 'levle' (did you mean 'level'?)")


def test_every_bad_row_is_reported_with_its_row_number() -> None:
    found = problems(
        "email,function,level,time_zone,manager_email\n"
        "a@x.example.com,sales,9,,\n"
        "b@x.example.com,Engineerin,2,Mars/Olympus,\n"
        "a@x.example.com,sales,2,,\n"
        "c@x.example.com,sales,2,,nobody@x.example.com\n"
        ",sales,2,,\n"
    )
    assert found == [
        "row 2: level must be a whole number from 1 (most junior) to 6, got '9'",
        found[1],
        found[2],
        "row 4: email 'a@x.example.com' is already on row 2; each person once",
        "row 5: manager_email 'nobody@x.example.com' is not anyone's email in this file; add "
        "the manager as a row of their own",
        "row 6: needs an email or a slack_id to find the person in Slack",
    ]
    assert found[1].startswith("row 3: unknown function 'Engineerin' (did you mean 'Engineering'?)")
    assert found[2].startswith("row 3: unknown time_zone 'Mars/Olympus'")


def test_a_loop_in_the_reporting_lines_is_reported_not_followed() -> None:
    found = problems("slack_id,manager_slack_id\nU0A,U0C\nU0B,U0A\nU0C,U0B\nU0D,U0D\n")
    assert found == [
        "row 2: the manager chain goes round in a loop (row 2 -> row 4 -> row 3 -> row 2); "
        "somebody in it must have a different manager",
        "row 5: the person is given as their own manager; leave the manager empty at the top",
    ]


def test_a_file_that_is_not_utf8_is_refused_kindly() -> None:
    with pytest.raises(HrFileError) as caught:
        decode("email\nzoë@x.example.com\n".encode("utf-16"))
    assert "not UTF-8" in caught.value.problems[0]
