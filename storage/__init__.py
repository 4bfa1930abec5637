"""aiosqlite storage: one connection, numbered migrations, one repository module per aggregate."""
