"""Firmware names: the Core Server's rule, and what a name says about the image."""

import pytest
from django.core.exceptions import ValidationError

from devices.capabilities import KNOWN_MODELS
from firmware.names import check_name, parse_name
from ropsim.models import CATALOGUE


@pytest.mark.parametrize(
    "name",
    [
        "IPC_523B188MP.1569_230106789.RLC-812A.IMX415.8MP.REOLINK.pak",  # the interface document's example
        "Reolink-Duo-2.2143_23042822.BIPC_529MIX32M35B17B6MP.paks",
        "Argus 3 Pro (copy).pak",
    ],
)
def test_it_accepts_what_the_core_server_accepts(name):
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name", ["firmware.bin", "image.PAK", "a/b.pak", ".pak", "x" * 252 + ".pak", "é.pak", "a..b.pak", "a\x01.pak"]
)
def test_it_refuses_what_would_not_reach_the_core_server_intact(name):
    with pytest.raises(ValidationError):
        check_name(name)


def test_it_reads_version_and_models_from_names():
    models = list(KNOWN_MODELS) + ["RLC-812A"]
    parsed = parse_name("IPC_523B188MP.1569_230106789.RLC-812A.IMX415.8MP.REOLINK.pak", models)
    assert (parsed.version, parsed.models) == ("RLC_812A_230106_1569", ["RLC-812A"])
    parsed = parse_name("Reolink-Duo-2.2143_23042822.BIPC_529MIX32M35B17B6MP.paks", models)
    assert (parsed.version, parsed.models) == ("Reolink_Duo_2_230428_2143", ["Reolink Duo 2"])
    # "NVR RLN8-410" is named by its hyphenated part.
    parsed = parse_name("RLN8-410.3001_23063000.REOLINK.paks", models)
    assert (parsed.version, parsed.models) == ("RLN8_410_230630_3001", ["NVR RLN8-410"])


def test_it_matches_the_version_a_device_reports_after_installing_it():
    # ropsim follows the interface document ("Argus_2_200104_751"): the device's new
    # version is the one the library reads from the image's name.
    for model in CATALOGUE.values():
        name = model.firmware_filename(2356, "230627")
        parsed = parse_name(name, KNOWN_MODELS)
        assert parsed.models == [model.name], name
        assert parsed.version == model.version_of_image(name, "0" * 64), name


def test_it_leaves_the_rest_blank_for_a_name_without_a_model_or_a_build():
    assert parse_name("custom-build.pak", KNOWN_MODELS) == parse_name("custom-build.pak", [])
    parsed = parse_name("custom-build.pak", KNOWN_MODELS)
    assert (parsed.version, parsed.models) == ("", [])
    parsed = parse_name("fleet.1569_230106789.pak", KNOWN_MODELS)
    assert (parsed.version, parsed.models) == ("230106_1569", [])
    # A near miss is not a model: "RLC-810AB" is not "RLC-810A".
    assert parse_name("RLC-810AB.1569_230106789.pak", KNOWN_MODELS).models == []
