"""Service areas 服务区域: which unit serves which part of the map.

No logic here: `services.py` writes (validating and completing each rule's place
fields), `rules.py` is the routing rule, `selectors.route_address` answers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from postdesk.core.models import TimeStamped


class ServiceArea(TimeStamped):
    """One rule of the service-area table: place fields ("" = any) and keywords."""

    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="service_areas",
        verbose_name=_("unit"),
    )
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    town = models.CharField(_("town"), max_length=50, blank=True)
    # normalised keywords joined by "|" ("" = no keywords)
    keywords = models.TextField(_("keywords"), blank=True)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["province", "city", "district", "town", "id"]
        indexes = [models.Index(fields=["unit", "id"], name="routing_area_unit")]

    def __str__(self) -> str:
        place = "".join([self.city, self.district, self.town]) or self.province
        return f"{place} → {self.unit_id}"

    @property
    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.split("|") if k]


class TableVersion(models.Model):
    """One row whose `token` changes (to a fresh random value) with every write of the
    service-area table, so each process knows when its copy of the table is stale."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
