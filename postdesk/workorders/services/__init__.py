"""Every write of work orders (see the modules for each part)."""

from postdesk.workorders.services.assign import work_order_assign
from postdesk.workorders.services.attachments import attachment_add, attachment_path
from postdesk.workorders.services.caller import work_order_caller_reveal
from postdesk.workorders.services.create import work_order_create
from postdesk.workorders.services.routing import pickup_dispatch_routed
from postdesk.workorders.services.transitions import work_order_act, work_order_note
from postdesk.workorders.services.watch import work_order_alert, work_orders_watch

__all__ = [
    "attachment_add",
    "attachment_path",
    "pickup_dispatch_routed",
    "work_order_act",
    "work_order_alert",
    "work_order_assign",
    "work_order_caller_reveal",
    "work_order_create",
    "work_order_note",
    "work_orders_watch",
]
