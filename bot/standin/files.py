"""Files the stand-in holds: uploads, photos by URL, and what getFile hands out for download.

Telegram gives every stored file a long opaque `file_id` (valid only for this bot) and a short
`file_unique_id`; a photo becomes several PhotoSize thumbnails. The stand-in keeps the bytes once
and lets every size download them (it does not resize), and reads real dimensions from the
image header, so an upload that is not an image fails with IMAGE_PROCESS_FAILED as it does live.
"""

from __future__ import annotations

import mimetypes
import secrets
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from bot.standin.errors import ApiError, bad_request

DOWNLOAD_LIMIT = 20 << 20  # getFile refuses bigger files
UPLOAD_LIMIT = 50 << 20
PHOTO_UPLOAD_LIMIT = 10 << 20
PHOTO_SIDES = (90, 320, 800, 1280, 2560)  # Telegram's s, m, x, y, w thumbnails
_PREFIX = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI", "sticker": "CAACAgIAAxkBAAI"}
_TYPE_NAMES = {"photo": "Photo", "document": "Document", "sticker": "Sticker"}
_FOLDERS = {"photo": "photos", "document": "documents", "sticker": "stickers"}


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    url: str | None = None  # where a photo sent by URL came from
    file_path: str | None = None

    @property
    def size(self) -> int | None:
        return len(self.data) if self.data is not None else None

    def photo_size(self) -> dict[str, Any]:
        size = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width or 0,
            "height": self.height or 0,
        }
        if self.size is not None:
            size["file_size"] = self.size
        return size

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            document["file_name"] = self.file_name
        if self.mime_type:
            document["mime_type"] = self.mime_type
        if self.size is not None:
            document["file_size"] = self.size
        return document


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[StoredFile]] = {}  # any size's file_id -> all sizes
        self._paths = 0

    def add(self, kind: str, data: bytes | None, **details: Any) -> StoredFile:
        file_id = _PREFIX[kind] + secrets.token_urlsafe(48)
        unique = ("AQAD" if kind == "photo" else "AgAD") + secrets.token_urlsafe(9)
        stored = StoredFile(file_id, unique, kind, data, **details)
        self._by_id[file_id] = stored
        return stored

    def add_photo(self, data: bytes | None, *, url: str | None = None) -> list[StoredFile]:
        """One file per thumbnail size, smallest first, as Message.photo lists them."""
        if data is None:
            width, height = 800, 800  # a remote URL the offline stand-in cannot fetch
        else:
            if len(data) > PHOTO_UPLOAD_LIMIT:
                raise ApiError(413, "Request Entity Too Large")
            width, height = image_size(data)
            if width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
        sizes: list[StoredFile] = []
        longest = max(width, height)
        for side in PHOTO_SIDES:
            scale = min(1.0, side / longest)
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            sizes.append(
                self.add("photo", data, width=w, height=h, url=url, mime_type="image/jpeg")
            )
            if longest <= side:
                break
        for size in sizes:
            self._photo_sets[size.file_id] = sizes
        return sizes

    def photo_sizes(self, file_id: str) -> list[StoredFile]:
        """Re-sending a photo by any of its sizes' file_id sends the whole set again."""
        self.resolve(file_id, "photo")
        return self._photo_sets[file_id]

    def add_document(self, upload: Upload) -> StoredFile:
        if len(upload.data) > UPLOAD_LIMIT:
            raise ApiError(413, "Request Entity Too Large")
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(upload.filename or "")[0] or mime
        return self.add("document", upload.data, file_name=upload.filename, mime_type=mime)

    def resolve(self, file_id: str, kind: str) -> StoredFile:
        """The file behind a file_id the bot re-sends, refused like Telegram refuses it."""
        stored = self._by_id.get(file_id)
        if stored is None:
            raise bad_request("Wrong remote file identifier specified: can't unserialize it")
        if stored.kind != kind and not (kind == "document" and stored.kind == "photo"):
            raise bad_request(
                f"Can't use file of type {_TYPE_NAMES[stored.kind]} as {_TYPE_NAMES[kind]}"
            )
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def path_for(self, stored: StoredFile) -> str:
        """getFile: a download path, stable for the file, assigned on first request."""
        if stored.file_path is None:
            extension = _extension(stored)
            stored.file_path = f"{_FOLDERS[stored.kind]}/file_{self._paths}{extension}"
            self._paths += 1
            self._by_path[stored.file_path] = stored
        return stored.file_path

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)


def _extension(stored: StoredFile) -> str:
    if stored.kind == "photo":
        return ".jpg"
    if stored.kind == "sticker":
        return ".webp"
    if stored.file_name and "." in stored.file_name:
        return "." + stored.file_name.rsplit(".", 1)[1]
    return ""


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG, JPEG, GIF or WebP header; IMAGE_PROCESS_FAILED otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        size = _jpeg_size(data)
        if size:
            return size
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        size = _webp_size(data)
        if size:
            return size
    raise bad_request("IMAGE_PROCESS_FAILED")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid PNG of the given size, for drivers and tests that need a real image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xcc\x33\x33" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
