"""The same rotation function with its last step left as a stub: finishSecret returns without
moving AWSCURRENT.

Every invocation returns, so Lambda reports no error. But AWSPENDING stays on the new version,
the rotation never completes, and Secrets Manager refuses the next RotateSecret ("A previous
rotation isn't complete. That rotation will be reattempted.").
"""

from __future__ import annotations

from typing import Any

from rotation import lambda_function


def finish_secret(client: Any, arn: str, token: str) -> None:
    """Bug: a stub. It must move AWSCURRENT to the version ``token``."""


STEPS = {**lambda_function.STEPS, "finishSecret": finish_secret}


def lambda_handler(event: dict[str, str], context: Any) -> None:
    lambda_function.handle(event, STEPS)
