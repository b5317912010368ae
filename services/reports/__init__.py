"""The reports: the consumer that maintains their aggregates, the rebuild from history, and the
report builders the feedback service's endpoints and dashboard call."""
