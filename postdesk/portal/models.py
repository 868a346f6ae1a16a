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
