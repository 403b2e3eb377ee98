"""A session that reads the socket a little at a time (as the window's does, so that no single read
holds its thread): a big frame spans many reads and arrives whole, many small ones in order."""

from __future__ import annotations

from playground.core import Target
from playground.core.ws.frames import Frame
from playground.core.ws.session import WsSession
from playground.emulator import EmulatorServer
from playground.emulator.demo.websockets import WS_ECHO
from tests.core.helpers import open_client, run


def test_small_reads_keep_frames_whole_and_in_order(emulator: EmulatorServer) -> None:
    blob = bytes(range(256)) * 1024  # 256 KiB: 256 reads of 1 KiB
    texts = [f"frame {i}" for i in range(500)]

    async def go() -> tuple[list[str | bytes], int | None]:
        async with open_client(emulator) as client:
            session = WsSession(client, Target(WS_ECHO), read_size=1024)
            async with session:
                assert session._ws is not None
                assert session._ws.transport.max_size == 1024  # type: ignore[attr-defined]
                await session.send_bytes(blob)
                for text in texts:
                    await session.send_text(text)
                got: list[str | bytes] = []
                async for event in session:
                    if isinstance(event, Frame):
                        got.append(event.data)
                    if len(got) == 1 + len(texts):
                        break
            return got, session.metrics.close_code

    got, code = run(go())
    assert got == [blob, *texts]
    assert code == 1000
