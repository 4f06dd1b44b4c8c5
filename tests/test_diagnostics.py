"""Library warnings are collected per conversion, also with conversions in threads at once."""

from __future__ import annotations

import logging
import threading

from converter.diagnostics import Diagnostics, collect_library_warnings


def test_each_thread_collects_its_own_library_warnings() -> None:
    library = logging.getLogger("hanji-test-library")
    library.propagate = True
    library.setLevel(logging.WARNING)  # whatever earlier tests did to the root logger
    results: dict[int, Diagnostics] = {}
    inside = threading.Barrier(4)

    def convert(number: int) -> None:
        diagnostics = Diagnostics()
        with collect_library_warnings("hanji-test-library", diagnostics, "lib: "):
            inside.wait()  # all four blocks are open at once
            library.warning("problem in post %d", number)
            inside.wait()
        results[number] = diagnostics

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number, diagnostics in results.items():
        assert [w.message for w in diagnostics.warnings] == [f"lib: problem in post {number}"]
    assert library.propagate is True and not library.handlers
