from postdesk.workorders.tests.conftest import act, make_order  # noqa: F401
