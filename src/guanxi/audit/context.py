"""Request facts (client IP) that services need for the audit log without every call passing the request along."""

from __future__ import annotations

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("guanxi_audit_ip", default=None)
