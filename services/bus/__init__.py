"""The event bus: one interface, two adapters (aiokafka and in-process)."""
