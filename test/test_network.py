"""Discovery settings for running the stack on several machines (never exercised off loopback here)."""
import pytest

from humanoid_control.errors import ConfigError
from humanoid_control.network import apply_network, network_environment


def test_the_default_keeps_discovery_on_loopback_without_static_peers():
    assert network_environment() == {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}


def test_a_subnet_with_static_peers_gives_rmw_both_variables():
    env = network_environment("subnet", "192.168.1.20, mpc-computer.local")
    assert env == {"ROS_AUTOMATIC_DISCOVERY_RANGE": "SUBNET", "ROS_STATIC_PEERS": "192.168.1.20;mpc-computer.local"}
    assert network_environment("off", ["fe80::1"])["ROS_STATIC_PEERS"] == "fe80::1"


@pytest.mark.parametrize("discovery, peers, message", [
    ("internet", "", "unknown discovery range 'internet'; choose one of: localhost, subnet, system_default, off"),
    ("subnet", "192.168.1.20,bad host!", "static peer 'bad host!' is neither an IP address nor a host name"),
    ("off", "", "discovery 'off' needs static peers"),
])
def test_bad_settings_are_refused_with_the_valid_choices(discovery, peers, message):
    with pytest.raises(ConfigError) as info:
        network_environment(discovery, peers)
    assert message in str(info.value)


def test_applying_a_setting_replaces_stale_static_peers_in_the_given_environment():
    environ = {"ROS_STATIC_PEERS": "10.0.0.9", "OTHER": "kept"}
    apply_network("localhost", (), environ)
    assert environ == {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", "OTHER": "kept"}
