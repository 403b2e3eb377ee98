"""The window's jobs: the Jobs dock, the webhook inbox and verifying a webhook."""
