"""SMS to customers: the message's life (`flow.py`), quiet hours and templates
(`rules.py`), the gateway adapters (`gateways.py`) and the writes (`services.py`).
`postdesk.notify.services.sms_send` is the seam other apps call."""
