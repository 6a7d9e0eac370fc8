"""Individual clients' setting (policy ``clients`` in ``core.policy_store``): which model the
scores and the lifecycle use, the unit and horizon of a fit, the RFM window and segments,
the lifecycle thresholds and the lists' thresholds. docs/clients.md lists every field.

Changed by admins and heads (``/admin/clients``, ``PUT /api/v1/clients/settings``,
``accord clients settings --set key=value``); a change is audited and applies from the next
fit (the stored scores keep the figures of the fit that made them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from accord.clients import rfm
from accord.clients.models import MODELS, UNITS
from accord.core import policy_store, versions
from accord.core.errors import FieldProblem
from accord.core.models import User
from accord.core.policy import Policy
from accord.core.text import refused_character

POLICY_NAME = "clients"
Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4,
                                 allow_inf_nan=False)]
Score = Annotated[int, Field(strict=True, ge=1, le=5)]
MAX_SEGMENTS = 30


class SegmentRule(BaseModel):
    """A named RFM segment: the inclusive ranges of the R score and of the FM score (the
    rounded-half-up mean of F and M) it takes; the first segment that matches wins."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=40)]
    r: tuple[Score, Score]
    fm: tuple[Score, Score]

    def as_segment(self) -> rfm.Segment:
        return rfm.Segment(name=self.name, r=self.r, fm=self.fm)


def _default_segments() -> list[SegmentRule]:
    return [SegmentRule(name=s.name, r=s.r, fm=s.fm) for s in rfm.DEFAULT_SEGMENTS]


class ClientsPolicy(Policy):
    """The models and thresholds of the individual clients (issue 16)."""

    KIND: ClassVar[str] = "clients"

    #: the model whose P(alive) the scores, the lists and the lifecycle use
    model: Literal["bgnbd", "mbgnbd"] = "mbgnbd"
    #: the unit of time of a fit (x, t_x and T are days converted to it)
    unit: Literal["day", "week", "month"] = "week"
    #: expected purchases and customer value over the next N units
    horizon: Annotated[int, Field(strict=True, ge=1, le=520)] = 52
    #: yearly discount rate of customer value
    yearly_discount: Share = Decimal("0.10")
    #: RFM: the window (days up to the fit's calibration end) the scores count over
    rfm_window_days: Annotated[int, Field(strict=True, ge=7, le=3660)] = 365
    #: RFM: the named segments, first match wins; every (R, FM) pair must be matched
    segments: list[SegmentRule] = Field(default_factory=_default_segments)
    #: lifecycle: lapsed below this P(alive)
    lapsed_below: Share = Decimal("0.30")
    #: lifecycle: churned after this many days without a purchase
    churned_after_days: Annotated[int, Field(strict=True, ge=30, le=7300)] = 730
    #: win-back list: clients below this P(alive) ...
    winback_p_alive_below: Share = Decimal("0.50")
    #: ... with at least this past value (cents), ranked by past value
    winback_min_past_cents: Annotated[int, Field(strict=True, ge=0,
                                                 le=1_000_000_000_000)] = 0
    #: at-risk list: P(alive) fell by at least this much since the previous fit
    at_risk_drop: Share = Decimal("0.15")
    #: best clients: P(alive) above this
    best_p_alive_above: Share = Decimal("0.70")
    #: the weekly job refits when the latest fit is this many days old or older
    refit_every_days: Annotated[int, Field(strict=True, ge=1, le=365)] = 7

    def problems(self) -> list[FieldProblem]:
        out: list[FieldProblem] = []
        if not self.segments:
            out.append(FieldProblem("segments", "at least one segment"))
        if len(self.segments) > MAX_SEGMENTS:
            out.append(FieldProblem("segments", f"at most {MAX_SEGMENTS} segments"))
        names = [s.name.strip().lower() for s in self.segments]
        if len(set(names)) != len(names):
            out.append(FieldProblem("segments", "segment names must differ"))
        for i, s in enumerate(self.segments):
            if refused_character(s.name, one_line=True) is not None or not s.name.strip():
                out.append(FieldProblem(f"segments.{i}.name", "a name of visible characters"))
            for part, (low, high) in (("r", s.r), ("fm", s.fm)):
                if low > high:
                    out.append(FieldProblem(f"segments.{i}.{part}",
                                            f"from {low} to {high}: the first is the lower"))
        uncovered = [(r, fm) for r in range(1, 6) for fm in range(1, 6)
                     if not any(s.r[0] <= r <= s.r[1] and s.fm[0] <= fm <= s.fm[1]
                                for s in self.segments)]
        if self.segments and uncovered:
            shown = ", ".join(f"R{r} FM{fm}" for r, fm in uncovered[:5])
            out.append(FieldProblem("segments", f"no segment takes {shown}"
                                    + (" …" if len(uncovered) > 5 else "")))
        if self.lapsed_below >= 1:
            out.append(FieldProblem("lapsed_below", "below 1 (else every client lapses)"))
        return out

    def rfm_segments(self) -> tuple[rfm.Segment, ...]:
        return tuple(s.as_segment() for s in self.segments)


assert MODELS == ("bgnbd", "mbgnbd") and UNITS == ("day", "week", "month")


def policy(session: Session) -> ClientsPolicy:
    """The stored policy or its defaults (reads only)."""
    return policy_store.load(session, POLICY_NAME, ClientsPolicy)


def version(session: Session) -> int:
    """The stored policy's version (0 while the defaults apply): the ETag and the form's."""
    return policy_store.setting_version(session, POLICY_NAME)


def save_policy(session: Session, user: User, value: dict[str, Any],
                expected: versions.Expected | None = None) -> ClientsPolicy:
    """Change the fields given (the others keep theirs); admins and heads; audited; a stale
    ``expected`` version is a 409, a bad value a 422 naming its field."""
    merged = {**policy(session).to_dict(), **value}
    return policy_store.save(session, user, POLICY_NAME, merged, ClientsPolicy.from_dict,
                             expected)
