from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from converter import fonts
from converter.errors import ThemeError

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PRIMARIES = ("hanji-serif", "hanji-sans", "hanji-mono")
HANGUL = "한지는 블로그 글을 책으로 만듭니다"


@pytest.fixture(scope="module")
def manifest() -> dict[str, fonts.FontFamily]:
    return fonts.load_manifest()


def test_manifest_lists_existing_files_with_their_licences(manifest: dict[str, fonts.FontFamily]) -> None:
    assert set(PRIMARIES) <= set(manifest)
    for family in manifest.values():
        licence = family.license.read_text(encoding="utf-8")
        for face in family.faces:
            assert face.path.is_file(), face.path
            assert face.path.name in licence, f"{face.path.name} not named in {family.license.name}"
            TTFont(face.path, lazy=True)  # opens
        if "OFL" in family.license.name:
            assert "SIL OPEN FONT LICENSE" in licence and "Version 1.1" in licence
    for name in PRIMARIES:
        family = manifest[name]
        assert family.license.name == "LICENSE-Nanum-OFL.txt"
        assert {f.weight for f in family.faces} == {400, 700}
        assert family.generic in {"serif", "sans-serif", "monospace"}
    assert "Copyright (c) 2010, NAVER Corporation" in manifest["hanji-serif"].license.read_text()


def test_bundled_fonts_stay_lean() -> None:
    total = sum(p.stat().st_size for p in fonts.fonts_dir().iterdir() if p.is_file())
    assert total < 36 * 1024 * 1024


def test_font_stack_and_resolution(manifest: dict[str, fonts.FontFamily]) -> None:
    stack = fonts.font_stack("hanji-serif")
    assert stack[0] == "hanji-serif" and stack[-1] == "serif"
    assert "hanji-emoji" in stack
    resolved = [f.name for f in fonts.resolve_families(["hanji-serif", "hanji-sans"])]
    assert resolved[:2] == ["hanji-serif", "hanji-sans"]
    assert len(resolved) == len(set(resolved))
    assert set(resolved) == {"hanji-serif", "hanji-sans", *manifest["hanji-serif"].fallbacks,
                             *manifest["hanji-sans"].fallbacks}
    with pytest.raises(ThemeError, match="hanji-serif"):
        fonts.font_stack("comic-sans")


def test_face_picks_nearest_weight(manifest: dict[str, fonts.FontFamily]) -> None:
    serif = manifest["hanji-serif"]
    assert serif.face(700).path.name == "NanumMyeongjoBold.ttf"
    assert serif.face(400).path.name == "NanumMyeongjo.ttf"
    assert manifest["hanji-emoji"].face(700).weight == 400


def test_font_face_css_has_a_rule_per_face() -> None:
    families = fonts.resolve_families(PRIMARIES)
    css = fonts.font_face_css(families, lambda face: f"fonts/{face.path.name}")
    for family in families:
        assert f'font-family: "{family.name}";' in css
        for face in family.faces:
            assert f'url("fonts/{face.path.name}")' in css
    assert css.count("@font-face") == sum(len(f.faces) for f in families)
    assert 'format("truetype")' in css and 'format("opentype")' in css
    assert "font-weight: 700;" in css


def test_subset_keeps_requested_glyphs_and_is_small() -> None:
    source = fonts.fonts_dir() / "NanumGothic.ttf"
    data = fonts.subset_font(source, HANGUL)
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in HANGUL)
    assert all(ord(c) in cmap for c in "AZaz09.,!?()")  # always kept
    assert ord("漢") not in cmap
    assert len(data) < source.stat().st_size / 20
    assert "kern" in font and font["kern"].kernTables[0].kernTable  # legacy kerning rebuilt
    assert "TSI3" not in font  # Chromium's sanitizer rejects NanumGothic's empty TSI3
    assert font["name"].getDebugName(13)  # licence record travels with the subset


def test_subset_cff_font() -> None:
    data = fonts.subset_font(fonts.fonts_dir() / "HanjiHanja-Regular.otf", "听热黄")
    font = TTFont(io.BytesIO(data))
    assert "CFF " in font
    assert {ord(c) for c in "听热黄"} <= set(font.getBestCmap())


def test_subset_falls_back_to_fonttools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "hb", None)
    data = fonts.subset_font(fonts.fonts_dir() / "LiberationSans-Regular.ttf", "Pokémon")
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert ord("é") in cmap and ord("A") in cmap


def test_coverage_helpers() -> None:
    assert fonts.covered(HANGUL) == {c for c in HANGUL}
    assert fonts.missing_glyphs(HANGUL) == set()
    assert fonts.missing_glyphs("\U00013000 한") == {"\U00013000"}  # Egyptian hieroglyph
    # Nanum alone lacks é and emoji; the fallbacks have them.
    assert fonts.missing_glyphs("café 😄", ["hanji-serif"]) == {"é", "😄"}
    assert fonts.missing_glyphs("café 😄", fonts.font_stack("hanji-serif")[:-1]) == set()
    # Zero-width and control characters need no glyph.
    assert fonts.missing_glyphs("a\u200b\u200d\ufe0f\ufeff\n\t") == set()
    assert not fonts.needs_glyph("\u200b") and fonts.needs_glyph("가")


def test_needed_families_only_adds_fallbacks_in_use() -> None:
    names = lambda text: [f.name for f in fonts.needed_families(text, PRIMARIES)]  # noqa: E731
    assert names(HANGUL) == list(PRIMARIES)
    assert "hanji-emoji" in names(HANGUL + " 😄")
    assert "hanji-serif-ext" in names("Pokémon")
    assert "hanji-hanja" in names("黄")


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="shared corpus not present")
def test_corpus_is_fully_covered() -> None:
    """Every character of the test corpus has a glyph in every font stack."""
    script = REPO / "scripts" / "check_glyph_coverage.py"
    result = subprocess.run([sys.executable, str(script), str(SHARED / "corpus"), str(SHARED / "seed-site"),
                             "--examples", "0"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "stack hanji-serif: 0 missing" in result.stderr


def test_a_long_korean_post_embeds_a_subset_not_the_whole_font(tmp_path: Path) -> None:
    """Every 10th syllable (1,118 glyphs spread over the font): the system HarfBuzz 6 fails to
    subset Nanum Myeongjo there, and WeasyPrint alone would embed all 4 MB of it (see
    converter.writers.patches.font_subset)."""
    import pypdf
    from conftest import SiteBuilder

    from converter import api
    from converter.options import Options
    from converter.resources import fonts_dir

    regular = fonts_dir() / "NanumMyeongjo.ttf"
    cmap = TTFont(regular, lazy=True).getBestCmap()
    syllables = [chr(cp) for cp in range(0xAC00, 0xD7A4) if cp in cmap][::10]
    body = "\n\n".join(" ".join("".join(syllables[i:i + 4]) for i in range(start, start + 40, 4))
                       for start in range(0, len(syllables), 40))
    post = SiteBuilder(tmp_path / "site").post("2024-01-01-long.md", body=body)
    result = api.convert(post, output_dir=tmp_path / "out",
                         options=Options(formats=("pdf",), jobs=1, cache=False))
    assert not [w for w in result.warnings if "subset" in str(w).lower()]
    reader = pypdf.PdfReader(result.outputs["pdf"].path)
    sizes = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            data = stream.get_object().get_data()
            sizes[str(font["/BaseFont"]).split("+")[-1]] = len(data)
            if descriptor.get("/FontFile2") is not None:  # no hinting sources in any subset
                assert not {"TSI0", "TSI1", "hdmx"} & set(TTFont(io.BytesIO(data)).keys())
    assert sizes["hanji-serif"] < 1_000_000, sizes  # the whole font is 4.2 MB
    assert sizes["hanji-sans"] < 200_000, sizes  # the title
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(s in text for s in syllables[::50])


def test_every_font_has_a_space(manifest: dict[str, fonts.FontFamily]) -> None:
    """Pango shapes the space after a fallback character with the fallback font; without a
    space glyph the PDF shows a .notdef box there."""
    for family in manifest.values():
        for face in family.faces:
            cmap = TTFont(face.path, lazy=True).getBestCmap()
            assert 0x20 in cmap, face.path.name
    hanja = TTFont(manifest["hanji-hanja"].faces[0].path, lazy=True).getBestCmap()
    assert {0xA0, 0x3000} <= set(hanja)


def test_no_box_for_a_space_after_a_fallback_character(tmp_path: Path) -> None:
    from conftest import SiteBuilder

    from converter import api
    from converter.options import Options

    post = SiteBuilder(tmp_path / "site").post("2024-01-01-kaomoji.md",
                                               body="시간이 참 빠릅니다. 〣(ºΔº)〣 \n\n〣 〣 가\n")
    result = api.convert(post, output_dir=tmp_path / "out",
                         options=Options(formats=("pdf",), jobs=1, cache=False))
    assert not [w for w in result.warnings if "notdef" in str(w)], result.warnings


def test_hanja_fallback_cids_are_glyph_ids() -> None:
    """WeasyPrint writes glyph ids as the CIDs of a CFF (CIDFontType0) font: the bundled
    CID-keyed Hanja font must map CID n to glyph n, or readers select the wrong glyphs."""
    font = TTFont(fonts.fonts_dir() / "HanjiHanja-Regular.otf", lazy=True)
    top = font["CFF "].cff.topDictIndex[0]
    assert hasattr(top, "ROS")
    charset = top.charset
    assert charset[0] == ".notdef"
    assert all(name == f"cid{gid:05d}" for gid, name in enumerate(charset) if gid)


def test_pdf_with_hanja_from_the_fallback_passes_pdfa(tmp_path: Path) -> None:
    """Ideographs only the Hanja fallback has: the PDF/A-2b rules find every glyph."""
    from pikepdf import pdfa

    import converter
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: t\n", encoding="utf-8")
    post = site / "_posts" / "2021-01-01-hanja.md"
    post.write_text("---\ntitle: 한자\n---\n\n간체자 与专业东丝两严个为 시험과 丼丰临.\n",
                    encoding="utf-8")
    options = converter.Options.from_mapping({"formats": ["pdf"], "jobs": 1,
                                              "cache_dir": str(tmp_path / "cache"),
                                              "print": {"standard": "pdf/a-2b"}})
    pdf = converter.convert(post, output_dir=tmp_path / "out", options=options).outputs["pdf"].path
    report = pdfa.validate_written(pdf, "2b")
    assert report.passed, [f.message for f in report.findings]
