"""Use cases shared by the Qt UI and the headless CLI. No Qt here.

Thread model: every service method touches the store and so runs on the caller's DB thread
(the UI's single DB worker, or the CLI's main thread).
"""
