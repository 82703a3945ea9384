"""The same rotation function with a classic bug: its createSecret step is not idempotent.

It changes the database password as soon as it has made one up, and it never looks for a
value that an earlier attempt stored under the same token. Run once, it works. Run again after
a crash (Lambda's retry, or Secrets Manager's next attempt), it sets yet another password in
the database and then fails to store it, since the token already holds the first one: from
then on no staging label holds a password that logs in.
"""

from __future__ import annotations

import json
from typing import Any

from rotation import database, lambda_function


def create_secret(client: Any, arn: str, token: str) -> None:
    current = lambda_function.credentials(client, arn, "AWSCURRENT")
    password = client.get_random_password(ExcludeCharacters=lambda_function.EXCLUDED_CHARACTERS)[
        "RandomPassword"
    ]
    database.set_password(current["username"], password)  # bug: before the secret holds it
    client.put_secret_value(  # bug: an earlier attempt may have stored a value already
        SecretId=arn,
        ClientRequestToken=token,
        SecretString=json.dumps({**current, "password": password}),
        VersionStages=["AWSPENDING"],
    )


STEPS = {**lambda_function.STEPS, "createSecret": create_secret}


def lambda_handler(event: dict[str, str], context: Any) -> None:
    lambda_function.handle(event, STEPS)
