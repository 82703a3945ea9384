"""Whether a pytest run may switch off botocore's calls to the EC2 instance metadata service.

A client built while pytest collects (a module-level ``boto3.client(...)`` in the code under
test) is built before any fake is active. On a machine with no credentials configured, botocore
then asks the instance metadata service at 169.254.169.254 for some: two connection attempts,
each of which can stall for a second or more where no such service exists. The service exists
only on EC2, where a runner may rely on its instance role for real-AWS tests; everywhere else it
cannot answer with credentials, so switching it off changes nothing but the wait.

The decision uses local evidence only (no network): configured credentials, the user's own
setting, and the files EC2 machines carry (the DMI vendor on Linux, the EC2 launch agents on
Windows and macOS). Stdlib only: the pytest plugin calls it before collection.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

DISABLED_VAR = "AWS_EC2_METADATA_DISABLED"
# The user's own IMDS settings: they chose what the service is, leave it alone.
_USER_VARS = (DISABLED_VAR, "AWS_EC2_METADATA_SERVICE_ENDPOINT")
AUTO, KEEP, DISABLE = "auto", "keep", "disable"
MODES = (AUTO, KEEP, DISABLE)

# Linux: what EC2's firmware (Nitro and Xen alike) reports. /sys/hypervisor/uuid starts with
# "ec2" on Xen instances; the DMI vendor files say "Amazon EC2" on Nitro, and the version says
# "amazon" on Xen HVM.
_LINUX_EVIDENCE = (
    ("sys/devices/virtual/dmi/id/sys_vendor", "amazon ec2"),
    ("sys/devices/virtual/dmi/id/bios_vendor", "amazon ec2"),
    ("sys/devices/virtual/dmi/id/product_version", "amazon"),
    ("sys/devices/virtual/dmi/id/bios_version", "amazon"),
)
# A UUID is hex: "ec2" may sit anywhere inside one, so only its start counts.
_LINUX_UUIDS = ("sys/hypervisor/uuid", "sys/devices/virtual/dmi/id/product_uuid")
# Windows and macOS AMIs ship AWS's launch agents (unverified beyond AWS's AMI documentation).
_WINDOWS_EVIDENCE = (
    r"C:\ProgramData\Amazon\EC2Launch",
    r"C:\ProgramData\Amazon\EC2-Windows\Launch",
    r"C:\Program Files\Amazon\EC2ConfigService",
)
_MACOS_EVIDENCE = ("/usr/local/aws/ec2-macos-init",)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip().lower()
    except OSError:
        return ""


def on_ec2(platform: str = sys.platform, root: Path = Path("/")) -> bool:
    """Whether this machine shows local signs of being an EC2 instance."""
    if platform.startswith("linux"):
        return any(sign in _read(root / path) for path, sign in _LINUX_EVIDENCE) or any(
            _read(root / path).startswith("ec2") for path in _LINUX_UUIDS
        )
    if platform == "win32":
        return any(os.path.isdir(path) for path in _WINDOWS_EVIDENCE)
    if platform == "darwin":
        return any(os.path.isdir(root / path.lstrip("/")) for path in _MACOS_EVIDENCE)
    # Another system: no way to tell, so assume it may be one.
    return True


def should_disable(
    mode: str,
    environ: Mapping[str, str],
    *,
    credentials_configured: Callable[[], bool],
    ec2: Callable[[], bool] = on_ec2,
) -> bool:
    """Whether to set AWS_EC2_METADATA_DISABLED for this run (``mode``: auto, keep, disable)."""
    if mode == KEEP or any(var in environ for var in _USER_VARS):
        return False
    if mode == DISABLE:
        return True
    # Configured credentials end botocore's search before it reaches the metadata service.
    return not credentials_configured() and not ec2()
