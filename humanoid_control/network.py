"""Where DDS discovery may look: loopback only (the default) or the network, for splitting
the stack across machines (e.g. the MPC on a second computer).

ROS 2's own settings do it (``ROS_AUTOMATIC_DISCOVERY_RANGE``, ``ROS_STATIC_PEERS``; both
read by rmw when a context starts); :func:`network_environment` validates a choice and gives
the variables, :func:`apply_network` sets them for this process and its children.

  localhost       loopback only (default; every test and CI run)
  subnet          multicast discovery on the local subnet: machines on one LAN
  system_default  what the middleware does without the setting
  off             no automatic discovery: only the static peers (hosts you name)

``static_peers`` names hosts (IP addresses or names) to reach by unicast, e.g. the MPC
computer across a router where multicast does not pass.
"""
from __future__ import annotations

import ipaddress
import os
import re

from humanoid_control.errors import ConfigError

DISCOVERY_RANGES = {"localhost": "LOCALHOST", "subnet": "SUBNET", "system_default": "SYSTEM_DEFAULT", "off": "OFF"}
DEFAULT_DISCOVERY = "localhost"
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


def _valid_peer(peer: str) -> bool:
    try:
        ipaddress.ip_address(peer)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(peer))


def network_environment(discovery: str = DEFAULT_DISCOVERY, static_peers=()) -> dict:
    """The environment variables for ``discovery`` (one of DISCOVERY_RANGES) and the static
    peers (a list, or one ``;``/``,``-separated string)."""
    key = str(discovery).strip().lower()
    if key not in DISCOVERY_RANGES:
        raise ConfigError(f"unknown discovery range '{discovery}'; choose one of: {', '.join(DISCOVERY_RANGES)}",
                          "discovery")
    if isinstance(static_peers, str):
        static_peers = [p for p in re.split(r"[;,]", static_peers) if p.strip()]
    peers = [p.strip() for p in static_peers]
    bad = [p for p in peers if not _valid_peer(p)]
    if bad:
        raise ConfigError(f"static peer {bad[0]!r} is neither an IP address nor a host name", "static_peers")
    if key == "off" and not peers:
        raise ConfigError("discovery 'off' needs static peers (the hosts to talk to)", "static_peers")
    env = {"ROS_AUTOMATIC_DISCOVERY_RANGE": DISCOVERY_RANGES[key]}
    if peers:
        env["ROS_STATIC_PEERS"] = ";".join(peers)
    return env


def apply_network(discovery: str = DEFAULT_DISCOVERY, static_peers=(), environ=None) -> dict:
    """Set the variables in ``environ`` (this process's environment by default; children
    inherit it) before any rclpy context starts; returns them."""
    environ = os.environ if environ is None else environ
    env = network_environment(discovery, static_peers)
    environ.update(env)
    if "ROS_STATIC_PEERS" not in env:
        environ.pop("ROS_STATIC_PEERS", None)
    return env
