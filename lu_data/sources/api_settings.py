"""Where a LearnUpon portal lives and with which API keys: from secrets or LEARNUPON_* env."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lu_data.core.addresses import is_loopback

DEFAULT_RPS = 4.0  # LearnUpon allows ~300/minute; 4/s leaves room for other integrations
DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds
DEFAULT_WORKERS = 4
DEFAULT_MAX_PAGES = 2000
DEFAULT_CACHE_MINUTES = 15.0
PORTAL_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
SECRETS_TABLE = "learnupon"
ENV_VARS = {
    "portal": "LEARNUPON_PORTAL",
    "base_url": "LEARNUPON_BASE_URL",
    "username": "LEARNUPON_USERNAME",
    "password": "LEARNUPON_PASSWORD",
    "requests_per_second": "LEARNUPON_REQUESTS_PER_SECOND",
    "all_modules": "LEARNUPON_ALL_MODULES",
    "cache_minutes": "LEARNUPON_CACHE_MINUTES",
}
PORTALS_TABLE = "portals"  # [learnupon.portals.NAME]: one table per portal
PORTAL_LABEL_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class PortalError(Exception):
    """Any failure talking to a LearnUpon portal; the message says what to do."""


class ConfigError(PortalError):
    """Portal settings are missing, half set or invalid."""


def portal_base_url(portal: str) -> str:
    """Return the API base URL of a learnupon.com portal name such as 'acme'."""
    name = (portal or "").strip()
    if not PORTAL_NAME_RE.match(name):
        raise ConfigError(
            f"invalid portal name {name[:40]!r}: use the subdomain only (letters, digits, "
            "hyphens), e.g. 'acme' for acme.learnupon.com, or give a full base URL"
        )
    return f"https://{name.lower()}.learnupon.com/api/v1/"


def check_base_url(url: str) -> str:
    """Validate a full API base URL (HTTPS, or http on loopback) and return it with '/'."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(
            "invalid base URL: expected e.g. https://acme.learnupon.com/api/v1/"
        ) from None
    if "@" in parts.netloc:
        # never echo the URL: its userinfo may hold the password
        raise ConfigError(
            "the base URL must not contain a username or password: "
            "give them as the API username and password settings instead"
        )
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(
            f"invalid base URL {text[:60]!r}: expected e.g. https://acme.learnupon.com/api/v1/"
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"refusing plain http for {host}: LearnUpon credentials must travel over https "
            "(http is only allowed for a local stand-in portal on 127.0.0.1)"
        )
    path = parts.path if parts.path not in ("", "/") else "/api/v1/"
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def is_portal_url(text: str) -> bool:
    """True when a source argument looks like a portal URL rather than a file path."""
    return text.strip().lower().startswith(("https://", "http://"))


@dataclass(frozen=True)
class PortalConfig:
    """Where and how to reach one portal; repr never shows the password."""

    base_url: str
    username: str
    password: str = field(repr=False)
    requests_per_second: float | None = DEFAULT_RPS
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT
    all_modules: bool = False
    max_pages: int = DEFAULT_MAX_PAGES
    workers: int = DEFAULT_WORKERS
    cache_minutes: float = DEFAULT_CACHE_MINUTES
    name: str = ""  # how the store, the Portal filter and exports name it; "" = from the URL

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", check_base_url(self.base_url))
        object.__setattr__(self, "name", check_portal_label(self.name or label_of(self.base_url)))
        if not self.username or not self.password:
            raise ConfigError("both the API username and the API password are required")
        if self.requests_per_second is not None and self.requests_per_second < 0:
            raise ConfigError("requests_per_second must be 0 (off) or positive")
        if self.max_pages < 1 or self.workers < 1:
            raise ConfigError("max_pages and workers must be at least 1")

    def __repr__(self) -> str:
        return (
            f"PortalConfig(name={self.name!r}, base_url={self.base_url!r}, "
            f"username={self.username!r}, "
            f"password='***', requests_per_second={self.requests_per_second!r}, "
            f"all_modules={self.all_modules!r})"
        )


def settings_from(env: Mapping[str, str], secrets: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge the [learnupon] secrets table over env vars; drop empty values."""
    table = _secrets_table(secrets)
    from_env = {key: env.get(var) for key, var in ENV_VARS.items()}
    # the portal location is taken from one source only, so a secrets portal is never
    # silently combined with a base URL left over in the environment
    location_source = table if _has_any(table, ("portal", "base_url")) else from_env
    merged: dict[str, Any] = {}
    for key in ENV_VARS:
        if key in ("portal", "base_url"):
            value = location_source.get(key)
        else:
            value = table.get(key)
            value = from_env.get(key) if _blank(value) else value
        if not _blank(value):
            # a password may legitimately start or end with spaces; nothing else may
            merged[key] = value.strip() if isinstance(value, str) and key != "password" else value
    return merged


def label_of(base_url: str) -> str:
    """A portal's default name: its learnupon.com subdomain, else its host (and port)."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "portal").lower()
    if host.endswith(".learnupon.com"):
        return host.removesuffix(".learnupon.com").split(".")[0]
    label = host + (f"-{parts.port}" if parts.port else "")
    return re.sub(r"[^a-z0-9_-]+", "-", label).strip("-")[:40] or "portal"


def check_portal_label(name: str) -> str:
    """A portal name as stored and shown: lower-case letters, digits, - and _; up to 40."""
    label = name.strip().lower()
    if not PORTAL_LABEL_RE.match(label):
        raise ConfigError(
            f"portal name {name!r} is not valid: use up to 40 lower-case letters, digits, "
            "- or _, starting with a letter or digit"
        )
    return label


def portal_configs_from(
    env: Mapping[str, str], secrets: Mapping[str, Any] | None = None
) -> list[PortalConfig]:
    """Every configured portal: [learnupon.portals.NAME] tables, then the single portal.

    The single portal is today's flat [learnupon] table and LEARNUPON_* variables, named after
    its subdomain or host. LEARNUPON_CACHE_MINUTES and LEARNUPON_REQUESTS_PER_SECOND are the
    defaults of the named portals too. Names must differ.
    """
    configs: list[PortalConfig] = []
    defaults = {k: env.get(ENV_VARS[k]) for k in ("cache_minutes", "requests_per_second")}
    for name, table in _portal_tables(secrets).items():
        settings = {k: v for k, v in defaults.items() if not _blank(v)}
        settings |= {k: v for k, v in table.items() if not _blank(v)}
        configs.append(
            _config_of(settings, where=f"[{SECRETS_TABLE}.{PORTALS_TABLE}.{name}]", name=name)
        )
    single = portal_config_from(env, secrets)
    if single is not None:
        configs.append(single)
    seen: set[str] = set()
    for config in configs:
        if config.name in seen:
            raise ConfigError(
                f"two portals are named {config.name!r}: give each [{SECRETS_TABLE}."
                f"{PORTALS_TABLE}.NAME] table its own name"
            )
        seen.add(config.name)
    return configs


def portal_config_from(
    env: Mapping[str, str], secrets: Mapping[str, Any] | None = None
) -> PortalConfig | None:
    """Build a PortalConfig from secrets (preferred) or env; None when nothing is set."""
    settings = settings_from(env, secrets)
    essentials = [k for k in ("portal", "base_url", "username", "password") if k in settings]
    if not essentials:
        return None
    if "portal" in settings and "base_url" in settings:
        raise ConfigError(
            "both a portal name and a base URL are set for LearnUpon: keep only one "
            "(portal = 'acme' for acme.learnupon.com, base_url for any other host)"
        )
    return _config_of(
        settings,
        where=f"the [{SECRETS_TABLE}] table of .streamlit/secrets.toml or as LEARNUPON_* "
        "environment variables",
    )


def _config_of(settings: Mapping[str, Any], *, where: str, name: str = "") -> PortalConfig:
    """One PortalConfig from merged settings; where says where a missing one belongs."""
    if "portal" in settings and "base_url" in settings:
        raise ConfigError(
            f"both a portal name and a base URL are set in {where}: keep only one "
            "(portal = 'acme' for acme.learnupon.com, base_url for any other host)"
        )
    missing = []
    if "portal" not in settings and "base_url" not in settings:
        missing.append("portal (or base_url)")
    missing += [k for k in ("username", "password") if k not in settings]
    if missing:
        raise ConfigError(
            f"LearnUpon settings are incomplete: missing {', '.join(missing)}; set them in {where}"
        )
    if "portal" in settings:
        base_url = portal_base_url(str(settings["portal"]).strip())
    else:
        base_url = check_base_url(str(settings["base_url"]).strip())
    return PortalConfig(
        base_url=base_url,
        username=str(settings["username"]).strip(),
        password=str(settings["password"]),
        requests_per_second=_number(settings, "requests_per_second", DEFAULT_RPS),
        all_modules=_flag(settings, "all_modules"),
        cache_minutes=_number(settings, "cache_minutes", DEFAULT_CACHE_MINUTES) or 0.0,
        name=check_portal_label(name) if name else "",
    )


def _portal_tables(secrets: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """The [learnupon.portals.NAME] tables, by name."""
    portals = _secrets_table(secrets).get(PORTALS_TABLE)
    if portals is None:
        return {}
    if not isinstance(portals, Mapping) or not all(
        isinstance(t, Mapping) for t in portals.values()
    ):
        raise ConfigError(
            f"[{SECRETS_TABLE}.{PORTALS_TABLE}] must hold one table per portal, e.g. "
            f"[{SECRETS_TABLE}.{PORTALS_TABLE}.emea]"
        )
    return {str(name): table for name, table in portals.items()}


def _secrets_table(secrets: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if secrets is None:
        return {}
    try:
        table = secrets.get(SECRETS_TABLE)
    except Exception:  # noqa: BLE001 - st.secrets raises when no secrets file exists
        return {}
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"[{SECRETS_TABLE}] in secrets must be a table of settings")
    return table


def _has_any(table: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return any(not _blank(table.get(k)) for k in keys)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"LearnUpon setting {key} must be a number, got {value!r}") from None
    if number < 0:
        raise ConfigError(f"LearnUpon setting {key} must not be negative")
    return number


def _flag(settings: Mapping[str, Any], key: str) -> bool:
    value = settings.get(key, False)
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"LearnUpon setting {key} must be true or false, got {value!r}")
