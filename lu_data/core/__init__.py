"""The core: names and types every layer shares: source kinds, raw records, pages, roles,
addresses."""
