"""Foundation utilities every app may use: no models of its own, no import of any app."""
