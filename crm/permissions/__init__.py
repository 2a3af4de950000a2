"""Menus and buttons per role: what each portal shows a user."""
