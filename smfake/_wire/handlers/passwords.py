"""Handlers of GetRandomPassword."""

from __future__ import annotations

from smfake._domain.passwords import DEFAULT_LENGTH, PasswordPolicy, generate_password
from smfake._domain.store import SecretStore
from smfake._wire.declare import operation
from smfake._wire.views import Params


@operation("GetRandomPassword", read_only=True, scope="account")
def get_random_password(_store: SecretStore, params: Params) -> Params:
    # validate.check has already enforced PasswordLength 1–4096 and ExcludeCharacters ≤ 4096.
    # A raw caller may send JSON null, which AWS treats like an absent member.
    length = params.get("PasswordLength")
    require = params.get("RequireEachIncludedType")
    policy = PasswordPolicy(
        length=DEFAULT_LENGTH if length is None else int(length),
        exclude_characters=str(params.get("ExcludeCharacters") or ""),
        exclude_numbers=bool(params.get("ExcludeNumbers")),
        exclude_punctuation=bool(params.get("ExcludePunctuation")),
        exclude_uppercase=bool(params.get("ExcludeUppercase")),
        exclude_lowercase=bool(params.get("ExcludeLowercase")),
        include_space=bool(params.get("IncludeSpace")),
        require_each_included_type=True if require is None else bool(require),
    )
    return {"RandomPassword": generate_password(policy)}
