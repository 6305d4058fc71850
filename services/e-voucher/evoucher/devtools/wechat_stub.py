"""A local server that speaks WeChat's code-to-session API, for development and tests.

Login code "code-<anything>" -> openid "openid-<anything>"; any other code gets WeChat's
invalid-code error. `make run` starts it with uvicorn --factory evoucher.devtools.wechat_stub:app;
alone: python -m evoucher.devtools.wechat_stub [port] (default 8014).
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI

from medshared.broker import wait_for_port


def build_app() -> FastAPI:
    app = FastAPI(title="WeChat jscode2session stand-in")

    @app.get("/sns/jscode2session")
    def jscode2session(appid: str = "", secret: str = "", js_code: str = "", grant_type: str = "") -> dict[str, Any]:
        """Exchange a login code for an openid, as api.weixin.qq.com does."""
        if not appid or not secret or grant_type != "authorization_code":
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if not js_code.startswith("code-") or len(js_code) <= len("code-"):
            return {"errcode": 40029, "errmsg": "invalid code"}
        suffix = js_code[len("code-") :]
        return {"openid": f"openid-{suffix}", "session_key": hashlib.sha256(js_code.encode()).hexdigest()[:24]}

    return app


def app() -> FastAPI:
    """uvicorn factory entry point."""
    return build_app()


class ThreadedServer:
    """An ASGI app under uvicorn in a thread; `url` is ready once start() returns."""

    def __init__(self, app: Any, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> ThreadedServer:
        self._thread.start()
        wait_for_port("127.0.0.1", self.port, timeout=10)
        while not self._server.started:
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


if __name__ == "__main__":
    uvicorn.run(build_app(), host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 8014)
