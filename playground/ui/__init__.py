"""The PySide6 window over `playground.core`; the composition root that runs the qasync loop."""
