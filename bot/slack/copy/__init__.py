"""All user-facing copy lives in this package, so wording is reviewed and changed in one place."""
