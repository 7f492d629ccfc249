"""Views: what a page or message shows, built from the analyses and the store."""
