"""Typed settings read from ``ACCORD_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "accord-development-secret-do-not-use-in-production"


class Settings(BaseSettings):
    """Every setting Accord reads. Documented in docs/settings.md (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    mode: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite:///accord.db"
    secret_key: str = DEVELOPMENT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    session_max_age_seconds: int = 14 * 24 * 3600
    page_size: int = 50
    #: a workbook import is refused past these (B9): unpacked size and rows
    import_max_unpacked_mb: Annotated[int, Field(ge=1)] = 200
    import_max_workbook_rows: Annotated[int, Field(ge=1)] = 1_048_576
    max_body_bytes: Annotated[int, Field(ge=1024)] = 1_048_576
    max_upload_bytes: Annotated[int, Field(ge=1024)] = 256 * 1_048_576

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
        if self.mode == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError(
                "ACCORD_SECRET_KEY is the published development secret; "
                "set a secret of your own outside development mode"
            )
        if self.mode == "production" and len(self.secret_key) < 32:
            raise ValueError("ACCORD_SECRET_KEY must be at least 32 characters in production")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
