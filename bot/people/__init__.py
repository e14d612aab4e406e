"""People data from HR: the CSV import, the directory it fills, and who may take part."""
