"""Turn one raster image's bytes into a small, clean JPEG or PNG (or animated GIF) in memory.

Steps: open with only the sniffed format's decoder; refuse decompression bombs; decode JPEGs at
the smallest DCT scale still at least the output size (``draft``); apply the EXIF orientation;
normalise palette, 16-bit, 1-bit and odd modes; resize with LANCZOS (never up); convert to sRGB
through the embedded ICC profile; drop alpha that is fully opaque; choose JPEG for photographs
and PNG for graphics and transparency, by content; encode without any metadata.

Knows nothing about output formats (PDF, EPUB, HTML), files or caching: bytes in, bytes out.
Pillow's process-wide ``Image.MAX_IMAGE_PIXELS`` is set to the limit for the duration of each
call, and the size is also checked explicitly, so the limit holds even when another thread
changes the global. Run at most one call at a time per process (the pool uses processes).

Long because the steps above are one decode → encode path over the same open image, each a
small function; split apart they would hand half-converted images between modules.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import math
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import (
    ExifTags,
    Image,
    ImageChops,
    ImageCms,
    ImageFile,
    ImageOps,
    ImageSequence,
    UnidentifiedImageError,
    features,
)

from .model import GIF, JPEG, PNG, Encoded, ImageError, ImageRequest

logger = logging.getLogger(__name__)

#: The Pillow decoder for each sniffed media type; nothing else is ever tried (no EPS, no PSD).
PILLOW_FORMATS: dict[str, str] = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP",
    "image/avif": "AVIF", "image/heic": "HEIF", "image/bmp": "BMP", "image/tiff": "TIFF",
}
#: Sources from lossy photographic codecs: re-encoded as JPEG unless they carry transparency.
_PHOTO_CODECS = frozenset({"image/jpeg", "image/avif", "image/heic"})

#: Lossless PNG bytes (zlib level 1) over JPEG bytes (the profile's quality, ~82) at or above
#: which an opaque, many-colour image counts as a photograph and is re-encoded as JPEG. On 555
#: such PNGs from real blogs, screenshots, charts, diagrams and book covers stayed under about
#: 5 and photographs and photo-like artwork came out above 5.5, most of them far above.
PHOTO_SIZE_RATIO = 5.5
#: The probe looks at this many full-width strips of this many rows.
_PROBE_STRIPS = (8, 32)
#: zlib level for true-colour PNGs. Level 9 (Pillow's ``optimize``) made 120 blog PNGs only
#: 1.6% smaller for 65% more CPU over the whole stage; palette PNGs (one byte a pixel) get it.
#: Level 4 against 6, on the 112 PNG encodes of a third of danbi-ncsoft's PNGs (PDF and EPUB
#: sizes): 18% less encoding CPU for 2.4% more bytes; level 3 was 8% larger.
_PNG_LEVEL = 4
_RESAMPLE = Image.Resampling.LANCZOS
#: ``reducing_gap`` >= 3 is indistinguishable from a plain LANCZOS resize, and much faster.
_REDUCING_GAP = 3.0

_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})


def fit_size(width: int, height: int, *, target_width: int | None = None,
             max_long_edge: int | None = None, max_pixels: int | None = None) -> tuple[int, int]:
    """The output size: the original scaled down (never up) to meet every given limit."""
    scale = 1.0
    if target_width:
        scale = min(scale, target_width / width)
    if max_long_edge:
        scale = min(scale, max_long_edge / max(width, height))
    if max_pixels:
        scale = min(scale, math.sqrt(max_pixels / (width * height)))
    if scale >= 1.0:
        return width, height
    new_w = max(1, min(width, round(width * scale)))
    new_h = max(1, min(height, round(height * scale)))
    # Rounding may overshoot a limit by a pixel; trim the offending side.
    if target_width:
        new_w = min(new_w, target_width)
    if max_long_edge:
        new_w, new_h = min(new_w, max_long_edge), min(new_h, max_long_edge)
    while max_pixels and new_w * new_h > max_pixels and (new_w > 1 or new_h > 1):
        if new_w >= new_h:
            new_w -= 1
        else:
            new_h -= 1
    return new_w, new_h


def _too_large(path: Path, max_source_pixels: int) -> ImageError:
    return ImageError(path, f"image too large: over {max_source_pixels:,} pixels "
                            "(possible decompression bomb)")


@contextlib.contextmanager
def _captured_warnings(path: Path) -> Iterator[None]:
    """On the main thread, Pillow's warnings become debug records and the bomb warning an error.

    ``warnings.catch_warnings`` swaps process-wide state and is not thread-safe, so on any
    other thread (a caller overlapping the stage with other work) warnings are left alone;
    the explicit size check in :func:`process_raster_many` still refuses bombs there.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Pillow only warns between the limit and twice the limit; refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        finally:
            for warning in caught:
                logger.debug("%s: %s", path, warning.message)


@contextlib.contextmanager
def _guard(path: Path, max_source_pixels: int) -> Iterator[None]:
    """Apply the pixel limit and turn every decoding failure into :class:`ImageError`."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_source_pixels
    # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True when imported; a truncated file
    # must still be reported here, not silently padded with grey.
    previous_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with _captured_warnings(path):
            yield
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(path, max_source_pixels) from None
    except MemoryError:
        raise ImageError(path, "image too large: out of memory while decoding") from None
    except UnidentifiedImageError:
        raise ImageError(path, "corrupt image: no decoder recognises the data") from None
    except (OSError, EOFError) as exc:
        if "truncated" in str(exc).lower() or isinstance(exc, EOFError):
            raise ImageError(path, "truncated image: the file ends before the image data does") from None
        raise ImageError(path, f"corrupt image: {_one_line(exc)}") from None
    except Exception as exc:  # Pillow raises many kinds of exception on hostile input
        logger.debug("%s: decoding failed", path, exc_info=True)
        raise ImageError(path, f"corrupt image: {_one_line(exc)}") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous
        ImageFile.LOAD_TRUNCATED_IMAGES = previous_truncated


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _require_decoder(media_type: str, path: Path) -> None:
    """Raise a clear :class:`ImageError` when the Pillow here cannot read ``media_type``."""
    if media_type == "image/heic":
        try:
            import pillow_heif  # type: ignore[import-not-found,unused-ignore]  # optional plugin
        except ImportError:
            raise ImageError(path, "unsupported image type: HEIC/HEIF needs the pillow-heif "
                                   "plugin, which is not installed") from None
        pillow_heif.register_heif_opener()
    elif media_type == "image/avif" and not features.check("avif"):
        raise ImageError(path, "unsupported image type: this Pillow cannot read AVIF")
    elif media_type == "image/webp" and not features.check("webp"):
        raise ImageError(path, "unsupported image type: this Pillow cannot read WebP")
    elif media_type not in PILLOW_FORMATS:
        raise ImageError(path, f"unsupported image type: {media_type}")


def _orientation(im: Image.Image, path: Path) -> int:
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:  # broken EXIF must not cost the image
        logger.debug("%s: unreadable EXIF ignored", path, exc_info=True)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _normalise_mode(im: Image.Image) -> Image.Image:
    """One of L, LA, RGB, RGBA or CMYK (still in the source colour space)."""
    mode = im.mode
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return im
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info or (
            im.palette is not None and im.palette.mode == "RGBA")
        return im.convert("RGBA" if has_alpha else "RGB")
    if mode == "1":
        return im.convert("L")
    if mode == "La":
        return im.convert("LA")
    if mode in ("RGBa", "RGBX"):
        return im.convert("RGBA" if mode == "RGBa" else "RGB")
    if mode.startswith(("I", "F")):
        return _to_eight_bit(im)
    if mode == "LAB":
        return ImageCms.applyTransform(im, _transform_from_lab())  # type: ignore[return-value]
    return im.convert("RGB")  # YCbCr, HSV and anything else Pillow can convert


def _to_eight_bit(im: Image.Image) -> Image.Image:
    """16-bit and float greyscale to 8-bit L, scaled (Pillow's own conversion clips at 255)."""
    wide = im.convert("F")
    high = float(wide.getextrema()[1])  # type: ignore[arg-type]  # one band: (min, max)
    if high > 255:
        wide = wide.point(lambda v: v * (255 / 65535))
    elif 0 < high <= 1.0 and im.mode == "F":
        wide = wide.point(lambda v: v * 255)
    return wide.convert("L")


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@functools.cache
def _transform_from_lab() -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(ImageCms.createProfile("LAB"), _srgb(), "LAB", "RGB")


@functools.lru_cache(maxsize=16)
def _transform(icc: bytes, in_mode: str, out_mode: str) -> ImageCms.ImageCmsTransform:
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    return ImageCms.buildTransform(source, _srgb(), in_mode, out_mode,
                                   renderingIntent=ImageCms.Intent.PERCEPTUAL)


@functools.lru_cache(maxsize=16)
def _icc_space(icc: bytes) -> str:
    """The profile's colour space (``RGB``, ``CMYK``, ``GRAY``…), or ``sRGB`` for sRGB itself."""
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile
    if profile.xcolor_space.strip() == "RGB" and (profile.profile_description or "").startswith("sRGB"):
        return "sRGB"  # sRGB to sRGB is the identity: skip a ~25 ms transform per photo
    return profile.xcolor_space.strip()


def _to_srgb(im: Image.Image, icc: bytes | None, path: Path) -> Image.Image:
    """``im`` in sRGB as L, LA, RGB or RGBA, through its ICC profile where it has one."""
    out_mode = "RGB" if im.mode == "CMYK" else im.mode
    if icc and im.mode in ("RGB", "RGBA", "CMYK"):
        try:
            space = _icc_space(icc)
            if space == ("CMYK" if im.mode == "CMYK" else "RGB"):
                return ImageCms.applyTransform(im, _transform(icc, im.mode, out_mode))  # type: ignore[return-value]
            if space != "sRGB":
                logger.debug("%s: ICC profile (%s) does not match %s data; ignored",
                             path, space, im.mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            logger.warning("%s: unusable ICC profile ignored; colours may be off", path)
    elif icc:
        logger.debug("%s: ICC profile of %s data ignored", path, im.mode)
    return im.convert(out_mode) if im.mode != out_mode else im


def _drop_opaque_alpha(im: Image.Image) -> Image.Image:
    if im.mode in ("RGBA", "LA") and im.getchannel("A").getextrema()[0] == 255:
        return im.convert(im.mode[:-1])
    return im


def _clean(im: Image.Image) -> Image.Image:
    """Forget every piece of metadata Pillow would otherwise write back (ICC, comments, …)."""
    im.info = {}
    return im


def _jpeg(im: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    _clean(im).save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _png(im: Image.Image, *, level: int | None = None) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, object] = {"compress_level": level} if level is not None else (
        {"optimize": True} if im.mode == "P" else {"compress_level": _PNG_LEVEL})
    _clean(im).save(buffer, "PNG", **options)
    return buffer.getvalue()


Colours = list[tuple[int, tuple[int, ...]]]


def _colours(im: Image.Image) -> Colours | None:
    """The distinct colours of a multi-band image if there are at most 256, else ``None``."""
    return im.getcolors(256)  # type: ignore[return-value]  # tuples for multi-band images


def _exact_palette(im: Image.Image, colours: Colours) -> Image.Image | None:
    """``im`` as a palette image with exactly the same pixels, or ``None`` if that fails."""
    if im.mode == "RGB":
        palette = Image.new("P", (1, 1))
        palette.putpalette([channel for _, rgb in colours for channel in rgb])
        quantised = im.quantize(palette=palette, dither=Image.Dither.NONE)
    else:
        quantised = im.quantize(colors=len(colours), method=Image.Quantize.FASTOCTREE,
                                dither=Image.Dither.NONE)
    if ImageChops.difference(quantised.convert(im.mode), im).getbbox() is not None:
        return None  # the quantiser merged colours: not lossless, keep true colour
    return quantised


def _palette_png(im: Image.Image, colours: Colours | None) -> bytes | None:
    """An exact palette PNG of ``im`` if it has at most 256 colours (else ``None``)."""
    if colours is None or im.mode not in ("RGB", "RGBA"):
        return None
    paletted = _exact_palette(im, colours)
    return _png(paletted) if paletted is not None else None


def _strips(im: Image.Image) -> Image.Image:
    """Full-width strips from top to bottom, pasted together: a cheap sample for the
    photo-or-graphic probe (within 0.3 of the whole image's ratio on 555 blog PNGs, at half
    the cost). Images no taller than the sample are returned whole."""
    count, rows = _PROBE_STRIPS
    if im.height <= count * rows:
        return im
    sample = Image.new(im.mode, (im.width, count * rows))
    for index in range(count):
        # Tops on multiples of 16 keep JPEG's 16x16 blocks from straddling two strips.
        top = (im.height - rows) * index // (count - 1) // 16 * 16
        sample.paste(im.crop((0, top, im.width, top + rows)), (0, index * rows))
    return sample


def _choose_type(im: Image.Image, media_type: str, quality: int) -> tuple[str, str]:
    """JPEG or PNG for this image, by content, with the reason (decided once per source)."""
    if im.mode in ("RGBA", "LA"):
        return PNG, "transparency"
    if media_type in _PHOTO_CODECS:
        return JPEG, "lossy photographic source"
    colours = _colours(im) if im.mode == "RGB" else None
    if colours is not None:
        return PNG, f"{len(colours)} colours"
    sample = _strips(im)
    ratio = len(_png(sample, level=1)) / max(1, len(_jpeg(sample, quality)))
    if ratio >= PHOTO_SIZE_RATIO:
        return JPEG, f"photographic (PNG/JPEG {ratio:.1f})"
    return PNG, f"graphic (PNG/JPEG {ratio:.1f})"


class _Encoder:
    """Encodes one decoded source at the sizes the requests ask for, sharing the work: each
    size is resized once, and each encoding made once (the PDF's true-colour PNG is the EPUB's
    when a palette does not beat it)."""

    def __init__(self, im: Image.Image, out_type: str, reason: str, path: Path) -> None:
        self.im, self.out_type, self.reason, self.path = im, out_type, reason, path
        self._sized: dict[tuple[int, int], Image.Image] = {}
        self._done: dict[tuple[object, ...], bytes] = {}

    def sized(self, size: tuple[int, int]) -> Image.Image:
        if size not in self._sized:
            im = self.im.resize(size, _RESAMPLE, reducing_gap=_REDUCING_GAP) \
                if self.im.size != size else self.im
            self._sized[size] = _drop_opaque_alpha(im)
        return self._sized[size]

    def _once(self, key: tuple[object, ...], make: Callable[[], bytes | None]) -> bytes | None:
        if key not in self._done:
            self._done[key] = make()  # type: ignore[assignment]
        return self._done[key]

    def encode(self, size: tuple[int, int], quality: int, palette: bool) -> Encoded:
        im = self.sized(size)
        if self.out_type == JPEG:
            data = self._once(("jpeg", size, quality), lambda: _jpeg(im, quality))
            media_type = JPEG
        else:
            data = self._once(("png", size), lambda: _png(im))
            media_type = PNG
            if palette:
                paletted = self._once(("palette", size),
                                      lambda: _palette_png(im, _colours(im)
                                                           if im.mode in ("RGB", "RGBA") else None))
                if paletted is not None and len(paletted) < len(data):  # type: ignore[arg-type]
                    data = paletted
        logger.debug("%s: %s %dx%d as %s (%s)", self.path, im.mode, *im.size, media_type,
                     self.reason)
        return Encoded(data=data, media_type=media_type, width=im.width,  # type: ignore[arg-type]
                       height=im.height)


def _encode_animation(im: Image.Image, size: tuple[int, int], path: Path) -> Encoded:
    """An animated GIF again, every frame resized, without comments or extensions."""
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(im):
        still = frame.convert("RGBA")
        if still.size != size:
            still = still.resize(size, _RESAMPLE, reducing_gap=_REDUCING_GAP)
        frames.append(_clean(still))
        durations.append(int(frame.info.get("duration", 100) or 100))
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=int(im.info.get("loop", 0) or 0), disposal=2)
    logger.debug("%s: animated GIF, %d frames, %dx%d", path, len(frames), *size)
    return Encoded(data=buffer.getvalue(), media_type=GIF, width=size[0], height=size[1])


def _animated_gif(data: bytes, request: ImageRequest, *, path: Path,
                  max_source_pixels: int) -> Encoded | None:
    """The GIF kept animated (resized frames), or None if it is a still or has too many pixels."""
    _require_decoder("image/gif", path)
    with _guard(path, max_source_pixels):
        im: Image.Image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS["image/gif"]])
        if im.width * im.height > max_source_pixels:  # only the header has been read
            raise _too_large(path, max_source_pixels)
        if not getattr(im, "is_animated", False):
            return None
        frames: int = getattr(im, "n_frames", 1)
        if frames * im.width * im.height > max_source_pixels:
            logger.info("%s: %d frames are too many pixels to keep; first frame only",
                        path, frames)
            return None
        size = fit_size(im.width, im.height, target_width=request.target_width_px,
                        max_long_edge=request.profile.max_long_edge,
                        max_pixels=request.profile.max_pixels)
        return _encode_animation(im, size, path)


def process_raster_many(data: bytes, media_type: str, requests: list[ImageRequest], *,
                        path: Path, max_source_pixels: int) -> list[Encoded]:
    """Decode ``data`` (a ``media_type`` image) once and encode it as each request asks.

    Raises :class:`ImageError` for anything that cannot be decoded: corrupt, truncated,
    over ``max_source_pixels``, or of a type this Pillow cannot read.

    Writers ask for the same photo at different sizes (EPUB and PDF); decoding a 12 Mpx JPEG
    dominates the cost, so the source is decoded at the largest size asked for and each output
    is resized from that. A GIF asked for animated (``first_frame_only=False``) stays animated
    if it is; animated PNG and WebP, multi-page TIFF and MPO give their first frame (where
    Pillow opens them).
    """
    outputs: dict[int, Encoded] = {}
    if media_type == "image/gif":
        for index, request in enumerate(requests):
            if not request.profile.first_frame_only:
                animated = _animated_gif(data, request, path=path,
                                         max_source_pixels=max_source_pixels)
                if animated is not None:
                    outputs[index] = animated
    stills = [(i, r) for i, r in enumerate(requests) if i not in outputs]
    if stills:
        encoded = _process_stills(data, media_type, [r for _, r in stills], path=path,
                                  max_source_pixels=max_source_pixels)
        outputs.update((i, e) for (i, _), e in zip(stills, encoded))
    return [outputs[i] for i in range(len(requests))]


def _process_stills(data: bytes, media_type: str, requests: list[ImageRequest], *,
                    path: Path, max_source_pixels: int) -> list[Encoded]:
    """Decode the (first frame of the) source once and encode it for every request."""
    _require_decoder(media_type, path)
    with _guard(path, max_source_pixels):
        im: Image.Image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[media_type]])
        if im.width * im.height > max_source_pixels:  # only the header has been read
            raise _too_large(path, max_source_pixels)
        orientation = _orientation(im, path)
        swapped = orientation in _SWAPPING_ORIENTATIONS
        width, height = (im.height, im.width) if swapped else im.size
        sizes = [fit_size(width, height, target_width=request.target_width_px,
                          max_long_edge=request.profile.max_long_edge,
                          max_pixels=request.profile.max_pixels) for request in requests]
        largest = max(sizes, key=lambda size: size[0] * size[1])
        icc = im.info.get("icc_profile") or None
        if im.format in ("JPEG", "MPO"):
            im.draft(None, (largest[1], largest[0]) if swapped else largest)
        im.load()
        if orientation != 1:
            ImageOps.exif_transpose(im, in_place=True)
        # Opaque alpha goes before resizing: an RGBA resize premultiplies and unpremultiplies
        # every pixel (a third of the resize), and the pixels come out the same.
        im = _drop_opaque_alpha(_to_srgb(_normalise_mode(im), icc, path))
        out_type, reason = _choose_type(im, media_type,
                                        max(r.profile.jpeg_quality for r in requests))
        encoder = _Encoder(im, out_type, reason, path)
        return [encoder.encode(size, request.profile.jpeg_quality, request.profile.palette)
                for request, size in zip(requests, sizes)]
