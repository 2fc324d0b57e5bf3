"""Delivery to the outside world: webhooks and e-mail, each with an on-disk outbox and retries."""
