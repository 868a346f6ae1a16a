"""Every existing order gets a speakable 公众查询码 (workorders.public_ref): eight
characters without look-alikes instead of the mixed-case token with '_' and '-'."""

from django.db import migrations

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # as postdesk.workorders.public_ref (frozen here)


def speakable(apps, schema_editor):
    import re
    import secrets

    WorkOrder = apps.get_model("workorders", "WorkOrder")
    valid = re.compile(rf"[{ALPHABET}]{{8}}")
    used = set()
    old = []
    for pk, ref in WorkOrder.objects.values_list("pk", "public_ref").iterator(chunk_size=5000):
        if valid.fullmatch(ref):
            used.add(ref)
        else:
            old.append(pk)
    for start in range(0, len(old), 2000):
        batch = []
        for pk in old[start : start + 2000]:
            while (ref := "".join(secrets.choice(ALPHABET) for _ in range(8))) in used:
                pass
            used.add(ref)
            batch.append(WorkOrder(pk=pk, public_ref=ref))
        WorkOrder.objects.bulk_update(batch, ["public_ref"])


class Migration(migrations.Migration):
    dependencies = [("workorders", "0002_lean_intake_indexes")]

    operations = [migrations.RunPython(speakable, migrations.RunPython.noop)]
