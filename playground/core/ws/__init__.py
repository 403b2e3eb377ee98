"""WebSocket sessions with models and chains (baseten-api.md §0, §6.1), free of Qt: `session`
(WsSession), `frames` (Frame, Closed, WsMetrics, close words), `plan` (the preset form),
`record` (the history's record) and `codegen` (Python websockets, websocat)."""
