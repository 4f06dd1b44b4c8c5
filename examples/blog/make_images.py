"""Regenerate the example images (drawn with Pillow; no photos of anyone's)."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).parent / "assets" / "images" / "posts"
COLOURS = [(200, 80, 60), (60, 120, 200), (80, 160, 90), (220, 170, 50), (140, 90, 180),
           (50, 160, 170)]


def scene(index: int, size: tuple[int, int]) -> Image.Image:
    width, height = size
    top, bottom = COLOURS[index % len(COLOURS)], COLOURS[(index + 2) % len(COLOURS)]
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    for k in range(5):
        r = width // (8 + k)
        cx, cy = (width * (k + 1)) // 6, height // 2 + (k % 2) * height // 6
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(255, 255, 255), width=6)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    scene(0, (1600, 1000)).save(OUT / "cover.jpg", quality=80)
    for i, name in enumerate(["left.jpg", "right.jpg"]):
        scene(i + 1, (1200, 900)).save(OUT / name, quality=80)
    for i in range(4):
        scene(i + 3, (900, 900)).save(OUT / f"grid-{i + 1}.jpg", quality=80)
    scene(5, (1400, 700)).save(OUT / "wide.jpg", quality=80)


if __name__ == "__main__":
    main()
