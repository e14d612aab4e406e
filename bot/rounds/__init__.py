"""Rounds: matching a programme when its round is due, storing it once, and queueing its intros
and notes; plus the daily work around them (pause ends, one-off conversations, cohort ends)."""
