"""Structured JSON logs that never print an ID number, a name or a credential in clear."""

from __future__ import annotations

import json
import logging
import re
import sys

# An 18-character ID number standing alone: not a digit run inside a hex id, a msgid or a longer code.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_SENSITIVE_KEYS = {"certno", "psn_name", "name", "mdtrt_cert_no", "idNo", "userName", "tel", "mob"}
# Names of parameters that carry a credential (token, ecToken, access_token, client_secret, password,
# x-tif-signature, js_code, ...), compared without case, dashes or underscores.
_SECRET_KEY = re.compile(
    r"token|secret|passw|pwd|signature|^sign$|apikey|authorization|credential|jscode|^code$|ticket"
)
# key=value in a URL query (after ? or &, or ; in matrix-style URLs), as httpx and the access log print it.
_QUERY_PAIR = re.compile(r"(?P<lead>[?&;])(?P<key>[^=&;#\s\"'?]+)=(?P<value>[^&;#\s\"']*)")
MASK = "***"


def is_secret_key(key: str) -> bool:
    """True for a parameter name whose value is a credential: its value is never logged."""
    return bool(_SECRET_KEY.search(key.lower().replace("-", "").replace("_", "")))


def mask_secrets(text: str) -> str:
    """http://x/a?ecToken=abc&page=2 -> http://x/a?ecToken=***&page=2 (any URL inside the text)."""

    def masked(match: re.Match[str]) -> str:
        if not is_secret_key(match["key"]) or not match["value"]:
            return match[0]
        return f"{match['lead']}{match['key']}={MASK}"

    return _QUERY_PAIR.sub(masked, text) if "=" in text else text


def mask_text(text: str) -> str:
    """540102198005010110 -> 540102********0110; credentials in URL queries -> ***."""
    return mask_secrets(_ID_NUMBER.sub(r"\1********\2", text))


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def _mask_value(key: str, value: object) -> object:
    if is_secret_key(key) and isinstance(value, str):
        return MASK
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
