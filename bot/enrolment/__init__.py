"""bot/enrolment."""
