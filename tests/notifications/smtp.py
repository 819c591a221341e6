"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, recording what it receives.

    with smtp_server() as server:
        server.configure(settings)          # Django's SMTP backend now talks to it
        ...
        assert [m.rcpt_tos for m in server.messages] == [["a@example.org"]]

``refuse=True`` answers every DATA with a temporary failure (451), so Django's SMTP
backend raises; ``refuse_every=3`` refuses only every third DATA. ``server.connections``
counts the SMTP sessions a client opened (one EHLO/HELO per connection).
"""

import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as EmailMessage

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
REFUSAL = "451 4.3.0 try again later"


@dataclass
class Received:
    """One mail the server accepted: the envelope and the raw content."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    peer: tuple  # the client's (host, port): one per SMTP connection

    @property
    def email(self) -> EmailMessage:
        return message_from_bytes(self.content)


@dataclass
class RecordingHandler:
    refuse: bool = False
    refuse_every: int | None = None
    messages: list[Received] = field(default_factory=list)
    refused: list[Received] = field(default_factory=list)
    connections: int = 0
    data_commands: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_HELO(self, server, session, envelope, hostname):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        received = Received(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
                            content=bytes(envelope.original_content or envelope.content),
                            peer=tuple(session.peer))
        with self.lock:
            self.data_commands += 1
            refuse = self.refuse or bool(
                self.refuse_every and self.data_commands % self.refuse_every == 0)
            (self.refused if refuse else self.messages).append(received)
        return REFUSAL if refuse else "250 OK"


@dataclass
class SMTPServer:
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    @property
    def refused(self) -> list[Received]:
        return self.handler.refused

    @property
    def connections(self) -> int:
        return self.handler.connections

    def configure(self, settings) -> None:
        """Point Django's SMTP backend at this server (``settings`` is pytest-django's fixture)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = HOST
        settings.EMAIL_PORT = self.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 60  # only bounds a hang: a busy machine may answer slowly

    @property
    def url(self) -> str:
        """The server as django-environ's EMAIL_URL (``TEST_EMAIL_URL`` for a worker process)."""
        return f"smtp://{HOST}:{self.port}"


def free_port() -> int:
    """A port nobody listens on right now (Controller's port=0 is not reliable)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(refuse: bool = False, refuse_every: int | None = None):
    """Run a recording SMTP server on 127.0.0.1 for the duration of the block."""
    handler = RecordingHandler(refuse=refuse, refuse_every=refuse_every)
    controller = Controller(handler, hostname=HOST, port=free_port(), ready_timeout=60)
    controller.start()
    try:
        yield SMTPServer(port=controller.port, handler=handler)
    finally:
        controller.stop()
