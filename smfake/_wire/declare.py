"""What an operation declares once, beside its handler, for every cross-cutting feature to read.

Each handler is registered with ``@operation(...)``: its name, whether it changes anything
(events show no response for a read), what resource it is about (a secret, or the account),
the KMS action it needs on the key of a value, the further IAM actions a request asks for
(CreateSecret with Tags also asks TagResource), and, for a batch, the action each of its
secrets is reviewed and recorded as. Events, access control, faults and the tests read these
declarations; nothing else keeps a list of operations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from smfake._domain.secret import Secret
from smfake._wire.views import Handler

# "secret": about the secret its SecretId names (or, with ``creates``, its Name);
# "account": no resource-level permissions (the resource is "*");
# "secret-if-named": about the secret when SecretId is given, else the account.
Scope = Literal["secret", "account", "secret-if-named"]
# "decrypt": reads a value (kms:Decrypt); "encrypt": writes one (kms:GenerateDataKey).
KmsUse = Literal["decrypt", "encrypt"]
# The further actions a request asks for, from its parameters and the secret it names (None
# when the call creates it, or names none that exists).
Asks = Callable[[Mapping[str, Any], "Secret | None"], tuple[str, ...]]


def _asks_nothing(_: Mapping[str, Any], __: Secret | None) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation's facts, as its handler declares them."""

    name: str
    handler: Handler
    read_only: bool = False
    scope: Scope = "secret"
    # The secret is the one the call creates, named by Name (its ARN is not known yet).
    creates: bool = False
    kms: KmsUse | None = None
    # Further IAM actions (without the service prefix) that a request's parameters ask for.
    also_asks: Asks = _asks_nothing
    # A batch: the operation each secret of its result is authorized and recorded as.
    each_secret: str | None = None
    # (request member, action): the member names a secret of another account, on which the
    # call also asks the action (cross-account replication's AcceptCrossAccountReplication).
    peer: tuple[str, str] | None = None
    # The request member naming an IAM role that the call passes (iam:PassRole).
    passes_role: str | None = None
    # The secret is always the caller's own: a full ARN of another account's secret is not
    # found (the primary of cross-account replication, 1.44 §A4), where other operations
    # reach that account's secret.
    own_account: bool = False

    def about_account(self, params: Mapping[str, Any]) -> bool:
        """Whether the call is about the account rather than one secret."""
        if self.scope == "secret-if-named":
            return not params.get("SecretId")
        return self.scope == "account"


_declared: dict[str, Operation] = {}


def operation(
    name: str,
    *,
    read_only: bool = False,
    scope: Scope = "secret",
    creates: bool = False,
    kms: KmsUse | None = None,
    also_asks: Asks = _asks_nothing,
    each_secret: str | None = None,
    peer: tuple[str, str] | None = None,
    passes_role: str | None = None,
    own_account: bool = False,
) -> Callable[[Handler], Handler]:
    """Register the decorated handler as the operation ``name``, with its declaration."""

    def register(handler: Handler) -> Handler:
        if name in _declared:
            raise RuntimeError(f"operation {name} is declared twice")
        _declared[name] = Operation(
            name,
            handler,
            read_only,
            scope,
            creates,
            kms,
            also_asks,
            each_secret,
            peer,
            passes_role,
            own_account,
        )
        return handler

    return register


def declared() -> Mapping[str, Operation]:
    """Every operation declared so far (operations.py imports every handler module)."""
    return MappingProxyType(_declared)
