"""What a parity run writes: per test, every call with its answer, normalised so that two
endpoints' recordings compare equal where their behaviour does.

Normalised away: dates (``<date>``), UUIDs and ARN suffixes (numbered per test in order of
appearance, so that "the same version id twice" survives), request ids and every header,
random passwords (kept as their length) and
NextToken values (opaque). Names and ARNs are already in the test's own view
(see rewrite.py), so the account, the Region and the run's prefix never appear.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# An ARN's random suffix: six characters after a hyphen, then a character no name can hold.
_ARN_SUFFIX = re.compile(
    r"(arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@!-]*?-)([A-Za-z0-9]{6})"
    r"(?![\w/+=@!-]|\.[\w/+=.@!-])"
)


class Normaliser:
    """One per test: numbers UUIDs and ARN suffixes in the order they first appear."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def _token(self, kind: str, value: str) -> str:
        key = f"{kind}:{value}"
        if key not in self._seen:
            self._seen[key] = f"<{kind}{sum(k.startswith(kind) for k in self._seen) + 1}>"
        return self._seen[key]

    def text(self, text: str) -> str:
        text = _ARN_SUFFIX.sub(lambda m: m.group(1) + self._token("sfx", m.group(2)), text)
        return _UUID.sub(lambda m: self._token("uuid", m.group(0).lower()), text)

    def value(self, value: Any, key: str = "") -> Any:
        if key == "NextToken" and isinstance(value, str):
            return "<token>"
        if key == "RandomPassword" and isinstance(value, str):
            return f"<random password, {len(value)} characters>"
        if isinstance(value, datetime):
            return "<date>"
        if isinstance(value, (bytes, bytearray)):
            return "b64:" + base64.b64encode(bytes(value)).decode()
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v, str(k)) for k, v in value.items()}
        if value is None or isinstance(value, (bool, int, float)):
            return value
        return repr(value)

    def call(
        self, operation: str, params: dict[str, Any], parsed: dict[str, Any]
    ) -> dict[str, Any]:
        """One call's record: the parameters as the test gave them, and either the response
        members or the error's code, message and HTTP status."""
        status = parsed.get("ResponseMetadata", {}).get("HTTPStatusCode")
        entry: dict[str, Any] = {"operation": operation, "params": self.value(params)}
        if "Error" in parsed:
            error = parsed["Error"]
            entry["error"] = {
                "code": error.get("Code"),
                "message": self.text(str(error.get("Message", ""))),
                "status": status,
            }
        else:
            body = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
            entry["response"] = self.value(body)
            entry["status"] = status
        return entry
