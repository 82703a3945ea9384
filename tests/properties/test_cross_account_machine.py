"""A stateful test of cross-account replication through boto3 clients of two accounts.

One primary secret in account A and at most one replica of it in account B, driven by random
sequences of the calls each side may make: the primary's writes (values, description, tags,
labels, a rotation), Associate, Disassociate, StopReplicationToReplica, the replica's creation,
forced deletion on either side, the replica's KMS keys (disabled, enabled, changed), writes the
replica must refuse, the organizations, and a save_state / reset / load_state round trip.

A small model keeps the link as each side should show it (docs/cross-account.md); after every
step the machine checks that both sides agree with it and with each other: statuses, the
replica's versions, labels, values and description while both say InSync, the managed
resource policy, and that ListSecrets shows neither link. Every refused call must be an AWS
error (a modelled code, a 4xx), never a Python exception out of the fake.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from smfake import mock_secretsmanager
from tests.operations.test_rotate_secret import TemplateRotation

_MODEL = botocore.session.get_session().get_service_model("secretsmanager")
pytestmark = pytest.mark.skipif(
    "AssociateCrossAccountReplica" not in _MODEL.operation_names,
    reason="this botocore's model has no cross-account replication",
)
# A fake that raised a Python exception would answer InternalServiceError (a 5xx): not here.
AWS_CODES = {shape.name for shape in _MODEL.error_shapes} - {"InternalServiceError"}

A, B = "111111111111", "222222222222"
CUR = "AWSCURRENT"
LABEL = "custom"
MANAGED_POLICY = "cross-account-replication"
OTHER_ORG = "o-elsewhere0001"
IN_SYNC, FAILED, PENDING, DETACHED = "InSync", "Failed", "Pending", "Detached"
IPA = "InvalidParameterException"
IRQ = "InvalidRequestException"
RNF = "ResourceNotFoundException"
# What the replica's side says when one of its keys is disabled: its values sealed under
# that key cannot be read, nor re-encrypted under another.
KEY_ERRORS = {"DecryptionFailure", "EncryptionFailure"}
ROLES = {
    "none": None,
    "mine": f"arn:aws:iam::{A}:role/replication",
    "theirs": f"arn:aws:iam::{B}:role/replication",  # not of the primary's account: refused
}


class Rotation(TemplateRotation):
    """TemplateRotation's steps through one client of the primary's account, made once:
    a client per invocation would cost most of the machine's time."""

    def __init__(self, service: Any) -> None:
        super().__init__()
        self.service = service

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        self.events.append(dict(event))
        arn, version, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        versions = self.service.describe_secret(SecretId=arn)["VersionIdsToStages"]
        if CUR in versions.get(version, []):
            return
        if step == "createSecret":
            self.create_secret(self.service, arn, version)
        elif step == "finishSecret":
            self.finish_secret(self.service, arn, version)
        else:
            self.read_pending(self.service, arn, version, step)


def code_of(error: ClientError) -> str:
    """The AWS error code, after checking that it is one (not a crash of the fake)."""
    code = str(error.response["Error"]["Code"])
    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
    assert code in AWS_CODES and status < 500, f"not an AWS error: {code} ({status})"
    return code


def attempt(call: Any, **params: Any) -> str | None:
    """None when the call succeeds, else its AWS error code."""
    try:
        call(**params)
    except ClientError as error:
        return code_of(error)
    return None


def succeeds(call: Any, **params: Any) -> None:
    code = attempt(call, **params)
    assert code is None, f"{call.__name__} refused with {code}"


def refused(expected: set[str], call: Any, **params: Any) -> None:
    code = attempt(call, **params)
    assert code in expected, f"expected one of {sorted(expected)}, got {code or 'success'}"


class CrossAccountMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_secretsmanager(account_id=A, seed=0)
        self.fake = self.mock.start()
        self.workdir = Path(tempfile.mkdtemp(prefix="smfake-xa-"))
        # One attempt only: botocore retries LimitExceededException with real sleeps.
        once = Config(retries={"total_max_attempts": 1})
        self.a = self.fake.client(A, config=once)
        self.b = self.fake.client(B, config=once)
        self.raw_lists: list[bytes] = []
        for client in (self.a, self.b):
            client.meta.events.register(
                "after-call.secretsmanager.ListSecrets", self._keep_raw_list
            )
        self.keys = [self.fake.kms.create_key(account_id=B) for _ in range(2)]
        self.rotation = self.fake.register_rotation_function("rotate-p", Rotation(self.a))
        self.p = self._new_primary("v0")
        # The model: the replica (None: there is none), the primary it names, its side of the
        # link ("pending", "attached", "detached" by the primary, "standalone" once stopped)
        # and its key; the primary's entry (a replica ARN or None), whether the replica
        # stopped, its role; whether the replica lacks some of the primary's values and
        # whether replication failed (both only while attached).
        self.r: str | None = None
        self.names: str | None = None
        self.side = "none"
        self.r_key = 0
        self.entry: str | None = None
        self.entry_detached = False
        self.entry_role: str | None = None
        self.behind = False
        self.failed = False
        self.enabled = [True, True]
        self.same_org = True

    def teardown(self) -> None:
        self.mock.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _keep_raw_list(self, http_response: Any, **_: Any) -> None:
        self.raw_lists.append(bytes(http_response.content))

    def _new_primary(self, value: str) -> str:
        return str(self.a.create_secret(Name="P", SecretString=value)["ARN"])

    # -- the model's transitions ---------------------------------------------------------------

    @property
    def attached(self) -> bool:
        return self.entry is not None and not self.entry_detached

    def _synced(self, *, new_value: bool) -> None:
        """The primary changed: an attached replica follows it, or fails when a value it lacks
        cannot be sealed under its key (labels and the description need no key)."""
        if not self.attached:
            return
        self.behind = self.behind or new_value
        if self.behind and not self.enabled[self.r_key]:
            self.failed = True
        else:
            self.behind = self.failed = False

    @initialize(associated=st.sampled_from((True, True, True, False)))
    def start_linked(self, associated: bool) -> None:
        """Most runs start from a replica, associated: the state most rules are about."""
        self.create_replica(0)
        if associated:
            self.associate("none", None)

    # -- the primary's side --------------------------------------------------------------------

    @rule(value=st.sampled_from(("v1", "v2", "v3")))
    def put_primary_value(self, value: str) -> None:
        succeeds(self.a.put_secret_value, SecretId=self.p, SecretString=value)
        self._synced(new_value=True)

    @rule(description=st.sampled_from(("first", "second")))
    def describe_primary(self, description: str) -> None:
        succeeds(self.a.update_secret, SecretId=self.p, Description=description)
        self._synced(new_value=False)

    @rule(tag=st.sampled_from(("x", "y")))
    def tag_primary(self, tag: str) -> None:
        # Tags are each side's own, but a tag is a change of the primary: like any other
        # change it retries a failed replica (the copy itself carries no tags).
        succeeds(self.a.tag_resource, SecretId=self.p, Tags=[{"Key": "k", "Value": tag}])
        self._synced(new_value=False)

    @rule(label=st.sampled_from((LABEL, CUR)), index=st.integers(0, 10))
    def move_primary_label(self, label: str, index: int) -> None:
        stages = self.a.describe_secret(SecretId=self.p)["VersionIdsToStages"]
        target = list(stages)[index % len(stages)]
        holder = next((vid for vid, labels in stages.items() if label in labels), None)
        params: dict[str, Any] = {"VersionStage": label, "MoveToVersionId": target}
        if holder is not None:
            params["RemoveFromVersionId"] = holder
        succeeds(self.a.update_secret_version_stage, SecretId=self.p, **params)
        self._synced(new_value=False)

    @rule()
    def rotate_primary(self) -> None:
        succeeds(
            self.a.rotate_secret,
            SecretId=self.p,
            RotationLambdaARN=self.rotation,
            RotationRules={"AutomaticallyAfterDays": 30},
        )
        self._synced(new_value=True)

    @rule(primary=st.booleans())
    def delete_either(self, primary: bool) -> None:
        """Forced deletion of either side: refused while it is linked."""
        if primary:
            code = attempt(self.a.delete_secret, SecretId=self.p, ForceDeleteWithoutRecovery=True)
            if self.entry is not None:
                assert code == IPA, f"a primary with a replica entry was deleted: {code}"
                return
            assert code is None, f"DeleteSecret of the primary: {code}"
            self.p = self._new_primary("fresh")  # a new ARN: the replica names the old one
        elif self.r is not None:
            code = attempt(self.b.delete_secret, SecretId=self.r, ForceDeleteWithoutRecovery=True)
            if self.side != "standalone":
                assert code == IPA, f"a replica that names its primary was deleted: {code}"
                return
            assert code is None, f"DeleteSecret of a standalone secret: {code}"
            self.r, self.names, self.side = None, None, "none"

    # -- the link ------------------------------------------------------------------------------

    @precondition(lambda self: self.r is not None)
    @rule(
        role=st.sampled_from(("none", "mine", "none", "mine", "theirs")),
        restriction=st.sampled_from((None, "SameOrg", "NoRestriction")),
    )
    def associate(self, role: str, restriction: str | None) -> None:
        params: dict[str, Any] = {"SecretId": self.p, "CrossAccountReplicaARN": self.r}
        if ROLES[role] is not None:
            params["ReplicationRoleARN"] = ROLES[role]
        if restriction is not None:
            params["ReplicaRestriction"] = restriction
        code = attempt(self.a.associate_cross_account_replica, **params)
        # docs/cross-account.md: the order Associate checks in.
        if role == "theirs":
            expected = IPA
        elif self.side == "standalone" or self.names != self.p:
            expected = IRQ
        elif self.entry is not None and self.entry != self.r:
            expected = "LimitExceededException"
        elif restriction != "NoRestriction" and not self.same_org:
            expected = IRQ
        elif not self.enabled[self.r_key]:
            expected = "EncryptionFailure"
        else:
            expected = None
        assert code == expected, f"Associate: expected {expected or 'success'}, got {code}"
        if code is None:
            self.entry, self.entry_detached, self.entry_role = self.r, False, ROLES[role]
            self.side = "attached"
            self.behind = self.failed = False

    @precondition(lambda self: self.entry is not None or self.r is not None)
    @rule(current=st.booleans())
    def disassociate(self, current: bool) -> None:
        arn = self.r if (current and self.r is not None) or self.entry is None else self.entry
        code = attempt(
            self.a.disassociate_cross_account_replica,
            SecretId=self.p,
            CrossAccountReplicaARN=arn,
        )
        if arn != self.entry:
            assert code == RNF, f"Disassociate of no entry: {code}"
            return
        assert code is None, f"Disassociate: {code}"
        if arn == self.r and self.side == "attached":
            self.side = "detached"
        self.entry, self.entry_detached, self.entry_role = None, False, None
        self.behind = self.failed = False

    @precondition(lambda self: self.r is not None)
    @rule()
    def stop_replication(self) -> None:
        code = attempt(self.b.stop_replication_to_replica, SecretId=self.r)
        if self.side == "standalone":
            assert code == IPA, f"StopReplicationToReplica on a standalone secret: {code}"
            return
        assert code is None, f"StopReplicationToReplica: {code}"
        self.side = "standalone"
        if self.entry == self.r:
            self.entry_detached = True
            self.behind = self.failed = False

    # -- the replica's side --------------------------------------------------------------------

    @precondition(lambda self: self.r is None)
    @rule(key=st.integers(0, 1))
    def create_replica(self, key: int) -> None:
        created = self.b.create_secret(
            Name="R", CrossAccountPrimaryARN=self.p, KmsKeyId=self.keys[key]
        )
        self.r, self.names, self.side, self.r_key = str(created["ARN"]), self.p, "pending", key

    @precondition(lambda self: self.r is not None)
    @rule(key=st.integers(0, 1))
    def change_replica_key(self, key: int) -> None:
        code = attempt(self.b.update_secret, SecretId=self.r, KmsKeyId=self.keys[key])
        if code is None:
            self.r_key = key
        else:
            # Re-encrypting the replica's values needs both keys.
            assert code in KEY_ERRORS and not all(self.enabled), code

    @precondition(lambda self: self.r is not None)
    @rule(write=st.sampled_from(("put", "description", "label")))
    def write_replica(self, write: str) -> None:
        if write == "put":
            code = attempt(self.b.put_secret_value, SecretId=self.r, SecretString="mine")
        elif write == "description":
            code = attempt(self.b.update_secret, SecretId=self.r, Description="mine")
        else:
            stages = self.b.describe_secret(SecretId=self.r).get("VersionIdsToStages", {})
            target = next(iter(stages), "0" * 36)
            code = attempt(
                self.b.update_secret_version_stage,
                SecretId=self.r,
                VersionStage=LABEL,
                MoveToVersionId=target,
            )
        if self.side != "standalone":
            assert code == IPA, f"a replica accepted a {write}: {code or 'success'}"

    @rule(current=st.sampled_from((True, True, False)), enable=st.booleans())
    def toggle_replica_key(self, current: bool, enable: bool) -> None:
        """Disable or enable a key of B's, mostly the one the replica uses now."""
        index = self.r_key if current else 1 - self.r_key
        (self.fake.kms.enable if enable else self.fake.kms.disable)(self.keys[index])
        self.enabled[index] = enable

    @rule(same=st.booleans())
    def place_replica_account(self, same: bool) -> None:
        self.fake.organizations.place(
            B, self.fake.organizations.DEFAULT_ORGANIZATION if same else OTHER_ORG
        )
        self.same_org = same

    @rule()
    def snapshot_round_trip(self) -> None:
        path = self.workdir / "state.json"
        self.fake.save_state(path)
        self.fake.reset()
        self.fake.load_state(path)

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def both_sides_agree(self) -> None:
        primary = self.a.describe_secret(SecretId=self.p)
        self._check_primary_entry(primary)
        if self.r is not None:
            replica = self.b.describe_secret(SecretId=self.r)
            self._check_replica_link(primary, replica)
            self._check_in_sync(primary, replica)
            if self.side != "standalone":
                refused({IPA}, self.b.put_secret_value, SecretId=self.r, SecretString="no")
        self._check_lists()

    def _check_primary_entry(self, primary: dict[str, Any]) -> None:
        entries = primary.get("CrossAccountReplicas", [])
        if self.entry is None:
            assert entries == [], f"the primary shows {entries}, expected none"
            return
        [entry] = entries
        assert entry["ReplicaSecretARN"] == self.entry
        assert entry.get("ReplicationRoleARN") == self.entry_role
        expected = DETACHED if self.entry_detached else FAILED if self.failed else IN_SYNC
        assert entry["ReplicationStatus"] == expected, (entry, expected)
        assert ("StatusMessage" in entry) == (expected == FAILED), entry

    def _check_replica_link(self, primary: dict[str, Any], replica: dict[str, Any]) -> None:
        link = replica.get("CrossAccountPrimary")
        policies = self.b.list_resource_policies(SecretId=self.r)["ResourcePolicies"]
        managed = MANAGED_POLICY in {p["PolicyName"] for p in policies}
        assert managed == (link is not None), f"managed policy {managed}, link {link}"
        if self.side == "standalone":
            assert link is None, link
            return
        assert link is not None and link["PrimarySecretARN"] == self.names, link
        status = link["ReplicationStatus"]
        if self.side == "pending":
            assert status == PENDING, link
        elif self.side == "detached":
            assert status == DETACHED, link
        else:
            [entry] = primary["CrossAccountReplicas"]
            assert status == entry["ReplicationStatus"] != PENDING, (link, entry)
            assert link.get("StatusMessage") == entry.get("StatusMessage"), (link, entry)

    def _check_in_sync(self, primary: dict[str, Any], replica: dict[str, Any]) -> None:
        link = replica.get("CrossAccountPrimary") or {}
        entries = primary.get("CrossAccountReplicas", [])
        if link.get("ReplicationStatus") != IN_SYNC or [
            e["ReplicationStatus"] for e in entries
        ] != [IN_SYNC]:
            return
        stages = primary.get("VersionIdsToStages")
        assert replica.get("VersionIdsToStages") == stages
        assert replica.get("Description") == primary.get("Description")
        for vid in stages or {}:
            mine = self.a.get_secret_value(SecretId=self.p, VersionId=vid)["SecretString"]
            try:
                theirs = self.b.get_secret_value(SecretId=self.r, VersionId=vid)["SecretString"]
            except ClientError as error:
                code = code_of(error)
                assert code in KEY_ERRORS and not all(self.enabled), code
                continue
            assert theirs == mine, f"version {vid} reads differently on the replica"

    def _check_lists(self) -> None:
        # botocore's parser drops members its list entry lacks: read the raw bodies too.
        self.raw_lists.clear()
        for client in (self.a, self.b):
            for entry in client.list_secrets()["SecretList"]:
                assert "CrossAccountPrimary" not in entry and "CrossAccountReplicas" not in entry
        assert len(self.raw_lists) == 2
        for raw in self.raw_lists:
            assert b"CrossAccount" not in raw, raw


def _budget() -> int:
    # A profile loaded on demand (SMFAKE_HYPOTHESIS_PROFILE, --hypothesis-profile) that asks for
    # more examples than Hypothesis's default decides; otherwise a budget of a few seconds.
    loaded = settings().max_examples
    return loaded if loaded > settings.get_profile("default").max_examples else 60


CrossAccountMachine.TestCase.settings = settings(
    max_examples=_budget(),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCrossAccount = CrossAccountMachine.TestCase
