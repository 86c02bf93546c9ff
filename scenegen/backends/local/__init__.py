"""Embedded backends: the procedural renderer, SQLite history, a local folder."""
