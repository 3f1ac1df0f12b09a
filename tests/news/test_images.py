"""Uploaded photos: only real JPEG/PNG/WebP within the limits, re-encoded without metadata."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from news.images import ImageError, process_image
from news.services import NewsError


def _jpeg_with_gps(size=(2400, 1200)) -> bytes:
    img = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x0112] = 1  # Orientation
    gps = {1: "N", 2: (53.0, 13.0, 0.0), 3: "E", 4: (6.0, 34.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def _upload(data: bytes, name="foto.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _open(content) -> Image.Image:
    return Image.open(io.BytesIO(content.read() if hasattr(content, "read") else content))


def test_jpeg_with_gps_is_reencoded_without_exif():
    data = _jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the test photo really has GPS
    renditions = process_image(_upload(data))
    assert set(renditions) == {"detail", "listing", "printed"}
    widths = {"detail": 1600, "listing": 600, "printed": 1000}
    for size, content in renditions.items():
        assert content.name.endswith(f"-{size}.jpg")
        assert content.name != "foto.jpg"
        raw = content.read()
        assert b"Exif" not in raw and b"secret comment" not in raw
        img = Image.open(io.BytesIO(raw))
        assert img.format == "JPEG"
        assert not img.getexif()
        assert "exif" not in img.info and "comment" not in img.info
        assert img.width == widths[size]
        assert img.height == widths[size] // 2


def test_generated_names_differ_per_upload():
    one = process_image(_upload(_jpeg_with_gps((100, 50))))
    two = process_image(_upload(_jpeg_with_gps((100, 50))))
    assert one["detail"].name != two["detail"].name


def test_small_image_is_not_enlarged():
    renditions = process_image(_upload(_jpeg_with_gps((300, 200))))
    assert Image.open(renditions["detail"]).size == (300, 200)


def test_orientation_is_applied():
    img = Image.new("RGB", (200, 100), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    renditions = process_image(_upload(out.getvalue()))
    assert Image.open(renditions["detail"]).size == (100, 200)


def test_transparent_png_goes_onto_white():
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    renditions = process_image(_upload(out.getvalue(), "a.png", "image/png"))
    img = Image.open(renditions["listing"])
    assert img.mode == "RGB"
    assert all(channel > 245 for channel in img.getpixel((25, 25)))


def test_webp_is_accepted():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "WEBP")
    renditions = process_image(_upload(out.getvalue(), "a.webp", "image/webp"))
    assert Image.open(renditions["printed"]).format == "JPEG"


def test_text_file_named_jpg_is_refused():
    with pytest.raises(ImageError) as exc:
        process_image(_upload(b"This is not a photo at all.\n" * 20))
    assert "JPEG, PNG of WebP" in str(exc.value)
    assert isinstance(exc.value, NewsError)


def test_html_named_jpg_is_refused():
    with pytest.raises(ImageError):
        process_image(_upload(b"<html><script>alert(1)</script></html>"))


def test_polyglot_png_with_script_is_reencoded_clean():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(out, "PNG")
    polyglot = out.getvalue() + b"<html><script>alert(1)</script></html>PK\x03\x04zipdata"
    renditions = process_image(_upload(polyglot, "a.png", "image/png"))
    for content in renditions.values():
        raw = content.read()
        assert raw.startswith(b"\xff\xd8")  # a JPEG, nothing else
        assert b"<script" not in raw and b"<html" not in raw and b"PK\x03\x04" not in raw


def test_truncated_png_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(out, "PNG")
    with pytest.raises(ImageError):
        process_image(_upload(out.getvalue()[:80], "a.png", "image/png"))


def test_hundred_megapixel_image_is_refused():
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    assert out.tell() < 10 * 1024 * 1024  # small file, huge image
    with pytest.raises(ImageError) as exc:
        process_image(_upload(out.getvalue(), "bomb.png", "image/png"))
    assert "pixels" in str(exc.value)


def test_image_just_over_the_pixel_limit_is_refused():
    # Between 40 and 80 megapixels Pillow only warns; we make that an error too.
    out = io.BytesIO()
    Image.new("1", (7_000, 6_000)).save(out, "PNG")
    with pytest.raises(ImageError):
        process_image(_upload(out.getvalue(), "big.png", "image/png"))


def test_file_over_ten_megabytes_is_refused():
    data = _jpeg_with_gps((100, 100)) + b"\0" * (10 * 1024 * 1024)
    with pytest.raises(ImageError) as exc:
        process_image(_upload(data))
    assert "10 MB" in str(exc.value)


def test_gif_is_refused():
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, "GIF")
    with pytest.raises(ImageError):
        process_image(_upload(out.getvalue(), "a.gif", "image/gif"))


def test_bmp_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "BMP")
    with pytest.raises(ImageError):
        process_image(_upload(out.getvalue(), "a.jpg"))
