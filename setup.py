"""humanoid_control: ament_python package (colcon) and plain pip package at once."""
import os
from glob import glob

from setuptools import find_packages, setup

PACKAGE = "humanoid_control"
HERE = os.path.dirname(os.path.abspath(__file__))


def _requirements(path="requirements.txt"):
    """Requirement lines of a pip requirements file, following ``-r other.txt`` includes."""
    out = []
    with open(os.path.join(HERE, path)) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line.startswith("-r "):
                out += _requirements(line[3:].strip())
            elif line:
                out.append(line)
    return out


setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(include=[PACKAGE, PACKAGE + ".*"]),
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + PACKAGE]),
        ("share/" + PACKAGE, ["package.xml"]),
        ("share/" + PACKAGE + "/launch", glob("launch/*.py")),
        ("share/" + PACKAGE + "/config", glob("config/*.yaml")),
        ("share/" + PACKAGE + "/config/robots", glob("config/robots/*.yaml")),
        ("share/" + PACKAGE + "/config/hardware", glob("config/hardware/*.yaml")),
        ("share/" + PACKAGE + "/config/gazebo", glob("config/gazebo/*.yaml")),
        ("share/" + PACKAGE + "/urdf", glob("urdf/*.urdf")),
    ],
    install_requires=_requirements(),
    extras_require={"test": ["pytest", "hypothesis"], "ray": _requirements("requirements-ray.txt")},
    zip_safe=False,
    maintainer="humanoid_control maintainers",
    maintainer_email="maintainers@humanoid-control.invalid",
    description="Real-time whole-body control stack for humanoid robots (ROS 2, Python).",
    license="Apache-2.0",
    python_requires=">=3.10",
    entry_points={
        "console_scripts": [
            "humanoid-control = humanoid_control.cli:main",
            "driver_node = humanoid_control.nodes.driver_node:main",
            "estimator_node = humanoid_control.nodes.estimator_node:main",
            "wbc_node = humanoid_control.nodes.wbc_node:main",
            "mpc_node = humanoid_control.nodes.mpc_node:main",
            "control_loop_node = humanoid_control.nodes.control_loop_node:main",
            "hardware_bridge_node = humanoid_control.nodes.hardware_bridge_node:main",
            "effort_relay_node = humanoid_control.nodes.effort_relay_node:main",
        ],
    },
)
