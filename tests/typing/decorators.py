"""Checked by mypy (see .ci/run), not run by pytest: the decorator keeps signatures."""

from __future__ import annotations

from typing import assert_type

from smfake import MockSecretsManager, SecretsManagerFake, mock_secretsmanager


@mock_secretsmanager
def plain(a: int, b: str = "x") -> float:
    return 1.0


@mock_secretsmanager(seed=1)
def with_options(a: int) -> list[str]:
    return []


@mock_secretsmanager
async def coroutine(a: int) -> bytes:
    return b""


@mock_secretsmanager
class Suite:
    def test_x(self) -> None: ...


assert_type(plain(1), float)
assert_type(plain(1, b="y"), float)
assert_type(with_options(2), list[str])
assert_type(Suite, type[Suite])
assert_type(mock_secretsmanager(), MockSecretsManager)

with mock_secretsmanager() as fake:
    assert_type(fake, SecretsManagerFake)

m = mock_secretsmanager(account_id="111122223333")
started = m.start()
assert_type(started, SecretsManagerFake)
m.stop()


async def use_coroutine() -> None:
    assert_type(await coroutine(1), bytes)
    async with mock_secretsmanager() as in_async:
        assert_type(in_async, SecretsManagerFake)
        assert_type(in_async.clock.now().year, int)


with mock_secretsmanager(verify_signatures=True, enforce_access=True) as strict:
    assert_type(strict.events.count("GetSecretValue"), int)
    assert_type(strict.events.filter(secret="app")[0].event_name, str)
    assert_type(strict.faults.inject("GetSecretValue", count=2).hits, int)
    assert_type(strict.principals.add("AKIAEXAMPLE000000001").account_id, str)
    denial = strict.access.last_denial
    if denial is not None:
        assert_type(denial.explain(), str)
    assert_type(strict.register_partner_rotator("SnowflakePat", lambda event: None), None)
    for record in strict.rotations:
        assert_type(record.partner_type, str | None)

with mock_secretsmanager() as accounts:
    assert_type(accounts.kms.create_key(account_id="210987654321"), str)
    assert_type(accounts.organizations.of("210987654321"), str | None)
    accounts.organizations.place("210987654321", None)
    accounts.client("210987654321").list_secrets()
