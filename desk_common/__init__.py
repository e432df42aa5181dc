"""Pieces the desk's store and the sync package (client and server) both need, with no
dependency on either: durable file writes (``fsutil``) and the facts of a record both
sides read (``records``). Here so that ``desk_app.store`` does not import the wire
(``sync``) and ``sync`` never imports ``desk_app`` (the server runs without it).
Standard library only."""
