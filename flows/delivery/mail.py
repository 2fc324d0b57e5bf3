"""E-mail: MIME building, SMTP sending with retries, an on-disk outbox and a sent-ledger.

The message is ``multipart/alternative`` with a plain-text part and a ``multipart/related`` part
(the HTML and its inline PNG charts, referenced as ``cid:``) so every client shows either the
text or the HTML with its pictures, never attachments.

Nothing is lost: a send that still fails after its retries leaves the message in the outbox
(``<data_dir>/outbox/digest/*.eml`` plus a ``.json`` sidecar) and the next run sends it. The
sent-ledger (store state ``mail_sent``) keys each message by day and recipient list, so the same
digest never reaches the same list twice, however often the flow is re-run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Callable

from mediawatch.document import format_ts, utcnow
from mediawatch.errors import ErrorKind, MediawatchError
from mediawatch.redact import MAX_MESSAGE, scrub
from mediawatch.settings import SmtpSettings
from mediawatch.store.base import Store

log = logging.getLogger("mediawatch.mail")

LEDGER_NAMESPACE = "mail_sent"


@dataclass(slots=True)
class InlineImage:
    cid: str  # without angle brackets, e.g. "volume@mediawatch"
    data: bytes
    alt: str = ""


@dataclass(slots=True)
class OutgoingMail:
    key: str  # ledger key: what makes two sends "the same digest"
    subject: str
    recipients: list[str]
    text: str
    html: str
    images: list[InlineImage] = field(default_factory=list)


class MailError(MediawatchError):
    """A send that failed; ``data`` is the ledger key of the message."""


def ledger_key(kind: str, day: str, recipients: list[str]) -> str:
    members = ",".join(sorted({r.strip().lower() for r in recipients}))
    return f"{kind}:{day}:{hashlib.sha256(members.encode()).hexdigest()[:16]}"


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = mail.subject
    msg["From"] = sender
    msg["To"] = ", ".join(mail.recipients)
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "mediawatch.local")
    msg["X-Mediawatch-Key"] = mail.key
    msg.set_content(mail.text, subtype="plain", charset="utf-8")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    html_part = msg.get_payload()[1]
    for image in mail.images:
        # add_related turns the HTML part into multipart/related holding the HTML and its images.
        html_part.add_related(image.data, maintype="image", subtype="png", cid=f"<{image.cid}>",
                              disposition="inline", filename=f"{image.cid.split('@')[0]}.png")
    return msg


def _is_temporary(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    # Connection refused/reset, DNS, timeouts, a server that hangs up: try again later.
    return isinstance(exc, (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError))


def send_message(msg: EmailMessage, smtp: SmtpSettings) -> None:
    """One attempt over SMTP with the configured security and authentication."""
    if not smtp.host:
        raise MailError("smtp.host is not set", kind=ErrorKind.BAD_INPUT,
                        fix="set smtp.host (and port, username, password) in the configuration")
    context = ssl.create_default_context()
    if smtp.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    with client:
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if smtp.username:
            client.login(smtp.username, smtp.password.get_secret_value() if smtp.password else "")
        client.send_message(msg)


def send_with_retry(msg: EmailMessage, smtp: SmtpSettings, *, attempts: int = 3, backoff_s: float = 2.0,
                    sleep: Callable[[float], None] = time.sleep) -> None:
    """Retries temporary failures with exponential backoff; raises MailError at the end."""
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            send_message(msg, smtp)
            return
        except (smtplib.SMTPException, OSError) as exc:
            last = exc
            temporary = _is_temporary(exc)
            log.warning("sending %r to %s:%s failed (attempt %d/%d): %s", msg["Subject"], smtp.host,
                        smtp.port, attempt, attempts, exc)
            if not temporary or attempt == attempts:
                break
            sleep(backoff_s * 2 ** (attempt - 1))
    kind = ErrorKind.TEMPORARY if last is not None and _is_temporary(last) else ErrorKind.PERMANENT
    raise MailError(f"could not send {msg['Subject']!r} via {smtp.host}:{smtp.port}: {last}",
                    data=msg["X-Mediawatch-Key"], kind=kind,
                    fix="check smtp.host, port, security and credentials; the message waits in the outbox")


class Outbox:
    """Messages waiting to be sent, one ``.eml`` and one ``.json`` sidecar per ledger key."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _stem(self, key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()[:24]

    def put(self, key: str, msg: EmailMessage, error: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = self._stem(key)
        path = self.folder / f"{stem}.eml"
        tmp = path.with_suffix(".eml.tmp")
        tmp.write_bytes(msg.as_bytes())
        tmp.replace(path)  # atomic: a crash never leaves half a message to send
        (self.folder / f"{stem}.json").write_text(
            json.dumps({"key": key, "queued_at": format_ts(utcnow()), "error": scrub(error, MAX_MESSAGE)},
                       ensure_ascii=False),
            encoding="utf-8")
        return path

    def items(self) -> list[tuple[str, Path]]:
        found = []
        for meta in sorted(self.folder.glob("*.json")) if self.folder.exists() else []:
            eml = meta.with_suffix(".eml")
            if not eml.exists():
                continue
            try:
                found.append((json.loads(meta.read_text(encoding="utf-8"))["key"], eml))
            except (ValueError, KeyError) as exc:
                # Keep the message for a person to look at; never let one bad file block the rest.
                log.error("outbox entry %s is unreadable (%s): left in place, fix or delete it", meta, exc)
        return found

    def load(self, path: Path) -> EmailMessage:
        return BytesParser(policy=policy.SMTP).parsebytes(path.read_bytes())

    def remove(self, key: str) -> None:
        stem = self._stem(key)
        for suffix in (".eml", ".json"):
            (self.folder / f"{stem}{suffix}").unlink(missing_ok=True)


class Mailer:
    """Sends once per ledger key; spools what it cannot send and flushes the spool first."""

    def __init__(self, smtp: SmtpSettings, store: Store, outbox: Outbox, *, attempts: int = 3,
                 backoff_s: float = 2.0):
        self.smtp = smtp
        self.store = store
        self.outbox = outbox
        self.attempts = attempts
        self.backoff_s = backoff_s

    def already_sent(self, key: str) -> bool:
        return self.store.get_state(LEDGER_NAMESPACE, key) is not None

    def _mark_sent(self, key: str, msg: EmailMessage) -> None:
        self.store.set_state(LEDGER_NAMESPACE, key, {"sent_at": format_ts(utcnow()),
                                                     "message_id": str(msg["Message-ID"]),
                                                     "subject": str(msg["Subject"])})

    def _try(self, key: str, msg: EmailMessage) -> bool:
        try:
            send_with_retry(msg, self.smtp, attempts=self.attempts, backoff_s=self.backoff_s)
        except MailError as exc:
            self.outbox.put(key, msg, str(exc))
            log.error("%s (kept in the outbox %s)", exc, self.outbox.folder)
            return False
        self._mark_sent(key, msg)
        self.outbox.remove(key)
        return True

    def flush(self) -> tuple[int, int]:
        """Send what waits in the outbox; returns (sent, still waiting)."""
        sent = waiting = 0
        for key, path in self.outbox.items():
            if self.already_sent(key):
                self.outbox.remove(key)
                continue
            if self._try(key, self.outbox.load(path)):
                sent += 1
                log.info("sent %s from the outbox", key)
            else:
                waiting += 1
        return sent, waiting

    def send(self, mail: OutgoingMail) -> str:
        """'sent', 'duplicate' (the ledger has it) or 'queued' (in the outbox after failing)."""
        if self.already_sent(mail.key):
            log.info("%s was already sent to this list: not sending it again", mail.key)
            return "duplicate"
        msg = build_message(mail, self.smtp.sender)
        return "sent" if self._try(mail.key, msg) else "queued"
