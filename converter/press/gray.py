"""Black-and-white interiors: every colour of a finished PDF turned to a gray.

Runs on the PDF (pikepdf), so that text, rules, backgrounds, SVG drawings and images are all
caught whatever drew them: ``rg``/``RG``/``k``/``K`` become ``g``/``G`` with the colour's
luma (Rec. 601 weights, so light tints stay light and dark text stays dark), colour spaces
chosen with ``cs``/``CS`` become DeviceGray, and colour images become grayscale images with
their contrast stretched back (a colour photo loses contrast when its hues merge).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from typing import Any

from PIL import ImageOps

_RGB_OPS = {b"rg": b"g", b"RG": b"G"}
_CMYK_OPS = {b"k": b"g", b"K": b"G"}
#: Operators that set a colour (the ones a gray-only PDF may not carry besides g/G).
COLOUR_OPERATORS = {"rg", "RG", "k", "K", "sc", "SC", "scn", "SCN", "cs", "CS"}
GRAY_SPACES = {"/DeviceGray", "/CalGray"}


def luma(r: float, g: float, b: float) -> float:
    """The gray (0 black – 1 white) of an RGB colour."""
    return round(0.299 * r + 0.587 * g + 0.114 * b, 4)


def cmyk_gray(c: float, m: float, y: float, k: float) -> float:
    """The gray of a CMYK colour (naive conversion through RGB)."""
    return luma((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))


def streams(pdf: Any) -> Iterator[tuple[Any, Any]]:
    """Every content stream of the document with its resource dictionary: pages (as pages),
    then forms and tiling patterns, each once."""
    seen: set[tuple[int, int]] = set()
    pending: list[tuple[Any, Any]] = []
    for page in pdf.pages:
        yield page, page.obj.get("/Resources")
        pending.append((None, page.obj.get("/Resources")))
    while pending:
        _, resources = pending.pop()
        if resources is None:
            continue
        for key in ("/XObject", "/Pattern"):
            for obj in (resources.get(key) or {}).values():
                is_form = obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1
                if not is_form or obj.objgen in seen:
                    continue
                seen.add(obj.objgen)
                yield obj, obj.get("/Resources")
                pending.append((obj, obj.get("/Resources")))


def images(pdf: Any) -> Iterator[Any]:
    """Every image XObject reachable from the pages, each once (soft masks excluded)."""
    seen: set[tuple[int, int]] = set()
    for _, resources in streams(pdf):
        for obj in ((resources or {}).get("/XObject") or {}).values():
            if obj.get("/Subtype") == "/Image" and obj.objgen not in seen:
                seen.add(obj.objgen)
                yield obj


def _components(space: Any, resources: Any) -> tuple[int, bool]:
    """(components, is gray) of a colour space operand of cs/CS."""
    name = str(space)
    if name in GRAY_SPACES:
        return 1, True
    if name in ("/DeviceRGB", "/CalRGB"):
        return 3, False
    if name == "/DeviceCMYK":
        return 4, False
    if name == "/Pattern":
        return 0, True
    spaces = (resources or {}).get("/ColorSpace") or {}
    value = spaces.get(name) if hasattr(spaces, "get") else None
    if value is None:
        return 0, True
    if not isinstance(value, type(spaces)) and hasattr(value, "__len__") and len(value) >= 2:
        family = str(value[0])
        if family == "/ICCBased":
            n = int(value[1].get("/N", 3))
            return n, n == 1
        if family in ("/CalRGB",):
            return 3, False
        if family in GRAY_SPACES:
            return 1, True
        if family == "/Pattern":
            return 0, True
    return 0, True


def gray_content(data: list[Any], resources: Any) -> tuple[list[Any], int]:
    """The instructions of a content stream with every colour operator turned gray; also the
    number of operators changed."""
    import pikepdf
    from pikepdf import Name, Operator

    changed = 0
    fill, stroke = 1, 1  # components of the current fill / stroke colour space
    result: list[Any] = []
    for operands, operator in data:
        op = bytes(operator.unparse()) if isinstance(operator, Operator) else b""
        if op in _RGB_OPS and len(operands) == 3:
            result.append(([luma(*map(float, operands))], Operator(_RGB_OPS[op].decode())))
            changed += 1
        elif op in _CMYK_OPS and len(operands) == 4:
            result.append(([cmyk_gray(*map(float, operands))], Operator(_CMYK_OPS[op].decode())))
            changed += 1
        elif op in (b"cs", b"CS") and operands:
            n, is_gray = _components(operands[0], resources)
            if not is_gray and n in (3, 4):
                result.append(([Name.DeviceGray], operator))
                changed += 1
                n = -n  # numbers that follow are converted
            if op == b"cs":
                fill = n
            else:
                stroke = n
            if is_gray or n not in (-3, -4):
                result.append((operands, operator))
        elif op in (b"sc", b"scn", b"SC", b"SCN"):
            n = fill if op in (b"sc", b"scn") else stroke
            numbers = [o for o in operands if isinstance(o, (int, float, pikepdf.Object))
                       and not isinstance(o, Name)]
            if n == -3 and len(numbers) == 3:
                result.append(([luma(*map(float, numbers))], operator))
                changed += 1
            elif n == -4 and len(numbers) == 4:
                result.append(([cmyk_gray(*map(float, numbers))], operator))
                changed += 1
            else:
                result.append((operands, operator))
        else:
            result.append((operands, operator))
    return result, changed


def gray_image(image: Any) -> bool:
    """Turn a colour image XObject into a grayscale one in place; False if it already was
    gray or could not be decoded."""
    import pikepdf
    from pikepdf import Name

    space = image.get("/ColorSpace")
    if space is None or str(space) in GRAY_SPACES or image.get("/ImageMask", False):
        return False
    if isinstance(space, pikepdf.Array) and str(space[0]) == "/ICCBased" and \
            int(space[1].get("/N", 3)) == 1:
        return False
    try:
        picture = pikepdf.PdfImage(image).as_pil_image()
    except Exception:  # noqa: BLE001 - an exotic encoding: the preflight names it
        return False
    gray = ImageOps.autocontrast(picture.convert("L"), cutoff=0.3)
    jpeg = image.get("/Filter") == Name.DCTDecode
    if jpeg:
        buffer = io.BytesIO()
        gray.save(buffer, "JPEG", quality=88, optimize=True)
        image.write(buffer.getvalue(), filter=Name.DCTDecode)
    else:
        image.write(zlib.compress(gray.tobytes(), 6), filter=Name.FlateDecode)
    for key in ("/DecodeParms", "/Decode", "/Mask", "/SMaskInData"):
        if key in image:
            del image[key]
    image.ColorSpace = Name.DeviceGray
    image.BitsPerComponent = 8
    image.Width, image.Height = gray.size
    return True


def to_gray(pdf: Any) -> dict[str, int]:
    """Turn a whole document gray in place; counts of what changed."""
    import pikepdf

    operators = converted = 0
    for owner, resources in list(streams(pdf)):
        instructions = pikepdf.parse_content_stream(owner)
        result, changed = gray_content(instructions, resources)
        if not changed:
            continue
        operators += changed
        data = pikepdf.unparse_content_stream(result)
        if isinstance(owner, pikepdf.Page):
            owner.obj.Contents = pdf.make_stream(data)
        else:
            owner.write(data)  # compressed again when the document is saved
    for image in images(pdf):
        converted += gray_image(image)
    for page in pdf.pages:  # WeasyPrint's page groups blend in RGB
        group = page.obj.get("/Group")
        if group is not None and "/CS" in group:
            group.CS = pikepdf.Name.DeviceGray
    return {"operators": operators, "images": converted}


def colour_uses(pdf: Any) -> list[str]:
    """Everything in the document that is not gray: colour operators, colour spaces and
    images (empty for a gray-only PDF). Used by the preflight and the tests."""
    import pikepdf

    found: list[str] = []
    for owner, resources in streams(pdf):
        where = "page" if isinstance(owner, pikepdf.Page) else f"object {owner.objgen[0]}"
        for instruction in pikepdf.parse_content_stream(owner):
            operands, op = instruction.operands, str(instruction.operator)
            if op in ("rg", "RG", "k", "K"):
                values = [float(v) for v in operands]
                found.append(f"{where}: {op} {values}")
            elif op in ("cs", "CS") and operands:
                n, is_gray = _components(operands[0], resources)
                if not is_gray:
                    found.append(f"{where}: {op} {operands[0]}")
    for image in images(pdf):
        space = image.get("/ColorSpace")
        if image.get("/ImageMask", False) or space is None:
            continue
        if str(space) in GRAY_SPACES:
            continue
        if isinstance(space, pikepdf.Array) and str(space[0]) == "/ICCBased" and \
                int(space[1].get("/N", 3)) == 1:
            continue
        found.append(f"image {image.objgen[0]}: {space if isinstance(space, pikepdf.Name) else space[0]}")
    return found
