"""Users, roles, API tokens and password resets."""
