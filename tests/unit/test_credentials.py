"""Finding LearnUpon settings in a secrets mapping or LEARNUPON_* environment variables."""

from __future__ import annotations

import tomllib

import pytest

from lu_data.sources.api_settings import ConfigError, PortalError, portal_config_from
from tests.support import ROOT

EXAMPLE = ROOT / ".streamlit" / "secrets.toml.example"
ENV = {
    "LEARNUPON_PORTAL": "acme",
    "LEARNUPON_USERNAME": "env-user",
    "LEARNUPON_PASSWORD": "env-password",
}


class BrokenSecrets(dict):
    """Behaves like st.secrets when no secrets.toml exists: any access raises."""

    def get(self, key, default=None):  # noqa: ANN001, ANN201 - mimics Mapping.get
        raise FileNotFoundError("No secrets files found")


def test_nothing_configured_returns_none() -> None:
    """No env vars and no [learnupon] table means no portal configured."""
    assert portal_config_from({}, None) is None
    assert portal_config_from({"PATH": "/bin"}, {"other": {"x": 1}}) is None


def test_env_vars_build_a_config() -> None:
    """LEARNUPON_PORTAL, _USERNAME and _PASSWORD give a learnupon.com config."""
    config = portal_config_from(ENV, None)
    assert config is not None
    assert config.base_url == "https://acme.learnupon.com/api/v1/"
    assert (config.username, config.password) == ("env-user", "env-password")
    assert config.requests_per_second == 4.0 and not config.all_modules


def test_env_base_url_for_other_hosts() -> None:
    """LEARNUPON_BASE_URL reaches hosts outside learnupon.com."""
    env = {**ENV, "LEARNUPON_BASE_URL": "https://acme.learnuponau.com"}
    del env["LEARNUPON_PORTAL"]
    config = portal_config_from(env, None)
    assert config is not None and config.base_url == "https://acme.learnuponau.com/api/v1/"


def test_secrets_win_over_env() -> None:
    """Values in the [learnupon] secrets table override the environment."""
    secrets = {"learnupon": {"portal": "beta", "username": "s-user", "password": "s-pass"}}
    config = portal_config_from({**ENV, "LEARNUPON_BASE_URL": ""}, secrets)
    assert config is not None
    assert config.base_url == "https://beta.learnupon.com/api/v1/"
    assert (config.username, config.password) == ("s-user", "s-pass")


def test_secrets_location_is_not_mixed_with_env_base_url() -> None:
    """A portal in secrets is not combined with a stray LEARNUPON_BASE_URL."""
    secrets = {"learnupon": {"portal": "beta"}}
    env = {**ENV, "LEARNUPON_BASE_URL": "https://other.example.com/api/v1/"}
    config = portal_config_from(env, secrets)
    assert config is not None and config.base_url.startswith("https://beta.")
    assert config.password == "env-password"  # other fields still fall back to env


def test_half_configured_raises_config_error() -> None:
    """A username without a password (or no portal) raises ConfigError naming what is missing."""
    with pytest.raises(ConfigError, match="missing password"):
        portal_config_from({"LEARNUPON_PORTAL": "acme", "LEARNUPON_USERNAME": "u"}, None)
    with pytest.raises(ConfigError, match=r"portal \(or base_url\)"):
        portal_config_from({"LEARNUPON_USERNAME": "u", "LEARNUPON_PASSWORD": "pw-123"}, None)
    assert issubclass(ConfigError, PortalError)


def test_password_is_not_echoed_in_config_errors() -> None:
    """ConfigError messages never contain the password."""
    with pytest.raises(ConfigError) as info:
        portal_config_from({"LEARNUPON_PASSWORD": "hunter2-secret"}, None)
    assert "hunter2-secret" not in str(info.value)


def test_both_portal_and_base_url_is_an_error() -> None:
    """Setting a portal name and a base URL in one place raises ConfigError."""
    secrets = {
        "learnupon": {
            "portal": "a",
            "base_url": "https://b.learnupon.com",
            "username": "u",
            "password": "p",
        }
    }
    with pytest.raises(ConfigError, match="only one"):
        portal_config_from({}, secrets)


def test_invalid_portal_name_or_insecure_url_is_an_error() -> None:
    """A portal name with dots or an http URL to a real host raises ConfigError."""
    with pytest.raises(ConfigError, match="portal name"):
        portal_config_from({**ENV, "LEARNUPON_PORTAL": "acme.learnupon.com"}, None)
    env = {**ENV, "LEARNUPON_BASE_URL": "http://acme.learnupon.com/api/v1/"}
    del env["LEARNUPON_PORTAL"]
    with pytest.raises(ConfigError, match="https"):
        portal_config_from(env, None)


def test_optional_settings_are_parsed() -> None:
    """requests_per_second, all_modules and cache_minutes accept numbers, bools and strings."""
    secrets = {"learnupon": {"requests_per_second": 0, "all_modules": True, "cache_minutes": 5}}
    config = portal_config_from(ENV, secrets)
    assert config is not None
    assert config.requests_per_second == 0 and config.all_modules and config.cache_minutes == 5
    env = {**ENV, "LEARNUPON_ALL_MODULES": "yes", "LEARNUPON_REQUESTS_PER_SECOND": "2.5"}
    config = portal_config_from(env, None)
    assert config is not None and config.all_modules and config.requests_per_second == 2.5
    with pytest.raises(ConfigError, match="number"):
        portal_config_from({**ENV, "LEARNUPON_REQUESTS_PER_SECOND": "fast"}, None)
    with pytest.raises(ConfigError, match="true or false"):
        portal_config_from({**ENV, "LEARNUPON_ALL_MODULES": "maybe"}, None)


def test_unreadable_secrets_fall_back_to_env() -> None:
    """Secrets that raise on access (no secrets.toml) fall back to the environment."""
    config = portal_config_from(ENV, BrokenSecrets())
    assert config is not None and config.username == "env-user"


def test_example_secrets_file_parses_to_a_config() -> None:
    """The shipped secrets.toml.example is valid TOML, warns, and yields a config."""
    text = EXAMPLE.read_text()
    assert "never commit" in text.lower()
    config = portal_config_from({}, tomllib.loads(text))
    assert config is not None and config.base_url == "https://acme.learnupon.com/api/v1/"
    assert "your-api-password" not in repr(config)
