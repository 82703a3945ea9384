"""Snapshots: a fake's whole state as JSON-ready data, and back (``smfake serve --state``).

A snapshot holds every (account, region) store with its secrets, versions and KMS keys, the
registered access keys, the id generator and the clock's reading. Secret values are written
in clear text: a snapshot is as sensitive as the secrets it holds. Keys' data keys are not
written; loading seals every value again under fresh ones.

What is not in a snapshot: rotation functions (Python callables: register them again after
loading), rotation records, events and injected faults (the test harness, not the service).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import struct
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

from smfake._api import snapshot_load
from smfake._api.snapshot_load import (
    FORMAT,
    Snapshotted,
    aliases_of,
    all_keys_enabled,
    keys_of,
    secrets_of,
)
from smfake._domain.errors import DecryptionFailure
from smfake._domain.secret import CrossAccountPrimary, Replica, Secret, SecretVersion
from smfake._domain.store import SecretStore
from smfake.errors import UsageError

__all__ = [
    "FORMAT",
    "dump",
    "from_json",
    "load",
    "load_file",
    "read_file",
    "remove_temporaries",
    "save_file",
    "to_json",
]

Snapshot = dict[str, Any]


def dump(fake: Snapshotted) -> Snapshot:
    """The fake's state as plain data (str, int, bool, None, lists and dicts)."""
    backend = fake._backend
    with backend.lock:
        clock = backend.clock
        stores = [store for store in backend.stores() if len(store) or keys_of(store.keys)]
        return {
            "format": FORMAT,
            "account_id": fake.account_id,
            "region": fake.region,
            "clock": {"now": _time(clock.now()), "frozen": clock.frozen},
            "principals": [
                {
                    "access_key_id": p.access_key_id,
                    "account_id": p.account_id,
                    "arn": p.arn,
                    "secret_access_key": p.secret_access_key,
                    "session_token": p.session_token,
                    "expires": _opt_time(p.expires),
                    "policies": list(p.policies),
                    "permissions_boundary": p.permissions_boundary,
                    "tags": dict(p.tags),
                }
                for p in backend.principals
            ],
            "organizations": dict(backend.organizations),
            "stores": [_store(store) for store in stores],
            "ids": {"seed": backend.ids.seed, "state": _rng_state(fake)},
        }


def load(fake: Snapshotted, data: object) -> None:
    """Replace the fake's state with a snapshot's: all or nothing. Registered rotation
    functions, events and injected faults are kept."""
    snapshot_load.load(fake, data)


def to_json(data: Snapshot) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def from_json(text: str | bytes) -> Snapshot:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UsageError(f"a snapshot is a JSON object; this is not JSON ({error})") from None
    if not isinstance(data, dict):
        raise UsageError(f"a snapshot is a JSON object, got a JSON {type(data).__name__}")
    return data


def save_file(fake: Snapshotted, path: str | os.PathLike[str]) -> None:
    """Write the fake's state to ``path`` as JSON, atomically: a reader sees the old file or
    the new one, never half of one. The file is readable by its owner only, and so is the
    temporary file it is written to first, from its creation."""
    target = Path(path)
    data = to_json(dump(fake)).encode("utf-8")
    # The temporary file sits beside the target so that the rename never crosses filesystems.
    temporary, fd = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def remove_temporaries(path: str | os.PathLike[str]) -> list[str]:
    """Remove the temporary files that saves of ``path`` left beside it when their process was
    killed mid-save (they hold secret values in clear text); returns their names. Call it when
    no save of ``path`` is running: ``smfake serve --state`` does, at start."""
    target = Path(path)
    pattern = _temporary_pattern(target.name)
    removed = []
    with suppress(OSError):  # no such directory: nothing was left there
        for entry in os.scandir(target.parent):
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with suppress(OSError):  # gone already, or not ours to remove
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return sorted(removed)


def _create_temporary(target: Path) -> tuple[Path, int]:
    # Created with mode 0600 in the same call that creates the name (never chmod-ed after):
    # there is no moment at which another user could open it. O_EXCL refuses an existing file
    # or a symbolic link planted under the name.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o600)
        except FileExistsError:  # pragma: no cover - 64 random bits collided
            continue


def _temporary_pattern(name: str) -> re.Pattern[str]:
    # This version's names (16 hex digits), and the 8 characters of tempfile.mkstemp that
    # earlier versions used.
    return re.compile(rf"\.{re.escape(name)}\.(?:[0-9a-f]{{16}}|[a-z0-9_]{{8}})\.tmp")


def _sync_directory(directory: Path) -> None:
    # Makes the rename itself durable: after a power loss the directory shows the new file,
    # not the temporary one. Directories cannot be opened this way on Windows.
    if not hasattr(os, "O_DIRECTORY"):
        return  # pragma: no cover - Windows
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_file(path: str | os.PathLike[str]) -> Snapshot:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the snapshot {os.fspath(path)!r}: {error}") from None
    try:
        return from_json(text)
    except UsageError as error:
        raise UsageError(f"{os.fspath(path)!r}: {error}") from None


def load_file(fake: Snapshotted, path: str | os.PathLike[str]) -> None:
    """Replace the fake's state with the one saved in ``path`` by save_file."""
    data = read_file(path)
    try:
        load(fake, data)
    except UsageError as error:
        raise UsageError(f"{os.fspath(path)!r}: {error}") from None


# -- writing --------------------------------------------------------------------------------


def _store(store: SecretStore) -> Snapshot:
    keys = keys_of(store.keys)
    with all_keys_enabled(store.keys):
        secrets = [_secret(store, secret) for secret in secrets_of(store)]
    return {
        "account": store.account,
        "region": store.region,
        "kms_keys": [
            {
                "id": key.key_id,
                "arn": key.arn,
                "description": key.description,
                "managed": key.managed,
                "state": key.state,
                "deletion_date": _opt_time(key.deletion_date),
                "policy": key.policy,
            }
            for key in keys.values()
        ],
        "kms_aliases": aliases_of(store.keys),
        "secrets": secrets,
    }


def _secret(store: SecretStore, secret: Secret) -> Snapshot:
    rules = secret.rotation_rules
    job = secret.rotation_job
    return {
        "arn": secret.arn,
        "name": secret.name,
        "description": secret.description,
        "kms_key_id": secret.kms_key_id,
        "tags": None if secret.tags is None else dict(secret.tags),
        "policy": secret.policy,
        "created": _time(secret.created),
        "last_changed": _time(secret.last_changed),
        "last_accessed": _opt_date(secret.last_accessed),
        "deleted_date": _opt_time(secret.deleted_date),
        "deletion_date": _opt_time(secret.deletion_date),
        "rotation_enabled": secret.rotation_enabled,
        "rotation_lambda_arn": secret.rotation_lambda_arn,
        "rotation_rules": None
        if rules is None
        else {
            "automatically_after_days": rules.automatically_after_days,
            "schedule_expression": rules.schedule_expression,
            "duration": rules.duration,
        },
        "last_rotated": _opt_time(secret.last_rotated),
        "next_rotation": _opt_time(secret.next_rotation),
        # When the scheduled rotation falls due (the window's start; next_rotation is its end).
        "rotation_due": None if job is None or job.cancelled else _time(job.due),
        "primary_arn": secret.primary_arn,
        "primary_region": secret.primary_region,
        "replicas": [_replica(replica) for replica in secret.replicas.values()],
        "cross_account_primary": _cross_account_primary(secret.cross_account_primary),
        "cross_account_replicas": [
            {
                "replica_arn": entry.replica_arn,
                "status": entry.status,
                "role_arn": entry.role_arn,
                "restriction": entry.restriction,
                "message": entry.message,
            }
            for entry in secret.cross_account_replicas.values()
        ],
        "labels": dict(secret.labels),
        "versions": [_version(store, secret, v) for v in secret.versions.values()],
        "external": _external(secret),
    }


def _external(secret: Secret) -> Snapshot | None:
    # A managed external secret's Type and rotation settings; None for every other secret.
    metadata = secret.external_rotation_metadata
    if (
        secret.partner_type is None
        and metadata is None
        and secret.external_rotation_role_arn is None
    ):
        return None
    return {
        "type": secret.partner_type,
        "rotation_metadata": None if metadata is None else [list(pair) for pair in metadata],
        "rotation_role_arn": secret.external_rotation_role_arn,
    }


def _cross_account_primary(link: CrossAccountPrimary | None) -> Snapshot | None:
    if link is None:
        return None
    return {"primary_arn": link.primary_arn, "status": link.status, "message": link.message}


def _replica(replica: Replica) -> Snapshot:
    return {
        "region": replica.region,
        "kms_key_id": replica.kms_key_id,
        "status": replica.status,
        "message": replica.message,
    }


def _version(store: SecretStore, secret: Secret, version: SecretVersion) -> Snapshot:
    return {
        "id": version.version_id,
        "created": _time(version.created),
        "last_accessed": _opt_date(version.last_accessed),
        "kms_key_id": version.kms_key_id,
        "stages": list(version.stages),
        "value": _value(store, secret, version),
    }


def _value(store: SecretStore, secret: Secret, version: SecretVersion) -> Snapshot | None:
    sealed = version.sealed
    if sealed is None:
        return None  # rotation's empty AWSPENDING placeholder
    # The key that sealed the value, by id: an alias may point elsewhere by now.
    value: Snapshot = {"key_id": sealed.key_id}
    try:
        clear = store.reveal(secret, version)
    except DecryptionFailure:
        # Its key was deleted: the value is gone for good, and stays unreadable after loading.
        value.update(binary=sealed.binary, lost=True)
        return value
    if clear.binary is not None:
        value["binary"] = base64.b64encode(clear.binary).decode("ascii")
    else:
        value["text"] = clear.text
    return value


def _rng_state(fake: Snapshotted) -> Snapshot:
    # Saved so that ids continue their sequence after a restart instead of repeating it. The
    # generator's 625 words are packed, to keep the file readable.
    version, words, gauss = fake._backend.ids._rng.getstate()
    packed = struct.pack(f"<{len(words)}I", *words)
    return {"version": version, "words": base64.b64encode(packed).decode("ascii"), "gauss": gauss}


def _time(when: datetime) -> str:
    return when.isoformat()


def _opt_time(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _opt_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
