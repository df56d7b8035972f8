"""Connect to SQL Server through pyodbc with the keys of a dbt-sqlserver profile target.

The keys and aliases are dbt-sqlserver's (``SQLServerCredentials``), so one target serves dbt
and ingest: ``driver``, ``host``/``server``, ``port``, ``database``, ``user``/``username``/
``UID``, ``password``/``pass``/``PWD``, ``windows_login``/``trusted_connection``,
``authentication`` (``sql``, or an ``ActiveDirectory...`` method the ODBC driver performs
itself), ``encrypt``, ``trust_cert``/``TrustServerCertificate``, ``login_timeout`` and
``query_timeout``. The connection string is built the way dbt-sqlserver builds it for pyodbc
(values in braces, ``SERVER=host,port`` unless the host names an instance). Secrets never
appear in a message: every error text is scrubbed of them before it leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ingest.connect import ConnectionFailed
from ingest.profile import ProfileError

try:
    import pyodbc
except ImportError as error:  # pyodbc needs unixODBC's libodbc.so.2
    raise ConnectionFailed(
        f"pyodbc cannot be loaded ({error}); install unixODBC "
        "(Debian/Ubuntu: apt-get install unixodbc) and Microsoft's ODBC Driver 18") from None

DEFAULT_DRIVER = "ODBC Driver 18 for SQL Server"
APPLICATION_NAME = "edfi_lms ingest"
_TRUE = frozenset({"true", "1", "yes", "on", "y"})
_DIAGNOSTIC_PREFIX = re.compile(r"^(?:\[[^\]]*\]\s*)+")
_DIAGNOSTIC_SUFFIX = re.compile(r"\s*(?:\(-?\d+\)\s*)?(?:\(SQL\w+\))?\s*$")
_NEXT_DIAGNOSTIC = re.compile(r";\s*(?=\[[0-9A-Z]{5}\])")


def _first(settings: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if settings.get(key) is not None:
            return settings[key]
    return None


def _flag(value: Any, default: bool) -> bool:
    """A profile boolean: true/false, or the text ingest's Jinja rendering makes of one."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def _number(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ProfileError(f"sqlserver target: {name} must be a whole number") from None


def _braced(value: str) -> str:
    return "{" + value.replace("}", "}}") + "}"


@dataclass(frozen=True)
class SqlServerSettings:
    driver: str
    host: str
    port: int | None
    database: str
    user: str | None
    password: str | None = field(repr=False)
    windows_login: bool = False
    authentication: str = "sql"
    encrypt: bool = True
    trust_cert: bool = False
    login_timeout: int = 0
    query_timeout: int = 0

    @classmethod
    def from_profile(cls, settings: dict[str, Any]) -> SqlServerSettings:
        host = _first(settings, "host", "server")
        database = _first(settings, "database")
        if not host or not str(host).strip():
            raise ProfileError("sqlserver target: host (or server) is required")
        if not database or not str(database).strip():
            raise ProfileError("sqlserver target: database is required")
        authentication = str(_first(settings, "authentication", "auth") or "sql").strip()
        if authentication.lower() != "sql" and not authentication.lower().startswith(
                "activedirectory"):
            raise ProfileError(
                f"sqlserver target: authentication {authentication!r} is not supported by "
                "ingest; use sql (user and password), windows_login: true, or an "
                "ActiveDirectory... method the ODBC driver performs itself")
        user = _first(settings, "user", "username", "UID", "client_id", "app_id")
        password = _first(settings, "password", "pass", "PWD", "client_secret", "app_secret")
        port = _first(settings, "port")
        return cls(
            driver=str(_first(settings, "driver") or DEFAULT_DRIVER),
            host=str(host).strip(),
            port=None if port in (None, "") else _number(port, "port", 1433),
            database=str(database),
            user=None if user is None else str(user),
            password=None if password is None else str(password),
            windows_login=_flag(_first(settings, "windows_login", "trusted_connection"), False),
            authentication=authentication,
            encrypt=_flag(_first(settings, "encrypt"), True),
            trust_cert=_flag(_first(settings, "trust_cert", "TrustServerCertificate"), False),
            login_timeout=_number(settings.get("login_timeout"), "login_timeout", 0),
            query_timeout=_number(settings.get("query_timeout"), "query_timeout", 0),
        )

    @property
    def server(self) -> str:
        """``host,port``, or the host alone when it names an instance (``host\\instance``)."""
        if "\\" in self.host or not self.port:
            return self.host
        return f"{self.host},{self.port}"

    @property
    def secrets(self) -> list[str]:
        return [self.password] if self.password else []

    def credentials_parts(self) -> list[str]:
        if self.windows_login:
            return ["Trusted_Connection=yes"]
        parts = []
        if self.authentication.lower() != "sql":
            parts.append(f"Authentication={self.authentication}")
        if self.user is not None:
            parts.append(f"UID={_braced(self.user)}")
        if self.password is not None:
            parts.append(f"PWD={_braced(self.password)}")
        return parts

    def connection_string(self) -> str:
        return ";".join([
            f"DRIVER={_braced(self.driver.strip('{}'))}",
            f"SERVER={_braced(self.server)}",
            f"Database={_braced(self.database)}",
            *self.credentials_parts(),
            f"Encrypt={'Yes' if self.encrypt else 'No'}",
            f"TrustServerCertificate={'Yes' if self.trust_cert else 'No'}",
            f"APP={_braced(APPLICATION_NAME)}",
        ])

    def describe(self) -> str:
        return f"SQL Server {self.server}, database {self.database}"


def scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def driver_message(error: BaseException) -> str:
    """The driver's words without SQLSTATE, vendor tags and ODBC function names."""
    raw = str(error.args[1]) if len(error.args) > 1 else str(error)
    messages: list[str] = []
    for part in _NEXT_DIAGNOSTIC.split(raw):
        message = _DIAGNOSTIC_SUFFIX.sub("", _DIAGNOSTIC_PREFIX.sub("", part.strip()))
        if message and message not in messages:
            messages.append(message)
    return " — ".join(messages) or raw.strip() or type(error).__name__


def sqlstate(error: BaseException) -> str:
    first = error.args[0] if error.args else ""
    return first if isinstance(first, str) else ""


def _driver_missing(error: pyodbc.Error) -> bool:
    text = str(error)
    return sqlstate(error) == "IM002" or "Can't open lib" in text


def connect(profile_settings: dict[str, Any]) -> pyodbc.Connection:
    """A connection in manual-commit mode, or ConnectionFailed with a secret-free reason."""
    settings = SqlServerSettings.from_profile(profile_settings)
    try:
        connection = pyodbc.connect(settings.connection_string(), autocommit=False,
                                    timeout=settings.login_timeout)
    except pyodbc.Error as error:
        reason = driver_message(error)
        if _driver_missing(error):
            installed = ", ".join(pyodbc.drivers()) or "none"
            reason = (f"ODBC driver {settings.driver!r} is not installed (installed: "
                      f"{installed}); install Microsoft's ODBC Driver 18 for SQL Server or "
                      f"set LMS_MSSQL_DRIVER to an installed one ({reason})")
        raise ConnectionFailed(scrub(f"cannot connect to {settings.describe()}: {reason}",
                                     settings.secrets)) from None
    if settings.query_timeout:
        connection.timeout = settings.query_timeout
    return connection
