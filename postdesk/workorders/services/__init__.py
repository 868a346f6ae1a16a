"""Every write of work orders (see the modules for each part)."""

from postdesk.workorders.services.assign import work_order_assign
from postdesk.workorders.services.attachments import attachment_add, attachment_path
from postdesk.workorders.services.bulk import work_orders_bulk_act
from postdesk.workorders.services.caller import work_order_caller_reveal
from postdesk.workorders.services.create import work_order_create
from postdesk.workorders.services.routing import pickup_dispatch_routed
from postdesk.workorders.services.saved_filters import saved_filter_create, saved_filter_delete
from postdesk.workorders.services.tags import (
    tag_add,
    tag_create,
    tag_remove,
    tag_update,
)
from postdesk.workorders.services.transitions import work_order_act, work_order_note
from postdesk.workorders.services.watch import work_order_alert, work_orders_watch

__all__ = [
    "attachment_add",
    "attachment_path",
    "pickup_dispatch_routed",
    "saved_filter_create",
    "saved_filter_delete",
    "tag_add",
    "tag_create",
    "tag_remove",
    "tag_update",
    "work_order_act",
    "work_order_alert",
    "work_order_assign",
    "work_order_caller_reveal",
    "work_order_create",
    "work_order_note",
    "work_orders_bulk_act",
    "work_orders_watch",
]
