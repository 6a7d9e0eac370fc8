"""One SMTP connection for a run of digests (opened on the first mail, reused, closed at the
end; opened again after a mail failed on it — but a server that could not be reached is not
tried again in the same run). STARTTLS and login as the settings say."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType

from accord.core.settings import Settings


class Mailer:
    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("ACCORD_SMTP_HOST is not set")
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        #: the server could not be reached: the run's other mails fail at once, not each
        #: after its own timeout
        self._unreachable: Exception | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            smtp.ehlo()
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._unreachable is not None:
            raise self._unreachable
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (OSError, smtplib.SMTPException) as exc:
                self._unreachable = exc
                raise
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused, smtplib.SMTPDataError, OSError):
            self.close()  # the next mail starts afresh
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
