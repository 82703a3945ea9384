"""Responder: answers one decoded request from a fake's backend, as AWS would on the wire."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smfake._domain.backend import Backend
from smfake._domain.errors import ServiceError
from smfake._wire import encode, protocol, validate
from smfake._wire.operations import OPERATIONS
from smfake.errors import UnsupportedOperation


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class Responder:
    def __init__(self, backend: Backend, account_id: str) -> None:
        self.backend = backend
        self.account_id = account_id

    def respond(self, url: str, headers: Mapping[str, Any], body: bytes | str | None) -> Reply:
        backend = self.backend
        with backend.lock:
            request_id = backend.ids.uuid()
            try:
                request = protocol.decode(url, headers, body)
                handler = OPERATIONS.get(request.operation)
                if handler is None:
                    raise UnsupportedOperation(f"the {request.operation} operation")
                validate.check(request.operation, request.params)
                backend.clock.run_due()
                store = backend.store(self.account_id, request.region)
                result = handler(store, request.params)
            except ServiceError as error:
                data = encode.error_body(error)
                return Reply(
                    encode.error_status(error.code),
                    encode.headers(request_id, data, error.code),
                    data,
                )
            data = encode.result_body(result)
            return Reply(200, encode.headers(request_id, data), data)
