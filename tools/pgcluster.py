"""A throw-away PostgreSQL cluster for tests and benchmarks, on a Unix socket only.

initdb refuses to run as root, so when we are root the cluster runs as the `postgres` OS user
in folders it owns; clients connect over the socket with trust authentication.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"


class ClusterError(RuntimeError):
    pass


@dataclass
class Cluster:
    base: Path
    socket_dir: Path
    port: int
    user: str = "postgres"

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def env(self, dbname: str) -> dict[str, str]:
        """The profile's environment variables for this cluster."""
        return {
            "LMS_PG_HOST": str(self.socket_dir),
            "LMS_PG_PORT": str(self.port),
            "LMS_PG_USER": self.user,
            "LMS_PG_PASSWORD": "",
            "LMS_PG_DBNAME": dbname,
        }

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.socket_dir} port={self.port} user={self.user} dbname={dbname}"

    def create_database(self, dbname: str) -> None:
        import psycopg

        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            connection.execute(f'drop database if exists "{dbname}" with (force)')
            connection.execute(f'create database "{dbname}"')

    def stop(self) -> None:
        _run_as_server_user(["pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w",
                             "stop"], check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise ClusterError(f"{name} not found: install the PostgreSQL server (postgresql-15)")


def _run_as_server_user(command: list[str], check: bool = True) -> subprocess.CompletedProcess:
    command = [_tool(command[0]), *command[1:]]
    if os.geteuid() == 0:
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    result = subprocess.run(command, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise ClusterError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_cluster(settings: dict[str, str] | None = None) -> Cluster:
    base = Path(tempfile.mkdtemp(prefix="edfi-lms-pg-"))
    base.chmod(0o755)
    socket_dir = base / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, SERVER_USER)
        shutil.chown(socket_dir, SERVER_USER)
    cluster = Cluster(base=base, socket_dir=socket_dir, port=_free_port())
    _run_as_server_user(["initdb", "-D", str(cluster.data_dir), "-A", "trust", "-U",
                         cluster.user, "-E", "UTF8", "--locale=C", "--no-sync"])
    options = {"listen_addresses": "''", "unix_socket_directories": f"'{socket_dir}'",
               "port": str(cluster.port), **(settings or {})}
    option_text = " ".join(f"-c {key}={value}" for key, value in options.items())
    _run_as_server_user(["pg_ctl", "-D", str(cluster.data_dir), "-o", option_text, "-l",
                         str(base / "server.log"), "-w", "start"])
    return cluster
