"""The window's WebSocket mode: a page of its own (`page`), the session's task (`controller`),
the live frame log (`frame_log`), the composer and saving received audio; `install` puts it in a
window through the host protocol."""
