"""A local Baseten-compatible server: Baseten's paths, bodies, status codes and headers on loopback.

Written from Baseten's documentation (see baseten-api.md), never from `playground.core`, so that a
misreading of the API in one cannot hide in both.
"""

from playground.emulator.app import Emulator
from playground.emulator.faults import FAULT_HEADER, Faults, parse_faults
from playground.emulator.server import EmulatorServer, Endpoints
from playground.emulator.state import EmulatorSettings

__all__ = [
    "FAULT_HEADER",
    "Emulator",
    "EmulatorServer",
    "EmulatorSettings",
    "Endpoints",
    "Faults",
    "parse_faults",
]
