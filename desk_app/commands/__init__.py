"""Subcommands of ``desk``, one module per area; each has ``register(subparsers)``."""
