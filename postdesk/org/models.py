"""Organisation: the unit tree, staff users and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from postdesk.core.models import TimeStamped


class UnitType(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("city bureau")
    SERVICE_CENTRE = "service_centre", _("customer-service centre")
    TEAM = "team", _("team")
    DEPARTMENT = "department", _("department")
    BRANCH = "branch", _("branch office")
    SPECIALISED_BUREAU = "specialised_bureau", _("specialised bureau")
    COUNTY_BUREAU = "county_bureau", _("county bureau")


class Unit(TimeStamped):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=30, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    # Materialised path of ids ("/1/4/9/"): subtree queries are one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")
    phone = models.CharField(_("internal phone"), max_length=40, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class UnitChange(models.Model):
    """History of moves, renames and (de)activations of a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(max_length=30)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.field}: {self.old_value} → {self.new_value}"


class Role(models.TextChoices):
    AGENT = "agent", _("agent")
    LEAD = "lead", _("team lead")
    DIRECTOR = "director", _("director")
    HANDLER = "handler", _("unit handler")
    ADMIN = "admin", _("administrator")
    # reads the access log of personal data (审计员) and nothing personal besides
    AUDITOR = "auditor", _("auditor")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("home unit"),
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    agent_no = models.CharField(_("agent number"), max_length=20, blank=True)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    # The user's direct phone (a mobile or a DID): how a PBX may name who answered
    # (Zammad's answeringNumber); matched in canonical form.
    phone = models.CharField(_("direct phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")
        constraints = [
            models.UniqueConstraint(
                fields=["extension"],
                condition=Q(is_active=True) & ~Q(extension=""),
                name="unique_active_extension",
            ),
            models.UniqueConstraint(
                fields=["agent_no"],
                condition=~Q(agent_no=""),
                name="unique_agent_no",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username
