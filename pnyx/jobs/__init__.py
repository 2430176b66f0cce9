"""Background delivery of the outbox: mail now, webhooks later."""
