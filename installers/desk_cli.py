"""Entry point of the bundled console program ``desk`` (installers/desk_app.spec)."""

from desk_app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
