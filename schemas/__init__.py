"""Wire and domain vocabulary shared by every package: enums, pydantic models, the lifecycle table,
event envelopes and topic names. Imports only pydantic and the standard library."""
