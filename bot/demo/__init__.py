"""The offline demo: the real app against the packaged fake Slack, on a simulated clock."""
