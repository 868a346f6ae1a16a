"""Customers: people and organisations, their phones and addresses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from postdesk.core.models import TimeStamped


class Customer(TimeStamped):
    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", _("organisation")

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone call")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")
        NONE = "none", _("no contact")

    class Temperament(models.TextChoices):
        """Internal only: never on a customer-facing page, message or export."""

        NONE = "", _("not noted")
        AGITATED = "agitated", _("agitated")
        CONFUSED = "confused", _("confused")
        DEMANDING = "demanding", _("demanding")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    is_key_account = models.BooleanField(_("key account"), default=False)
    contract_no = models.CharField(_("contract number"), max_length=40, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_accounts",
        verbose_name=_("account manager"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    consent_sms = models.BooleanField(_("agrees to SMS notices"), default=True)
    consent_marketing = models.BooleanField(_("agrees to marketing"), default=False)
    temperament = models.CharField(
        _("temperament (internal)"), max_length=20, choices=Temperament.choices, blank=True
    )
    internal_note = models.TextField(_("internal note"), blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("serving unit"),
    )
    # A card merged into another (`services_merge.customers_merge`): kept, emptied of its
    # references, out of searches, its page leading to the card it was merged into.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cards",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["contract_no"])]

    def __str__(self) -> str:
        return self.name


class CustomerPhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("mobile")
        LANDLINE = "landline", _("landline")
        SERVICE = "service", _("service number")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=20, db_index=True)  # canonical form
    raw = models.CharField(_("as given"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="unique_customer_phone")
        ]

    def __str__(self) -> str:
        return self.number


class CustomerAddress(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=30, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=20, blank=True)
    district = models.CharField(_("district"), max_length=20, blank=True)
    detail = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return self.full

    @property
    def full(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"


class CustomerChange(models.Model):
    """The audit of a card: one row per field an edit changed (old → new, as stored;
    personal values are shown masked unless the reader may see them in full), and one
    row per merge (`field = "merge"`, old naming the card merged in)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("changed at"))
    field = models.CharField(_("field"), max_length=30)
    old = models.TextField(_("old value"), blank=True)
    new = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("customer change")
        verbose_name_plural = _("customer changes")
        indexes = [models.Index(fields=["customer", "-at"], name="customer_change_recent")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.field}"
