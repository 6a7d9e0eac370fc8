"""Users, teams and API tokens: one service behind the admin pages, the API and the CLI."""
