"""What the benchmarks share. Import from the module that holds it, e.g.
`from bench.support.processes import ropsim` (bench/run.py puts the project's root on
sys.path; to run one bench alone: `python -m bench.bench_webhook` from the root).

database.py
    django_setup()              Django with rop_fleet.test_settings, once per process.
    bench_db_name(name)         the bench's database: $BENCH_DB_PREFIX (default
                                "rop_fleet_bench") + "_" + name; "" gives the prefix alone.
                                Set BENCH_DB_PREFIX when others may run benches at the same time.
    bench_database(name, redis=False)
                                context manager: create and migrate bench_db_name(name) as the
                                test runner does (test environment set up), point the default
                                connection at it; close, drop and restore after. Refuses to run
                                without PostgreSQL (and Redis with redis=True).
    database_url(db)            DATABASE_URL pointed at `db`, for servers the bench starts.
    ROOT                        the project's root.

processes.py
    free_port(), spawn(cmd, env), stop(proc)
                                a loopback port; a command in the root with the project on
                                PYTHONPATH and its output discarded; terminate, kill if it lingers.
    wait_for_http(url, proc, what, started=, timeout=)
                                poll until GET answers 200 (every 20 ms); seconds since `started`.
    ropsim(devices, seed=7, token=None, extra=[...])
                                context manager: a ropsim (--no-demo-states, warnings only) in
                                another process, yielded once healthy as Ropsim: .url, .port,
                                .proc, .startup (s), .counters(), .reset_counters(), .faults(**).
    ropsim_command(port, devices, ...)
                                its command line, for a bench that times the start itself.
    gunicorn(args, env, probe="/healthz")
                                context manager: `python -m gunicorn *args` bound to a free port,
                                yielded once `probe` answers 200 as Server: .url, .port, .proc,
                                .startup, .workers() (the workers' pids).
    production_web_args()       the web service's gunicorn arguments from docker-compose.yml.
    cpu_seconds(pid), status_kb(pid, "VmHWM")
                                a process's CPU time so far; a size from /proc/<pid>/status.

fleet.py (call inside bench_database)
    quiet("rop", "devices")     warnings only from those loggers.
    partner(slug, sim=, token=, request_budget=)
                                a partner; on a Ropsim: its fleet synced, its request budget rested.
    member(partner, username, role), session_cookie(user)
                                a user with a role in a partner; a logged-in session cookie.

stats.py
    percentile(values, p), p95(values), p50(values), timed(call, n) (ms per call)
    row(benchmark, figure, unit, baseline=, baseline_name=, target=, digits=1)
                                one row of run()'s result, ratio figure / baseline included.
"""
