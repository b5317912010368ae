"""Tables, engine, repositories and migrations."""
