"""Forms of the firmware library. The upload's bytes are handled by
firmware.uploads; the form only reports what the handler and the service said."""

import re
from typing import Any

from django import forms
from django.conf import settings

from .uploads import HashedUpload

MAX_MODELS = 50


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Firmware image",
        widget=forms.ClearableFileInput(attrs={"accept": ".pak,.paks"}),
    )

    def __init__(self, *args: Any, refusal: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal = refusal
        limit = settings.FIRMWARE_MAX_UPLOAD_BYTES / 2**20
        self.fields["file"].help_text = f".pak or .paks, as the Core Server accepts them; up to {limit:,.0f} MiB."
        if refusal is not None:
            # The handler refused the part: no file arrived, and "required" would not say why.
            self.fields["file"].required = False

    def clean_file(self) -> HashedUpload:
        if self.refusal is not None:
            raise forms.ValidationError(self.refusal)
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, HashedUpload):
            raise forms.ValidationError("The upload did not arrive whole. Try again.")
        return upload


class ImageForm(forms.Form):
    version = forms.CharField(
        max_length=31,
        required=False,
        help_text="As devices report it (e.g. RLC_810A_230515_2356), or the yymmdd_build part alone.",
    )
    models = forms.CharField(
        label="Compatible models",
        max_length=2000,
        required=False,
        help_text="Device models this image is for, separated by commas (e.g. RLC-810A, RLC-823A).",
    )

    def clean_version(self) -> str:
        version: str = self.cleaned_data["version"].strip()
        if any(ord(c) < 32 for c in version):
            raise forms.ValidationError("The version must be plain text on one line.")
        return version

    def clean_models(self) -> list[str]:
        names: list[str] = []
        for raw in re.split(r"[,\n]", self.cleaned_data["models"]):
            name = " ".join(raw.split())
            if not name:
                continue
            if len(name) > 31:
                raise forms.ValidationError(f"“{name[:20]}…” is too long for a model name (at most 31 characters).")
            if name not in names:
                names.append(name)
        if len(names) > MAX_MODELS:
            raise forms.ValidationError(f"At most {MAX_MODELS} models.")
        return names
