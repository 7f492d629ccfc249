"""The stand-in portal's default sign-in, without its HTTP server: the command line shows it in
`lu-data fake-portal --help`, and building that parser must not import http.server."""

from __future__ import annotations

DEFAULT_USERNAME = "demo"
DEFAULT_PASSWORD = "demo-password"  # a stand-in's password, never a real portal's
