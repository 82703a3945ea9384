"""Properties of the pure label planner (smfake._domain.secret.Secret), §4 of the reference.

Random sequences of PutSecretValue-like plans (plan_new_version + add_version) and
UpdateSecretVersionStage-like plans (plan_move + apply_labels) run on one Secret; after every
step:

* planning is pure: it never changes the secret;
* a plan never puts one label on two versions, and once applied every version's ``stages``
  agree with ``secret.labels`` (each label on exactly one version, no duplicates);
* AWSCURRENT is never lost once present;
* a refused plan or application (an AWS error) leaves ``secret.labels`` and every version's
  ``stages`` exactly as they were.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from smfake._domain.errors import ServiceError
from smfake._domain.secret import (
    AWSCURRENT,
    AWSPENDING,
    AWSPREVIOUS,
    Secret,
    SecretVersion,
)

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
UNKNOWN = "unknown-version-id-000000000000000000"
SMALL = (AWSCURRENT, AWSPENDING, AWSPREVIOUS, "custom1", "custom2")
MANY = tuple(f"L{i:02d}" for i in range(24))

small_stages = st.lists(st.sampled_from(SMALL), min_size=1, max_size=4)  # duplicates allowed
many_stages = st.builds(
    lambda start, n: list(MANY[start : start + n]), st.integers(0, 8), st.integers(8, 16)
)
# ("v", i): the i-th existing version (modulo), "unknown": no such version, None: omitted
refs = st.one_of(st.none(), st.tuples(st.just("v"), st.integers(0, 30)), st.just("unknown"))

new_version_ops = st.tuples(st.just("new"), st.one_of(st.none(), small_stages, many_stages))
move_ops = st.tuples(
    st.just("move"),
    st.sampled_from((*SMALL, AWSCURRENT, "L00", "L01")),
    refs,
    refs,
)
ops = st.lists(st.one_of(new_version_ops, move_ops), max_size=40)


def empty_secret() -> Secret:
    return Secret(
        arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:prop-AbC123",
        name="prop",
        created=T0,
        last_changed=T0,
    )


def state(secret: Secret) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Everything a label operation may change, copied."""
    return dict(secret.labels), {vid: list(v.stages) for vid, v in secret.versions.items()}


def resolve(secret: Secret, ref: Any) -> str | None:
    if ref is None:
        return None
    if ref == "unknown" or not secret.versions:
        return UNKNOWN
    ids = list(secret.versions)
    return ids[int(ref[1]) % len(ids)]


def assert_plan_well_formed(secret: Secret, plan: dict[str, str], new_vid: str | None) -> None:
    known = set(secret.versions) | ({new_vid} if new_vid else set())
    assert set(plan.values()) <= known, f"the plan names unknown versions: {plan}"
    # One label -> one version: a dict cannot say otherwise, but check its type stays a mapping
    # from label to a single id (not, say, a list of ids).
    assert all(isinstance(vid, str) for vid in plan.values())


def assert_consistent(secret: Secret) -> None:
    holders: dict[str, str] = {}
    for vid, version in secret.versions.items():
        assert len(version.stages) == len(set(version.stages)), f"{vid}: {version.stages}"
        for label in version.stages:
            assert label not in holders, f"{label} is on {holders[label]} and {vid}"
            holders[label] = vid
    assert holders == secret.labels, "versions' stages disagree with secret.labels"
    if secret.versions:
        assert AWSCURRENT in secret.labels, "a secret with versions lost AWSCURRENT"


def run(secret: Secret, sequence: list[Any]) -> None:
    counter = 0
    for op in sequence:
        before = state(secret)
        had_current = AWSCURRENT in secret.labels
        if op[0] == "new":
            stages = op[1]
            counter += 1
            vid = f"version-{counter:028d}"
            plan = secret.plan_new_version(vid, stages)
            assert state(secret) == before, "plan_new_version changed the secret"
            assert_plan_well_formed(secret, plan, vid)
            assert AWSCURRENT in plan, "after adding a version there is no AWSCURRENT"
            if stages is None:
                assert plan[AWSCURRENT] == vid
                if had_current:
                    assert plan[AWSPREVIOUS] == before[0][AWSCURRENT]
                assert AWSPENDING not in plan
            else:
                assert all(plan[label] == vid for label in stages)
                if had_current and AWSCURRENT not in stages:
                    assert plan[AWSCURRENT] == before[0][AWSCURRENT]
            try:
                secret.add_version(SecretVersion(vid, T0, None), plan, T0)
            except ServiceError:
                assert state(secret) == before, "a refused add_version changed the secret"
                assert vid not in secret.versions
                continue
            assert secret.labels == plan
        else:
            _, label, move_ref, remove_ref = op
            move_to = resolve(secret, move_ref)
            remove_from = resolve(secret, remove_ref)
            try:
                plan = secret.plan_move(label, move_to=move_to, remove_from=remove_from)
            except ServiceError:
                assert state(secret) == before, "a refused plan_move changed the secret"
                continue
            assert state(secret) == before, "plan_move changed the secret"
            assert_plan_well_formed(secret, plan, None)
            if had_current:
                assert AWSCURRENT in plan, "plan_move lost AWSCURRENT"
            if move_to is not None:
                assert plan[label] == move_to
            else:
                assert label not in plan
            try:
                secret.apply_labels(plan)
            except ServiceError:
                assert state(secret) == before, "a refused apply_labels changed the secret"
                continue
            assert secret.labels == plan
        assert_consistent(secret)


@settings(max_examples=200, deadline=None)
@given(sequence=ops)
def test_label_plans_keep_the_invariants(sequence: list[Any]) -> None:
    run(empty_secret(), sequence)


@settings(max_examples=100, deadline=None)
@given(first=st.one_of(st.none(), small_stages, many_stages), sequence=ops)
def test_invariants_hold_from_any_first_version(first: Any, sequence: list[Any]) -> None:
    """The same, starting from a secret that already has a version (CreateSecret with a
    value, then PutSecretValue calls)."""
    run(empty_secret(), [("new", first), *sequence])


@settings(max_examples=200, deadline=None)
@given(
    stages=st.one_of(st.none(), small_stages, many_stages),
    label=st.sampled_from((*SMALL, "L00")),
    move_ref=refs,
    remove_ref=refs,
    sequence=ops,
)
def test_refused_operations_change_nothing(
    stages: Any, label: str, move_ref: Any, remove_ref: Any, sequence: list[Any]
) -> None:
    """After any history, a plan or application that raises leaves labels and stages as they
    were (checked inside ``run``); here every step's outcome is also compared with a rerun
    on a copy, so planning is deterministic."""
    secret = empty_secret()
    run(secret, sequence)
    before = state(secret)
    move_to, remove_from = resolve(secret, move_ref), resolve(secret, remove_ref)
    outcomes: list[object] = []
    for _ in range(2):
        try:
            outcomes.append(secret.plan_move(label, move_to=move_to, remove_from=remove_from))
        except ServiceError as error:
            outcomes.append(type(error).__name__)
        try:
            outcomes.append(secret.plan_new_version("version-extra-000000000000000000", stages))
        except ServiceError as error:  # plan_new_version never refuses today
            outcomes.append(type(error).__name__)
        assert state(secret) == before
    assert outcomes[:2] == outcomes[2:]
