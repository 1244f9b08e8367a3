"""Version 1 of the Gazetteer API: one router per area, over nsai.query."""
