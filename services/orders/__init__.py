"""Application commands on work orders, one module per capability. Each runs inside the caller's
transaction (never commits), locks the order row first and changes state only through
`lifecycle.transition`, writing its events to the outbox in that same transaction."""
