"""Reading and writing test files without losing anything: encoding, BOM, line endings, mode."""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SourceError(Exception):
    """A file that cannot be read or decoded; the message names the cause."""


@dataclass(frozen=True)
class SourceFile:
    """A file's text with what is needed to write it back byte-for-byte the same way.

    `text` keeps the file's own line endings (no newline translation) and has no BOM.
    """

    path: Path
    text: str
    encoding: str
    bom: bool
    data: bytes

    def encode(self, text: str) -> bytes:
        encoded = text.encode(self.encoding)
        return codecs.BOM_UTF8 + encoded if self.bom else encoded


# A line break of any style: what Python and LibCST accept.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def in_line_endings_of(original: str, text: str) -> str:
    """`text` (written with `\\n`) with the line endings `original` starts with, so a text that
    replaces a whole file keeps the file's line endings."""
    first = LINE_BREAK.search(original)
    newline = first.group() if first is not None else "\n"
    return text if newline == "\n" else text.replace("\n", newline)


def read_source(path: Path) -> SourceFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(error.strerror or str(error)) from error
    return decode_source(path, data)


def decode_source(path: Path, data: bytes) -> SourceFile:
    """Decode as Python does: a BOM or a PEP 263 coding cookie, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError(f"cannot detect the encoding: {error.msg}") from error
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = body.decode(codec)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode as {codec}: {error}") from error
    return SourceFile(path=path, text=text, encoding=codec, bom=bom, data=data)


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` in one step, keeping its permission bits.

    The temporary file lives in the same directory so the final rename never crosses file systems;
    an interrupted write leaves the original untouched. `durable` also waits for the data to reach
    the disk before the rename, which a user's file deserves and a cache entry does not. A link is
    written through, so the link itself survives.
    """
    path = path.resolve()
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".hflint-tmp", dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
