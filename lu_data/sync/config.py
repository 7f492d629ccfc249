"""Which portals to sync: the same [learnupon] tables the app reads, from a TOML file or env."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from lu_data.sources.api_settings import ConfigError, PortalConfig, portal_configs_from

DEFAULT_CONFIG = Path(".streamlit") / "secrets.toml"  # the app's own secrets, from its folder


def read_config_file(path: Path) -> dict[str, object]:
    """A TOML settings file as a table; a clear ConfigError when it cannot be read or parsed."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def sync_configs(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    only: Sequence[str] = (),
) -> list[PortalConfig]:
    """The portals to sync: from path (default .streamlit/secrets.toml if present) and env.

    `only` keeps the portals with these names; an unknown name is an error that lists the
    configured ones.
    """
    env = dict(os.environ) if env is None else env
    if path is not None:
        settings: Mapping[str, object] | None = read_config_file(path)
    elif DEFAULT_CONFIG.is_file():
        settings = read_config_file(DEFAULT_CONFIG)
    else:
        settings = None
    configs = portal_configs_from(env, settings)
    if not configs:
        where = path or DEFAULT_CONFIG
        raise ConfigError(
            f"no portal configured: add [learnupon.portals.NAME] tables to {where} "
            "or set LEARNUPON_PORTAL (or LEARNUPON_BASE_URL), LEARNUPON_USERNAME and "
            "LEARNUPON_PASSWORD"
        )
    if only:
        names = {c.name for c in configs}
        unknown = [n for n in only if n.lower() not in names]
        if unknown:
            raise ConfigError(
                f"no portal named {', '.join(unknown)}: configured are {', '.join(sorted(names))}"
            )
        wanted = {n.lower() for n in only}
        configs = [c for c in configs if c.name in wanted]
    return configs
