"""Parity mode: the behaviour tests against any Secrets Manager endpoint (docs/parity.md)."""
