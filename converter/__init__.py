"""hanji: turn Jekyll Markdown posts into print-quality PDF and valid EPUB 3 books.

The public API::

    import converter
    result = converter.convert("_posts/2019-07-03-post.md", output_dir="out")
    print(result.paths, result.pages, result.warnings)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import ConversionResult, convert, discover_posts  # noqa: E402
from .book import Book, BookMeta, Chapter  # noqa: E402
from .diagnostics import BuildWarning  # noqa: E402
from .errors import (  # noqa: E402
    AssetError,
    ConfigError,
    HanjiError,
    InputError,
    OutputError,
    ThemeError,
)
from .options import Options  # noqa: E402
from .post import Post, load_post  # noqa: E402

__all__ = [
    "AssetError", "Book", "BookMeta", "BuildWarning", "Chapter", "ConfigError",
    "ConversionResult", "HanjiError", "InputError", "Options", "OutputError", "Post",
    "ThemeError", "__version__", "convert", "discover_posts", "load_post",
]
