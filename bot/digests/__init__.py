"""Admin digests: a programme's figures from stored data only, rendered for admins.

`figures` holds the plain values every part shares (the service computes them, the blocks,
the chart, App Home and the CSV export render them)."""
