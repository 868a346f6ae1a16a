"""Parsing our own modules in the tests that read code (layers, rules written once)."""

from __future__ import annotations

import ast


def parse(source: str) -> ast.Module:
    """`ast.parse`, tried again when CPython 3.11 raises its spurious "AST constructor
    recursion depth mismatch" SystemError: the AST state is shared by the threads, and a
    background thread that formats a traceback (3.11's carets parse the source line) at the
    same moment upsets the count (python/cpython#106905). A real syntax error is never
    retried."""
    for attempt in range(3):
        try:
            return ast.parse(source)
        except SystemError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
