"""Code under test that builds its client when imported, as application modules often do."""

from __future__ import annotations

from typing import Any

import boto3

CLIENT = boto3.client("secretsmanager", region_name="us-east-1")


def read_secret(name: str) -> Any:
    return CLIENT.get_secret_value(SecretId=name)["SecretString"]
