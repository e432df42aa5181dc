"""Sync between a desk and the provincial server: protocol, client, reference server.

Never imports Qt. ``sync.protocol`` is shared by both ends; ``sync.client`` runs on a desk
(on a background thread); ``sync.server`` is the reference provincial server.
"""
