"""The default key policy KMS gives a key created without one."""

from __future__ import annotations

import json


def default_key_policy(account: str) -> str:
    """KMS's default key policy: the account's root principal may do everything, which hands
    the decision to the account's IAM policies (KMS Developer Guide, key-policy-default)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )
