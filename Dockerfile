# Production image: one image for web, worker, beat and the simulator.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONPATH=/app
WORKDIR /app
# Dependencies first, in their own layer, so a code change does not reinstall them: the
# runtime dependencies listed in pyproject.toml, at the versions constraints.txt pins.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt
# The whole project, minus what .dockerignore keeps out (secrets, local state, databases,
# the virtualenv, tests): a new app needs no change here. The code runs from /app
# (PYTHONPATH), so settings find templates/ and static/ beside it; the editable install only
# adds the package's metadata (its version is in the ROP User-Agent), not a second copy.
COPY . .
RUN pip install --no-cache-dir --no-deps -e .
# collectstatic needs settings but no database or real secrets.
RUN DEBUG=0 SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=Zm9yLWRldmVsb3BtZW50LW9ubHktMzItYnl0ZXMtIT0= \
    python manage.py collectstatic --no-input -v0
RUN useradd --create-home --uid 1000 fleet && mkdir -p /app/var && chown fleet /app/var
USER fleet
EXPOSE 8000
# The same command as the web service in docker-compose.yml (tests/e2e/test_production_smoke.py
# checks they agree). The access log shows paths without query strings: the alarm webhook's
# secret is in its query.
CMD ["gunicorn", "rop_fleet.wsgi", "--config", "python:rop_fleet.gunicorn_conf", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)ss"]
