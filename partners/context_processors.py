def current_partner(request):
    access = getattr(request, "access", None)
    return {"access": access, "partner": access.partner if access else None}
