"""Logs for a request id: what the deployment (or a chain's chainlets) logged while serving one
request, read from the management API off the GUI thread. Any view that shows a request offers it
through `open_logs(parent, client, LogsSubject(...))`."""
