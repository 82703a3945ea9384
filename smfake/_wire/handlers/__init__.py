"""One thin handler per AWS operation, grouped by topic; operations.py maps names to them."""
