"""A tiny application whose code reads its configuration from AWS Secrets Manager."""
