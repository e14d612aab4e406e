"""Reflective questions: the curated bank, picking one nobody in a group has seen within a
year, the weekly question of each group, and optional drafts from an LLM."""
