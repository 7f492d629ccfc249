"""Several portals in one settings file: named tables, today's single portal, clear errors."""

from __future__ import annotations

import pytest

from lu_data.sources.api_settings import ConfigError, label_of, portal_configs_from
from lu_data.sync.config import sync_configs

TWO = {
    "learnupon": {
        "cache_minutes": 99,  # the flat table's own settings belong to the single portal only
        "portals": {
            "emea": {"portal": "acme-emea", "username": "u1", "password": "p1"},
            "US": {
                "base_url": "https://training.example.com/api/v1/",
                "username": "u2",
                "password": "p2",
                "requests_per_second": 2,
                "all_modules": True,
                "cache_minutes": 5,
            },
        },
    }
}


def test_named_portal_tables_each_become_a_portal() -> None:
    """Each [learnupon.portals.NAME] table is one portal with its own keys and pace."""
    emea, us = portal_configs_from({}, TWO)
    assert (emea.name, emea.base_url, emea.username) == (
        "emea",
        "https://acme-emea.learnupon.com/api/v1/",
        "u1",
    )
    assert (emea.requests_per_second, emea.all_modules, emea.cache_minutes) == (4.0, False, 15.0)
    assert (us.name, us.base_url, us.password) == (
        "us",
        "https://training.example.com/api/v1/",
        "p2",
    )
    assert (us.requests_per_second, us.all_modules, us.cache_minutes) == (2.0, True, 5.0)


def test_env_pace_is_every_named_portals_default() -> None:
    """LEARNUPON_CACHE_MINUTES sets the period of portals that do not set their own."""
    env = {"LEARNUPON_CACHE_MINUTES": "0.5", "LEARNUPON_REQUESTS_PER_SECOND": "0"}
    emea, us = portal_configs_from(env, TWO)
    assert (emea.cache_minutes, emea.requests_per_second) == (0.5, 0.0)
    assert (us.cache_minutes, us.requests_per_second) == (5.0, 2.0)


def test_todays_single_portal_is_named_after_its_subdomain_or_host() -> None:
    """The flat [learnupon] table or LEARNUPON_* variables still give one portal."""
    (one,) = portal_configs_from(
        {"LEARNUPON_PORTAL": "acme", "LEARNUPON_USERNAME": "u", "LEARNUPON_PASSWORD": "p"}
    )
    assert (one.name, one.base_url) == ("acme", "https://acme.learnupon.com/api/v1/")
    assert label_of("http://127.0.0.1:8765/api/v1/") == "127-0-0-1-8765"
    assert label_of("https://acme.eu.learnupon.com/api/v1/") == "acme"
    both = portal_configs_from(
        {"LEARNUPON_PORTAL": "acme", "LEARNUPON_USERNAME": "u", "LEARNUPON_PASSWORD": "p"}, TWO
    )
    assert [c.name for c in both] == ["emea", "us", "acme"]


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        (
            {"learnupon": {"portals": {"emea": {"portal": "a", "username": "u"}}}},
            "missing password; set them in [learnupon.portals.emea]",
        ),
        (
            {
                "learnupon": {
                    "portals": {"no spaces": {"portal": "a", "username": "u", "password": "p"}}
                }
            },
            "portal name 'no spaces' is not valid",
        ),  # fmt: skip
        ({"learnupon": {"portals": "emea"}}, "must hold one table per portal"),
        (
            {
                "learnupon": {
                    "portal": "emea",
                    "username": "u",
                    "password": "p",
                    "portals": {"emea": {"portal": "x", "username": "u", "password": "p"}},
                }
            },
            "two portals are named 'emea'",
        ),
    ],
    ids=["missing key", "bad name", "not tables", "same name twice"],
)
def test_bad_portal_tables_say_what_to_fix(secrets, message) -> None:
    """A mistake names the table and what is wrong, never the password."""
    with pytest.raises(ConfigError) as raised:
        portal_configs_from({}, secrets)
    assert message in str(raised.value)
    assert "'p'" not in str(raised.value)


def test_sync_config_file_and_portal_choice(tmp_path) -> None:
    """`--config FILE` reads the same tables; `--portal` keeps the named ones or lists them."""
    path = tmp_path / "sync.toml"
    path.write_text(
        '[learnupon.portals.emea]\nportal = "acme-emea"\nusername = "u"\npassword = "p"\n'
        '[learnupon.portals.apac]\nportal = "acme-apac"\nusername = "u"\npassword = "p"\n',
        encoding="utf-8",
    )
    assert [c.name for c in sync_configs(path, env={})] == ["emea", "apac"]
    assert [c.name for c in sync_configs(path, env={}, only=["APAC"])] == ["apac"]
    with pytest.raises(ConfigError, match="no portal named amer: configured are apac, emea"):
        sync_configs(path, env={}, only=["amer"])
    path.write_text("[learnupon\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        sync_configs(path, env={})
    with pytest.raises(ConfigError, match="does not exist"):
        sync_configs(tmp_path / "missing.toml", env={})
    path.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="no portal configured"):
        sync_configs(path, env={})
