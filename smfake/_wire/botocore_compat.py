"""Every read or write of botocore's (and boto3's) private parts, in one place.

botocore offers no public way to learn what a request would be signed with before it is
signed, to run its endpoint's sending code on a given response, or to skip its retry back-off;
smfake needs all three. Each private name it relies on is used here only, so that a botocore
release that changes one breaks one small function, which the test suite runs on every path.

Checked against botocore 1.34.70 (the oldest supported: the first that reads
``request_credentials`` from the signing context) and 1.44.x (1.44.18, the newest at the time
of writing). When adding a botocore version to that list, run the suite with it
(``tox -e botocore-oldest,botocore-latest``) and update this docstring.
"""

from __future__ import annotations

from typing import Any

# -- RequestSigner (a client's ``_request_signer``, given to before-call and before-sign) ----


def signature_version(request_signer: Any) -> str | None:
    """The signature version the signer was configured with ("v4", "s3v4", ...)."""
    return getattr(request_signer, "_signature_version", None)


def signing_name(request_signer: Any) -> str:
    return request_signer._signing_name  # type: ignore[no-any-return]


def signer_region(request_signer: Any) -> str:
    return request_signer._region_name  # type: ignore[no-any-return]


def signer_credentials(request_signer: Any) -> Any:
    """The client's credentials object (None when it found none), refreshable or not."""
    return getattr(request_signer, "_credentials", None)


# -- sessions ----------------------------------------------------------------------------------


def core_session(boto3_session: Any) -> Any:
    """The botocore session under a boto3 Session (None for anything else)."""
    return getattr(boto3_session, "_session", None)


def cached_credentials(core: Any) -> Any:
    """The credentials a botocore session resolved and keeps, or None."""
    return getattr(core, "_credentials", None)


def forget_cached_credentials(core: Any) -> None:
    """Make a botocore session resolve its credentials again at its next client."""
    core._credentials = None


# -- responses -----------------------------------------------------------------------------------


def reset_response_content(response: Any) -> None:
    """What ``AWSResponse.__init__`` sets besides url, status_code, headers and raw: for a
    response built without calling it (``fastpath.LazyHeaders``)."""
    response._content = None


# -- the endpoint -------------------------------------------------------------------------------


def send_request(endpoint: Any, request_dict: dict[str, Any], operation_model: Any) -> Any:
    """Run ``Endpoint._send_request``: the (http, parsed) pair botocore makes of a request."""
    return endpoint._send_request(request_dict, operation_model)


def endpoint_time(endpoint_module: Any) -> Any:
    """The ``time`` module that botocore.endpoint's retry loop sleeps through."""
    return endpoint_module.time


def set_endpoint_time(endpoint_module: Any, replacement: Any) -> None:
    endpoint_module.time = replacement
