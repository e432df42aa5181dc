"""The processing modes a page can be asked for. Standard library only: the CLI's argument
parser needs them for every ``desk`` command, which must not load Pillow or numpy."""

from __future__ import annotations

# "auto" picks per page (bilevel text, mixed page, grey or colour JPEG); the others force one.
MODES = ("auto", "text", "grey", "color")
