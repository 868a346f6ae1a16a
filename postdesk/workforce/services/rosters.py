"""Rosters: a team's week built by the solver against the requirement (`rostering`),
edited by hand afterwards, requested days off, and shift swaps the lead approves.

A rule no roster can meet is a 400 whose `fields` names it (rest_hours,
max_consecutive_days, days_off, skill_min, or rules for a combination); nothing is
written. A hand edit or a swap may not break an agent's own rules (rest, days in a row,
requested days off) that the week did not already break; the coverage rules (days per
week, skill minimums) a hand edit may bend — the roster page shows them as warnings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from postdesk.notify.services import notify_users
from postdesk.org.models import Role, Unit, User
from postdesk.workforce import rostering
from postdesk.workforce.models import (
    DayOffRequest,
    Roster,
    RosterEntry,
    Shift,
    Skill,
    SwapRequest,
)
from postdesk.workforce.selectors.rosters import (
    WEEK,
    assignments_of,
    can_roster,
    parse_week,
    roster_context,
    rules_as_dict,
    rules_from,
    shift_spec,
    team_agents,
)

AGENT_RULES = ("days_off", "rest", "consecutive")
RULE_FIELD: Mapping[str, str] = {
    "rest": "rest_hours",
    "consecutive": "max_consecutive_days",
    "days_off": "days_off",
    "skills": "skill_min",
    "days_per_week": "days_per_week",
    "combination": "rules",
    "time": "rules",
}
DAY_OFF_AHEAD_DAYS = 90


def rule_message(rule: str, rules: rostering.Rules) -> str:
    """What a broken or impossible rule means, in the reader's language."""
    if rule == "rest":
        return _("At least %(hours)s hours of rest between shifts cannot be kept.") % {
            "hours": f"{rules.rest_hours:g}"
        }
    if rule == "consecutive":
        return _("At most %(days)s days in a row cannot be kept.") % {
            "days": rules.max_consecutive_days
        }
    if rule == "days_off":
        return _("The agents' requested days off cannot all be kept.")
    if rule == "skills":
        wanted = "、".join(
            f"{Skill(k).label if k in Skill.values else k} ≥ {v}"
            for k, v in rules.skill_min.items()
            if v > 0
        )
        return _("The skills each shift needs cannot be covered (%(skills)s).") % {"skills": wanted}
    if rule == "days_per_week":
        return _("Each agent works %(days)s days a week.") % {"days": rules.days_per_week}
    if rule == "time":
        return _("No roster was found in the time allowed; try again or relax a rule.")
    return _("No roster meets these rules together; relax one of them.")


@dataclass(frozen=True)
class RulesInput:
    rest_hours: float = 11.0
    max_consecutive_days: int = 6
    days_per_week: int = 5
    skill_min: dict[str, int] = field(default_factory=dict)


RANGE_MESSAGES: Mapping[str, Promise] = {
    "range_0_24": gettext_lazy("Enter a number from 0 to 24."),
    "range_1_14": gettext_lazy("Enter a whole number from 1 to 14."),
    "range_0_7": gettext_lazy("Enter a whole number from 0 to 7."),
    "range_0_100": gettext_lazy("Enter a whole number from 0 to 100."),
}


def rules_clean(data: RulesInput) -> rostering.Rules:
    errors: dict[str, str] = {}
    if not math.isfinite(data.rest_hours):
        errors["rest_hours"] = str(RANGE_MESSAGES["range_0_24"])
    for name in data.skill_min:
        if name not in Skill.values:
            errors[f"skill_min.{name}"] = _("Unknown skill.")
    rules = rostering.Rules(
        rest_hours=data.rest_hours if math.isfinite(data.rest_hours) else 11.0,
        max_consecutive_days=data.max_consecutive_days,
        days_per_week=data.days_per_week,
        skill_min={k: v for k, v in data.skill_min.items() if k in Skill.values},
    )
    for name, code in rostering.check_rules(rules).items():
        errors.setdefault(name, str(RANGE_MESSAGES[code]))
    if errors:
        raise ValidationFailed(fields=errors)
    return rules


def _infeasible(rule: str, rules: rostering.Rules) -> ValidationFailed:
    return ValidationFailed(
        _("No roster can meet the rules: %(why)s") % {"why": rule_message(rule, rules)},
        fields={RULE_FIELD.get(rule, "rules"): rule_message(rule, rules)},
        code="roster_infeasible",
    )


def roster_build(
    *,
    actor: User,
    team: Unit,
    week_start: date,
    rules: RulesInput,
    requirement: list[int] | None = None,
    time_limit: float | None = None,
) -> Roster:
    """Build (or rebuild: the week's entries, hand edits and swaps included, are
    replaced) a team's roster for the week against the requirement."""
    if not can_roster(user=actor, team=team):
        raise PermissionDenied()
    parse_week(week_start)
    cleaned = rules_clean(rules)
    context = roster_context(
        user=actor, team=team, week_start=week_start, rules=cleaned, requirement=requirement
    )
    if not context.agents:
        raise ValidationFailed(fields={"team": _("The team has no agents to roster.")})
    if not context.shifts:
        raise ValidationFailed(fields={"shifts": _("No shift is active; add shifts first.")})
    try:
        solution = rostering.solve(
            context.problem, time_limit=time_limit or settings.POSTDESK_ROSTER_SECONDS
        )
    except rostering.RosterInfeasible as exc:
        raise _infeasible(exc.rule, cleaned) from None
    days = [week_start + timedelta(days=i) for i in range(WEEK)]
    by_code = {s.code: s for s in context.shifts}
    with transaction.atomic():
        roster, _created = Roster.objects.select_for_update().get_or_create(
            team=team, week_start=week_start, defaults={"created_by": actor}
        )
        taken = (
            RosterEntry.objects.filter(user__in=context.agents, day__in=days)
            .exclude(roster=roster)
            .select_related("user")
            .first()
        )
        if taken is not None:
            raise Conflict(
                _("%(name)s is already rostered on %(day)s in another team's roster.")
                % {"name": taken.user.display_name or taken.user.username, "day": taken.day},
                code="rostered_elsewhere",
            )
        roster.entries.all().delete()
        RosterEntry.objects.bulk_create(
            RosterEntry(
                roster=roster,
                user_id=agent_id,
                day=days[day],
                shift=by_code[code],
                source=RosterEntry.Source.SOLVER,
            )
            for (agent_id, day), code in sorted(solution.assignments.items())
        )
        roster.created_by = actor
        roster.rules = rules_as_dict(cleaned)
        roster.solver = {
            "status": solution.status,
            "short_slots": solution.short_slots,
            "extra_slots": solution.extra_slots,
            "seconds": round(solution.seconds, 3),
            "first_solution_seconds": round(solution.first_solution_seconds or 0.0, 3),
        }
        roster.save()
    return roster


def _newly_broken(
    problem: rostering.Problem,
    before: Mapping[tuple[int, int], str],
    after: Mapping[tuple[int, int], str],
    agent_ids: set[int],
) -> list[str]:
    """The agent rules `after` breaks for these agents that `before` did not."""
    agents = [a for a in problem.agents if a.id in agent_ids]
    sub = rostering.Problem(
        problem.days,
        problem.shifts,
        agents,
        problem.requirement,
        rostering.Rules(
            rest_hours=problem.rules.rest_hours,
            max_consecutive_days=problem.rules.max_consecutive_days,
            days_per_week=problem.rules.days_per_week,
        ),
    )

    def broken(assignments: Mapping[tuple[int, int], str]) -> set[str]:
        mine = {k: v for k, v in assignments.items() if k[0] in agent_ids}
        return set(rostering.violations(sub, mine)) & set(AGENT_RULES)

    new = broken(after) - broken(before)
    return [rule for rule in AGENT_RULES if rule in new]


def _check_problem(problem: rostering.Problem, rules: rostering.Rules) -> rostering.Problem:
    """The week's problem with every shift, a switched-off one too (a roster built
    before it was switched off still holds it)."""
    shifts = [shift_spec(s) for s in Shift.objects.all()]
    return rostering.Problem(WEEK, shifts, problem.agents, [], rules)


@dataclass(frozen=True)
class EntryChange:
    user_id: int
    day: date
    shift_code: str | None  # None: the agent is off that day


def roster_entries_set(
    *, actor: User, roster: Roster, changes: Sequence[EntryChange]
) -> list[EntryChange]:
    """Apply hand edits to a week's roster in one transaction; the changes that change
    something are returned. A change that breaks an agent's rule is a 400 naming the cell
    and the rule, and nothing is written."""
    if not can_roster(user=actor, team=roster.team):
        raise PermissionDenied()
    rules = rules_from(roster.rules)
    context = roster_context(
        user=actor, team=roster.team, week_start=roster.week_start, rules=rules, requirement=[]
    )
    agents = {a.pk for a in context.agents}
    shifts = {s.code: s for s in Shift.objects.all()}
    errors: dict[str, str] = {}
    before = assignments_of(roster)
    after = dict(before)
    applied: list[EntryChange] = []
    for change in changes:
        name = f"cell.{change.user_id}.{change.day.isoformat()}"
        index = (change.day - roster.week_start).days
        if change.user_id not in agents:
            errors[name] = _("This agent is not in the team.")
            continue
        if not 0 <= index < WEEK:
            errors[name] = _("This day is outside the roster's week.")
            continue
        if change.shift_code is not None and change.shift_code not in shifts:
            errors[name] = _("Unknown shift.")
            continue
        key = (change.user_id, index)
        if after.get(key) == change.shift_code:
            continue
        if change.shift_code is None:
            after.pop(key, None)
        else:
            after[key] = change.shift_code
        applied.append(change)
    if errors:
        raise ValidationFailed(fields=errors)
    problem = _check_problem(context.problem, rules)
    for change in applied:
        new = _newly_broken(problem, before, after, {change.user_id})
        if new:
            name = f"cell.{change.user_id}.{change.day.isoformat()}"
            errors[name] = rule_message(new[0], rules)
    if errors:
        raise ValidationFailed(
            _("The change breaks a rule: %(why)s") % {"why": next(iter(errors.values()))},
            fields=errors,
            code="roster_rule",
        )
    with transaction.atomic():
        for change in applied:
            existing = RosterEntry.objects.filter(
                roster=roster, user_id=change.user_id, day=change.day
            )
            if change.shift_code is None:
                existing.delete()
            elif not existing.update(
                shift=shifts[change.shift_code], source=RosterEntry.Source.MANUAL
            ):
                if RosterEntry.objects.filter(user_id=change.user_id, day=change.day).exists():
                    raise Conflict(
                        _("This agent is already rostered that day in another roster."),
                        code="rostered_elsewhere",
                    )
                RosterEntry.objects.create(
                    roster=roster,
                    user_id=change.user_id,
                    day=change.day,
                    shift=shifts[change.shift_code],
                    source=RosterEntry.Source.MANUAL,
                )
        Roster.objects.filter(pk=roster.pk).update(updated_at=timezone.now())
    return applied


# ------------------------------------------------------------------- days off, swaps


def day_off_request(*, actor: User, day: date, reason: str = "") -> DayOffRequest:
    """An agent asks for a day off (the next build keeps it free); idempotent."""
    if actor.role != Role.AGENT:
        raise PermissionDenied(_("Only agents ask for days off."))
    today = timezone.localdate()
    if not today <= day <= today + timedelta(days=DAY_OFF_AHEAD_DAYS):
        raise ValidationFailed(fields={"day": _("Choose a day from today up to 90 days ahead.")})
    if len(reason) > 200:
        raise ValidationFailed(fields={"reason": _("This value is too long.")})
    with transaction.atomic():
        row, _created = DayOffRequest.objects.get_or_create(
            user=actor, day=day, defaults={"reason": reason.strip()}
        )
    return row


def day_off_cancel(*, actor: User, request: DayOffRequest) -> None:
    if request.user_id != actor.pk:
        raise NotFound()
    request.delete()


def can_decide_swap(*, user: User, swap: SwapRequest) -> bool:
    return swap.status == SwapRequest.Status.PENDING and can_roster(
        user=user, team=swap.entry.roster.team
    )


def _free(user_id: int, day: date, *, ignoring: set[int]) -> bool:
    return (
        not RosterEntry.objects.filter(user_id=user_id, day=day).exclude(pk__in=ignoring).exists()
    )


def _check_swap_days(
    entry: RosterEntry, colleague: User, colleague_entry: RosterEntry | None
) -> None:
    ignoring = {entry.pk} | ({colleague_entry.pk} if colleague_entry else set())
    same_day = colleague_entry is not None and colleague_entry.day == entry.day
    if not same_day and not _free(colleague.pk, entry.day, ignoring=ignoring):
        raise ValidationFailed(fields={"colleague": _("The colleague already works that day.")})
    if (
        colleague_entry is not None
        and not same_day
        and not _free(entry.user_id, colleague_entry.day, ignoring=ignoring)
    ):
        raise ValidationFailed(
            fields={"colleague_entry": _("You already work on the colleague's day.")}
        )


def swap_request_create(
    *,
    actor: User,
    entry: RosterEntry,
    colleague: User,
    colleague_entry: RosterEntry | None = None,
    reason: str = "",
) -> SwapRequest:
    """An agent asks to swap one of their shifts with a colleague's (or to hand it to a
    colleague free that day); the team's leads are told."""
    if entry.user_id != actor.pk:
        raise NotFound()
    if entry.day < timezone.localdate():
        raise ValidationFailed(fields={"entry": _("This shift is already past.")})
    team = entry.roster.team
    if colleague.pk == actor.pk or not team_agents(team=team).filter(pk=colleague.pk).exists():
        raise ValidationFailed(fields={"colleague": _("Choose a colleague from your team.")})
    if colleague_entry is not None and (
        colleague_entry.user_id != colleague.pk or colleague_entry.roster_id != entry.roster_id
    ):
        raise ValidationFailed(
            fields={"colleague_entry": _("Choose one of the colleague's shifts this week.")}
        )
    if len(reason) > 200:
        raise ValidationFailed(fields={"reason": _("This value is too long.")})
    _check_swap_days(entry, colleague, colleague_entry)
    with transaction.atomic():
        if SwapRequest.objects.filter(entry=entry, status=SwapRequest.Status.PENDING).exists():
            raise Conflict(_("This shift already has a swap request waiting."), code="pending")
        swap = SwapRequest.objects.create(
            requester=actor,
            entry=entry,
            colleague=colleague,
            colleague_entry=colleague_entry,
            reason=reason.strip(),
        )
        leads = User.objects.filter(
            is_active=True, role=Role.LEAD, unit__path__startswith=team.path
        ) | User.objects.filter(is_active=True, role=Role.LEAD, unit=team.parent_id)
        notify_users(
            users=list(leads.distinct()),
            key=f"swap:{swap.pk}:new",
            title=_("Shift swap request: %(who)s ↔ %(colleague)s")
            % {
                "who": actor.display_name or actor.username,
                "colleague": colleague.display_name or colleague.username,
            },
            body=swap.reason,
            link=f"/workforce/rosters/?team={team.pk}&week={entry.roster.week_start}",
        )
    return swap


def swap_request_decide(*, actor: User, swap: SwapRequest, approve: bool) -> SwapRequest:
    """The lead approves (the shifts change hands) or rejects a pending swap. Approving
    one that would break an agent's rule is a 400 naming it; nothing is written."""
    with transaction.atomic():
        locked = (
            SwapRequest.objects.select_for_update(of=("self",))
            .select_related("entry__roster__team", "colleague_entry")
            .get(pk=swap.pk)
        )
        if locked.status != SwapRequest.Status.PENDING:
            raise Conflict(_("This swap request was already decided."), code="decided")
        if not can_decide_swap(user=actor, swap=locked):
            raise PermissionDenied()
        if approve:
            _apply_swap(actor, locked)
        locked.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        notify_users(
            users=[locked.requester, locked.colleague],
            key=f"swap:{locked.pk}:{locked.status}",
            title=_("Shift swap approved") if approve else _("Shift swap rejected"),
            body=locked.reason,
            link="/workforce/schedule/",
        )
    return locked


def _apply_swap(actor: User, swap: SwapRequest) -> None:
    entry, other = swap.entry, swap.colleague_entry
    roster = entry.roster
    _check_swap_days(entry, swap.colleague, other)
    rules = rules_from(roster.rules)
    context = roster_context(
        user=actor, team=roster.team, week_start=roster.week_start, rules=rules, requirement=[]
    )
    before = assignments_of(roster)
    after = dict(before)
    first = (entry.day - roster.week_start).days
    requester, colleague = entry.user_id, swap.colleague_id
    if other is None:
        after[colleague, first] = after.pop((requester, first))
    else:
        second = (other.day - roster.week_start).days
        mine, theirs = after.pop((requester, first)), after.pop((colleague, second))
        after[colleague, first] = mine
        after[requester, second] = theirs
    problem = _check_problem(context.problem, rules)
    new = _newly_broken(problem, before, after, {requester, colleague})
    if new:
        raise ValidationFailed(
            _("The swap breaks a rule: %(why)s") % {"why": rule_message(new[0], rules)},
            fields={RULE_FIELD[new[0]]: rule_message(new[0], rules)},
            code="roster_rule",
        )
    if other is None:
        RosterEntry.objects.filter(pk=entry.pk).update(
            user_id=colleague, source=RosterEntry.Source.SWAP
        )
    elif other.day == entry.day:
        shift_a, shift_b = entry.shift_id, other.shift_id
        RosterEntry.objects.filter(pk=entry.pk).update(
            shift_id=shift_b, source=RosterEntry.Source.SWAP
        )
        RosterEntry.objects.filter(pk=other.pk).update(
            shift_id=shift_a, source=RosterEntry.Source.SWAP
        )
    else:
        RosterEntry.objects.filter(pk=entry.pk).update(
            user_id=colleague, source=RosterEntry.Source.SWAP
        )
        RosterEntry.objects.filter(pk=other.pk).update(
            user_id=requester, source=RosterEntry.Source.SWAP
        )
