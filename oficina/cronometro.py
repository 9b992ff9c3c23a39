"""Wall-clock time per stage of a long job (a remesa's staging, validation, fast path, engine, detection),
for the benchmarks and the loads' log."""

from __future__ import annotations

import time
from contextlib import contextmanager


class Cronometro(dict):
    """Seconds per stage name; a stage timed twice adds up."""

    @contextmanager
    def __call__(self, etapa: str):
        inicio = time.perf_counter()
        try:
            yield
        finally:
            self[etapa] = self.get(etapa, 0.0) + time.perf_counter() - inicio

    def texto(self) -> str:
        return ", ".join(f"{etapa} {segundos:.2f} s" for etapa, segundos in self.items())
