from __future__ import annotations

from django import forms

from postdesk.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error beside the form: per field where it names one."""
    placed = False
    for name, message in error.fields.items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
        else:
            form.add_error(None, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))
