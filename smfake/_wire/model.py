"""botocore's service model for Secrets Manager, loaded once per process on first use."""

from __future__ import annotations

import functools
from typing import Any

SERVICE = "secretsmanager"


@functools.cache
def service_model() -> Any:
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel

    data = create_loader().load_service_model(SERVICE, "service-2")
    return ServiceModel(data, service_name=SERVICE)


@functools.cache
def operation_names() -> frozenset[str]:
    return frozenset(service_model().operation_names)
