"""One running app per data folder: a second start brings the running window to the front
instead of opening a second writer of the same database.

The first instance holds a ``QLockFile`` in the data folder (stale locks of a crashed run are
taken over: Qt checks the owner's process id) and listens on a ``QLocalServer`` whose name is
derived from the user and the data folder. A later start that cannot take the lock connects to
that server, says "raise" and exits. The lock, not the socket, decides who runs, so two starts
at the same moment cannot both become the writer.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QThread
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = ".desk-app.lock"  # services/backup.py APP_LOCK: a restore refuses a folder in use

RAISE = b"raise\n"
CONNECT_TRIES = 20  # the first instance may still be starting its server: ~2 s in all


def server_name(data_dir: Path) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a service account): the folder alone still separates
        user = ""
    key = f"{user}\0{Path(data_dir).resolve()}".encode()
    return "desk-app-" + hashlib.sha256(key).hexdigest()[:24]


class SingleInstance(QObject):
    """``acquire()`` -> True: this process is the one; False: the running one was asked to come
    to the front (exit now). ``on_raise`` is called on the UI thread for each later start."""

    def __init__(self, data_dir: Path, on_raise: Callable[[], None] | None = None):
        super().__init__()
        self.data_dir = Path(data_dir)
        self.name = server_name(self.data_dir)
        self.on_raise = on_raise
        self.lock: QLockFile | None = None
        self.server: QLocalServer | None = None

    def acquire(self) -> bool:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return True  # an unwritable folder fails later with its own clear message
        self.lock = QLockFile(str(self.data_dir / LOCK_NAME))
        self.lock.setStaleLockTime(0)  # a lock is stale only when its process is gone
        if not self.lock.tryLock(100):
            self.lock = None
            self._ask_running_to_raise()
            return False
        QLocalServer.removeServer(self.name)  # a socket file left by a crashed run
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(self.name):
            log.warning("single instance: cannot listen on %s: %s", self.name, self.server.errorString())
        self.server.newConnection.connect(self._accept)
        return True

    def _ask_running_to_raise(self) -> None:
        for _ in range(CONNECT_TRIES):
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(200):
                socket.write(RAISE)
                socket.flush()
                socket.waitForBytesWritten(1000)
                socket.disconnectFromServer()
                log.info("second start: the running window was asked to come to the front")
                return
            QThread.msleep(100)
        log.warning("second start: another instance holds the data folder but did not answer")

    def _accept(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if RAISE.strip() in bytes(socket.readAll().data()):
            log.info("a second start asked this window to come to the front")
            if self.on_raise is not None:
                self.on_raise()

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None


def bring_to_front(window) -> None:
    """Show a minimised or hidden window and ask the window manager to focus it."""
    window.showNormal() if window.isMinimized() else window.show()
    window.raise_()
    window.activateWindow()

