"""Cut the worker off the network before it runs anything (Linux user + network namespaces, unprivileged).

After ``unshare`` the worker and every test process it forks or spawns see a network namespace holding only their
own loopback (brought up, so suites that serve on localhost keep working): no other host, no service of the user's.
The user and group map the process's own ids to themselves, so files keep their owners and permissions as seen
from inside. Returns what happened as text; where the kernel refuses, nothing changes and the reason is reported.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
ISOLATED = "isolated"


def isolate_network() -> str:
    uid, gid = os.getuid(), os.getgid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            return f"not isolated: unshare refused ({os.strerror(ctypes.get_errno())})"
        _map_ids(uid, gid)
        _loopback_up()
    except (OSError, AttributeError) as exc:
        return f"not isolated: {exc}"
    return ISOLATED


def _map_ids(uid: int, gid: int) -> None:
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _write(path: str, text: str) -> None:
    with open(path, "w") as out:
        out.write(text)


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))
