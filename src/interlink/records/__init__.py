"""The shared databases: records of every kind, owned by a bureau, visible as it allows."""
