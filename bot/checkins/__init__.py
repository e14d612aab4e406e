"""Weekly check-ins: when they go out, what they ask, and how answers are kept."""
