"""The 公众查询码 (public reference) of a work order: what a caller reads back over the phone
or types on the portal to follow the order without signing in.

Eight characters from an alphabet without the look-alikes (no 0/O, no 1/I/L, and no U,
which is read as V), shown in two groups of four: ``K7QM-3XPR``. 30⁸ ≈ 6.6 × 10¹¹ codes;
they are random (never derived from the number) and unique (a collision is drawn again by
the intake). A public lookup should pair the code with the caller's phone: 39 bits alone
are not a secret against a patient guesser.
Pure module: no database.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
GROUP = 4
_VALID = re.compile(rf"[{ALPHABET}]{{{LENGTH}}}")
_SEPARATORS = re.compile(r"[\s\-_.·—]+")


def new_public_ref() -> str:
    """A fresh random code, stored without its separator."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_public_ref(code: str) -> bool:
    return bool(_VALID.fullmatch(code))


def format_public_ref(code: str) -> str:
    """``K7QM3XPR`` → ``K7QM-3XPR``; a code of an older form is shown as it is."""
    if not is_public_ref(code):
        return code
    return "-".join(code[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def parse_public_ref(text: str) -> str | None:
    """What a person typed or read out (``k7qm 3xpr``, ``K7QM-3XPR``) → the stored code, or
    None when it cannot be one (letters are upper-cased, separators dropped)."""
    code = _SEPARATORS.sub("", text or "").upper()
    return code if is_public_ref(code) else None
