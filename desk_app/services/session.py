"""Who is signed in, and the permission check every guarded service call makes.

A ``Session`` is made by the composition root (or shared by the UI between its DB-thread and
reader-thread services); nothing here is global. ``Guard.require`` is the one check:
- a desk with no account yet works as before: everything is allowed (the first-run set-up
  then creates the administrator);
- once an account exists, a call needs a signed-in, active account whose role has the
  permission (docs/permissions.md), else ``AuthError`` / ``ForbiddenError``;
- a background session (the UI's sync loop) holds only the permissions it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from desk_app.domain.errors import AuthError, ForbiddenError
from desk_app.domain.permissions import PERMISSION_LABELS, allowed
from desk_app.store.accounts_store import AccountsStore


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {"username": self.username, "full_name": self.full_name, "role": self.role}


@dataclass
class Session:
    """The signed-in account (None when nobody is). ``background`` permissions are granted
    without an account, for work the machine does by itself (the periodic sync)."""

    account: Account | None = None
    background: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_background(cls, *permissions: str) -> Session:
        return cls(background=frozenset(permissions))

    @property
    def username(self) -> str:
        return self.account.username if self.account else ""


class Guard:
    def __init__(self, accounts: AccountsStore, session: Session):
        self.accounts = accounts
        self.session = session

    def accounts_exist(self) -> bool:
        return self.accounts.count() > 0

    def current(self) -> Account | None:
        """The signed-in account as stored now: a disabled account or a changed role takes
        effect at the next call, not at the next login."""
        account = self.session.account
        if account is None:
            return None
        row = self.accounts.find(account.username)
        if row is None or not row["active"]:
            self.session.account = None
            return None
        if row["role"] != account.role or row["full_name"] != account.full_name:
            account = Account(row["username"], row["full_name"], row["role"])
            self.session.account = account
        return account

    def can(self, permission: str) -> bool:
        try:
            self.require(permission)
        except (AuthError, ForbiddenError):
            return False
        return True

    def require(self, permission: str) -> None:
        account = self.current()
        if account is None:
            if permission in self.session.background or not self.accounts_exist():
                return
            raise AuthError("Cần đăng nhập bằng tài khoản của bàn này.")
        if not allowed(account.role, permission):
            raise ForbiddenError(
                "Tài khoản {username} không có quyền: {permission}.",
                username=account.username,
                permission=PERMISSION_LABELS.get(permission, permission),
            )


class SessionActor:
    """The actor recorded in history and printed on forms: the signed-in account's full name;
    with nobody signed in (a desk without accounts), ``fallback`` (the officer name setting)."""

    def __init__(self, session: Session, fallback: Callable[[], str]):
        self.session = session
        self.fallback = fallback

    def __call__(self) -> str:
        return self.session.account.full_name if self.session.account else self.fallback()
