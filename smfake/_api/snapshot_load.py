"""Loading a snapshot (snapshot.py): read and check everything first, then replace the fake's
state, so that a bad snapshot changes nothing. Also the few reaches into domain internals that
both directions need."""

from __future__ import annotations

import base64
import binascii
import random
import re
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from smfake._api.snapshot_fields import Fields, bad
from smfake._domain import crossaccount, replication
from smfake._domain.backend import Backend
from smfake._domain.errors import ServiceError
from smfake._domain.kms import DISABLED, ENABLED, PENDING_DELETION, KeyRing, KmsKey, Sealed
from smfake._domain.principals import Principal
from smfake._domain.schedule import parse_rules
from smfake._domain.secret import (
    CrossAccountPrimary,
    CrossAccountReplica,
    Replica,
    Secret,
    SecretValue,
    SecretVersion,
    is_arn_of,
    shared_stages,
)
from smfake._domain.store import SecretStore, partition_of
from smfake._wire.views import has_member
from smfake.errors import UsageError


class Snapshotted(Protocol):
    """What a snapshot reads and replaces of a fake (SecretsManagerFake is one)."""

    _backend: Backend
    account_id: str
    region: str


FORMAT = 1
_KEY_STATES = (ENABLED, DISABLED, PENDING_DELETION)
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"([a-z]+-)+\d+")
_ORGANIZATION = re.compile(r"o-[a-z0-9]{10,32}")
# The model's bounds of Type and of RotateSecret's external members (AWS_SPEC_1_44 §A10).
_TYPE_MAX, _ROLE_MIN, _ROLE_MAX = 256, 20, 2048
_METADATA_KEY_MAX, _METADATA_VALUE_MAX = 256, 2048


@dataclass(slots=True)
class _Store:
    account: str
    region: str
    keys: list[KmsKey]
    aliases: dict[str, str]
    secrets: list[Secret]
    values: dict[tuple[str, str], tuple[str, SecretValue]]  # (arn, version) -> (key id, value)
    rotation_due: dict[str, datetime] = field(default_factory=dict)  # arn -> due


def load(fake: Snapshotted, data: object) -> None:
    top = Fields(data, "")
    fmt = top.raw("format")
    if fmt != FORMAT:
        raise UsageError(
            f"snapshot format {fmt!r} is not one this smfake reads (format {FORMAT}); "
            "was it written by a newer smfake?"
        )
    clock = top.obj("clock")
    now, frozen = clock.time("now"), clock.flag("frozen")
    ids = top.obj("ids")
    seed, rng = ids.raw("seed"), _rng(ids.obj("state"))
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise bad("ids.seed", "an integer", seed)
    principals = [_principal(item) for item in top.objs("principals")]
    # Organizations came later in format 1: absent means every account in the default one.
    placed = _organizations(top.raw("organizations")) if top.has("organizations") else {}
    stores = [_store(item) for item in top.objs("stores")]
    _check_links(stores)
    backend = fake._backend
    with backend.lock:
        backend.reset()
        for principal in list(backend.principals):
            backend.principals.remove(principal.access_key_id)
        for principal in principals:
            backend.principals.add(principal)
        backend.organizations.clear()
        backend.organizations.update(placed)
        if frozen or backend.clock.frozen:
            # The jobs are gone (reset), so moving the clock here runs nothing.
            backend.clock.set(now)
        backend.ids.seed = seed
        backend.ids._rng.setstate(rng)
        for data_store in stores:
            _apply(backend.store(data_store.account, data_store.region), data_store)
        for data_store in stores:
            _link(backend.regions_of(data_store.account), data_store)


def _store(item: Fields) -> _Store:
    account, region = item.text("account"), item.text("region")
    where = item.where
    if not _ACCOUNT.fullmatch(account):
        raise bad(f"{where}.account", "12 digits", account)
    if not _REGION.fullmatch(region):
        raise bad(f"{where}.region", "a Region like 'us-east-1'", region)
    keys = [_key(k) for k in item.objs("kms_keys")]
    key_ids = {key.key_id for key in keys}
    if len(key_ids) != len(keys):
        raise UsageError(f"snapshot {where}.kms_keys: a key id appears twice")
    aliases = item.str_map("kms_aliases")
    for alias, key_id in aliases.items():
        if key_id not in key_ids:
            raise UsageError(f"snapshot {where}.kms_aliases: {alias} names no key ({key_id})")
    result = _Store(account, region, keys, aliases, [], {})
    prefix = f"arn:{partition_of(region)}:secretsmanager:{region}:{account}:secret:"
    for entry in item.objs("secrets"):
        secret = _secret(entry, result, key_ids)
        if not secret.arn.startswith(prefix):
            raise UsageError(f"snapshot {entry.where}.arn: not an ARN of {account} in {region}")
        result.secrets.append(secret)
    for kind in ("name", "arn"):
        taken = [getattr(secret, kind) for secret in result.secrets]
        if len(set(taken)) != len(taken):
            raise UsageError(f"snapshot {where}.secrets: two secrets share a {kind}")
    return result


def _key(item: Fields) -> KmsKey:
    state = item.text("state")
    if state not in _KEY_STATES:
        raise bad(f"{item.where}.state", " or ".join(_KEY_STATES), state)
    deletion_date = item.opt_time("deletion_date")
    if (state == PENDING_DELETION) != (deletion_date is not None):
        raise UsageError(f"snapshot {item.where}: a deletion date goes with {PENDING_DELETION}")
    key = KmsKey(item.text("id"), item.text("arn"), item.text("description"), item.flag("managed"))
    key.state, key.deletion_date = state, deletion_date
    key.policy = item.opt_text("policy") if item.has("policy") else None
    return key


def _secret(item: Fields, store: _Store, key_ids: set[str]) -> Secret:
    arn, name = item.text("arn"), item.text("name")
    if not is_arn_of(arn, name):
        raise UsageError(f"snapshot {item.where}.arn: not the ARN of a secret named {name}")
    secret = Secret(
        arn=arn,
        name=name,
        created=item.time("created"),
        last_changed=item.time("last_changed"),
        description=item.opt_text("description"),
        kms_key_id=item.opt_text("kms_key_id"),
        tags=item.opt_str_map("tags"),
        last_accessed=item.opt_date("last_accessed"),
        deleted_date=item.opt_time("deleted_date"),
        deletion_date=item.opt_time("deletion_date"),
        policy=item.opt_text("policy"),
        rotation_enabled=item.opt_flag("rotation_enabled"),
        rotation_lambda_arn=item.opt_text("rotation_lambda_arn"),
        last_rotated=item.opt_time("last_rotated"),
        next_rotation=item.opt_time("next_rotation"),
        primary_arn=item.opt_text("primary_arn"),
        primary_region=item.opt_text("primary_region"),
    )
    if (secret.deleted_date is None) != (secret.deletion_date is None):
        raise UsageError(f"snapshot {item.where}: deleted_date and deletion_date go together")
    # Absent from snapshots written before managed external secrets were modelled.
    external = item.opt_obj("external") if item.has("external") else None
    if external is not None:
        _external(external, secret)
    rules = item.opt_obj("rotation_rules")
    if rules is not None:
        try:
            secret.rotation_rules = parse_rules(
                automatically_after_days=rules.opt_int("automatically_after_days"),
                schedule_expression=rules.opt_text("schedule_expression"),
                duration=rules.opt_text("duration"),
            )
        except ServiceError as error:
            raise UsageError(f"snapshot {rules.where}: {error.message}") from None
    due = item.opt_time("rotation_due")
    if due is not None:
        store.rotation_due[secret.arn] = due
    for entry in item.objs("replicas"):
        region = entry.text("region")
        secret.set_replica(
            Replica(
                region,
                entry.opt_text("kms_key_id"),
                entry.text("status"),
                entry.opt_text("message"),
            )
        )
    # Cross-account replication came later in format 1: absent means none.
    link = item.opt_obj("cross_account_primary") if item.has("cross_account_primary") else None
    if link is not None:
        secret.cross_account_primary = CrossAccountPrimary(
            _secret_arn(link, "primary_arn"), _status(link), link.opt_text("message")
        )
    for entry in item.objs("cross_account_replicas") if item.has("cross_account_replicas") else []:
        restriction = entry.opt_text("restriction")
        if restriction not in (None, crossaccount.SAME_ORG, crossaccount.NO_RESTRICTION):
            raise bad(f"{entry.where}.restriction", "SameOrg, NoRestriction or null", restriction)
        secret.set_cross_account_replica(
            CrossAccountReplica(
                _secret_arn(entry, "replica_arn"),
                _status(entry),
                entry.opt_text("role_arn"),
                restriction,
                entry.opt_text("message"),
            )
        )
    for entry in item.objs("versions"):
        version = SecretVersion(
            entry.text("id"),
            entry.time("created"),
            None,
            entry.opt_text("kms_key_id"),
            shared_stages(entry.strings("stages")),
            entry.opt_date("last_accessed"),
        )
        value = entry.opt_obj("value")
        if value is not None:
            version.sealed = _value(value, secret, version, store, key_ids)
        if version.version_id in secret.versions:
            raise UsageError(f"snapshot {entry.where}: version {version.version_id} twice")
        secret.versions[version.version_id] = version
    secret.labels = item.str_map("labels")
    held = {(label, vid) for vid, v in secret.versions.items() for label in v.stages}
    if held != set(secret.labels.items()):
        raise UsageError(f"snapshot {item.where}: labels and the versions' stages disagree")
    return secret


def _external(item: Fields, secret: Secret) -> None:
    partner_type = item.opt_text("type")
    if partner_type is not None and not 1 <= len(partner_type) <= _TYPE_MAX:
        raise bad(f"{item.where}.type", f"a Type of 1 to {_TYPE_MAX} characters", partner_type)
    role_arn = item.opt_text("rotation_role_arn")
    if role_arn is not None and not _ROLE_MIN <= len(role_arn) <= _ROLE_MAX:
        where = f"{item.where}.rotation_role_arn"
        raise bad(where, f"an ARN of {_ROLE_MIN} to {_ROLE_MAX} characters", role_arn)
    metadata = _metadata(item)
    if partner_type is None and (metadata, role_arn) != (None, None):
        raise UsageError(
            f"snapshot {item.where}: rotation_metadata and rotation_role_arn go with a type"
        )
    if not has_member("CreateSecret", "Type"):
        # A botocore whose model has no Type must get the answers it got before managed
        # external secrets existed: the secret loads as an ordinary one.
        return
    # Rare fields (secret.py): set only when they hold something.
    if partner_type is not None:
        secret.partner_type = partner_type
    if role_arn is not None:
        secret.external_rotation_role_arn = role_arn
    if metadata is not None:
        secret.external_rotation_metadata = metadata


def _metadata(item: Fields) -> tuple[tuple[str, str], ...] | None:
    pairs = item.raw("rotation_metadata")
    if pairs is None:
        return None
    if not isinstance(pairs, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
        for pair in pairs
    ):
        raise bad(f"{item.where}.rotation_metadata", "a list of [key, value] strings", pairs)
    for i, (key, value) in enumerate(pairs):
        if not (1 <= len(key) <= _METADATA_KEY_MAX and 1 <= len(value) <= _METADATA_VALUE_MAX):
            raise bad(
                f"{item.where}.rotation_metadata[{i}]",
                f"a key of 1 to {_METADATA_KEY_MAX} characters and a value of 1 to "
                f"{_METADATA_VALUE_MAX}",
                [key, value],
            )
    return tuple((key, value) for key, value in pairs)


def _value(
    item: Fields, secret: Secret, version: SecretVersion, store: _Store, key_ids: set[str]
) -> Sealed | None:
    """A lost value becomes a seal no key opens; a readable one is sealed at _apply."""
    key_id = item.text("key_id")
    if item.has("lost") and item.flag("lost"):
        return Sealed(key_id, item.flag("binary"), b"", b"")
    if key_id not in key_ids:
        raise UsageError(f"snapshot {item.where}.key_id: no key {key_id} in this store")
    if item.has("text"):
        clear = SecretValue(text=item.text("text"))
    else:
        encoded = item.text("binary")
        try:
            clear = SecretValue(binary=base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            raise bad(f"{item.where}.binary", "base64", encoded) from None
    store.values[(secret.arn, version.version_id)] = (key_id, clear)
    return None


def _principal(item: Fields) -> Principal:
    return Principal(
        item.text("access_key_id"),
        item.text("account_id"),
        item.text("arn"),
        item.opt_text("secret_access_key"),
        item.opt_text("session_token"),
        item.opt_time("expires"),
        # Access-control fields came later in format 1: absent means none.
        tuple(item.strings("policies")) if item.has("policies") else (),
        item.opt_text("permissions_boundary") if item.has("permissions_boundary") else None,
        tuple(sorted(item.str_map("tags").items())) if item.has("tags") else (),
    )


def _secret_arn(item: Fields, name: str) -> str:
    arn = item.text(name)
    try:
        crossaccount.parse_arn(arn, member=name)
    except ServiceError:
        raise bad(f"{item.where}.{name}", "the full ARN of a secret", arn) from None
    return arn


def _status(item: Fields) -> str:
    status = item.text("status")
    if status not in crossaccount.STATUSES:
        raise bad(f"{item.where}.status", " or ".join(crossaccount.STATUSES), status)
    return status


def _organizations(value: object) -> dict[str, str | None]:
    if isinstance(value, dict) and all(
        isinstance(account, str)
        and _ACCOUNT.fullmatch(account)
        and (org is None or (isinstance(org, str) and _ORGANIZATION.fullmatch(org)))
        for account, org in value.items()
    ):
        return dict(value)
    raise bad("organizations", "an object of account ids to organization ids or null", value)


def _check_links(stores: list[_Store]) -> None:
    arns = {(s.account, secret.arn) for s in stores for secret in s.secrets}
    for store in stores:
        for secret in store.secrets:
            if secret.primary_arn is not None and (store.account, secret.primary_arn) not in arns:
                raise UsageError(f"snapshot: replica {secret.arn} has no primary in the snapshot")


def _apply(store: SecretStore, data: _Store) -> None:
    ring = store.keys
    keys = keys_of(ring)
    for key in data.keys:
        keys[key.key_id] = key
        if key.deletion_date is not None:
            key.deletion_job = store.schedule(key.deletion_date, _later(ring._delete, key))
    aliases_of(ring).update(data.aliases)
    with all_keys_enabled(ring):
        for secret in data.secrets:
            for version in secret.versions.values():
                found = data.values.get((secret.arn, version.version_id))
                if found is not None:
                    key_id, clear = found
                    version.sealed = store.seal_for(secret, version.version_id, clear, key_id)
    # The jobs run the very actions the domain schedules itself; it has no public way to
    # resume one at a given time, hence the private names.
    rotator = store.rotator
    for secret in data.secrets:
        store.adopt(secret)
        if secret.deletion_date is not None:
            secret.deletion_job = store.schedule(
                secret.deletion_date, _later(store._delete_for_good, secret)
            )
        due = data.rotation_due.get(secret.arn)
        if due is not None and rotator is not None:
            secret.rotation_job = store.schedule(due, _later(rotator._fall_due, store, secret))


def _link(store_of: replication.StoreOf, data: _Store) -> None:
    """Point each primary at its replicas' secrets, once every store holds its secrets."""
    for secret in data.secrets:
        for region, replica in secret.replicas.items():
            found = store_of(region).find(replication.replica_arn(secret, region))
            if found is not None and found.primary_arn == secret.arn:
                replica.secret = found


def _later(action: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: action(*args)


def _rng(state: Fields) -> tuple[int, tuple[int, ...], float | None]:
    encoded = state.text("words")
    try:
        packed = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise bad("ids.state.words", "base64", encoded) from None
    version, gauss = state.raw("version"), state.raw("gauss")
    if (
        isinstance(version, int)
        and not len(packed) % 4
        and (gauss is None or isinstance(gauss, float))
    ):
        rng = (version, struct.unpack(f"<{len(packed) // 4}I", packed), gauss)
        try:
            random.Random().setstate(rng)  # checked now, so that loading cannot fail later
        except (TypeError, ValueError):
            pass
        else:
            return rng
    raise bad("ids.state", "the state of Python's random generator", "...")


# -- what the domain keeps private ------------------------------------------------------------
# The domain has no public way to list a store's secrets in registration order (which decides
# ListSecrets' order among ties) or a key ring's keys; both sides of the snapshot use these.


def secrets_of(store: SecretStore) -> list[Secret]:
    return list(store._by_name.values())


def keys_of(ring: KeyRing) -> dict[str, KmsKey]:
    return ring._keys


def aliases_of(ring: KeyRing) -> dict[str, str]:
    return ring._aliases


@contextmanager
def all_keys_enabled(ring: KeyRing) -> Iterator[None]:
    """Every key of ``ring`` usable for the duration, so that values sealed under a disabled
    key can be read (to save them) and sealed again (to load them). Called under the lock."""
    states = {key_id: key.state for key_id, key in ring._keys.items()}
    for key in ring._keys.values():
        key.state = ENABLED
    try:
        yield
    finally:
        for key_id, state in states.items():
            if key_id in ring._keys:
                ring._keys[key_id].state = state
