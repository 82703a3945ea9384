"""GetRandomPassword (§12): the character classes, the policy a request describes, and the
generator.

Passwords come from the operating system's CSPRNG (``secrets.SystemRandom``) unless a caller
passes its own ``random.Random`` (property tests do, so that Hypothesis can replay a failure).
"""

from __future__ import annotations

import random
import secrets
import string
from dataclasses import dataclass

from smfake._domain import messages
from smfake._domain.errors import InvalidParameterException

UPPERCASE = string.ascii_uppercase
LOWERCASE = string.ascii_lowercase
DIGITS = string.digits
# The model documents exactly these 32 characters, which is string.punctuation.
PUNCTUATION = string.punctuation
SPACE = " "

DEFAULT_LENGTH = 32


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """What one GetRandomPassword request asks for; every field has the service's default."""

    length: int = DEFAULT_LENGTH
    exclude_characters: str = ""
    exclude_numbers: bool = False
    exclude_punctuation: bool = False
    exclude_uppercase: bool = False
    exclude_lowercase: bool = False
    include_space: bool = False
    # The model: "If you don't include this switch, the password contains at least one of
    # every character type", so the guarantee is on unless the caller turns it off.
    require_each_included_type: bool = True

    def classes(self) -> tuple[str, ...]:
        """The included character types, each minus ExcludeCharacters; a type left with no
        character is dropped, so it is neither drawn from nor required [U]."""
        chosen = (
            (UPPERCASE, self.exclude_uppercase),
            (LOWERCASE, self.exclude_lowercase),
            (DIGITS, self.exclude_numbers),
            (PUNCTUATION, self.exclude_punctuation),
        )
        remaining = (self._allowed(chars) for chars, excluded in chosen if not excluded)
        return tuple(chars for chars in remaining if chars)

    def required(self) -> tuple[str, ...]:
        """The types of which the password must hold at least one character. The space is not
        one: the model lists the required types as upper case, lower case, number and
        punctuation [U]."""
        return self.classes() if self.require_each_included_type else ()

    def alphabet(self) -> str:
        """Every character the password may contain."""
        space = self._allowed(SPACE) if self.include_space else ""
        return "".join(self.classes()) + space

    def _allowed(self, chars: str) -> str:
        return "".join(c for c in chars if c not in self.exclude_characters)


def generate_password(policy: PasswordPolicy, *, rng: random.Random | None = None) -> str:
    """A password of exactly ``policy.length`` characters that satisfies the policy.

    Raises InvalidParameterException when no character is left to draw from, or when the
    length cannot hold one character of each required type.
    """
    draw = rng if rng is not None else secrets.SystemRandom()
    alphabet = policy.alphabet()
    if not alphabet:
        raise InvalidParameterException(messages.PASSWORD_NOTHING_TO_DRAW)
    required = policy.required()
    if policy.length < len(required):
        raise InvalidParameterException(messages.PASSWORD_TOO_SHORT)
    picked = [draw.choice(kind) for kind in required]
    picked += [draw.choice(alphabet) for _ in range(policy.length - len(required))]
    # Without the shuffle the required characters would sit at fixed positions, a bias that
    # moto shows (it puts them at the end).
    draw.shuffle(picked)
    return "".join(picked)
