"""What a parity client rewrites, so that a test body runs unchanged against any endpoint.

A test speaks of its secrets as if it were alone in account 123456789012, Region us-east-1,
with the names it chose ("s", "text", ...). Against an endpoint, every secret it creates gets a
per-test prefix, and ARNs carry the endpoint's account and Region. ``Names`` maps one way and
the other: requests are rewritten before botocore serialises them, responses (errors included)
after botocore parses them, so the test sees exactly what it would see alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

HOME_ACCOUNT = "123456789012"
HOME_REGION = "us-east-1"

_SECRET_ARN = re.compile(r"^arn:([^:]*):secretsmanager:([^:]*):([^:]*):secret:(.*)$", re.DOTALL)
# Request members that name a secret; Filters are handled apart (only `name` values are names).
_ARN_IN_TEXT = re.compile(r"arn:[a-z-]+:secretsmanager:[a-z0-9-]*:\d*:secret:")
_NAME_MEMBERS = ("Name", "SecretId")
_FILTERED_LISTS = {"ListSecrets": "SecretList", "BatchGetSecretValue": "SecretValues"}


@dataclass(frozen=True)
class Names:
    """The mapping between a test's view (home account and Region, bare names) and the
    endpoint's (its account and Region, names under ``prefix``)."""

    prefix: str
    account: str
    region: str

    # -- requests: test → endpoint -------------------------------------------------------------

    def name_out(self, value: Any) -> Any:
        if not isinstance(value, str) or not value:
            return value
        match = _SECRET_ARN.match(value)
        if match is None:
            return self.prefix + value if not value.startswith("arn:") else value
        partition, region, account, name = match.groups()
        region = self.region if region == HOME_REGION else region
        account = self.account if account == HOME_ACCOUNT else account
        return f"arn:{partition}:secretsmanager:{region}:{account}:secret:{self.prefix}{name}"

    def text_out(self, text: str) -> str:
        """Secret ARNs inside a text (a resource policy's Resource), in the endpoint's view."""

        def real(match: re.Match[str]) -> str:
            return self.name_out(match.group(0))

        return _ARN_IN_TEXT.sub(real, text)

    def _filter_out(self, value: Any) -> Any:
        if not isinstance(value, dict) or value.get("Key") != "name":
            return value
        values = value.get("Values")
        if not isinstance(values, list):
            return value

        def prefixed(text: Any) -> Any:
            if not isinstance(text, str):
                return text
            if text.startswith("!"):
                return "!" + self.prefix + text[1:]
            return self.prefix + text

        return {**value, "Values": [prefixed(text) for text in values]}

    def request(self, params: dict[str, Any]) -> None:
        """Rewrites ``params`` (botocore's own dict of the call's keyword arguments) in place;
        nested values are replaced, never changed, since they may be the test's own objects."""
        for member in _NAME_MEMBERS:
            if member in params:
                params[member] = self.name_out(params[member])
        if isinstance(params.get("ResourcePolicy"), str):
            params["ResourcePolicy"] = self.text_out(params["ResourcePolicy"])
        if isinstance(params.get("SecretIdList"), list):
            params["SecretIdList"] = [self.name_out(value) for value in params["SecretIdList"]]
        if isinstance(params.get("Filters"), list):
            params["Filters"] = [self._filter_out(value) for value in params["Filters"]]

    # -- responses: endpoint → test ------------------------------------------------------------

    def text_in(self, text: str) -> str:
        def home(match: re.Match[str]) -> str:
            region = HOME_REGION if match.group(1) == self.region else match.group(1)
            return f"arn:aws:secretsmanager:{region}:{HOME_ACCOUNT}:secret:"

        pattern = (
            r"arn:aws:secretsmanager:([a-z0-9-]+):"
            + re.escape(self.account)
            + r":secret:"
            + re.escape(self.prefix)
        )
        return re.sub(pattern, home, text).replace(self.prefix, "")

    def value_in(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text_in(value)
        if isinstance(value, list):
            return [self.value_in(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value_in(item) for key, item in value.items()}
        return value

    def response(self, operation: str, parsed: dict[str, Any]) -> None:
        """Rewrites botocore's parsed response in place (before a ClientError is built from
        it, so that error messages read as the test expects). Lists of secrets keep only this
        test's: another test's, or anything else in a real account, is not the test's to see."""
        listed = _FILTERED_LISTS.get(operation)
        if listed and isinstance(parsed.get(listed), list):
            parsed[listed] = [
                entry
                for entry in parsed[listed]
                if str(entry.get("Name", "")).startswith(self.prefix)
            ]
        for key in list(parsed):
            if key != "ResponseMetadata":
                parsed[key] = self.value_in(parsed[key])
