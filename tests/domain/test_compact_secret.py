"""The compact forms a secret is kept in (issue 6): ARN parts, rare fields, shared stages, the
listing index that computes its keys from the secrets."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from smfake._domain.kms import Sealed
from smfake._domain.listing import (
    CREATED_DATE,
    LAST_ACCESSED_DATE,
    LAST_CHANGED_DATE,
    NAME,
    SecretIndex,
)
from smfake._domain.secret import (
    AWSCURRENT,
    Replica,
    Secret,
    is_arn_of,
    shared_stages,
)

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"


def make(name: str, suffix: str = "AbC123", when: datetime = T0) -> Secret:
    return Secret(arn=f"{PREFIX}{name}-{suffix}", name=name, created=when, last_changed=when)


def test_secret_arn_is_rebuilt_from_its_parts_and_the_prefix_is_shared():
    a, b = make("app/a", "a1B2c3"), make("app/b-x", "ZZZZZZ")
    assert a.arn == f"{PREFIX}app/a-a1B2c3"
    assert b.arn == f"{PREFIX}app/b-x-ZZZZZZ"
    assert a._arn_prefix is b._arn_prefix


@pytest.mark.parametrize(
    ("arn", "name"),
    [(f"{PREFIX}app-AbC123", "other"), (f"{PREFIX}app", "app"), ("x", "a-much-longer-name")],
)
def test_secret_refuses_an_arn_that_is_not_its_own(arn, name):
    assert not is_arn_of(arn, name)
    with pytest.raises(ValueError, match="not the ARN of a secret named"):
        Secret(arn=arn, name=name, created=T0, last_changed=T0)


def test_secret_rare_fields_default_to_none_and_belong_to_one_secret():
    a, b = make("a"), make("b")
    a.policy = "{}"
    a.rotation_enabled = False
    assert (a.policy, a.rotation_enabled) == ("{}", False)
    assert (b.policy, b.rotation_enabled, b.deletion_job) == (None, None, None)
    c = Secret(
        arn=f"{PREFIX}c-AbC123", name="c", created=T0, last_changed=T0, rotation_enabled=False
    )
    assert c.rotation_enabled is False and c.primary_arn is None


def test_secret_replicas_are_copied_on_write():
    a, b = make("a"), make("b")
    a.set_replica(Replica("eu-west-1", None, "InSync"))
    a.set_replica(Replica("eu-west-2", None, "InSync"))
    assert list(a.replicas) == ["eu-west-1", "eu-west-2"] and not b.replicas
    assert a.drop_replica("eu-west-1") is not None
    assert a.drop_replica("eu-west-1") is None
    assert a.drop_replica("eu-west-2") is not None
    assert not a.replicas and not b.replicas


def test_shared_stages_share_the_common_tuples():
    assert shared_stages([AWSCURRENT]) is shared_stages((AWSCURRENT,))
    assert shared_stages(["a", "b"]) == ("a", "b")


def test_sealed_keeps_nonce_and_ciphertext_apart_and_out_of_its_repr():
    sealed = Sealed("key", True, b"n" * 12, b"hunter2")
    assert (sealed.nonce, sealed.ciphertext, sealed.binary) == (b"n" * 12, b"hunter2", True)
    assert "hunter2" not in repr(sealed)


def _order(index: SecretIndex, sort_by: str) -> list[str]:
    return [s.name for s in index.column(sort_by).walk(after=None, descending=False)]


def test_index_resorts_on_date_changes_and_keeps_ties_in_registration_order():
    index = SecretIndex()
    b, a, c = make("b"), make("a"), make("c", when=T0 - timedelta(days=1))
    for secret in (b, a, c):
        index.add(secret)
    assert _order(index, CREATED_DATE) == ["c", "b", "a"]
    assert _order(index, NAME) == ["a", "b", "c"]
    assert _order(index, LAST_CHANGED_DATE) == ["c", "b", "a"]
    index.set_last_changed(b, T0 + timedelta(seconds=1))
    index.set_last_accessed(a, date(2030, 1, 2))
    assert _order(index, LAST_CHANGED_DATE) == ["c", "a", "b"]
    assert _order(index, LAST_ACCESSED_DATE) == ["b", "c", "a"]
    index.discard(b)
    index.set_last_changed(b, T0)  # no longer held: changes the secret only
    assert b.last_changed == T0
    assert _order(index, LAST_CHANGED_DATE) == ["c", "a"]
    assert _order(index, CREATED_DATE) == ["c", "a"]
