"""A real SMTP server on loopback for the digest tests (aiosmtpd), and an overdue follow-up."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from accord.calendar.models import FollowUp
from accord.core.database import transaction, utcnow
from accord.core.settings import Settings

TODAY = date(2026, 12, 7)
OVERDUE_TITLE = "Send the revised price list"


@dataclass
class Inbox:
    """What the server received; ``refuse``: recipients it answers 550."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.messages.append(mail)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages
                if [a.addr_spec for a in m["To"].addresses] == [address]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(database_url: str, port: int, **kw: Any) -> Settings:
    return Settings(mode="test", database_url=database_url, smtp_host="127.0.0.1",
                    smtp_port=port, smtp_starttls=False, mail_from="accord@example.com",
                    app_url="https://accord.example.com", secret_key="x" * 40, **kw)


def add_overdue(sessions: Any, account_id: int, owner_id: int, *, days: int = 3,
                title: str = OVERDUE_TITLE) -> None:
    with transaction(sessions) as s:
        s.add(FollowUp(account_id=account_id, title=title, due_on=TODAY - timedelta(days=days),
                       owner_id=owner_id, status="open", created_at=utcnow(),
                       updated_at=utcnow()))


def parts(mail: EmailMessage) -> tuple[str, str]:
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()
