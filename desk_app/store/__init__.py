"""The local SQLite store: the only module that writes the desk's database."""
