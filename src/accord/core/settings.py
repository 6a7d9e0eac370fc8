"""Typed settings read from ``ACCORD_*`` environment variables."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

log = logging.getLogger(__name__)

#: the secret older versions used by default: published, so refused in production (S5)
DEVELOPMENT_SECRET = "accord-development-secret-do-not-use-in-production"
#: the secret generated on first start without one, kept in the data folder (S5)
SECRET_FILE = "accord-secret.key"


class _FromFiles(PydanticBaseSettingsSource):
    """``ACCORD_<NAME>_FILE=/path``: the setting's value is the file's content (trailing line
    ends dropped), for secrets kept out of the environment (Docker and systemd secrets)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        environ = {k.upper(): v for k, v in os.environ.items()}
        values: dict[str, Any] = {}
        for name in self.settings_cls.model_fields:
            variable = f"ACCORD_{name.upper()}"
            path = environ.get(f"{variable}_FILE")
            if not path:
                continue
            if variable in environ:
                raise ValueError(f"{variable} and {variable}_FILE are both set; keep one")
            try:
                values[name] = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise ValueError(f"{variable}_FILE: cannot read {path}: {exc.strerror}") from None
        return values


class Settings(BaseSettings):
    """Every setting Accord reads. Documented in docs/settings.md (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    mode: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite:///accord.db"
    #: none set: one is generated on the first start and kept in ``data_dir`` (S5)
    secret_key: str | None = None
    data_dir: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    session_max_age_seconds: int = 14 * 24 * 3600
    page_size: int = 50
    #: a workbook import is refused past these (B9): unpacked size and rows
    import_max_unpacked_mb: Annotated[int, Field(ge=1)] = 200
    import_max_workbook_rows: Annotated[int, Field(ge=1)] = 1_048_576
    max_body_bytes: Annotated[int, Field(ge=1024)] = 1_048_576
    max_upload_bytes: Annotated[int, Field(ge=1024)] = 256 * 1_048_576
    #: ``accord serve``: worker processes, and one JSON access-log line per request (O3)
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    access_log: bool = True
    #: jobs (docs/jobs.md): the in-process scheduler of ``accord serve``, the daily jobs' hour
    scheduler: bool = False
    job_daily_hour: Annotated[int, Field(ge=0, le=23)] = 6
    #: the daily digest's mail (docs/jobs.md); no ``smtp_host``: no digest is sent
    smtp_host: str | None = None
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    smtp_starttls: bool = True
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: Annotated[int, Field(ge=1, le=300)] = 30
    mail_from: str = "accord@localhost"
    #: the address people reach Accord at, for links in mails
    app_url: str = "http://127.0.0.1:8000"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = _FromFiles(settings_cls)
        return init_settings, env_settings, files, dotenv_settings, file_secret_settings

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not (value.startswith("sqlite") or value.startswith("postgresql+psycopg")):
            raise ValueError("ACCORD_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator("page_size")
    @classmethod
    def _sane_page(cls, value: int) -> int:
        if not 1 <= value <= 500:
            raise ValueError("ACCORD_PAGE_SIZE must be between 1 and 500")
        return value

    @model_validator(mode="after")
    def _no_known_secret_in_production(self) -> Settings:
        if self.mode == "production" and self.secret_key in (None, "", DEVELOPMENT_SECRET):
            raise ValueError(
                "ACCORD_SECRET_KEY is not set or is the published development secret; "
                "set a secret of your own outside development mode"
            )
        if self.mode == "production" and len(self.secret_key or "") < 32:
            raise ValueError("ACCORD_SECRET_KEY must be at least 32 characters in production")
        return self

    def data_folder(self) -> Path:
        """``ACCORD_DATA_DIR``, else the SQLite database's folder, else the current folder."""
        if self.data_dir:
            return Path(self.data_dir).expanduser()
        path = self.database_url.partition(":///")[2].partition("?")[0]
        if self.database_url.startswith("sqlite") and path and path != ":memory:":
            return Path(path).expanduser().resolve().parent
        return Path.cwd()

    def with_secret(self) -> Settings:
        """These settings with a secret: the configured one, else the one kept in the data
        folder, generated (random, mode 0600) on the first start (S5)."""
        if self.secret_key:
            return self
        return self.model_copy(update={"secret_key": kept_secret(self.data_folder())})


def kept_secret(folder: Path) -> str:
    """The secret in ``folder/accord-secret.key``, created once: written to a private
    temporary file and linked into place, so concurrent first starts agree on one secret."""
    path = folder / SECRET_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        scratch = folder / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(scratch, path)
            log.warning("generated a secret key in %s (keep it private)", path)
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    if path.stat().st_mode & 0o077:
        log.warning("%s can be read by other users: chmod 600 it", path)
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < 32:
        raise ValueError(f"{path} holds no usable secret (under 32 characters)")
    return secret


def is_loopback(host: str) -> bool:
    """Is ``host`` reachable from this machine only (127.0.0.0/8, ::1, localhost)?"""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
