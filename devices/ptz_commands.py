"""The PTZ pad's single steps: what each button asks of the camera and what the page
then says. Shared by the pad's form (which buttons exist) and the action (the call)."""

# button: (what moves, which way, the message once done)
PTZ_COMMANDS = {
    "zoom_in": ("zoom", "inc", "Zoomed in."),
    "zoom_out": ("zoom", "dec", "Zoomed out."),
    "focus_in": ("focus", "inc", "Focus stepped up."),
    "focus_out": ("focus", "dec", "Focus stepped down."),
}
