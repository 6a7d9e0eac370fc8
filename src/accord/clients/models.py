"""Individual clients (B2C, issue 16): model fits, per-client scores, lifecycle and consent,
the suppression list, win-back campaigns (migration ``0025_clients``).

- ``client_fits``: one row per fit run (scores or validation): the data window, the unit, the
  BG/NBD and MBG/NBD parameters with their log-likelihoods and convergence, the Gamma-Gamma
  spend parameters, and for a validation its holdout end and result (JSON). Stored so that
  every result is reproducible from its parameters.
- ``client_scores``: per person account, the latest scores fit's figures: the summary
  (x, t_x, T in the fit's unit; first and last purchase), RFM scores and segment,
  P(alive) under both models and the one the setting uses, the previous P(alive) (at risk:
  falling), expected purchases over the horizon, expected spend and customer value. Derived:
  rebuilt by a fit (a command, the API or the weekly job), never by a read.
- ``client_profiles``: per person account, marketing consent, what the model last set as
  its lifecycle status and why, a status set by hand (it wins until the client buys again),
  and when its personal data was erased.
- ``client_suppressions``: e-mail addresses never to be exported to an e-mail tool.
- ``win_back_campaigns`` / ``campaign_members``: a list frozen on a date (who, their P(alive)
  and value then), treatment or holdout, and what the campaign did (follow-ups, export).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accord.core.database import Base, UTCDateTime, utcnow

UNITS = ("day", "week", "month")
MODELS = ("bgnbd", "mbgnbd")
FIT_KINDS = ("scores", "validation")
GROUPS = ("treatment", "holdout")
LIFECYCLE = ("active", "lapsed", "churned")


class ClientFit(Base):
    __tablename__ = "client_fits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unit: Mapped[str] = mapped_column(String(6))
    #: the data window: the first purchase read and the calibration end (inclusive)
    first_purchase_on: Mapped[date | None] = mapped_column(Date)
    calibration_end: Mapped[date] = mapped_column(Date)
    holdout_end: Mapped[date | None] = mapped_column(Date)
    clients: Mapped[int] = mapped_column(Integer)
    triples: Mapped[int] = mapped_column(Integer)
    #: the model the scores' P(alive) and the lists use (the setting at the time)
    model: Mapped[str] = mapped_column(String(8))
    bg_r: Mapped[float | None] = mapped_column(Float)
    bg_alpha: Mapped[float | None] = mapped_column(Float)
    bg_a: Mapped[float | None] = mapped_column(Float)
    bg_b: Mapped[float | None] = mapped_column(Float)
    bg_log_likelihood: Mapped[float | None] = mapped_column(Float)
    bg_converged: Mapped[bool] = mapped_column(Boolean, default=False)
    mbg_r: Mapped[float | None] = mapped_column(Float)
    mbg_alpha: Mapped[float | None] = mapped_column(Float)
    mbg_a: Mapped[float | None] = mapped_column(Float)
    mbg_b: Mapped[float | None] = mapped_column(Float)
    mbg_log_likelihood: Mapped[float | None] = mapped_column(Float)
    mbg_converged: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Gamma-Gamma spend model (NULL when too few repeat buyers to fit)
    gg_p: Mapped[float | None] = mapped_column(Float)
    gg_q: Mapped[float | None] = mapped_column(Float)
    gg_v: Mapped[float | None] = mapped_column(Float)
    gg_converged: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the horizon (in the fit's unit) and the yearly discount rate of customer value
    horizon: Mapped[int] = mapped_column(Integer)
    discount_rate_e4: Mapped[int] = mapped_column(Integer)
    #: what the fit said when it did not converge (or other remarks)
    message: Mapped[str | None] = mapped_column(Text)
    #: a validation's predicted against actual repeat purchases (JSON), NULL for scores
    validation: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("kind in ('scores','validation')", name="kind"),
        CheckConstraint("unit in ('day','week','month')", name="unit"),
        CheckConstraint("model in ('bgnbd','mbgnbd')", name="model"),
        Index("ix_client_fits_kind_id", "kind", "id"),
    )


class ClientScore(Base):
    __tablename__ = "client_scores"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    #: not indexed: every row has the latest fit's id (a refit replaces them all), and an
    #: index kept up to date by each refit costs more than a scan when a fit is deleted
    fit_id: Mapped[int] = mapped_column(ForeignKey("client_fits.id", ondelete="CASCADE"))
    first_purchase_on: Mapped[date] = mapped_column(Date)
    last_purchase_on: Mapped[date] = mapped_column(Date)
    #: purchase days in the window (x + 1) and the summary in the fit's unit
    purchases: Mapped[int] = mapped_column(Integer)
    x: Mapped[int] = mapped_column(Integer)
    t_x: Mapped[float] = mapped_column(Float)
    t: Mapped[float] = mapped_column(Float)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    #: the mean spend of a repeat purchase (0 without repeat purchases)
    repeat_mean_cents: Mapped[int] = mapped_column(BigInteger)
    recency_days: Mapped[int] = mapped_column(Integer)
    #: RFM scores 1..5 over the RFM window (NULL: no purchase in it) and the named segment
    r_score: Mapped[int | None] = mapped_column(Integer)
    f_score: Mapped[int | None] = mapped_column(Integer)
    m_score: Mapped[int | None] = mapped_column(Integer)
    rfm_segment: Mapped[str | None] = mapped_column(String(40))
    p_alive_bg: Mapped[float] = mapped_column(Float)
    p_alive_mbg: Mapped[float] = mapped_column(Float)
    #: the P(alive) of the model the setting names, and the one of the previous fit
    p_alive: Mapped[float] = mapped_column(Float)
    p_alive_previous: Mapped[float | None] = mapped_column(Float)
    expected_purchases: Mapped[float] = mapped_column(Float)
    expected_spend_cents: Mapped[int] = mapped_column(BigInteger)
    value_cents: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_client_scores_segment", "rfm_segment", "value_cents"),
        Index("ix_client_scores_p_alive", "p_alive", "value_cents"),
        Index("ix_client_scores_value", "value_cents"),
        # The Clients page's RFM grid over every client (``reading._groups``): SQLite reads
        # it from this index alone, in R, F, M order (33 ms instead of 108 ms for 100,000
        # clients). PostgreSQL hashes the rows and would rarely read an index-only scan of
        # a table rewritten by every refit: there it is an empty partial index.
        Index("ix_client_scores_rfm_cover", "r_score", "f_score", "m_score", "rfm_segment",
              "total_cents", "value_cents", "expected_purchases", "p_alive",
              "p_alive_previous", postgresql_where=text("false")),
        CheckConstraint("p_alive between 0 and 1", name="p_alive"),
    )


class ClientProfile(Base):
    __tablename__ = "client_profiles"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_changed_on: Mapped[date | None] = mapped_column(Date)
    #: the lifecycle status the model last set, the day and the reason
    model_status: Mapped[str | None] = mapped_column(String(12))
    model_status_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    #: a status set by hand (found different from what the model set): it wins until a
    #: purchase after ``manual_since``
    manual_status: Mapped[str | None] = mapped_column(String(12))
    manual_since: Mapped[date | None] = mapped_column(Date)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("model_status is null or model_status in ('active','lapsed','churned')",
                        name="model_status"),
    )


class ClientSuppression(Base):
    __tablename__ = "client_suppressions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the address in lower case, trimmed (the match key)
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class WinBackCampaign(Base):
    __tablename__ = "win_back_campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the day the list was frozen: results count purchases after it
    frozen_on: Mapped[date] = mapped_column(Date)
    fit_id: Mapped[int | None] = mapped_column(ForeignKey("client_fits.id", ondelete="SET NULL"))
    #: which list (winback, at_risk, best, segment) and its filters (JSON)
    source: Mapped[str] = mapped_column(String(20))
    filters: Mapped[str | None] = mapped_column(Text)
    #: share of the list held out uncontacted, in ten-thousandths (0: no holdout), and the seed
    holdout_e4: Mapped[int] = mapped_column(Integer, default=0)
    seed: Mapped[int] = mapped_column(BigInteger)
    #: follow-ups created for the treatment group (their due day), or none
    follow_ups_due_on: Mapped[date | None] = mapped_column(Date)
    members: Mapped[int] = mapped_column(Integer)
    #: members an export leaves out: no marketing consent, on the suppression list
    no_consent: Mapped[int] = mapped_column(Integer, default=0)
    suppressed: Mapped[int] = mapped_column(Integer, default=0)
    #: months after ``frozen_on`` the result counts by default
    result_months: Mapped[int] = mapped_column(Integer, default=3)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("holdout_e4 between 0 and 9000", name="holdout"),
        CheckConstraint("result_months between 1 and 36", name="result_months"),
    )


class CampaignMember(Base):
    __tablename__ = "campaign_members"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("win_back_campaigns.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True)
    group: Mapped[str] = mapped_column("member_group", String(10))
    p_alive: Mapped[float] = mapped_column(Float)
    value_cents: Mapped[int] = mapped_column(BigInteger)
    #: why an export leaves the member out (no_consent, suppressed) or NULL
    excluded: Mapped[str | None] = mapped_column(String(12))
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("member_group in ('treatment','holdout')", name="member_group"),
    )
