"""The running system: database, event bus, outbox relay, the four FastAPI apps, consumers, CLI."""
