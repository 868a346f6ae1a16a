"""The offline proof of work that filings carry (no remote CAPTCHA: intranets and
mainland networks cannot reach one). Pure apart from Django's signer.

The server issues a challenge: a token signed with the site's secret that holds a random
nonce, the difficulty in bits and the time it was issued. The client finds a `solution`
(any 1–32 visible ASCII characters; the portal's script counts up in decimal) such that

    SHA-256( UTF-8( challenge + ":" + solution ) )

starts with at least `bits` zero bits. About 2**bits hashes on average: 16 bits is some
65,000, a second or two on a phone, nothing for one honest filing and a real cost for a
script sending thousands. The server checks the signature, the age (`TTL`) and the hash;
`SpentChallenge` makes each challenge file once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.utils import timezone

SALT = "postdesk.portal.challenge"
TTL = timedelta(hours=1)  # enough to type a long complaint on a phone
MAX_BITS = 32
MAX_SOLUTION = 32


class ChallengeError(ValueError):
    """Why a challenge or its solution is refused: "missing", "expired", "invalid",
    "unsolved"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str
    bits: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Solved:
    digest: str  # SHA-256 hex of the token: what `SpentChallenge` keeps
    expires_at: datetime


def issue(*, bits: int, now: datetime | None = None) -> Challenge:
    now = now or timezone.now()
    bits = max(0, min(int(bits), MAX_BITS))
    signer = signing.TimestampSigner(salt=SALT)
    token = signer.sign_object({"n": secrets.token_hex(12), "b": bits, "t": int(now.timestamp())})
    return Challenge(token=token, bits=bits, expires_at=now + TTL)


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        count += 8 - byte.bit_length()
        break
    return count


def solution_digest(token: str, solution: str) -> bytes:
    return hashlib.sha256(f"{token}:{solution}".encode()).digest()


def solve(token: str, bits: int) -> str:
    """A solution by brute force (tests, and API clients written in Python)."""
    counter = 0
    while leading_zero_bits(solution_digest(token, str(counter))) < bits:
        counter += 1
    return str(counter)


def verify(token: str, solution: str) -> Solved:
    """The solved challenge, or ChallengeError."""
    if not token or not solution:
        raise ChallengeError("missing")
    if len(token) > 300 or len(solution) > MAX_SOLUTION:
        raise ChallengeError("invalid")
    if not all(" " < ch <= "~" for ch in token + solution):
        raise ChallengeError("invalid")
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token, max_age=TTL)
    except signing.SignatureExpired:
        raise ChallengeError("expired") from None
    except signing.BadSignature:
        raise ChallengeError("invalid") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "bt"):
        raise ChallengeError("invalid")
    if leading_zero_bits(solution_digest(token, solution)) < data["b"]:
        raise ChallengeError("unsolved")
    issued = datetime.fromtimestamp(data["t"], tz=UTC)
    return Solved(digest=hashlib.sha256(token.encode()).hexdigest(), expires_at=issued + TTL)
