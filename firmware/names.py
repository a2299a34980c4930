"""Firmware file names: what the Core Server accepts, and what a name tells about
the image (its version and the models it is built for).

The Core Server stores an image under the name in the upload URL and refuses any
name not ending in .pak or .paks (rop-core-server-facts.md); rop's validator holds
that rule. Beyond it we accept only characters that travel through a URL path and a
file system unchanged (letters, digits, space and ``. _ - ( ) +``, not starting with a
dot), the same set ropsim takes, so an image accepted here is never refused on push.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from rop import validation as rop_validation
from rop.errors import InvalidParameter

_SAFE_NAME = re.compile(r"^(?!\.)[A-Za-z0-9._\- ()+]+$")

# Reolink image names carry "<build>_<yymmdd><more digits>", e.g. "...2143_23042822...".
_BUILD_DATE = re.compile(r"(?<!\d)(\d{3,5})_(\d{6})\d*(?!\d)")
_SEPARATORS = "[-_ .]"


def check_name(name: str) -> str:
    """The name as the Core Server will store it, or ValidationError saying why not."""
    try:
        rop_validation.validate_firmware_file_name(name)
    except InvalidParameter:
        if name.lower().endswith((".pak", ".paks")) and not name.endswith((".pak", ".paks")):
            raise ValidationError(
                "The name must end in .pak or .paks in lower case: the Core Server accepts no other."
            ) from None
        if not name.endswith((".pak", ".paks")):
            raise ValidationError(
                f"“{name}” is not a firmware image: the Core Server accepts only .pak and .paks files."
            ) from None
        raise ValidationError("The file name must be at most 255 bytes, without slashes.") from None
    if not _SAFE_NAME.match(name) or ".." in name:
        raise ValidationError(
            "The file name may contain only letters, digits, spaces and . _ - ( ) +, and must not start with a dot."
            " Rename the file and upload it again."
        )
    return name


@dataclass(frozen=True)
class ParsedName:
    version: str
    models: list[str]


def _model_tokens(model: str) -> list[str]:
    """Ways a model's name appears in an image name: whole ("Reolink Duo 2" as
    "Reolink-Duo-2"), or for "NVR RLN8-410" its hyphenated part alone."""
    tokens = [model]
    words = model.split()
    if len(words) > 1:
        tokens += [w for w in words if "-" in w and any(c.isdigit() for c in w)]
    return tokens


def _token_pattern(token: str) -> re.Pattern[str]:
    parts = re.split(_SEPARATORS, token)
    body = _SEPARATORS.join(re.escape(p) for p in parts if p)
    return re.compile(rf"(?i)(?:^|[^a-z0-9])({body})(?:[^a-z0-9]|$)")


def parse_name(name: str, known_models: Iterable[str]) -> ParsedName:
    """Version and compatible models where the name carries them.

    Models are the known ones (the partner's fleet and the Reolink catalogue) whose
    name appears in the file name, separators aside. The version is written the way
    devices report theirs in the online list, "<Model>_<yymmdd>_<build>" (the
    interface document's "Argus_2_200104_751"), when exactly one model is named;
    otherwise "<yymmdd>_<build>", the part every device version of that build ends
    with. Neither is certain: both stay editable.
    """
    stem = name.rsplit(".", 1)[0]
    found: list[tuple[str, str]] = []  # (model, the text that named it)
    for model in sorted(set(known_models)):
        for token in _model_tokens(model):
            match = _token_pattern(token).search(stem)
            if match:
                found.append((model, match.group(1)))
                break
    models = [model for model, _ in found]
    version = ""
    build_date = _BUILD_DATE.search(stem)
    if build_date:
        build, date = build_date.group(1), build_date.group(2)
        version = f"{date}_{int(build)}"
        if len(found) == 1:
            prefix = re.sub(_SEPARATORS, "_", found[0][1])
            candidate = f"{prefix}_{version}"
            if len(candidate) <= 31:  # Device.firmware_version's length
                version = candidate
    return ParsedName(version=version, models=models)
