"""Pages of the rosters: the lead's week (build, hand edits, swaps, coverage of the
requirement), the agent's own schedule (days off, swap requests), adherence per day.
Thin — parse, call one service or selector, render."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from postdesk.core.errors import DomainError, NotFound, ValidationFailed, page_errors
from postdesk.core.periods import parse_day
from postdesk.org.models import User
from postdesk.org.request import staff_user
from postdesk.workforce import selectors
from postdesk.workforce.models import DayOffRequest, RosterEntry, Shift, Skill, SwapRequest
from postdesk.workforce.selectors.rosters import RosterView, parse_week, rules_from
from postdesk.workforce.services import (
    EntryChange,
    RulesInput,
    day_off_cancel,
    day_off_request,
    roster_build,
    roster_entries_set,
    swap_request_create,
    swap_request_decide,
)
from postdesk.workforce.services.rosters import rule_message


def _week(raw: str | None, default: date) -> date:
    if not raw:
        return default
    return parse_week(parse_day(raw, field="week"))


def _number(raw: str, name: str, errors: dict[str, str], *, whole: bool) -> float:
    try:
        return int(raw) if whole else float(raw)
    except ValueError:
        errors[name] = _("Enter a whole number.") if whole else _("Enter a number.")
        return 0


def _rules_input(post: dict[str, str]) -> RulesInput:
    errors: dict[str, str] = {}
    rest = _number(post.get("rest_hours", "11"), "rest_hours", errors, whole=False)
    consecutive = _number(
        post.get("max_consecutive_days", "6"), "max_consecutive_days", errors, whole=True
    )
    per_week = _number(post.get("days_per_week", "5"), "days_per_week", errors, whole=True)
    skill_min = {}
    for skill in Skill.values:
        raw = post.get(f"skill_min_{skill}", "").strip()
        if raw:
            skill_min[skill] = int(_number(raw, f"skill_min.{skill}", errors, whole=True))
    if errors:
        raise ValidationFailed(fields=errors)
    return RulesInput(
        rest_hours=float(rest),
        max_consecutive_days=int(consecutive),
        days_per_week=int(per_week),
        skill_min=skill_min,
    )


def _cell_changes(request: HttpRequest, view: RosterView) -> list[EntryChange]:
    """The cells whose chosen shift differs from the roster's."""
    changes = []
    for agent, cells in view.grid:
        for cell in cells:
            name = f"cell_{agent.pk}_{cell.day.isoformat()}"
            if name not in request.POST:
                continue
            chosen = request.POST[name] or None
            current = cell.entry.shift.code if cell.entry else None
            if chosen != current:
                changes.append(EntryChange(agent.pk, cell.day, chosen))
    return changes


@login_required
def roster_page(request: HttpRequest) -> HttpResponse:
    """A team's week: build it against the requirement, edit by hand, decide swaps."""
    user = staff_user(request)
    params = request.POST if request.method == "POST" else request.GET
    team_raw = params.get("team", "")
    team = selectors.roster_team_get(
        user=user, team_id=int(team_raw) if team_raw.isdigit() else None
    )
    next_week = selectors.week_start_of(timezone.localdate()) + timedelta(days=7)
    context: dict[str, object] = {"form": request.POST}
    status = 200
    try:
        week = _week(params.get("week"), next_week)
    except ValidationFailed as exc:
        context.update(page_errors(exc))
        week, status = next_week, 400
    if request.method == "POST" and status == 200:
        action = request.POST.get("action", "")
        try:
            if action == "build":
                roster_build(
                    actor=user, team=team, week_start=week, rules=_rules_input(request.POST)
                )
            elif action == "edit":
                view = selectors.roster_view(user=user, team=team, week_start=week)
                if view.roster is None:
                    raise NotFound()
                roster_entries_set(
                    actor=user, roster=view.roster, changes=_cell_changes(request, view)
                )
            elif action in ("approve", "reject"):
                swap_id = request.POST.get("swap", "")
                swap = SwapRequest.objects.filter(
                    pk=int(swap_id) if swap_id.isdigit() else 0
                ).first()
                if swap is None:
                    raise NotFound()
                swap_request_decide(actor=user, swap=swap, approve=action == "approve")
            else:
                raise ValidationFailed(fields={"action": _("Unknown action.")})
        except DomainError as exc:
            context.update(page_errors(exc))
            status = 400 if exc.status < 500 else exc.status
        else:
            return redirect(f"{request.path}?team={team.pk}&week={week.isoformat()}")
    view = selectors.roster_view(user=user, team=team, week_start=week)
    rules = rules_from(view.roster.rules) if view.roster else None
    context.update(
        {
            "view": view,
            "team": team,
            "teams": selectors.roster_teams(user=user),
            "week": week,
            "previous": week - timedelta(days=7),
            "next": week + timedelta(days=7),
            "shifts": Shift.objects.all(),
            "skills": Skill.choices,
            "rules": view.context.problem.rules,
            "broken": [rule_message(r, view.context.problem.rules) for r in view.broken],
            "hours": _coverage_rows(view),
            "built_rules": rules,
        }
    )
    return render(request, "workforce/roster.html", context, status=status)


def _coverage_rows(view: RosterView) -> list[dict[str, object]]:
    """Half hours as rows (those any day needs or covers), the days as columns."""
    rows = []
    for slot in range(48):
        cells = [day[slot] for day in view.coverage]
        if any(c.required or c.rostered for c in cells):
            rows.append({"start": cells[0].start, "cells": cells})
    return rows


@login_required
def schedule_page(request: HttpRequest) -> HttpResponse:
    """An agent's own shifts for this week and the next, days off and swap requests."""
    user = staff_user(request)
    first = selectors.week_start_of(timezone.localdate())
    context: dict[str, object] = {"form": request.POST}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "day_off":
                day_off_request(
                    actor=user,
                    day=parse_day(request.POST.get("day"), field="day"),
                    reason=request.POST.get("reason", ""),
                )
            elif action == "day_off_cancel":
                raw = request.POST.get("id", "")
                row = DayOffRequest.objects.filter(pk=int(raw) if raw.isdigit() else 0).first()
                if row is None:
                    raise NotFound()
                day_off_cancel(actor=user, request=row)
            elif action == "swap":
                _swap_from_post(user, request)
            else:
                raise ValidationFailed(fields={"action": _("Unknown action.")})
        except DomainError as exc:
            context.update(page_errors(exc))
            status = 400 if exc.status < 500 else exc.status
        else:
            return redirect(request.path)
    days = selectors.schedule_for(user=user, first=first, days=14)
    mine = [d.entry for d in days if d.entry and d.day >= timezone.localdate()]
    candidates: list[RosterEntry] = []
    for entry in mine:
        candidates += selectors.swap_candidates(user=user, entry=entry)
    context.update(
        {
            "days": days,
            "today": timezone.localdate(),
            "mine": mine,
            "candidates": sorted({c.pk: c for c in candidates}.values(), key=lambda e: e.day),
            "colleagues": selectors.colleagues_of(user=user),
            "swaps": selectors.swaps_of(user=user),
        }
    )
    return render(request, "workforce/schedule.html", context, status=status)


def _swap_from_post(user: User, request: HttpRequest) -> None:
    def pk(name: str) -> int:
        raw = request.POST.get(name, "")
        return int(raw) if raw.isdigit() else 0

    entry = RosterEntry.objects.filter(pk=pk("entry"), user=user).select_related("roster").first()
    if entry is None:
        raise ValidationFailed(fields={"entry": _("Choose one of your shifts.")})
    other = None
    if request.POST.get("colleague_entry"):
        other = RosterEntry.objects.filter(pk=pk("colleague_entry")).select_related("user").first()
        if other is None:
            raise ValidationFailed(
                fields={"colleague_entry": _("Choose one of the colleague's shifts this week.")}
            )
        colleague = other.user
    else:
        found = User.objects.filter(pk=pk("colleague")).first()
        if found is None:
            raise ValidationFailed(fields={"colleague": _("Choose a colleague from your team.")})
        colleague = found
    swap_request_create(
        actor=user,
        entry=entry,
        colleague=colleague,
        colleague_entry=other,
        reason=request.POST.get("reason", ""),
    )


@login_required
def adherence_page(request: HttpRequest) -> HttpResponse:
    """A team's day: each agent's schedule against the CTI's states, in minutes and per
    cent; each half hour's agents on the floor against the requirement."""
    user = staff_user(request)
    team_raw = request.GET.get("team", "")
    team = selectors.roster_team_get(
        user=user, team_id=int(team_raw) if team_raw.isdigit() else None
    )
    today = timezone.localdate()
    context: dict[str, object] = {}
    status = 200
    day = today
    if request.GET.get("day"):
        try:
            day = parse_day(request.GET["day"], field="day")
        except ValidationFailed as exc:
            context.update(page_errors(exc))
            status = 400
    result = selectors.team_adherence(user=user, team=team, day=day)
    columns = adherence_columns()
    context.update(
        {
            "result": result,
            "team": team,
            "teams": selectors.roster_teams(user=user),
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "columns": columns,
            "rows": [
                (row, [row.result.scheduled_by_state[key] for key, _label in columns])
                for row in result.agents
            ],
            "slots": [s for s in result.slots if s.required or s.rostered or s.on_floor],
        }
    )
    return render(request, "workforce/adherence.html", context, status=status)


def adherence_columns() -> list[tuple[str, str]]:
    return [
        ("ready", _("Ready")),
        ("on_call", _("On a call")),
        ("after_call", _("Wrap-up")),
        ("break", _("Break (not ready)")),
        ("logged_out", _("Logged out")),
    ]
