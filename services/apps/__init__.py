"""The four FastAPI apps and the all-in-one app."""
