"""Delivery: email over SMTP and chat webhooks, for the digest."""
