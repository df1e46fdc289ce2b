"""Command line: ``python -m tests.support.id_reader_fake --port 19196 [--cards cards.json]``."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading

from tests.support.id_reader_fake.cards import Card
from tests.support.id_reader_fake.server import FakeIdReader


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.id_reader_fake",
        description="Run a simulated ID-card reader service on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=19196, help="0 picks a free port")
    parser.add_argument("--cards", default=None, help="a JSON list of cards (see cards.py)")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the simulated reader listens on loopback only")
    cards = None
    if args.cards:
        with open(args.cards, encoding="utf-8") as fh:
            cards = [Card.from_json(item) for item in json.load(fh)]
    reader = FakeIdReader(host=args.host, port=args.port, cards=cards).start()
    _say(f"READY {reader.url}/")
    for i, card in enumerate(reader.cards):
        _say(f'  card {i}: {card.name} (POST {reader.url}/_sim/place {{"index": {i}}})')
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    reader.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
