"""Headless Chromium with no network but loopback, driven through ChromeDriver's W3C WebDriver API.

Debian's chromium and chromium-driver (make test installs them). Every address that is not on
this machine is refused twice over: host names resolve to nothing but 127.0.0.1, and the proxy
every non-loopback request must go through is a loopback port nobody listens on.
"""

from __future__ import annotations

import base64
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = (
    "install Debian's chromium and chromium-driver (make test does: apt-get install chromium chromium-driver)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def offline_arguments(refusing_port: int) -> list[str]:
    return [
        "--headless=new",
        "--no-sandbox",  # the suite runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        "--lang=en-US",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--proxy-server=http://127.0.0.1:{refusing_port}",
    ]


class OfflineBrowser:
    """One ChromeDriver, one browser session; `close()` ends both."""

    def __init__(self, log_file: Path) -> None:
        if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
            raise RuntimeError(f"{CHROMIUM} or {CHROMEDRIVER} is missing: {INSTALL_HINT}")
        port = _free_port()
        self._log = log_file.open("wb")
        self._driver = subprocess.Popen(
            [str(CHROMEDRIVER), f"--port={port}"], stdout=self._log, stderr=subprocess.STDOUT
        )
        self._http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, trust_env=False)
        self._session = ""
        try:
            self._wait_for_driver()
            capabilities = {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": str(CHROMIUM), "args": offline_arguments(_free_port())},
            }
            self._session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]
            self._call("POST", f"/session/{self._session}/timeouts", {"script": 15000, "pageLoad": 30000})
        except Exception:
            self.close()
            raise

    def _wait_for_driver(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._driver.poll() is not None:
                raise RuntimeError(f"chromedriver exited with {self._driver.returncode}")
            try:
                if self._http.get("/status").json()["value"]["ready"]:
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"chromedriver not ready after {timeout:.0f} s")

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self._http.request(method, path, json=body)
        value = answer.json().get("value")
        if answer.status_code != 200:
            raise RuntimeError(f"WebDriver {method} {path}: {answer.status_code} {value}")
        return value

    def open(self, url: str) -> None:
        self._call("POST", f"/session/{self._session}/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        """The value a synchronous script returns (`return ...`)."""
        return self._call("POST", f"/session/{self._session}/execute/sync", {"script": script, "args": list(args)})

    def run_async(self, script: str, *args: Any) -> Any:
        """The value an asynchronous script hands to its last argument, the callback."""
        return self._call("POST", f"/session/{self._session}/execute/async", {"script": script, "args": list(args)})

    def wait_for(self, script: str, timeout: float = 20.0) -> Any:
        """Polls `script` until it returns something truthy; that value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.run(script)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.1)

    def screenshot(self, path: Path) -> bytes:
        png = base64.b64decode(self._call("GET", f"/session/{self._session}/screenshot"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return png

    def close(self) -> None:
        try:
            if self._session:
                self._http.delete(f"/session/{self._session}")
        except httpx.HTTPError:
            pass
        finally:
            self._http.close()
            self._driver.terminate()
            try:
                self._driver.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._driver.kill()
                self._driver.wait()
            self._log.close()
