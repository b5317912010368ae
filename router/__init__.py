"""Classification, jurisdiction and the 631-first routing policy (pure domain, no I/O frameworks)."""
