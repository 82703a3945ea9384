"""The pure state machine of the fake: no botocore, no JSON, no HTTP."""
