"""Settings of the application under test.

Like much real code, it builds its boto3 client when the module is imported and reads secrets
only when they are first needed.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import boto3

REGION = "us-east-1"
DATABASE_SECRET = "prod/app/database"
API_TOKEN_SECRET = "prod/app/api-token"

secrets_client = boto3.client("secretsmanager", region_name=REGION)


@functools.cache
def database_config() -> dict[str, Any]:
    """The database secret, read once and cached for the life of the process."""
    response = secrets_client.get_secret_value(SecretId=DATABASE_SECRET)
    config: dict[str, Any] = json.loads(response["SecretString"])
    return config


def database_url() -> str:
    config = database_config()
    return (
        f"postgresql://{config['username']}:{config['password']}"
        f"@{config['host']}:{config['port']}/{config['dbname']}"
    )


def api_token() -> str:
    """Read on every call, so that a rotated token is picked up at once."""
    return str(secrets_client.get_secret_value(SecretId=API_TOKEN_SECRET)["SecretString"])
