"""A simulated 二代证 (second-generation resident ID card) reader service on loopback.

Real readers are used from the browser through a small local service on the window PC; this
fake speaks the same two wire protocols the product's page adapters support (see
docs/readme/devices.md): the ``cgi-bin/readCard`` JSON service and the ZKTeco
``ZKIDROnline`` service. ``python -m tests.support.id_reader_fake --port 0`` prints
``READY http://127.0.0.1:<port>/`` on its first line.
"""

from tests.support.id_reader_fake.cards import DEMO_CARDS, Card, chip_photo
from tests.support.id_reader_fake.server import FakeIdReader

__all__ = ["DEMO_CARDS", "Card", "FakeIdReader", "chip_photo"]
