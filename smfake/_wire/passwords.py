"""Handlers of GetRandomPassword."""

from __future__ import annotations

from smfake._wire.views import Handler

HANDLERS: dict[str, Handler] = {}
