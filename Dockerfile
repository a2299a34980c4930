# Production image: one image for web, worker, beat and the simulator.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY rop_fleet rop_fleet
COPY core core
COPY partners partners
COPY audit audit
COPY devices devices
COPY firmware firmware
COPY recordings recordings
COPY alarms alarms
COPY dashboard dashboard
COPY rop rop
COPY ropsim ropsim
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
# collectstatic needs settings but no database or real secrets.
RUN DEBUG=0 SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=Zm9yLWRldmVsb3BtZW50LW9ubHktMzItYnl0ZXMtIT0= \
    python manage.py collectstatic --no-input -v0
RUN useradd --create-home --uid 1000 fleet && mkdir -p /app/var && chown fleet /app/var
USER fleet
EXPOSE 8000
# The access log shows paths without query strings: the alarm webhook's secret is in its query.
CMD ["gunicorn", "rop_fleet.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", \
     "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)ss"]
