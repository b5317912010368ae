"""Unit actions, 回访 and ratings, close/reopen, and the report arithmetic (631, three rates)."""
