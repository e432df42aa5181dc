"""The composition root: builds the store and every service for one data folder.

The UI and the CLI both call ``build_services``; tests call it with their own folder and clock.
Nothing here is global: two desks can run in one process (the tests do).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from desk_app.domain.calendar import now_vn
from desk_app.i18n import Translator
from desk_app.services.catalogue import CatalogueService
from desk_app.services.digitise import DigitiseService
from desk_app.services.intake import IntakeService
from desk_app.services.printing import PrintingService
from desk_app.services.queue import QueueService
from desk_app.services.setup import SetupService
from desk_app.services.sync_service import SyncService
from desk_app.store.desk_store import DeskStore


@dataclass
class DeskServices:
    data_dir: Path
    store: DeskStore
    tr: Translator
    clock: Callable[[], datetime]
    setup: SetupService
    catalogue: CatalogueService
    intake: IntakeService
    queue: QueueService
    sync: SyncService
    digitise: DigitiseService
    printing: PrintingService

    def close(self) -> None:
        self.store.close()


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return ""


def build_services(
    data_dir: Path,
    *,
    tr: Translator | None = None,
    clock: Callable[[], datetime] = now_vn,
    actor: str | None = None,
    create: bool = True,
) -> DeskServices:
    tr = tr or Translator()
    actor = current_actor() if actor is None else actor
    store = DeskStore.open(Path(data_dir), create=create)
    setup = SetupService(store)
    catalogue = CatalogueService(store, tr, clock)
    sync = SyncService(store, setup, clock, Path(data_dir))
    return DeskServices(
        data_dir=Path(data_dir),
        store=store,
        tr=tr,
        clock=clock,
        setup=setup,
        catalogue=catalogue,
        intake=IntakeService(store, setup, catalogue, clock, actor),
        queue=QueueService(store, clock, actor),
        sync=sync,
        digitise=DigitiseService(store, clock, actor),
        printing=PrintingService(store, setup, clock, actor, tag_provider=sync.tag_for),
    )
