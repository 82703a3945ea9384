"""botocore's private parts are read in smfake/_wire/botocore_compat.py only."""

from __future__ import annotations

import re
from pathlib import Path

import botocore

from smfake._wire import botocore_compat

SOURCE = Path(botocore_compat.__file__).parent.parent
# The private names botocore_compat wraps; another module naming one (on anything but its own
# self) reads botocore behind the compatibility module's back.
PRIVATE = re.compile(
    r"(?<!self)\.(_signature_version|_signing_name|_region_name|_credentials|_send_request"
    r"|_session|_content)\b|\"(_signature_version|_credentials|_session)\"|endpoint\.time\b"
)


def test_only_the_compatibility_module_reads_botocore_private_names():
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path.name != "botocore_compat.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PRIVATE.search(line)
    ]
    assert offenders == []


def test_the_installed_botocore_has_what_the_compatibility_module_reads():
    import boto3
    from botocore.endpoint import Endpoint

    client = boto3.client(
        "secretsmanager",
        region_name="eu-west-1",
        aws_access_key_id="AKIAEXAMPLE000000001",
        aws_secret_access_key="x",
    )
    signer = client._request_signer
    assert botocore_compat.signature_version(signer) == "v4"
    assert botocore_compat.signing_name(signer) == "secretsmanager"
    assert botocore_compat.signer_region(signer) == "eu-west-1"
    assert botocore_compat.signer_credentials(signer).access_key == "AKIAEXAMPLE000000001"
    session = boto3.session.Session()
    assert isinstance(botocore_compat.core_session(session), botocore.session.Session)
    assert callable(Endpoint._send_request)
    from botocore import endpoint

    assert hasattr(botocore_compat.endpoint_time(endpoint), "sleep")
