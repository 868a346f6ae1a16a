"""`postdesk backup` / `postdesk restore`, round trip on the suite's database kind: a
centre of its own (migrated, demo data, uploaded files) is backed up while a writer keeps
committing, restored onto an empty database and MEDIA_ROOT, and compared."""

from __future__ import annotations

import json
import subprocess
import tarfile
import time

import pytest

from conftest import POSTDESK_CLI, postdesk_env, postdesk_run, scratch_database

pytestmark = pytest.mark.django_db  # (the settings tell the database kind)

#: Commits rows until told to stop (the stop file), then one more: so the backup, taken
#: after its first commit ("started") and before the stop, always falls in the middle of
#: the writing, however slow the machine.
WRITER = """
import os, time
from django.utils import timezone
from postdesk.notify.models import OutboxMessage
started, stop = os.environ["WRITER_STARTED"], os.environ["WRITER_STOP"]
n = 0
deadline = time.monotonic() + 300
while True:
    stopping = os.path.exists(stop) or time.monotonic() > deadline
    OutboxMessage.objects.create(key=f"writer:{n}", channel="inapp", payload={},
                                 status="sent", next_attempt_at=timezone.now())
    n += 1
    if n == 1:
        open(started, "w").close()
    if stopping:
        break
print(n)
"""

DIGEST = """
import hashlib
from postdesk.customers.models import Customer
from postdesk.workorders.models import WorkOrder
rows = list(Customer.objects.order_by("pk").values_list("pk", "name", "email"))
rows += list(WorkOrder.objects.order_by("pk").values_list("pk", "number", "status"))
print(hashlib.sha256(repr(rows).encode()).hexdigest(), len(rows))
"""


def _digest(env):
    return postdesk_run(env, "shell", "-c", DIGEST).stdout.strip().splitlines()[-1]


def _outbox_count(env):
    count = postdesk_run(
        env,
        "shell",
        "-c",
        "from postdesk.notify.models import OutboxMessage;print(OutboxMessage.objects.count())",
    )
    return int(count.stdout.strip().splitlines()[-1])


def test_backup_while_writing_then_restore_onto_an_empty_database(tmp_path):
    source_url, drop_source = scratch_database(tmp_path, "backup_src")
    target_url, drop_target = scratch_database(tmp_path, "backup_dst")
    try:
        source = postdesk_env(source_url, tmp_path / "a")
        target = postdesk_env(target_url, tmp_path / "b")
        postdesk_run(source, "migrate", "-v", "0")
        postdesk_run(source, "seed_demo", "--no-history")
        uploads = {
            "workorders/2026/12/ab12.pdf": b"%PDF-1.4 an attachment",
            "tracking_imports/day.csv": "运单号,状态\n1234,签收\n".encode(),
        }
        for name, data in uploads.items():
            path = tmp_path / "a" / "media" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        before = _digest(source)
        seeded = _outbox_count(source)  # the demo's own outbox rows, there before the writer

        started, stop = tmp_path / "writer.started", tmp_path / "writer.stop"
        writer = subprocess.Popen(
            [*POSTDESK_CLI, "shell", "-c", WRITER],
            env={**source, "WRITER_STARTED": str(started), "WRITER_STOP": str(stop)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(1200):  # the writer has committed its first row
            if started.exists() or writer.poll() is not None:
                break
            time.sleep(0.1)
        archive = tmp_path / "centre.tar"
        backed = postdesk_run(source, "backup", str(archive))
        stop.touch()
        written = int(writer.communicate(timeout=120)[0].strip().splitlines()[-1])
        assert writer.returncode == 0
        print(backed.stdout.strip(), f"(while a writer committed {written} rows)")

        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            names = set(tar.getnames())
        assert {f"media/{name}" for name in uploads} <= names
        taken = manifest["tables"]["notify_outboxmessage"]
        assert 0 < taken - seeded < written  # a snapshot in the middle of the writing
        assert manifest["media"] == {"files": 2, "bytes": sum(map(len, uploads.values()))}

        restored = postdesk_run(target, "restore", str(archive))
        print(restored.stdout.strip())
        assert "row count matches" in restored.stdout
        assert _digest(target) == before
        for name, data in uploads.items():
            assert (tmp_path / "b" / "media" / name).read_bytes() == data
        postdesk_run(target, "migrate", "--check")  # nothing left to apply
        assert _outbox_count(target) == taken

        again = postdesk_run(target, "restore", str(archive), check=False)
        assert again.returncode != 0 and "restore onto an empty database" in again.stderr
    finally:
        for drop in (drop_source, drop_target):
            if drop is not None:
                drop()


def test_restore_refuses_what_is_not_a_backup_or_is_of_the_other_kind(tmp_path, settings):
    url, drop = scratch_database(tmp_path, "backup_refuse")
    try:
        env = postdesk_env(url, tmp_path / "c")
        junk = tmp_path / "junk.tar"
        junk.write_bytes(b"not a tar file at all")
        run = postdesk_run(env, "restore", str(junk), check=False)
        assert run.returncode != 0 and "is not a postdesk backup" in run.stderr

        other = "sqlite" if settings.IS_POSTGRES else "postgresql"
        fake = tmp_path / "other.tar"
        data = json.dumps({"format": "postdesk-backup", "version": 1, "vendor": other}).encode()
        import io

        with tarfile.open(fake, "w") as tar:
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        run = postdesk_run(env, "restore", str(fake), check=False)
        assert run.returncode != 0 and f"backup is of a {other} database" in run.stderr
    finally:
        if drop is not None:
            drop()
