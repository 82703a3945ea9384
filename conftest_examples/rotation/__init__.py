"""A rotation function for a database password, and its property tests."""
