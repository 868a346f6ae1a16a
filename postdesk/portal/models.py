"""The portal's one table: proof-of-work challenges already spent on a filing."""

from __future__ import annotations

from django.db import models


class SpentChallenge(models.Model):
    """A solved challenge (`portal.challenge`) used by a filing, kept until the challenge
    would have expired anyway, so one solution files once. Written in the filing's own
    transaction: a filing refused for any reason spends nothing."""

    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the challenge
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "spent challenge"

    def __str__(self) -> str:
        return f"{self.digest[:12]}… until {self.expires_at:%Y-%m-%d %H:%M}"


class OneTimeCode(models.Model):
    """A code sent by SMS to follow a phone's requests (`portal.otp`). Only an HMAC of
    the code is kept; a new code for the phone supersedes the older ones; a code takes
    `otp.MAX_ATTEMPTS` tries and is good once, until `expires_at`."""

    phone = models.CharField(max_length=20)  # canonical (+86…)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        verbose_name = "one-time code"
        indexes = [models.Index(fields=["phone", "-created_at"], name="portal_otp_phone")]

    def __str__(self) -> str:
        return f"code #{self.pk} until {self.expires_at:%Y-%m-%d %H:%M}"
