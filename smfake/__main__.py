"""``python -m smfake serve``: the same as the ``smfake`` command."""

from __future__ import annotations

import sys

from smfake._api.server import main

if __name__ == "__main__":
    sys.exit(main())
