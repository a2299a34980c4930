"""Uploaded firmware images on disk, with size and sha256 kept beside each name."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass

# .pak/.paks (facts); no path separators or traversal; printable ASCII only.
FILE_NAME_RE = re.compile(r"^(?!\.)[A-Za-z0-9._\- ()+]{1,251}\.paks?$")


@dataclass
class FirmwareFile:
    name: str
    size: int
    sha256: str
    uploaded_at: float

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256, "uploadedAt": self.uploaded_at}


class FirmwareStore:
    def __init__(self, data_dir: str | None) -> None:
        self._owns_dir = data_dir is None
        self.dir = data_dir or tempfile.mkdtemp(prefix="ropsim-firmware-")
        os.makedirs(self.dir, exist_ok=True)
        self.files: dict[str, FirmwareFile] = {}
        self.reserved: set[str] = set()  # uploads in progress, so a parallel duplicate is refused
        self._load_existing()

    def _load_existing(self) -> None:
        # A --data-dir from an earlier run keeps its images (hashing reads them in chunks).
        for entry in sorted(os.listdir(self.dir)):
            path = os.path.join(self.dir, entry)
            if FILE_NAME_RE.match(entry) and os.path.isfile(path):
                digest = hashlib.sha256()
                with open(path, "rb") as fh:
                    for chunk in iter(functools.partial(fh.read, 1 << 20), b""):
                        digest.update(chunk)
                stat = os.stat(path)
                self.files[entry] = FirmwareFile(entry, stat.st_size, digest.hexdigest(), stat.st_mtime)

    @staticmethod
    def valid_name(name: str) -> bool:
        return bool(FILE_NAME_RE.fullmatch(name)) and ".." not in name

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def partial_path(self, name: str) -> str:
        return os.path.join(self.dir, f".{name}.partial")

    def close(self) -> None:
        if self._owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
