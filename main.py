"""Start the desk app (Qt UI). ``python main.py --help`` lists the options."""

from desk_app.ui.launch import main

if __name__ == "__main__":
    raise SystemExit(main())
