"""make run: the embedded broker, every service on SQLite, the demo dataset, then wait.

Ports and databases can be overridden with the usual environment variables
(ENROLLMENT_PORT, ENROLLMENT_DATABASE_URL, ..., BROKER_PORT, KAFKA_BOOTSTRAP_SERVERS).
Ctrl-C stops everything.
"""

from __future__ import annotations

import signal
import sys
import time

from stack import ROOT, Stack


def main() -> int:
    stack = Stack(var=ROOT / "var")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        stack.start()
        print(
            "\nReady: the demo data is loaded and every consumer has applied it (the demo people settle as the rules say)."
        )
        for name, url in stack.urls.items():
            docs = "" if name == "wechat-stub" else f"   docs {url}/docs   OpenAPI {url}/openapi.json"
            print(f"  {name:<12} {url}{docs}")
        print(f"  broker       {stack.bootstrap}")
        print(
            "\nTry:  curl -s -H 'x-operator-token: dev-operator-token' 'http://127.0.0.1:8001/admin/v1/people?certno=540102198005010110'"
        )
        print("Logs are in var/*.log. Ctrl-C stops everything.")
        while stack.alive():
            time.sleep(0.5)
        print("a process stopped unexpectedly; see var/*.log")
        return 1
    except KeyboardInterrupt:
        print("\nstopping...")
        return 0
    except RuntimeError as exc:  # a service that did not start, or consumers that did not catch up
        print(f"\nnot ready: {exc}; see var/*.log", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
