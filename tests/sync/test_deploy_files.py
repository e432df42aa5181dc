"""docs/deploy/ stays consistent with the server (Docker cannot run here: the files are parsed
and checked against the real CLI and limits instead)."""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import yaml

from sync.protocol import MAX_FILE_BYTES
from sync.server.__main__ import build_parser
from sync.server.objectstore import S3Store, open_store

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"


def expand(text: str) -> str:
    """Compose's ``${NAME:-default}`` with the defaults (``${NAME}``/``${NAME:?…}`` → NAME)."""
    return re.sub(r"\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}", lambda m: m.group(2) if m.group(2) is not None else m.group(1), text)


def test_compose_file_parses_and_its_serve_command_is_the_real_cli(tmp_path):
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "pgbouncer", "minio", "minio-setup", "sync", "caddy"} <= set(services)
    sync = services["sync"]
    assert sync["deploy"]["replicas"] >= 2
    assert list(services["caddy"]["ports"]) == ["443:443"] and "ports" not in sync  # only the proxy is reachable
    command = [expand(str(part)) for part in sync["command"]]
    assert command[:4] == ["python", "-m", "sync.server", "serve"]
    args = build_parser().parse_args(command[3:])
    assert args.database_url.startswith("postgresql://") and "@pgbouncer:6432/" in args.database_url
    assert ":" not in args.database_url.split("//", 1)[1].split("@", 1)[0]  # no password on the command line
    store = open_store(args.object_store, tmp_path)
    assert isinstance(store, S3Store) and store.bucket == "desk-files"
    assert store.client.meta.endpoint_url == "http://minio:9000"
    assert {"SYNC_SERVER_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PGPASSWORD"} <= set(sync["environment"])
    assert "readyz" in " ".join(sync["healthcheck"]["test"])


def test_proxy_and_pooler_settings_fit_the_protocol():
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    limit = re.search(r"max_size\s+(\d+)MiB", caddy)  # Caddy's "MB" is 10^6 bytes: 512 MiB would not fit in 520MB
    assert limit and int(limit.group(1)) * 1024 * 1024 > MAX_FILE_BYTES  # a whole-file PATCH passes the proxy
    assert "health_uri /readyz" in caddy and "request_buffers" not in caddy  # bodies stream through
    ini = configparser.ConfigParser()
    ini.read(DEPLOY / "pgbouncer" / "pgbouncer.ini")
    assert ini["pgbouncer"]["pool_mode"] == "transaction" and int(ini["pgbouncer"]["max_prepared_statements"]) > 0
    policy = json.loads((DEPLOY / "minio" / "bucket-policy.json").read_text(encoding="utf-8"))
    resources = {r for statement in policy["Statement"] for r in statement["Resource"]}
    assert resources == {"arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"}  # this bucket only
