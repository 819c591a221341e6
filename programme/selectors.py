from dataclasses import dataclass
from datetime import datetime

from applications.models import Call
from programme.models import Milestone, Organisation, Programme


@dataclass(frozen=True)
class ProgrammeFacts:
    """Everything the programme page and the information sheet state, read in one place."""

    programme: Programme
    organisations: list[Organisation]
    milestones: list[Milestone]
    call: Call | None
    practice_call: Call | None
    now: datetime
    # The next time a call opens or closes: what the page says changes then.
    next_change: datetime | None

    @property
    def call_is_open(self) -> bool:
        return bool(self.call and self.call.opens_at <= self.now <= self.call.closes_at)


def programme_facts(*, now: datetime) -> ProgrammeFacts | None:
    """Return the current programme's facts at ``now`` (four queries), or None if none exists."""
    programme = Programme.objects.current()
    if programme is None:
        return None
    calls = list(programme.calls.order_by("-closes_at"))
    return ProgrammeFacts(
        programme=programme,
        organisations=list(programme.organisations.all()),
        milestones=list(programme.milestones.all()),
        call=next((c for c in calls if not c.is_practice), None),
        practice_call=next(
            (c for c in calls if c.is_practice and c.opens_at <= now <= c.closes_at), None
        ),
        now=now,
        next_change=min((moment for c in calls for moment in (c.opens_at, c.closes_at)
                         if moment > now), default=None),
    )
