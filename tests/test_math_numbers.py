"""Equation numbers, \\label/\\ref/\\eqref links and KaTeX macros (transforms/math_numbers.py,
transforms/tex_macros.py), in the tree and in real PDF and EPUB output."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from _pipeline import convert
from conftest import SiteBuilder, epubcheck_problems, pdf_text
from lxml import etree
from pypdf import PdfReader

from converter import Options
from converter import convert as convert_post
from converter.transforms.tex_macros import expand
from converter.writers.math_svg import mathml_to_svg

CHIRPY = {"theme": "jekyll-theme-chirpy"}
MATH_PAGE = 'title: "글"\nmath: true'


@pytest.mark.parametrize(("tex", "expected"), [
    ("\\R^n \\to \\N", "\\mathbb{R}^n \\to \\mathbb{N}"),
    ("\\Rightarrow \\Reals \\infin", "\\Rightarrow \\mathbb{R} \\infty"),
    ("a \\newline b", "a \\\\ b"),
    ("\\set{x \\mid x \\in \\Z}", "\\{x \\mid x \\in \\mathbb{Z}\\}"),
    ("\\braket{\\phi} \\subset \\sube", "\\langle \\phi\\rangle \\subset \\subseteq"),
])
def test_katex_macros(tex: str, expected: str) -> None:
    assert expand(tex) == expected


def test_katex_macros_reach_mathml(tmp_path: Path) -> None:
    out = convert(tmp_path, "$$\\R \\infin$$ 와 $$\\set{1}$$\n")
    math = out.find("//math")
    assert len(math) == 2 and "ℝ" in math[0].text_content() and "∞" in math[0].text_content()
    assert not [w for w in out.warnings if "math" in w]


def _numbered(tmp_path: Path, body: str, **kwargs: object) -> object:
    return convert(tmp_path, body, front_matter=MATH_PAGE, config=CHIRPY, **kwargs)


def test_tags_labels_and_refs(tmp_path: Path) -> None:
    out = _numbered(tmp_path, """
        식 ($\\ref{eqn:first}$)과 $\\eqref{eqn:rows}$, 그리고 $x = \\ref{eqn:first}$.

        $$ y' + ky = 0 \\label{eqn:first}\\tag{1} $$

        $$
        \\begin{align}
        a &= b \\label{eqn:rows} \\\\
        c &= d \\nonumber \\\\
        e &= f
        \\end{align}
        $$

        $$ \\begin{align*} p &= q \\\\ r &= s \\end{align*} $$
        """)
    links = out.find("//a[@class='math-ref']")
    assert [(a.get("href"), a.text) for a in links] == [("#eq-eqn-first", "1"),
                                                         ("#eq-eqn-rows", "(1)")]
    tags = out.find("//div[contains(@class,'math-numbered')]")
    assert len(tags) == 2  # the starred align has no number
    assert [t.text for t in tags[0].xpath(".//span[@class='math-tag']")] == ["(1)"]
    assert tags[0].xpath(".//span[@id='eq-eqn-first']")
    # align under tags: 'ams': rows numbered 1 and 2 (the \nonumber row keeps its place, empty).
    assert [t.text for t in tags[1].xpath(".//span[@class='math-tag']")] == ["(1)", None, "(2)"]
    for formula in out.find("//*[@data-tex]"):
        tex = formula.get("data-tex")
        assert "\\label" not in tex and "\\tag" not in tex and "\\nonumber" not in tex
    assert "\\begin{align*}" in tags[1].get("data-tex")
    inline = [s.get("data-tex") for s in out.find("//span[@class='math-inline']")]
    assert inline == ["x = \\text{1}"]
    text = "".join(out.root.xpath("//text()[not(ancestor::math)]"))
    assert "eqn:" not in text and "\\ref" not in text and "\\label" not in text
    # latex2mathml would number align rows itself: no number inside the MathML.
    assert not tags[1].xpath(".//math//mtext[starts-with(., '(')]")


def test_numbering_all_and_unknown_labels(tmp_path: Path) -> None:
    root = tmp_path / "site" / "_includes"
    root.mkdir(parents=True)
    (root / "mathjax.html").write_text(
        "<script>MathJax = {tex: {inlineMath: [['$','$']], tags: 'all'}};</script>",
        encoding="utf-8")
    out = convert(tmp_path, """
        $$ a = b $$

        $$ c = d \\label{x} $$

        $$ \\begin{equation*} e \\end{equation*} $$

        식 $\\eqref{x}$ 와 $\\ref{nowhere}$.
        """)
    numbers = [t.text for t in out.find("//span[@class='math-tag']")]
    assert numbers == ["(1)", "(2)"]
    assert [a.text for a in out.find("//a[@class='math-ref']")] == ["(2)"]
    assert len([w for w in out.warnings if "nowhere" in w]) == 1
    assert out.find("//span[@class='math-ref']")[0].text == "(?)"


def test_a_tagged_formula_is_drawn_at_its_own_size(tmp_path: Path) -> None:
    out = _numbered(tmp_path, "$$ y = x^2 \\tag{3} $$\n\n$$ y = x^2 $$\n")
    mathml_to_svg(out.root)
    tagged, plain = out.find("//img[@class='math-svg']")
    assert tagged.get("style") == plain.get("style")  # no page-wide box for the number


@pytest.fixture(scope="module")
def numbered_outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("numbers")
    site = SiteBuilder(base / "site")
    (site.root / "_config.yml").write_text('title: "블로그"\ntheme: jekyll-theme-chirpy\n',
                                          encoding="utf-8")
    post = site.post("2024-05-01-equations.md", """
        식 ($\\ref{eqn:first}$)에서 시작해 $\\eqref{eqn:second}$ 로 간다.

        $$ \\begin{equation} y' + ky = 0 \\label{eqn:first} \\end{equation} $$

        사이 문단 $\\R^n$ 과 $\\text{이외의 경우}$.

        $$
        \\begin{align}
        f(x) &= \\begin{cases} 1 & x > 0 \\\\ 0 & \\text{이외의 경우} \\end{cases} \\label{eqn:second}
        \\end{align}
        $$
        """, front_matter='title: "번호"\nmath: true')
    result = convert_post(post, output_dir=base / "out", options=Options(jobs=1))
    assert not result.warnings, result.warnings
    pdf = next(p for p in result.paths if p.suffix == ".pdf")
    epub = next(p for p in result.paths if p.suffix == ".epub")
    return pdf, epub


def test_pdf_numbers_and_links(numbered_outputs: tuple[Path, Path]) -> None:
    pdf, _ = numbered_outputs
    text = pdf_text(pdf)
    assert "(1)" in text and "(2)" in text
    assert "eqn:" not in text and "\\label" not in text and "\\ref" not in text
    reader = PdfReader(pdf)
    named = reader.named_destinations
    links = [annotation.get_object() for page in reader.pages
             for annotation in page.get("/Annots", []) or []
             if annotation.get_object().get("/Subtype") == "/Link"]
    internal = [link for link in links if "/Dest" in link or (
        "/A" in link and link["/A"].get("/S") == "/GoTo")]
    assert len(internal) == 2
    for link in internal:
        destination = link.get("/Dest") or link["/A"]["/D"]
        if isinstance(destination, str):
            assert destination in named
        else:
            assert destination[0].get_object().get("/Type") == "/Page"


def test_epub_numbers_links_and_epubcheck(numbered_outputs: tuple[Path, Path]) -> None:
    _, epub = numbered_outputs
    assert epubcheck_problems(epub) == []
    with zipfile.ZipFile(epub) as archive:
        documents = [etree.fromstring(archive.read(n)) for n in archive.namelist()
                     if n.endswith(".xhtml")]
    ids = {i for doc in documents for i in doc.xpath("//@id")}
    refs = [a for doc in documents
            for a in doc.xpath("//*[local-name()='a'][contains(@class,'math-ref')]")]
    assert [a.text for a in refs] == ["1", "(2)"]
    assert all(a.get("href").lstrip("#") in ids for a in refs)
    tags = [t.text for doc in documents
            for t in doc.xpath("//*[local-name()='span'][@class='math-tag']")]
    assert tags == ["(1)", "(2)"]


def test_labels_that_sanitise_alike_and_unconvertible_formulas_keep_their_targets(
        tmp_path: Path) -> None:
    out = _numbered(tmp_path, """
        $$ a \\label{eqn:a} \\tag{1} $$

        $$ b \\label{eqn-a} \\tag{2} $$

        $$ \\frac{ \\label{broken} \\tag{3} $$

        $\\ref{eqn:a}$, $\\ref{eqn-a}$, $\\eqref{broken}$
        """)
    ids = out.root.xpath("//@id")
    assert len(ids) == len(set(ids)) == 3
    for link in out.find("//a[@class='math-ref']"):
        assert link.get("href").lstrip("#") in ids
    assert [a.text for a in out.find("//a[@class='math-ref']")] == ["1", "2", "(3)"]
    assert out.find("//pre[@class='math-source']//span[@class='math-tag']")
