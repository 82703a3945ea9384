"""Every served operation declares itself once, beside its handler, and has an example call."""

from __future__ import annotations

import botocore
from botocore import xform_name

from smfake._wire.model import operation_names
from smfake._wire.operations import DECLARATIONS, NOT_SERVED, OPERATIONS
from tests.operation_examples import EXAMPLES


def test_declarations_every_served_operation_has_a_declaration_and_an_example():
    assert set(DECLARATIONS) == set(OPERATIONS) == set(EXAMPLES)
    # A declared name is an operation of botocore's model, unless the installed botocore
    # predates it (the fake serves the newest model's operations to every client).
    unknown = set(DECLARATIONS) - operation_names()
    assert not unknown or not _newest_known(), unknown


def _newest_known() -> bool:
    # The newest botocore smfake has been checked against; an older one lacks its newer names.
    return tuple(int(part) for part in botocore.__version__.split(".")[:2]) >= (1, 44)


def test_declarations_every_operation_of_the_model_is_served_or_known_not_to_be():
    # Fails when an upgraded botocore brings an operation nobody has decided about yet.
    undecided = sorted(operation_names() - set(DECLARATIONS) - NOT_SERVED)
    assert not undecided, (
        f"botocore {botocore.__version__}'s model has operations that smfake neither serves "
        f"nor lists as not served: {', '.join(undecided)}. For each one, either serve it (a "
        "handler under @operation in smfake/_wire/, a domain function, a test file under "
        "tests/operations/ and an example in tests/operation_examples.py; CONTRIBUTING.md) or "
        "add it to NOT_SERVED in smfake/_wire/operations.py, so that a call raises "
        "UnsupportedOperation by decision. Then regenerate the table in docs/operations.md "
        "with `python scripts/supported_operations.py`."
    )


def test_declarations_not_served_names_unserved_operations_of_the_model():
    served = sorted(NOT_SERVED & set(DECLARATIONS))
    assert not served, (
        f"{', '.join(served)} is served now: remove it from NOT_SERVED in "
        "smfake/_wire/operations.py"
    )
    unknown = sorted(NOT_SERVED - operation_names())
    assert not unknown or not _newest_known(), (
        f"{', '.join(unknown)} in NOT_SERVED (smfake/_wire/operations.py) is no operation of "
        f"botocore {botocore.__version__}'s model: correct or remove it"
    )


def test_declarations_name_their_handler_after_the_operation():
    for name, declaration in DECLARATIONS.items():
        assert declaration.name == name
        assert declaration.handler.__name__ == xform_name(name)


def test_declarations_of_a_batch_name_a_declared_operation():
    for declaration in DECLARATIONS.values():
        if declaration.each_secret is not None:
            assert declaration.each_secret in DECLARATIONS
            assert declaration.scope == "account"


def test_declarations_of_account_operations_need_no_secret_id():
    for declaration in DECLARATIONS.values():
        if declaration.scope == "account":
            assert declaration.about_account({})
            assert declaration.kms is None or declaration.each_secret is not None
