"""Books from many posts: ``book.yml`` (or flags, or arguments) → selected posts → one Book.

:class:`BookConfig` says what goes into the book and how it is titled; it is validated like
:class:`~converter.options.Options` (both through :func:`~converter.options.validate_fields`):
unknown keys and wrong types are one-line :class:`ConfigError` s naming the key path
(``posts[2]``, ``options.theme``) and the file. A ``book.yml`` looks like::

    title: 데이터 분석 이야기          # required
    subtitle: 단비 블로그 모음
    author: 홍길동
    language: ko                     # default: the posts' majority language
    cover: cover.jpg                 # paths are relative to book.yml
    output: danbi                    # output file stem (default: the slug of the title)
    posts:                           # explicit, ordered; a folder adds its (filtered) posts
      - _posts/2019-01-01-intro.md
      - _posts/2019-02-01-part-2.md
    sources: [.]                     # folders searched with the filters below
    categories: [works]              # filters (folder posts only): any category …
    tags: [R]                        # … and any tag …
    date_from: 2019-01-01            # … within the dates (inclusive) …
    date_to: 2020-12-31
    glob: "*causal*"                 # … whose file name or path matches
    sort: date                       # date | list (default: list with `posts`, else date)
    options:                         # any converter.Options key, also allowed at top level
      theme: default
      page_size: A5
      formats: [pdf, epub]

One module per job: :mod:`.config` (the schema), :mod:`.selection` (which posts, in which
order), :mod:`.assembly` (one Book), :mod:`.crosslinks` (links between posts of the book
become links inside it) and :mod:`.build` (:func:`build_book`). This package never prints and
never writes anything but through :func:`converter.api.write_book`.
"""

from __future__ import annotations

from .assembly import ProgressCallback, assemble_book
from .build import BookResult, BookSource, build_book
from .config import ALIASES, BookConfig, slugify
from .crosslinks import link_chapters
from .selection import select_posts

__all__ = ["ALIASES", "BookConfig", "BookResult", "BookSource", "ProgressCallback",
           "assemble_book", "build_book", "link_chapters", "select_posts", "slugify"]
