"""MCAP recording of a run: every topic as serialized ROS 2 messages (CDR), readable by
Foxglove and ``ros2 bag`` (the MCAP ``ros2`` profile, schemas in ``ros2msg`` encoding).

The file is written with the ``mcap`` library; the message bytes are what rclpy received
(raw subscriptions, no re-encoding). A schema's text is its ``.msg`` definition followed by
those of every type it uses, each after a ``MSG: pkg/Type`` separator line — the layout
rosbag2 writes — read from ``<prefix>/share/<pkg>/msg/<Type>.msg`` of the ROS install
(``AMENT_PREFIX_PATH``, else this Python environment's prefix); rosidl_adapter parses them.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from humanoid_control.errors import HumanoidControlError

SEPARATOR = "=" * 80


class RecordingError(HumanoidControlError):
    """The MCAP recording cannot be written (file, message definitions)."""


def _prefixes() -> list:
    paths = [p for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    return paths + [sys.prefix]


def msg_file(type_name: str) -> Path:
    """The ``.msg`` file of ``pkg/msg/Type`` (or ``pkg/Type``)."""
    pkg, _, name = _split(type_name)
    for prefix in _prefixes():
        path = Path(prefix) / "share" / pkg / "msg" / f"{name}.msg"
        if path.is_file():
            return path
    raise RecordingError(f"no message definition for '{type_name}' under {', '.join(_prefixes())} "
                         f"(looked for share/{pkg}/msg/{name}.msg)")


def _split(type_name: str) -> tuple:
    parts = type_name.split("/")
    if len(parts) == 3 and parts[1] == "msg":
        return parts[0], "msg", parts[2]
    if len(parts) == 2:
        return parts[0], "msg", parts[1]
    raise RecordingError(f"'{type_name}' is not a message type name like 'pkg/msg/Type'")


def _field_types(text: str, pkg: str, name: str) -> list:
    """Complex types (``pkg/Type``) the fields of a ``.msg`` text use, in order (parsed by
    rosidl_adapter, ROS 2's own ``.msg`` parser)."""
    from rosidl_adapter.parser import parse_message_string

    spec = parse_message_string(pkg, name, text)
    return [f"{f.type.pkg_name}/{f.type.type}" for f in spec.fields if not f.type.is_primitive_type()]


def message_definition(type_name: str) -> str:
    """The ``ros2msg`` schema text of ``type_name`` with all its dependencies."""
    pkg, _, name = _split(type_name)
    main = msg_file(type_name).read_text()
    parts, seen = [main.rstrip("\n")], set()
    queue = _field_types(main, pkg, name)
    while queue:
        dep = queue.pop(0)
        dep_pkg, _, dep_name = _split(dep)
        key = f"{dep_pkg}/{dep_name}"
        if key in seen:
            continue
        seen.add(key)
        text = msg_file(key).read_text()
        parts.append(f"{SEPARATOR}\nMSG: {key}\n{text.rstrip(chr(10))}")
        queue += _field_types(text, dep_pkg, dep_name)
    return "\n".join(parts) + "\n"


class McapRecorder:
    """``add_topic(topic, type_name)`` once per topic, then ``write(topic, cdr, log_time_ns)``;
    ``close()`` finishes the file (its summary and index)."""

    def __init__(self, path: Path):
        from mcap.writer import CompressionType, Writer

        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "wb")
        except OSError as exc:
            raise RecordingError(f"cannot write '{path}': {exc.strerror}") from None
        self._writer = Writer(self._file, compression=CompressionType.ZSTD)
        self._writer.start(profile="ros2", library="humanoid_control")
        self._schemas = {}
        self._channels = {}
        self._sequence = {}
        self.counts = {}

    def add_topic(self, topic: str, type_name: str) -> None:
        if topic in self._channels:
            return
        if type_name not in self._schemas:
            self._schemas[type_name] = self._writer.register_schema(
                name=type_name.replace("/msg/", "/"), encoding="ros2msg",
                data=message_definition(type_name).encode())
        self._channels[topic] = self._writer.register_channel(topic=topic, message_encoding="cdr",
                                                              schema_id=self._schemas[type_name])
        self._sequence[topic] = 0
        self.counts[topic] = 0

    def write(self, topic: str, cdr: bytes, log_time_ns: int, publish_time_ns: int | None = None) -> None:
        seq = self._sequence[topic]
        self._writer.add_message(channel_id=self._channels[topic], log_time=int(log_time_ns), data=bytes(cdr),
                                 publish_time=int(publish_time_ns if publish_time_ns is not None else log_time_ns),
                                 sequence=seq)
        self._sequence[topic] = seq + 1
        self.counts[topic] += 1

    def close(self) -> None:
        if self._file.closed:
            return
        self._writer.finish()
        self._file.close()
