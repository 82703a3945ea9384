"""SecretsManagerFake: the object a test holds while the fake is active."""

from __future__ import annotations

import json
import os
import uuid
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from smfake._api import events as event_records
from smfake._api import lambdas
from smfake._api.access_control import AccessControl
from smfake._api.accounts import Organizations
from smfake._api.clock_control import FakeClock
from smfake._api.events import CallRecorder, EventLog
from smfake._api.http import HttpFront
from smfake._api.kms_keys import KmsKeys
from smfake._api.options import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    Options,
    SeedValue,
    check_region,
    check_secret_name,
    check_secret_value,
    check_secrets,
)
from smfake._api.principal_registry import PrincipalRegistry
from smfake._domain.backend import Backend
from smfake._domain.errors import ServiceError
from smfake._domain.notices import Notice
from smfake._domain.rotation import RotationRecord
from smfake._domain.secret import SecretValue
from smfake._domain.store import check_name, partition_of
from smfake._wire.dispatch import Responder, Stages
from smfake.errors import UsageError, UsageTypeError

if TYPE_CHECKING:
    from smfake._api.faults import FaultPlan


class SecretsManagerFake:
    """An in-memory Secrets Manager: one state per (account, region), one clock."""

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        seed: int | None = None,
        verify_signatures: bool = False,
        enforce_access: bool = False,
        fast_path: bool = True,
    ) -> None:
        # The options' checks (see Options for each one's meaning).
        Options(
            account_id=account_id,
            region=region,
            seed=seed,
            verify_signatures=verify_signatures,
            enforce_access=enforce_access,
            fast_path=fast_path,
        )
        self._backend = Backend(seed=seed, invoker=lambdas.make_invoker, notify=self._on_notice)
        self._clock = FakeClock(self._backend.clock)
        self.account_id = account_id
        self.region = region
        self.events = EventLog()
        """CloudTrail-like records of every call and service event, oldest first."""
        self.access = AccessControl(account_id, self._backend)
        """Access control's findings: ``last_denial``, ``decisions``, ``check(...)``."""
        self.access._enabled = bool(enforce_access)
        # The pipeline's stages; faults join when a test first injects one (faults).
        self._stages = Stages(authorizer=self.access, recorder=CallRecorder(self.events))
        self._responder = Responder(self._backend, account_id, self._stages)
        self._responder.verify_signatures = bool(verify_signatures)
        self._responder.fast_path = bool(fast_path)
        self.kms = KmsKeys(self._backend, account_id, region)
        """Customer managed KMS keys: ``fake.kms.create_key(alias="alias/app")`` and so on."""
        self._faults: FaultPlan | None = None  # built on first use: few tests inject faults
        self.principals = PrincipalRegistry(self._backend, account_id, region)
        """Access keys that act as given principals: ``fake.principals.add(key, secret)``."""
        self.http = HttpFront(self._responder, region=region)
        """The fake behind plain HTTP: ``fake.http.handle(...)``, ``fake.http.add_to(rsps)``."""
        self.organizations = Organizations(self._backend)
        """Which AWS Organization each account is in: ``fake.organizations.place(...)``."""

    @classmethod
    def _from_options(cls, options: Options) -> SecretsManagerFake:
        """A new fake built with ``options`` (whose ``secrets`` and ``fake`` concern an
        activation, not the fake)."""
        return cls(
            account_id=options.account_id,
            region=options.region,
            seed=options.seed,
            verify_signatures=options.verify_signatures,
            enforce_access=options.enforce_access,
            fast_path=options.fast_path,
        )

    if not TYPE_CHECKING:  # type checkers see no such names, and so flag their use

        def __getattr__(self, name: str) -> Any:
            # Names renamed in 0.x keep working, with a DeprecationWarning (CHANGELOG.md).
            if name == "seed_secrets":
                warnings.warn(
                    "fake.seed_secrets() is deprecated: pass secrets= to mock_secretsmanager(), or "
                    "call fake.add_secret()",
                    DeprecationWarning,
                    stacklevel=2,
                )
                return self._seed_secrets
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        count = sum(len(store) for store in self._backend.stores())
        return f"SecretsManagerFake(account_id={self.account_id!r}, secrets={count})"

    @property
    def clock(self) -> FakeClock:
        """The fake's clock: ``now()``, ``advance(...)``, ``set(datetime)``, ``freeze()``."""
        return self._clock

    @property
    def faults(self) -> FaultPlan:
        """Fault injection: ``fake.faults.inject("GetSecretValue", "ThrottlingException")``."""
        plan = self._faults
        if plan is None:
            from smfake._api.faults import FaultPlan

            with self._backend.lock:
                plan = self._faults
                if plan is None:
                    plan = self._faults = self._stages.faults = FaultPlan()
        return plan

    @property
    def verify_signatures(self) -> bool:
        """Strict mode: every request must be SigV4-signed by a key in ``fake.principals``."""
        return self._responder.verify_signatures

    @verify_signatures.setter
    def verify_signatures(self, value: bool) -> None:
        self._responder.verify_signatures = bool(value)

    @property
    def fast_path(self) -> bool:
        """Whether successful botocore calls are answered at ``before-call`` (cheaper; see
        docs/activation.md#where-a-call-is-answered). Off: every call goes botocore's whole way."""
        return self._responder.fast_path

    @fast_path.setter
    def fast_path(self, value: bool) -> None:
        self._responder.fast_path = bool(value)

    @property
    def enforce_access(self) -> bool:
        """Access control: every call is authorized against the caller's policies, the
        secret's resource policy and the KMS key policy (docs/access-control.md#access-control)."""
        return self.access._enabled

    @enforce_access.setter
    def enforce_access(self, value: bool) -> None:
        self.access._enabled = bool(value)

    @property
    def seed(self) -> int:
        """The seed of the fake's id generator (ARN suffixes, request ids)."""
        return self._backend.ids.seed

    def register_rotation_function(
        self,
        name_or_arn: str,
        handler: lambdas.Handler,
        *,
        region: str | None = None,
        retries: int = 2,
    ) -> str:
        """Register ``handler(event, context)`` as the Lambda function ``name_or_arn``; returns
        its ARN, to pass as RotationLambdaARN. A bare name gets the ARN of the fake's account
        and ``region`` (default: the fake's region). ``retries`` (0 to 2) is how often a failed
        step is invoked again, as Lambda retries asynchronous invocations."""
        arn = self._function_arn(name_or_arn, region)
        function = lambdas.make_function(arn, handler, retries)
        with self._backend.lock:
            self._backend.rotator.functions[arn] = function
        return arn

    def _function_arn(self, name_or_arn: str, region: str | None) -> str:
        # A bare name gets the ARN of the fake's account and the given (or the fake's) Region.
        if region is not None:
            check_region(region)
        return lambdas.function_arn(
            name_or_arn,
            partition=partition_of(region or self.region),
            region=region or self.region,
            account_id=self.account_id,
        )

    def unregister_rotation_function(self, name_or_arn: str, *, region: str | None = None) -> None:
        """Forget the handler registered as ``name_or_arn`` (resolved as
        ``register_rotation_function`` resolves it); UsageError if none is. A secret whose
        rotation names it then rotates as one naming a function that does not exist:
        RotateSecret is refused with AccessDeniedException, and a scheduled rotation does not
        run."""
        arn = self._function_arn(name_or_arn, region)
        with self._backend.lock:
            functions = self._backend.rotator.functions
            if functions.pop(arn, None) is None:
                known = ", ".join(sorted(functions)) or "none"
                raise UsageError(
                    f"no rotation function is registered as {arn}; registered: {known} "
                    "(see docs/clock-and-rotation.md#rotation)"
                )

    def client(
        self,
        account_id: str | None = None,
        *,
        region: str | None = None,
        **client_kwargs: Any,
    ) -> Any:
        """A botocore client (what ``boto3.client`` returns) that acts as the root user of
        ``account_id`` (default: the fake's account) in ``region`` (default: the fake's):
        the short way for a test to be another account. The fake must be active, unless
        ``endpoint_url`` points at a ``smfake.Server(fake)`` of this fake; used once the fake
        is no longer active, the client refuses to send (UsageError)."""
        from smfake._api.accounts import client_for

        return client_for(self, account_id, region, client_kwargs)

    def register_partner_rotator(
        self, type_name: str, handler: lambdas.PartnerHandler, *, retries: int = 2
    ) -> None:
        """Register ``handler(event)`` as the partner that rotates managed external secrets
        whose ``Type`` is ``type_name``. RotateSecret on such a secret invokes it instead of a
        Lambda function, with the same four steps and events, retried as ``retries`` says."""
        rotator = lambdas.make_partner(type_name, handler, retries)
        with self._backend.lock:
            self._backend.rotator.partners[type_name] = rotator

    def unregister_partner_rotator(self, type_name: str) -> None:
        """Forget the partner rotator of ``type_name``; UsageError if none is registered. Its
        secrets then rotate as ones whose Lambda function cannot be invoked."""
        lambdas.check_type_name(type_name)
        with self._backend.lock:
            partners = self._backend.rotator.partners
            if partners.pop(type_name, None) is None:
                known = ", ".join(sorted(partners)) or "none"
                raise UsageError(
                    f"no partner rotator is registered for Type {type_name!r}; registered: "
                    f"{known} (see docs/clock-and-rotation.md#managed-external-secrets)"
                )

    @property
    def rotations(self) -> list[RotationRecord]:
        """Every rotation attempt so far, oldest first: trigger, steps, errors, outcome
        ("succeeded", "failed" or "incomplete") and the reason for the last two."""
        with self._backend.lock:
            return list(self._backend.rotator.records)

    def reset(self) -> None:
        """Forget every secret in every account and region, every event and every injected
        fault; the fake stays active."""
        self._backend.reset()
        self.events.clear()
        if self._faults is not None:
            self._faults.clear()
        self.http._clear_extension_cache()

    def save_state(self, path: str | os.PathLike[str]) -> None:
        """Write the fake's whole state to ``path`` as JSON, atomically and readable by its
        owner only: secrets, versions with their values IN CLEAR TEXT, KMS keys, access keys
        and the clock's reading. Rotation functions, events and faults are not saved."""
        from smfake._api import snapshot  # only needed here: imported on first use

        snapshot.save_file(self, path)

    def load_state(self, path: str | os.PathLike[str]) -> None:
        """Replace the fake's state with one that ``save_state`` or ``smfake serve --state``
        wrote; all or nothing. Registered rotation functions, events and faults stay."""
        from smfake._api import snapshot

        snapshot.load_file(self, path)

    def _on_notice(self, notice: Notice) -> None:
        ids = self._backend.ids
        self.events._append(
            event_records.from_notice(notice, event_id=ids.uuid(), request_id=ids.uuid())
        )

    def add_secret(
        self,
        name: str,
        value: SeedValue | None = None,
        *,
        region: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None,
    ) -> str:
        """Create a secret directly, as CreateSecret would; returns its ARN.

        A mapping value is stored as its JSON text, the usual shape of database secrets; a
        None (or empty) value creates a secret with no version, as CreateSecret without a
        value does. ``tags`` is a mapping or boto3's list of ``{"Key": ..., "Value": ...}``.
        """
        check_secret_name(name)
        check_secret_value(name, value)
        if region is not None:
            check_region(region)
        if description is not None and not isinstance(description, str):
            raise UsageTypeError(f"description is a str, got {description!r}")
        tag_list = _tag_list(tags)
        secret_value = _to_secret_value(name, value)
        store = self._backend.store(self.account_id, region or self.region)
        with self._backend.lock:
            try:
                secret, _ = store.create_secret(
                    name=name,
                    token=str(uuid.uuid4()),
                    value=secret_value,
                    description=description,
                    tag_list=tag_list,
                )
            except ServiceError as error:
                raise UsageError(f"cannot add secret {name!r}: {error.message}") from None
        return secret.arn

    def _seed_secrets(self, secrets: Mapping[str, SeedValue]) -> None:
        """Create each named secret that does not exist yet in the fake's region; all or none."""
        if not secrets:
            return  # every activation calls this: keep the empty case free
        check_secrets(secrets)
        store = self._backend.store(self.account_id, self.region)
        with self._backend.lock:
            for name in secrets:
                try:
                    check_name(name)
                except ServiceError as error:
                    raise UsageError(f"cannot add secret {name!r}: {error.message}") from None
            missing = {name: v for name, v in secrets.items() if store.find(name) is None}
            for name, value in missing.items():
                _to_secret_value(name, value)  # check every value before creating anything
            for name, value in missing.items():
                self.add_secret(name, value)


def _tag_list(tags: object) -> list[tuple[str, str]] | None:
    if tags is None:
        return None
    if isinstance(tags, Mapping):
        pairs = list(tags.items())
    elif isinstance(tags, Sequence) and not isinstance(tags, (str, bytes)):
        pairs = []
        for tag in tags:
            if not isinstance(tag, Mapping) or set(tag) - {"Key", "Value"} or "Key" not in tag:
                raise UsageTypeError(
                    "tags is a mapping {key: value} or boto3's list of "
                    f"{{'Key': ..., 'Value': ...}}, got an item {tag!r}"
                )
            pairs.append((tag["Key"], tag.get("Value", "")))
    else:
        raise UsageTypeError(
            "tags is a mapping {key: value} or boto3's list of {'Key': ..., 'Value': ...}, "
            f"got {type(tags).__name__}"
        )
    for key, value in pairs:
        if not isinstance(key, str) or not isinstance(value, str):
            raise UsageTypeError(f"tag keys and values are str, got {key!r}: {value!r}")
    return pairs or None


def _to_secret_value(name: str, value: SeedValue | None) -> SecretValue | None:
    if isinstance(value, Mapping):
        try:
            value = json.dumps(value)
        except (TypeError, ValueError) as error:
            raise UsageTypeError(
                f"secret {name!r}: a mapping value must be JSON-serialisable ({error})"
            ) from None
    if isinstance(value, bytes):
        return SecretValue(binary=value) if value else None
    if isinstance(value, str):
        return SecretValue(text=value) if value else None
    if value is None:
        return None
    raise UsageTypeError(
        f"secret {name!r}: a value is str, bytes or a JSON mapping, got {type(value).__name__}"
    )
