"""A user's digest as a mail: subject, plain text and HTML (``calendar/digest_email.html``),
from their My day (``accord.calendar.myday``). Links are absolute, on ``ACCORD_APP_URL``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from accord.calendar.myday.schemas import MyDay, MyDayItem, Section
from accord.core.database import utcnow
from accord.web.templating import templates

TEMPLATE = "calendar/digest_email.html"


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    html: str
    items: int


def absolute(app_url: str, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return app_url.rstrip("/") + "/" + url.lstrip("/")


def subject(day: MyDay) -> str:
    overdue = day.overdue.total
    count = day.count()
    tail = f", {overdue} overdue" if overdue else ""
    return (f"Your day in Accord, {day.day:%a %d %b %Y}: {count} item"
            f"{'s' if count != 1 else ''}{tail}")


def _line(item: MyDayItem, app_url: str) -> str:
    when = f"{item.due_on.isoformat()}  " if item.due_on else ""
    note = f" ({item.note})" if item.note else ""
    return f"  - {when}{item.account_name}: {item.title}{note}\n    {absolute(app_url, item.url)}"


def _shown(day: MyDay) -> list[Section]:
    return [s for s in day.sections() if s.total]


def text(day: MyDay, name: str, app_url: str) -> str:
    parts = [f"Good morning {name},", "",
             f"your day in Accord, {day.day:%A %d %B %Y}: {day.count()} item"
             f"{'s' if day.count() != 1 else ''}.", ""]
    for section in _shown(day):
        parts.append(f"{section.title} ({section.total})")
        parts.extend(_line(item, app_url) for item in section.items)
        if section.total > len(section.items):
            more = absolute(app_url, section.more_url or "/")
            parts.append(f"  … and {section.total - len(section.items)} more: {more}")
        parts.append("")
    parts += [f"My day: {absolute(app_url, '/')}", "",
              "-- ", "Accord sends this digest once a day when you have something due."]
    return "\n".join(parts) + "\n"


def html(day: MyDay, name: str, app_url: str) -> str:
    return templates.env.get_template(TEMPLATE).render(
        day=day, name=name, sections=_shown(day), app_url=app_url.rstrip("/"),
        link=lambda url: absolute(app_url, url), subject=subject(day))


def digest(day: MyDay, name: str, app_url: str) -> Digest:
    return Digest(subject(day), text(day, name, app_url), html(day, name, app_url), day.count())


def message(d: Digest, *, sender: str, to: str, name: str, on: date) -> EmailMessage:
    """The mail: ``multipart/alternative`` with the text and the HTML."""
    mail = EmailMessage()
    mail["Subject"] = d.subject
    mail["From"] = sender
    mail["To"] = f'"{name}" <{to}>' if name and '"' not in name else to
    mail["Date"] = format_datetime(utcnow())
    domain = sender.rpartition("@")[2].strip("> ") or "accord.local"
    mail["Message-ID"] = make_msgid(f"digest.{on.isoformat()}", domain=domain)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(d.text)
    mail.add_alternative(d.html, subtype="html")
    return mail
