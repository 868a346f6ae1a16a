"""Writes of the service-area table: one rule at a time (the admin pages) or a whole
CSV file (`postdesk import_service_areas`, the upload page).

Every rule is checked and completed before it is stored (`area_fields_clean`): place
fields must be official names of places that exist one inside the other, the upper
levels a lower one implies are filled in (鹿城区 → 温州市, 浙江省), and a rule must name at
least its city or district (without one it would match addresses anywhere). Every
write changes the table's version token in the same transaction, so every process
rebuilds its copy of the table (`selectors.route_address`) at its next question.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from postdesk.core.csvimport import ImportReport, has_control_characters, read_csv
from postdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from postdesk.org.models import Unit, User
from postdesk.routing import divisions
from postdesk.routing.divisions import COUNTY, Division, gazetteer
from postdesk.routing.models import ServiceArea, TableVersion
from postdesk.routing.rules import can_manage_routing

HEADER = ("unit_code", "province", "city", "district", "town", "keywords")
MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 50


@dataclass(frozen=True)
class AreaFields:
    province: str
    city: str
    district: str
    town: str
    keywords: str  # normalised, "|"-joined

    def key(self, unit_id: int) -> tuple[int, str, str, str, str, str]:
        return (unit_id, self.province, self.city, self.district, self.town, self.keywords)


def _require_admin(actor: User | None) -> None:
    if actor is not None and not can_manage_routing(actor):
        raise PermissionDenied(_("Only administrators change the service-area table."))


def _text(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split())


def keywords_clean(raw: str) -> str:
    """`a|b|c` → the distinct keywords, normalised like addresses, joined by "|"."""
    words: list[str] = []
    for part in raw.split("|"):
        word = _text(part)
        if not word:
            continue
        if len(word) < 2:
            raise ValidationFailed(
                fields={
                    "keywords": _(
                        "The keyword “%(word)s” is a single character: it would match "
                        "almost any address."
                    )
                    % {"word": word}
                }
            )
        if len(word) > MAX_KEYWORD_LENGTH:
            raise ValidationFailed(fields={"keywords": _("A keyword is too long.")})
        if word not in words:
            words.append(word)
    if len(words) > MAX_KEYWORDS:
        raise ValidationFailed(
            fields={"keywords": _("At most %(n)d keywords per rule.") % {"n": MAX_KEYWORDS}}
        )
    return "|".join(words)


def _official(name: str, level: int, field: str) -> list[Division]:
    """The divisions of this level with this official name, or a clear error."""
    gaz = gazetteer()
    found = [
        e.division
        for e in gaz.names.get(name, [])
        if e.kind == "full" and e.division.level == level
    ]
    if found:
        return found
    old = divisions.old_name_of(name, level)
    if old is not None:
        raise ValidationFailed(
            fields={
                field: _("“%(old)s” is now called “%(new)s”: use the official name.")
                % {"old": name, "new": old.name}
            }
        )
    short = [e.division for e in gaz.names.get(name, []) if e.division.level == level]
    if short:
        raise ValidationFailed(
            fields={
                field: _("Use the official name (%(name)s).")
                % {"name": "、".join(d.name for d in short[:3])}
            }
        )
    messages = {
        divisions.PROVINCE: _("There is no province “%(name)s”."),
        divisions.CITY: _("There is no city “%(name)s”."),
        COUNTY: _("There is no district “%(name)s”."),
    }
    raise ValidationFailed(fields={field: messages[level] % {"name": name}})


def area_fields_clean(
    *, province: str, city: str, district: str, town: str, keywords: str
) -> AreaFields:
    """Check a rule's fields and fill in the levels above the lowest one given."""
    values = {"province": province, "city": city, "district": district, "town": town}
    for name, value in [*values.items(), ("keywords", keywords)]:
        if has_control_characters(value):
            raise ValidationFailed(fields={name: _("This value contains control characters.")})
    province, city, district, town = (_text(v) for v in values.values())
    kw = keywords_clean(keywords)
    gaz = gazetteer()
    if province:
        p = _official(province, divisions.PROVINCE, "province")[0]
    if city:
        cities = _official(city, divisions.CITY, "city")
        if province:
            cities = [c for c in cities if c.province == province]
            if not cities:
                raise ValidationFailed(
                    fields={
                        "city": _("There is no city “%(city)s” in %(province)s.")
                        % {"city": city, "province": province}
                    }
                )
        province = cities[0].province
    elif province and p.code in divisions.MUNICIPALITIES:
        city = province  # a municipality is its own city
    if district:
        counties = _official(district, COUNTY, "district")
        if city:
            counties = [c for c in counties if c.city == city]
        elif province:
            counties = [c for c in counties if c.province == province]
        if not counties:
            raise ValidationFailed(
                fields={
                    "district": _("There is no district “%(district)s” in %(place)s.")
                    % {"district": district, "place": city or province}
                }
            )
        if len(counties) > 1:
            raise ValidationFailed(
                fields={
                    "district": _("There is a “%(district)s” in several cities: name the city.")
                    % {"district": district}
                }
            )
        county = counties[0]
        province, city = county.province, county.city
    if town:
        if len(town) > 50:
            raise ValidationFailed(fields={"town": _("This value is too long.")})
        if district:
            known = [t.name for t in gaz.towns_of.get(county.code, [])]
            if known and town not in known and not town.endswith(divisions.TOWN_ENDINGS):
                close = [t for t in known if t.startswith(town[:2])]
                hint = _(" Did you mean %(names)s?") % {"names": "、".join(close)} if close else ""
                raise ValidationFailed(
                    fields={
                        "town": _("There is no township “%(town)s” in %(district)s.")
                        % {"town": town, "district": district}
                        + hint
                    }
                )
        else:
            found = [
                e.division
                for e in gaz.names.get(town, [])
                if e.kind == "full"
                and e.division.level == divisions.TOWN
                and (not city or e.division.city == city)
                and (not province or e.division.province == province)
            ]
            if len(found) != 1:
                raise ValidationFailed(fields={"town": _("Name the district of this township.")})
            province, city, district = found[0].province, found[0].city, found[0].county
    if not city and not district:
        raise ValidationFailed(
            fields={
                "city": _(
                    "A rule must name at least its city or district: without one it would "
                    "match addresses anywhere in the country."
                )
            }
        )
    return AreaFields(province, city, district, town, kw)


def bump_version() -> None:
    token = secrets.token_hex(16)
    if not TableVersion.objects.filter(pk=1).update(token=token):
        TableVersion.objects.create(pk=1, token=token)


def area_row_clean(
    *, values: Mapping[str, str], units: Mapping[str, Unit]
) -> tuple[Unit, AreaFields]:
    """One row of the table — a line of the CSV or the rule form of the admin pages —
    checked the one way every writer checks it: `unit_code` names an active unit of
    `units` (code → unit), and the place fields and keywords pass `area_fields_clean`.
    Raises `ValidationFailed` naming the field at fault."""
    code = values.get("unit_code", "").strip()
    if has_control_characters(code):
        raise ValidationFailed(fields={"unit_code": _("This value contains control characters.")})
    unit = units.get(code)
    if unit is None:
        reason = (
            _("The unit code is empty.")
            if not code
            else _("There is no unit “%(code)s”.") % {"code": code}
        )
        raise ValidationFailed(fields={"unit_code": reason})
    if not unit.is_active:
        raise ValidationFailed(
            fields={"unit_code": _("The unit “%(code)s” is inactive.") % {"code": unit.code}}
        )
    fields = area_fields_clean(
        province=values.get("province", ""),
        city=values.get("city", ""),
        district=values.get("district", ""),
        town=values.get("town", ""),
        keywords=values.get("keywords", ""),
    )
    return unit, fields


def service_area_save(
    *, actor: User | None, area: ServiceArea | None, values: Mapping[str, str]
) -> ServiceArea:
    """Add a rule (`area` None) or change one, from the fields of a table row
    (`unit_code`, `province`, `city`, `district`, `town`, `keywords`), checked exactly as
    an imported line is (`area_row_clean`). A rule equal to another rule of the table is
    refused (the import counts such a line as unchanged and adds nothing)."""
    _require_admin(actor)
    code = values.get("unit_code", "").strip()
    unit, fields = area_row_clean(
        values=values, units={u.code: u for u in Unit.objects.filter(code=code)}
    )
    with transaction.atomic():
        same = ServiceArea.objects.filter(unit=unit, **fields.__dict__)
        if area is not None:
            same = same.exclude(pk=area.pk)
        twin = same.values_list("pk", flat=True).first()
        if twin is not None:
            raise ValidationFailed(
                _("The table already has this rule (rule %(id)d).") % {"id": twin}
            )
        if area is None:
            saved = ServiceArea.objects.create(unit=unit, **fields.__dict__)
        else:
            locked = ServiceArea.objects.select_for_update().filter(pk=area.pk).first()
            if locked is None:
                raise NotFound()
            locked.unit = unit
            for name, value in fields.__dict__.items():
                setattr(locked, name, value)
            locked.save()
            saved = locked
        bump_version()
    return saved


def _values(unit: Unit, **fields: str) -> dict[str, str]:
    return {"unit_code": unit.code, **fields}


def service_area_create(
    *,
    actor: User | None,
    unit: Unit,
    province: str = "",
    city: str = "",
    district: str = "",
    town: str = "",
    keywords: str = "",
) -> ServiceArea:
    values = _values(
        unit, province=province, city=city, district=district, town=town, keywords=keywords
    )
    return service_area_save(actor=actor, area=None, values=values)


def service_area_update(
    *,
    actor: User | None,
    area: ServiceArea,
    unit: Unit,
    province: str = "",
    city: str = "",
    district: str = "",
    town: str = "",
    keywords: str = "",
) -> ServiceArea:
    values = _values(
        unit, province=province, city=city, district=district, town=town, keywords=keywords
    )
    return service_area_save(actor=actor, area=area, values=values)


def service_area_delete(*, actor: User | None, area: ServiceArea) -> None:
    _require_admin(actor)
    with transaction.atomic():
        ServiceArea.objects.filter(pk=area.pk).delete()
        bump_version()


def _reason(exc: ValidationFailed) -> str:
    return " ".join(str(v) for v in exc.fields.values()) or str(exc.message)


def service_areas_import(
    *, data: bytes, replace: bool = False, actor: User | None = None
) -> ImportReport:
    """Import a service-area CSV (`unit_code,province,city,district,town,keywords`).

    Each line is checked on its own: a bad one (unknown unit, a district not in that
    city, …) is rejected with its line number and reason, the good ones are stored. A
    line equal to a rule already in the table changes nothing (a second run of the same
    file adds nothing). With `replace`, the table becomes exactly the file's rules —
    and only when no line was rejected: a replacement with holes would leave addresses
    without their branch, so then nothing changes. A file that cannot be read (wrong
    header, not text) raises `ValidationFailed` and changes nothing.
    """
    _require_admin(actor)
    records, encoding = read_csv(data, header=HEADER)
    report = ImportReport(lines=len(records), encoding=encoding)
    units = {u.code: u for u in Unit.objects.all()}
    wanted: dict[tuple[int, str, str, str, str, str], tuple[Unit, AreaFields]] = {}
    for record in records:
        if record.error:
            report.reject(record.line, record.error)
            continue
        try:
            unit, fields = area_row_clean(values=record.values, units=units)
        except ValidationFailed as exc:
            report.reject(record.line, _reason(exc))
            continue
        key = fields.key(unit.pk)
        if key in wanted:
            report.unchanged += 1  # the same rule twice in the file
            continue
        wanted[key] = (unit, fields)
    if replace and report.rejected:
        return report
    with transaction.atomic():
        existing: dict[tuple[int, str, str, str, str, str], int] = {}
        for area in ServiceArea.objects.select_for_update().only(
            "id", "unit_id", "province", "city", "district", "town", "keywords"
        ):
            existing[
                (area.unit_id, area.province, area.city, area.district, area.town, area.keywords)
            ] = area.pk
        new = [
            ServiceArea(unit=unit, **fields.__dict__)
            for key, (unit, fields) in wanted.items()
            if key not in existing
        ]
        report.unchanged += len(wanted) - len(new)
        ServiceArea.objects.bulk_create(new, batch_size=500)
        report.created = len(new)
        if replace:
            stale = [pk for key, pk in existing.items() if key not in wanted]
            for start in range(0, len(stale), 500):
                ServiceArea.objects.filter(pk__in=stale[start : start + 500]).delete()
            report.deleted = len(stale)
        if report.created or report.deleted:
            bump_version()
    return report
