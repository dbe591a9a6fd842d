"""OpenMP's wait policy for a training process started on a busy machine.

PyTorch's OpenMP threads spin while they wait for each other. On free cores that is the fastest
choice; on a machine whose load already fills its cores, spinning threads take time from the
threads they wait for (unet_small on 2 cores at a load of about 5: 126.6 s to mIoU 0.90 spinning,
37-41 s with the passive policy; on free cores the passive policy was about 15 % slower). OpenMP
reads the policy once, when it starts, so it can only be chosen for a new process."""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

POLICY_ENV = "OMP_WAIT_POLICY"


def machine_is_busy() -> bool:
    """Whether the 1-minute load average already fills every core."""
    try:
        return os.getloadavg()[0] >= (os.cpu_count() or 1)
    except OSError:  # no load average on this platform
        return False


@contextlib.contextmanager
def passive_when_busy() -> Iterator[bool]:
    """Within the block, processes started inherit OMP_WAIT_POLICY=PASSIVE when the machine is
    busy and the user set no policy; yields whether it was set."""
    if POLICY_ENV in os.environ or not machine_is_busy():
        yield False
        return
    os.environ[POLICY_ENV] = "PASSIVE"
    try:
        yield True
    finally:
        os.environ.pop(POLICY_ENV, None)
