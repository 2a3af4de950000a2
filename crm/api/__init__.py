"""The wlink API conventions shared by every app: views, paths, pages, errors, fields."""
