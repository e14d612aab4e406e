"""What happens to a group after it is formed: nudges, the end of its round, the answers its
members give, people gone quiet, and the mentor's Accept / Decline."""
