from django.db import migrations

CODES = [
    ("query", "查询"),
    ("consultation", "咨询"),
    ("complaint", "投诉"),
    ("suggestion", "建议"),
    ("pickup", "揽收"),
    ("booking", "订票/预订"),
    ("tracing", "查单"),
    ("transfer", "转接"),
    ("nuisance", "骚扰/误拨"),
    ("other", "其他"),
]


def add_codes(apps, schema_editor):
    WrapupCode = apps.get_model("calls", "WrapupCode")
    for position, (code, label) in enumerate(CODES):
        WrapupCode.objects.get_or_create(code=code, defaults={"label": label, "position": position})


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]
    operations = [migrations.RunPython(add_codes, migrations.RunPython.noop)]
