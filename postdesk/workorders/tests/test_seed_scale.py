"""`demo.seed_scale` (the benchmarks' bulk loader) writes orders the model can read."""

from __future__ import annotations

import pytest


@pytest.mark.django_db(transaction=True)  # on PostgreSQL it ends with VACUUM
def test_seed_scale_writes_every_required_column(staff):
    from postdesk.workorders import demo
    from postdesk.workorders.models import WorkOrder

    demo.seed_scale(40, index=False)

    orders = WorkOrder.objects.filter(number__gt="")
    assert orders.count() == 40
    assert set(orders.values_list("route_status", flat=True)) == {""}
    assert all(order.routing == {} for order in orders)
