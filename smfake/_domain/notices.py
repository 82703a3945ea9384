"""Service events: what the service itself does to a secret, outside any API call (§16).

The domain only says what happened; the handle turns each notice into a CloudTrail-like
``AwsServiceEvent`` record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

# CloudTrail event names of the service's own events (§16).
ROTATION_STARTED = "RotationStarted"
ROTATION_SUCCEEDED = "RotationSucceeded"
ROTATION_FAILED = "RotationFailed"
ROTATION_ABANDONED = "RotationAbandoned"
TEST_ROTATION_STARTED = "TestRotationStarted"
TEST_ROTATION_SUCCEEDED = "TestRotationSucceeded"
TEST_ROTATION_FAILED = "TestRotationFailed"
START_VERSION_DELETE = "StartSecretVersionDelete"
CANCEL_VERSION_DELETE = "CancelSecretVersionDelete"
END_VERSION_DELETE = "EndSecretVersionDelete"
NAMES = frozenset(
    {
        ROTATION_STARTED,
        ROTATION_SUCCEEDED,
        ROTATION_FAILED,
        ROTATION_ABANDONED,
        TEST_ROTATION_STARTED,
        TEST_ROTATION_SUCCEEDED,
        TEST_ROTATION_FAILED,
        START_VERSION_DELETE,
        CANCEL_VERSION_DELETE,
        END_VERSION_DELETE,
    }
)


@dataclass(frozen=True, slots=True)
class Notice:
    name: str
    account: str
    region: str
    secret_arn: str
    time: datetime
    # The rotation's ClientRequestToken (rotation events), for the record's requestID.
    token: str | None = None


Notify = Callable[[Notice], None]
