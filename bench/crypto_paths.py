"""bench/crypto_paths: what SM4 costs on every path that encrypts personal data.

Each path is measured through `bianmin.core.crypto` (what `EncryptedTextField` and
`EncryptedBinaryField` call on save and load) with the payloads that path really stores:

* registry photo   one 100 KB photo (people.Person.photo), encrypt + decrypt;
* face template    one 128-float64 template (identity.FaceTemplate.template, 1 KB);
* face frames      a burst of 3 kept frames of ~60 KB each (identity's kept frames);
* person import    an Excel file of 1,000 persons: the file itself (~120 KB, PersonImport.content)
                   and 3 encrypted fields per row (ID number, phone, address) + 2 blind indexes;
* payments         the fees context stores no encrypted field; its payer is the hall ticket's
                   phone (one 11-digit field) — measured as one short field, encrypt + decrypt.

The implementation measured is the one installed (`crypto.IMPLEMENTATION`); runs with the old
pure-Python `gmssl` are kept under "before" in the results file, so both stay side by side.

    python -m bench crypto_paths
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench._common import ROOT

RESULTS = ROOT / "bench" / "results" / "crypto_paths.json"


def _time(fn: Any, *, repeat: int) -> float:
    """Median milliseconds of `fn()` over `repeat` runs (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(runs), 3)


def measure() -> dict[str, Any]:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from bianmin.core import crypto

    slow = getattr(crypto, "IMPLEMENTATION", "gmssl (pure Python)").startswith("gmssl")
    photo = secrets.token_bytes(100 * 1024)
    template = secrets.token_bytes(128 * 8)
    frames = [secrets.token_bytes(60 * 1024) for _ in range(3)]
    excel = secrets.token_bytes(120 * 1024)
    rows = [
        (f"6105221990{i:04d}124X"[:18], f"139{i:08d}", f"陕西省渭南市临渭区某某路{i}号")
        for i in range(1000)
    ]

    def round_trip(data: bytes) -> None:
        crypto.decrypt_bytes(crypto.encrypt_bytes(data))

    def burst() -> None:
        for frame in frames:
            round_trip(frame)

    def person_import() -> None:
        crypto.encrypt_bytes(excel)
        for id_number, phone, address in rows:
            crypto.encrypt_text(id_number)
            crypto.encrypt_text(phone)
            crypto.encrypt_text(address)
            crypto.blind_index(id_number, purpose="id_number")
            crypto.blind_index(phone, purpose="phone")

    def field() -> None:
        crypto.decrypt_text(crypto.encrypt_text("13912345678"))

    few = 3 if slow else 50
    return {
        "implementation": getattr(crypto, "IMPLEMENTATION", "gmssl (pure Python)"),
        "registry_photo_100kb_ms": _time(lambda: round_trip(photo), repeat=few),
        "face_template_1kb_ms": _time(lambda: round_trip(template), repeat=few * 4),
        "face_frames_3x60kb_ms": _time(burst, repeat=few),
        "person_import_1000_rows_ms": _time(person_import, repeat=1 if slow else 5),
        "payment_phone_field_ms": _time(field, repeat=200),
    }


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    result = measure()
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    previous: dict[str, Any] = {}
    if RESULTS.exists():
        previous = json.loads(RESULTS.read_text())
    key = "before" if "--before" in args else "after"
    previous[key] = result
    previous["cpus"] = os.cpu_count()
    previous["python"] = platform.python_version()
    for name, value in result.items():
        print(f"{name:<30}{value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(previous, ensure_ascii=False, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(ROOT)} ({key})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
