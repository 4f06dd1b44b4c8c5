"""hanji: turn Jekyll Markdown posts into print-quality PDF and valid EPUB 3 books.

The public API (everything in ``__all__``; keyword-only options, typed results, typed errors,
no global state — safe to call from several threads or processes)::

    import converter

    result = converter.convert("_posts/2019-07-03-post.md", output_dir="out")
    print(result.paths, result.pages, result.warnings)

    book = converter.build_book(["_posts"], title="My book", output_dir="out",
                                options=converter.Options(page_size="A5"))
    print(book.paths, book.chapters, book.pages)

    # Long-lived (an editor, ``hanji serve``): keeps chapters, rebuilds what changed.
    builder = converter.Builder("site/", output_dir="preview")
    changes = builder.changed(["site/_posts/2019-07-03-post.md"])
    for key, index in changes.chapters:
        builder.rebuild(key, index)
    print(builder.problems(), builder.write_pdf(key))
"""

from __future__ import annotations

__version__ = "0.1.0"

import os as _os

if _os.environ.get("HANJI_FORK_SERVER_OF"):  # lifetime.FORK_SERVER_PARENT: this is hanji's
    from . import _forkserver  # noqa: F401  fork server; end with hanji, before slow imports

from .api import ConversionResult, convert, discover_posts
from .batch import BatchSummary, PostOutcome, run_batch
from .book import Book, BookMeta, Chapter
from .builder import Builder, Problem
from .diagnostics import BuildWarning
from .errors import (
    AssetError,
    ConfigError,
    HanjiError,
    InputError,
    OutputError,
    ThemeError,
)
from .options import Options
from .post import Post, load_post
from .series import BookConfig, BookResult, build_book
from .writers import WriteResult

__all__ = [
    "AssetError", "BatchSummary", "Book", "BookConfig", "Builder", "Problem", "BookMeta", "BookResult",
    "BuildWarning", "Chapter", "ConfigError", "ConversionResult", "HanjiError", "InputError",
    "Options", "OutputError", "Post", "PostOutcome", "ThemeError", "WriteResult",
    "__version__", "build_book", "convert", "discover_posts", "load_post", "run_batch",
]
