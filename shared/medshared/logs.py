"""Structured JSON logs that never print an ID number or a name in clear."""

from __future__ import annotations

import json
import logging
import re
import sys

_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_SENSITIVE_KEYS = {"certno", "psn_name", "name", "mdtrt_cert_no", "idNo", "userName", "tel", "mob"}


def mask_text(text: str) -> str:
    """540102198005010110 -> 540102********0110."""
    return _ID_NUMBER.sub(r"\1********\2", text)


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def _mask_value(key: str, value: object) -> object:
    if key in _SENSITIVE_KEYS and isinstance(value, str):
        return mask_name(value) if "name" in key.lower() else mask_text(value) if len(value) == 18 else "***"
    if isinstance(value, str):
        return mask_text(value)
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_text(record.getMessage()),
        }
        for key, value in getattr(record, "fields", {}).items():
            data[key] = _mask_value(key, value)
        if record.exc_info:
            data["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


class MaskingFilter(logging.Filter):
    """For plain-text handlers too: mask ID numbers in the rendered message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        return True


def configure(service: str, *, json_output: bool = True, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_output:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("kafka").setLevel(logging.ERROR)
