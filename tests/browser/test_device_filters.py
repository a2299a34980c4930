"""The device list's filter controls are the filter form's: its labels name them, its
choices fill them, and its errors are shown and tied to the control they are about."""

import pytest
from django import forms
from playwright.sync_api import expect

from devices.filters import DeviceFilterForm

pytestmark = pytest.mark.browser


def test_it_renders_the_filter_controls_from_the_forms_fields(page, logged_in, victor, acme_camera):
    logged_in(victor)
    page.goto("/p/acme/devices/")
    filters = page.locator("#device-filters")
    expect(filters.get_by_label("Tag", exact=True)).to_be_hidden()  # a rare one, under "More filters"
    filters.get_by_text("More filters").click()
    for field in DeviceFilterForm().filter_fields():
        control = filters.get_by_label(str(field.label), exact=True)
        expect(control).to_have_attribute("name", field.name)
        if isinstance(field.field, forms.ChoiceField):
            labels = [option.choice_label for option in field.subwidgets]
            assert control.locator("option").all_inner_texts() == labels, field.name


def test_it_shows_a_bad_filter_values_error_on_its_control(page, logged_in, victor, acme_camera):
    logged_in(victor)
    page.goto("/p/acme/devices/?battery_below=500")
    form = DeviceFilterForm({"battery_below": "500"})
    assert not form.is_valid()
    control = page.get_by_label("Battery below %", exact=True)
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(control).to_have_accessible_description(f"Battery below %: {form.errors['battery_below'][0]}")
    expect(page.locator("#device-rows")).to_contain_text("Fix the filter above")
    # Corrected in place: the table comes back and the error goes, without a reload.
    control.fill("90")  # the camera is at 80 %
    expect(page.locator("#filter-errors [role=alert]")).to_have_count(0)
    expect(page.locator("#device-rows")).to_contain_text(acme_camera.display_name)
    assert page.csp_violations == []
