"""The composition root: builds the store and every service for one data folder.

The UI and the CLI both call ``build_services``; tests call it with their own folder and clock.
Nothing here is global: two desks can run in one process (the tests do).

The light services (setup, catalogue) are built at once. The heavy ones are built, and their
modules imported, on first use: ``sync`` (requests), ``digitise`` (numpy, Pillow) and
``printing`` (reportlab when it renders), so ``desk search`` or ``desk show`` pay for none of
them (bench: ``time desk search``). ``intake`` and ``queue`` too (dossier views, the PC
clock's checks): the desk app lists its catalogue before anyone can save or open the queue
(bench/bench_startup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from desk_app.domain.calendar import now_vn
from desk_app.i18n import Translator
from desk_app.services.accounts import AccountsService
from desk_app.services.actor import ActorSource, SettingsActor, login_name
from desk_app.services.audit import AuditService
from desk_app.services.catalogue import CatalogueService
from desk_app.services.guard import guarded
from desk_app.services.report import ReportService
from desk_app.services.session import Guard, Session, SessionActor
from desk_app.services.setup import SetupService
from desk_app.store.accounts_store import AccountsStore
from desk_app.store.audit_store import AuditStore
from desk_app.store.desk_store import DeskStore
from desk_app.store.report_store import ReportStore

if TYPE_CHECKING:
    from desk_app.services.backup_schedule import BackupSettingsService
    from desk_app.services.desk_clock import DeskClockService
    from desk_app.services.digitise import DigitiseService
    from desk_app.services.dossier_edit import EditService
    from desk_app.services.intake import IntakeService
    from desk_app.services.ocr import OcrService
    from desk_app.services.preferences import PreferencesService
    from desk_app.services.printing import PrintingService
    from desk_app.services.queue import QueueService
    from desk_app.services.review import ReviewService
    from desk_app.services.sync_service import SyncService


S = TypeVar("S")


class DeskServices:
    """The store and the services of one data folder.

    Thread: like its store's SQLite connection, one instance belongs to one thread (the UI's DB
    thread, the CLI's main thread, or the sync loop's I/O worker for its own instance), so the
    lazily built services are made on that thread too and need no lock.
    """

    def __init__(
        self,
        *,
        data_dir: Path,
        store: DeskStore,
        tr: Translator,
        clock: Callable[[], datetime],
        actor: ActorSource,
        setup: SetupService,
        catalogue: CatalogueService,
        guard: Guard,
        audit: AuditService,
        accounts: AccountsService,
        reports: ReportService,
    ):
        self.data_dir = data_dir
        self.store = store
        self.tr = tr
        self.clock = clock
        self._actor = actor
        # Issue 11: who is signed in, the permission check and the audit trail. The services
        # the UI and the CLI reach through this object are wrapped by the guard
        # (services/guard.py); the services themselves get the raw ones.
        self.guard = guard
        self.session = guard.session
        self.audit = audit
        self.accounts = accounts
        self.reports = reports
        self._review: ReviewService | None = None
        self._setup = setup
        self._catalogue = catalogue
        self._intake: IntakeService | None = None
        self._queue: QueueService | None = None
        self.setup = self._guarded("setup", setup)
        self.catalogue = self._guarded("catalogue", catalogue)
        self._sync: SyncService | None = None
        self._digitise: DigitiseService | None = None
        self._printing: PrintingService | None = None
        self._edits: EditService | None = None
        self._ocr: OcrService | None = None

    @property
    def actor(self) -> str:
        """Who acts now: the officer name from the settings when set, else the fallback."""
        return self._actor()

    @property
    def intake(self) -> IntakeService:
        if self._intake is None:
            from desk_app.services.intake import IntakeService

            self._intake = IntakeService(self.store, self._setup, self._catalogue, self.clock, self._actor)
        return self._guarded("intake", self._intake)

    @property
    def queue(self) -> QueueService:
        if self._queue is None:
            from desk_app.services.queue import QueueService

            self._queue = QueueService(self.store, self.clock, self._actor, calendar=self._setup.calendar)
        return self._guarded("queue", self._queue)

    @property
    def sync(self) -> SyncService:
        if self._sync is None:
            from desk_app.services.sync_service import SyncService

            self._sync = SyncService(self.store, self._setup, self.clock, self.data_dir)
        return self._guarded("sync", self._sync)

    @property
    def desk_clock(self) -> DeskClockService:
        """The PC clock's checks and the supervised "the clock was wrong"."""
        from desk_app.services.desk_clock import DeskClockService
        from desk_app.store.clock_store import ClockStore

        return self._guarded("desk_clock", DeskClockService(ClockStore(self.store.db), self.clock, self._actor))

    @property
    def digitise(self) -> DigitiseService:
        if self._digitise is None:
            from desk_app.services.digitise import DigitiseService

            self._digitise = DigitiseService(self.store, self.clock, self.actor)
        self._digitise.actor = self.actor  # the officer as of this call: a change needs no rebuild
        return self._guarded("digitise", self._digitise)

    @property
    def ocr(self) -> OcrService:
        """Page recognition (Tesseract); built on first use: its modules stay off start-up."""
        if self._ocr is None:
            from desk_app.services.ocr import OcrService

            self._ocr = OcrService(self.store, self.clock)
        return self._guarded("ocr", self._ocr)

    @property
    def printing(self) -> PrintingService:
        if self._printing is None:
            from desk_app.services.printing import PrintingService

            self._printing = PrintingService(self.store, self._setup, self.clock, self.actor, tag_provider=self._receipt_tag)
        self._printing.actor = self.actor  # the officer as of this call: a change needs no rebuild
        return self._guarded("printing", self._printing)

    @property
    def review(self) -> ReviewService:
        """The supervisor's review queue, built on first use."""
        if self._review is None:
            from desk_app.services.review import ReviewService
            from desk_app.store.review_store import ReviewStore

            self._review = ReviewService(ReviewStore(self.store.db), self.guard, self.clock, self._setup.calendar, self.queue)
        return self._review

    def _guarded(self, name: str, service: S) -> S:
        """The service as the guard shows it; one proxy per service, so ``ctx.printing is
        ctx.printing`` as before."""
        cache = self.__dict__.setdefault("_proxies", {})
        proxy = cache.get(name)
        if proxy is None or proxy._target is not service:  # a Guarded (guard.py)
            proxy = cache[name] = guarded(name, service, self.guard, self.audit)
        return cast(S, proxy)  # the cached proxy of this very service

    def require(self, permission: str) -> None:
        """Raise ``AuthError``/``ForbiddenError`` unless the signed-in account may (see
        docs/permissions.md); for callers outside the guarded services (restore, dialogs)."""
        self.guard.require(permission)

    @property
    def edits(self) -> EditService:
        """Corrections of saved dossiers; built on first use like the heavy ones."""
        if self._edits is None:
            from desk_app.services.dossier_edit import EditService

            self._edits = EditService(self.store, self.clock, self._actor)
        return self._guarded("edits", self._edits)

    @property
    def preferences(self) -> PreferencesService:
        """What the desk remembers between runs (the interface language)."""
        from desk_app.services.preferences import PreferencesService

        return PreferencesService(self.store)

    @property
    def backups(self) -> BackupSettingsService:
        """The daily backup's settings, state and record (services/backup_schedule.py)."""
        from desk_app.services.backup_schedule import BackupSettingsService

        return BackupSettingsService(self)

    def interrupt(self) -> None:
        """Abort the statement this instance's connection is running. The one call safe from
        another thread (sqlite3's interrupt is): a read nobody waits for any more stops."""
        self.store.db.conn.interrupt()

    def _receipt_tag(self, code: str) -> str | None:
        # Through the property: the first receipt builds the sync service if nothing else has.
        return self.sync.tag_for(code)

    def close(self) -> None:
        self.store.close()


def current_actor() -> str:
    """The OS login name: the actor when no officer name is set."""
    return login_name()


def build_services(
    data_dir: Path,
    *,
    tr: Translator | None = None,
    clock: Callable[[], datetime] = now_vn,
    actor: str | None = None,
    create: bool = True,
    session: Session | None = None,
) -> DeskServices:
    """``actor`` is the fallback name (default: the OS login) used while no receiving officer
    is set in the settings (services/actor.py); the officer, once set, wins. ``session``: who is
    signed in (services/session.py); the UI shares one between its DB and reader services."""
    tr = tr or Translator()
    store = DeskStore.open(Path(data_dir), create=create)
    guard = Guard(AccountsStore(store.db), session or Session())
    actor_source = SessionActor(guard.session, SettingsActor(store, current_actor() if actor is None else actor))
    audit = AuditService(AuditStore(store.db), guard, clock, actor_source)
    setup = SetupService(store)
    catalogue = CatalogueService(store, tr, clock)
    return DeskServices(
        data_dir=Path(data_dir),
        store=store,
        tr=tr,
        clock=clock,
        actor=actor_source,
        setup=setup,
        catalogue=catalogue,
        guard=guard,
        audit=audit,
        accounts=AccountsService(guard.accounts, guard, audit, clock),
        reports=ReportService(ReportStore(store.db), guard, audit, unit_name=lambda: setup.config().unit_name),
    )
