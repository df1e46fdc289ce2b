"""Command line: ``python -m tests.support.traffic_fake --port 18080``."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from tests.support.traffic_fake.server import FAKE_APP_KEY, FAKE_APP_SECRET, FakeTrafficProvider


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.traffic_fake",
        description="Run a simulated traffic-violation provider on loopback.",
    )
    parser.add_argument("--port", type=int, default=18080, help="0 picks a free port")
    args = parser.parse_args(argv)
    provider = FakeTrafficProvider(port=args.port).start()
    _say(f"READY {provider.url}/")
    _say(
        f"  BIANMIN_TRAFFIC_PROVIDER_URL={provider.url} "
        f"BIANMIN_TRAFFIC_PROVIDER_APP_KEY={FAKE_APP_KEY} "
        f"BIANMIN_TRAFFIC_PROVIDER_APP_SECRET={FAKE_APP_SECRET}"
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    provider.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
