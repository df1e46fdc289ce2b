import time
from collections import Counter
from pathlib import Path
from typing import Any
import pytest
from django.db import connection
from bianmin.notifications.harness import FakeGateway, Workers, record_references, running, wait_until
from bianmin.notifications.models import Message
from bianmin.notifications.tests.test_exactly_once import queued  # noqa

pytestmark = [pytest.mark.django_db(transaction=True)]

def test_dbg(queued: Any, tmp_path: Path) -> None:
    t0 = time.monotonic()
    references = queued(120)
    print("created", time.monotonic() - t0)
    record = tmp_path / "received.jsonl"
    gateway = FakeGateway("aliyun", record, qps=400).start()
    workers = Workers(db_name=connection.settings_dict["NAME"], gateway_url=gateway.url, workdir=tmp_path, rate=100.0)
    with running(gateway, workers):
        print("wd", workers.watchdog(stuck_after=3.0, replay_after=0.0), time.monotonic() - t0)
        workers.start_consumer()
        for i in range(30):
            time.sleep(1)
            print(round(time.monotonic() - t0, 1), len(record_references(record)), dict(Counter(Message.objects.values_list("status", flat=True))))
            if len(record_references(record)) == 120: break
        print(workers.logs()[-3000:])
