"""Accounts of the desk's staff: create, list, disable, reset a password, sign in.

Passwords are hashed with scrypt (hashlib, memory-hard, no compiler needed; parameters kept in
the stored string so they can be raised later) and never logged or audited. Repeated failures
lock the account for a time that doubles with each further failure (``lock_seconds``); the
clock is injected, so tests need no sleeps.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.errors import AuthError, ValidationError
from desk_app.domain.formats import clock_time
from desk_app.domain.permissions import ACCOUNTS, ADMIN, ROLES
from desk_app.domain.text import normalize_spaces
from desk_app.services.audit import AuditService
from desk_app.services.session import Account, Guard
from desk_app.store.accounts_store import AccountsStore
from desk_app.store.database import write_transaction

if TYPE_CHECKING:
    from desk_app.services.context import DeskServices

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # 32 MiB per hash, ~0.1 s on a counter PC
SCRYPT_MAXMEM = 64 * 1024 * 1024
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 256
FREE_ATTEMPTS = 4  # failures before the first lock
FIRST_LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 3600


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    import hashlib  # here, not at the top: loading OpenSSL is off the app's start-up path

    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=SCRYPT_MAXMEM, dklen=32)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    import hashlib  # see hash_password
    import hmac

    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
            maxmem=SCRYPT_MAXMEM, dklen=len(digest) // 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


_DUMMY_HASH = None  # made on first use: an unknown username costs the same time as a known one


def _dummy_hash() -> str:
    global _DUMMY_HASH  # a constant computed once, not state
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-password")
    return _DUMMY_HASH


def lock_seconds(failed: int) -> int:
    """0 while ``failed`` < FREE_ATTEMPTS, then 30 s, 60 s, 120 s ... up to an hour."""
    if failed < FREE_ATTEMPTS:
        return 0
    return int(min(FIRST_LOCK_SECONDS * 2 ** (failed - FREE_ATTEMPTS), MAX_LOCK_SECONDS))


def clean_username(value: str) -> str:
    username = (value or "").strip().lower()
    if not USERNAME.match(username):
        raise ValidationError(
            "Tên đăng nhập phải dài 2-32 ký tự, chỉ gồm chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang.",
            field="username",
        )
    return username


def clean_password(value: str) -> str:
    if len(value or "") < MIN_PASSWORD:
        raise ValidationError("Mật khẩu phải có ít nhất {n} ký tự.", field="password", n=MIN_PASSWORD)
    if len(value) > MAX_PASSWORD:
        raise ValidationError("Mật khẩu quá dài (tối đa {n} ký tự).", field="password", n=MAX_PASSWORD)
    return value


def clean_full_name(value: str) -> str:
    name = normalize_spaces(value or "")
    if not name:
        raise ValidationError("Cần nhập họ tên.", field="full_name")
    if len(name) > 100:
        raise ValidationError("Họ tên quá dài (tối đa {n} ký tự).", field="full_name", n=100)
    return name


class AccountsService:
    def __init__(
        self, store: AccountsStore, guard: Guard, audit: AuditService, clock: Callable[[], datetime]
    ):
        self.store = store
        self.guard = guard
        self.audit = audit
        self.clock = clock

    def _now(self) -> datetime:
        return self.clock().astimezone(VN_TZ).replace(microsecond=0)

    # --- reading --------------------------------------------------------------------------
    def has_accounts(self) -> bool:
        return self.store.count() > 0

    def list(self) -> list[dict[str, Any]]:
        """[{username, role, full_name, active}] — staff names, no citizen data."""
        return self.store.list()

    @property
    def current(self) -> Account | None:
        return self.guard.current()

    def require(self, permission: str) -> None:
        """For other services and dialogs (restore, settings): raise unless allowed now."""
        self.guard.require(permission)

    def can(self, permission: str) -> bool:
        return self.guard.can(permission)

    # --- changing -------------------------------------------------------------------------
    def create_first_admin(self, username: str, full_name: str, password: str) -> dict[str, Any]:
        """The first-run set-up's call: only while the desk has no account at all. The new
        administrator is signed in, so the set-up that follows is theirs."""
        if self.has_accounts():
            raise ValidationError("Bàn này đã có tài khoản; hãy đăng nhập bằng tài khoản quản trị.", field="username")
        account = self._add(username, ADMIN, full_name, password)
        self.guard.session.account = Account(account["username"], account["full_name"], ADMIN)
        return account

    def add(self, username: str, role: str, full_name: str, password: str) -> dict[str, Any]:
        """The first account must be an administrator and needs no credentials; later ones
        need an administrator signed in."""
        if not self.has_accounts():
            if role != ADMIN:
                raise ValidationError(
                    "Tài khoản đầu tiên phải là quản trị viên (admin).", field="role"
                )
        else:
            self.guard.require(ACCOUNTS)
        return self._add(username, role, full_name, password)

    def _add(self, username: str, role: str, full_name: str, password: str) -> dict[str, Any]:
        username = clean_username(username)
        if role not in ROLES:
            raise ValidationError(
                "Vai trò không hợp lệ: {value}. Các vai trò: {allowed}.", field="role", value=role, allowed=", ".join(ROLES)
            )
        full_name = clean_full_name(full_name)
        password_hash = hash_password(clean_password(password))
        with write_transaction(self.store.db):
            if self.store.find(username) is not None:
                raise ValidationError("Tài khoản {username} đã có.", field="username", username=username)
            self.store.insert(
                username=username, full_name=full_name, role=role, password_hash=password_hash, now=self._now().isoformat()
            )
            after = {"username": username, "role": role, "full_name": full_name, "active": True}
            self.audit.record("account.add", after=after)
        return after

    def disable(self, username: str) -> dict[str, Any]:
        self.guard.require(ACCOUNTS)
        username = (username or "").strip().lower()
        with write_transaction(self.store.db):
            row = self.store.get(username)
            if row["role"] == ADMIN and row["active"] and self._active_admins() <= 1:
                raise ValidationError(
                    "Không thể khóa quản trị viên cuối cùng của bàn này.", field="username"
                )
            self.store.update(username, self._now().isoformat(), active=0)
            self.audit.record("account.disable", before={"username": username, "active": bool(row["active"])},
                              after={"username": username, "active": False})
        return {"username": username, "role": row["role"], "full_name": row["full_name"], "active": False}

    def _active_admins(self) -> int:
        return sum(1 for a in self.store.list() if a["role"] == ADMIN and a["active"])

    def reset_password(self, username: str, password: str) -> dict[str, Any]:
        """An administrator sets a new password (the person changes it later); lifts a lock."""
        self.guard.require(ACCOUNTS)
        username = (username or "").strip().lower()
        password_hash = hash_password(clean_password(password))
        with write_transaction(self.store.db):
            row = self.store.get(username)
            self.store.update(username, self._now().isoformat(), password_hash=password_hash, failed=0, locked_until=None)
            self.audit.record("account.reset_password", after={"username": username})  # never the password
        return {"username": username, "role": row["role"], "full_name": row["full_name"], "active": bool(row["active"])}

    # --- signing in -----------------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> Account:
        """The account, or ``AuthError`` (same message for an unknown name and a wrong
        password, so names cannot be probed; a locked account says until when)."""
        username = (username or "").strip().lower()
        row = self.store.find(username) if username else None
        now = self._now()
        if row is not None and row["locked_until"]:
            until = datetime.fromisoformat(row["locked_until"])
            if now < until:
                raise AuthError(
                    "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; thử lại sau {time}.",
                    time=clock_time(until),
                )
        ok = check_password(password or "", row["password_hash"] if row else _dummy_hash())
        if row is None or not ok or not row["active"]:
            if row is not None and not ok:
                failed = row["failed"] + 1
                seconds = lock_seconds(failed)
                locked = (now + timedelta(seconds=seconds)).isoformat() if seconds else None
                self.store.update(username, now.isoformat(), failed=failed, locked_until=locked)
                self.audit.record("auth.failed", after={"username": username, "failed": failed, "locked_seconds": seconds})
            raise AuthError("Sai tên đăng nhập hoặc mật khẩu.")
        if row["failed"] or row["locked_until"]:
            self.store.update(username, now.isoformat(), failed=0, locked_until=None)
        return Account(row["username"], row["full_name"], row["role"])

    def login(self, username: str, password: str, *, audited: bool = False) -> Account:
        """Sign in. ``audited``: a person signing in at the desk (the app's sign-in and unlock)
        leaves an ``auth.login`` entry, so the trail says who was at the desk when; a
        command-line call signs in for each command and its actions name the account anyway."""
        account = self.authenticate(username, password)
        self.guard.session.account = account
        if audited:
            self.audit.record("auth.login", after={"username": account.username})
        return account

    def logout(self, *, reason: str = "") -> None:
        """Sign out. With a ``reason`` (the app's "lock", "switch") an ``auth.logout`` entry,
        made as the account leaving, closes what its ``auth.login`` opened."""
        current = self.guard.session.account
        if reason and current is not None:
            self.audit.record("auth.logout", before={"username": current.username}, after={"reason": reason})
        self.guard.session.account = None


LOCK_MINUTES_KEY = "lock_minutes"


def lock_minutes(ctx: DeskServices, default: int) -> int:
    """The idle minutes before the app locks (``default`` while never set)."""
    return int(ctx.store.get_setting(LOCK_MINUTES_KEY, default) or default)


def set_lock_minutes(ctx: DeskServices, minutes: int) -> int:
    """How many idle minutes before the app locks (an administrator's setting); ``ctx`` is the
    composition root's DeskServices."""
    from desk_app.domain.permissions import SETTINGS

    ctx.require(SETTINGS)
    if not isinstance(minutes, int) or not 1 <= minutes <= 240:
        raise ValidationError("Thời gian tự khóa phải từ 1 đến 240 phút.", field="lock_minutes")
    with write_transaction(ctx.store.db):
        ctx.store.set_settings({LOCK_MINUTES_KEY: minutes})
        ctx.audit.record("settings.lock_minutes", after={"minutes": minutes})
    return minutes
