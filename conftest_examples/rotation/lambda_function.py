"""A rotation function for the password of a database user, in the shape of AWS's rotation
template: four steps, each of which may run more than once.

Lambda retries a step that failed (a crash, a timeout), and Secrets Manager retries a whole
rotation that did not finish, with the same token. So every step first looks at what an
earlier attempt already did, and finishes the job instead of starting another one.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import Any

import boto3

from rotation import database

Step = Callable[[Any, str, str], None]
# Characters that would need quoting in a connection string.
EXCLUDED_CHARACTERS = "/@\"'\\"


@functools.cache
def secrets_client() -> Any:
    # One client per Lambda container, built on first use (Lambda sets the region and AWS's
    # template reads the endpoint from SECRETS_MANAGER_ENDPOINT).
    return boto3.client("secretsmanager", endpoint_url=os.environ["SECRETS_MANAGER_ENDPOINT"])


def lambda_handler(event: dict[str, str], context: Any) -> None:
    handle(event, STEPS)


def handle(event: dict[str, str], steps: dict[str, Step]) -> None:
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    client = secrets_client()
    metadata = client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError(f"secret {arn} is not enabled for rotation")
    versions = metadata["VersionIdsToStages"]
    if token not in versions:
        raise ValueError(f"secret {arn} has no version {token} to rotate to")
    if "AWSCURRENT" in versions[token]:
        return  # this rotation already finished
    if "AWSPENDING" not in versions[token]:
        raise ValueError(f"version {token} of secret {arn} is not AWSPENDING")
    if step not in steps:
        raise ValueError(f"unknown rotation step {step!r}")
    steps[step](client, arn, token)


def credentials(client: Any, arn: str, stage: str, token: str | None = None) -> dict[str, Any]:
    kwargs = {"VersionId": token} if token else {}
    value = client.get_secret_value(SecretId=arn, VersionStage=stage, **kwargs)
    return dict(json.loads(value["SecretString"]))


def create_secret(client: Any, arn: str, token: str) -> None:
    """Store a new password under AWSPENDING, unless an earlier attempt already did."""
    current = credentials(client, arn, "AWSCURRENT")
    try:
        credentials(client, arn, "AWSPENDING", token)
        return
    except client.exceptions.ResourceNotFoundException:
        pass
    password = client.get_random_password(ExcludeCharacters=EXCLUDED_CHARACTERS)
    client.put_secret_value(
        SecretId=arn,
        ClientRequestToken=token,
        SecretString=json.dumps({**current, "password": password["RandomPassword"]}),
        VersionStages=["AWSPENDING"],
    )


def set_secret(client: Any, arn: str, token: str) -> None:
    """Give the database the stored AWSPENDING password; setting it twice does no harm."""
    pending = credentials(client, arn, "AWSPENDING", token)
    database.set_password(pending["username"], pending["password"])


def test_secret(client: Any, arn: str, token: str) -> None:
    pending = credentials(client, arn, "AWSPENDING", token)
    if not database.can_log_in(pending["username"], pending["password"]):
        raise ValueError("the AWSPENDING credentials do not log in")


def finish_secret(client: Any, arn: str, token: str) -> None:
    """Make the new version AWSCURRENT (the old one becomes AWSPREVIOUS), then drop
    AWSPENDING."""
    stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
    if current != token:
        client.update_secret_version_stage(
            SecretId=arn,
            VersionStage="AWSCURRENT",
            MoveToVersionId=token,
            RemoveFromVersionId=current,
        )
    client.update_secret_version_stage(
        SecretId=arn, VersionStage="AWSPENDING", RemoveFromVersionId=token
    )


STEPS: dict[str, Step] = {
    "createSecret": create_secret,
    "setSecret": set_secret,
    "testSecret": test_secret,
    "finishSecret": finish_secret,
}
