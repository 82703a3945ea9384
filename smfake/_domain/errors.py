"""AWS service errors raised by the domain; the wire turns them into HTTP responses.

Each class is named exactly after an AWS error code, so that the wire maps it by name.
"""

from __future__ import annotations

from typing import ClassVar

from smfake._domain import messages


class ServiceError(Exception):
    """An error the real service returns to the caller."""

    code: ClassVar[str] = "InternalServiceError"
    template: ClassVar[str] = "An internal error occurred."

    def __init__(self, template: str | None = None, /, **fields: object) -> None:
        text = template or self.template
        # A message without fields is used as is: it may quote a value containing braces.
        self.message = text.format(**fields) if fields else text
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


# Errors any AWS JSON service can return besides those its model lists (AWS's common errors
# page): status and the text the fake gives them when they need no fields.
COMMON_ERRORS: dict[str, tuple[int, str]] = {
    "ThrottlingException": (400, messages.RATE_EXCEEDED),
    "ServiceUnavailable": (503, messages.SERVICE_UNAVAILABLE),
    "InternalFailure": (500, messages.INTERNAL_FAILURE),
    "AccessDeniedException": (400, ""),  # filled in per call, naming principal and resource
    "RequestTimeout": (408, messages.REQUEST_TIMEOUT),
    "ValidationException": (400, messages.INJECTED_VALIDATION),
    "UnrecognizedClientException": (400, messages.UNRECOGNIZED_CLIENT),
    "ExpiredTokenException": (400, messages.EXPIRED_TOKEN),
    "IncompleteSignatureException": (400, messages.INJECTED_INCOMPLETE_SIGNATURE),
    "InvalidSignatureException": (400, messages.SIGNATURE_MISMATCH),
    "MissingAuthenticationTokenException": (400, messages.MISSING_AUTHENTICATION_TOKEN),
}


def error_codes() -> frozenset[str]:
    """Every error code the fake itself can answer with (its classes and the common errors)."""
    found: set[str] = set(COMMON_ERRORS)
    pending: list[type[ServiceError]] = [ServiceError]
    while pending:
        cls = pending.pop()
        found.add(cls.code)
        pending.extend(cls.__subclasses__())
    return frozenset(found)


class InternalServiceError(ServiceError):
    code = "InternalServiceError"


class ResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"
    template = messages.SECRET_NOT_FOUND


class InvalidRequestException(ServiceError):
    code = "InvalidRequestException"


class InvalidParameterException(ServiceError):
    code = "InvalidParameterException"


class InvalidNextTokenException(ServiceError):
    code = "InvalidNextTokenException"
    template = messages.INVALID_NEXT_TOKEN


class ValidationException(ServiceError):
    code = "ValidationException"


class ResourceExistsException(ServiceError):
    code = "ResourceExistsException"


class LimitExceededException(ServiceError):
    code = "LimitExceededException"


class SerializationException(ServiceError):
    code = "SerializationException"


class UnknownOperationException(ServiceError):
    code = "UnknownOperationException"


class DecryptionFailure(ServiceError):
    code = "DecryptionFailure"


class EncryptionFailure(ServiceError):
    code = "EncryptionFailure"


class MalformedPolicyDocumentException(ServiceError):
    code = "MalformedPolicyDocumentException"
    template = messages.POLICY_SYNTAX_ERROR


class PublicPolicyException(ServiceError):
    code = "PublicPolicyException"
    template = messages.PUBLIC_POLICY_BLOCKED


class ThrottlingException(ServiceError):
    code = "ThrottlingException"
    template = "Rate exceeded"


class AccessDeniedException(ServiceError):
    code = "AccessDeniedException"


# -- Authentication (strict mode): every one is HTTP 400 on awsJson services --------------------


class MissingAuthenticationTokenException(ServiceError):
    code = "MissingAuthenticationTokenException"
    template = messages.MISSING_AUTHENTICATION_TOKEN


class IncompleteSignatureException(ServiceError):
    code = "IncompleteSignatureException"


class InvalidSignatureException(ServiceError):
    code = "InvalidSignatureException"
    template = messages.SIGNATURE_MISMATCH


class UnrecognizedClientException(ServiceError):
    code = "UnrecognizedClientException"
    template = messages.UNRECOGNIZED_CLIENT


class ExpiredTokenException(ServiceError):
    code = "ExpiredTokenException"
    template = messages.EXPIRED_TOKEN
