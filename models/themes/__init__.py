"""Themes of a passage, from the report outline and the passage's own words."""
