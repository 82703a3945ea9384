"""Every served operation declares itself once, beside its handler, and has an example call."""

from __future__ import annotations

import botocore
from botocore import xform_name

from smfake._wire.model import operation_names
from smfake._wire.operations import DECLARATIONS, OPERATIONS
from tests.operation_examples import EXAMPLES


def test_declarations_every_served_operation_has_a_declaration_and_an_example():
    assert set(DECLARATIONS) == set(OPERATIONS) == set(EXAMPLES)
    # A declared name is an operation of botocore's model, unless the installed botocore
    # predates it (the fake serves the newest model's operations to every client).
    unknown = set(DECLARATIONS) - operation_names()
    newest_known = tuple(int(part) for part in botocore.__version__.split(".")[:2]) >= (1, 44)
    assert not unknown or not newest_known, unknown


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
