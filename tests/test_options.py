from __future__ import annotations

from pathlib import Path

import pytest

from converter.errors import ConfigError
from converter.options import Options, page_size_css


def test_defaults_and_coercion() -> None:
    options = Options.from_mapping({"formats": "pdf", "page-size": "A4", "jobs": "2"})
    assert options.formats == ("pdf",)
    assert options.page_size == "A4"
    assert options.jobs == 2


@pytest.mark.parametrize(("data", "needle"), [
    ({"fromats": "pdf"}, "unknown key 'fromats'"),
    ({"jobs": "many"}, "'jobs'"),
    ({"formats": ["pdf", "docx"]}, "docx"),
    ({"remote_images": "always"}, "remote_images"),
    ({"cache": "yes"}, "true or false"),
    ({"page_size": "huge"}, "page_size"),
])
def test_invalid_options_name_the_key(data: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        Options.from_mapping(data, source=Path("book.yml"))
    assert needle in str(info.value)


def test_page_sizes() -> None:
    assert page_size_css("a5") == "148mm 210mm"
    assert page_size_css("130mm 190mm") == "130mm 190mm"
