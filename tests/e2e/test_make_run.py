"""`make run` end to end: bin/run-demo on the embedded defaults (SQLite, the filesystem
broker, no Redis) starts web, worker, beat and ropsim; the printed login reaches the
dashboard, the simulated fleet arrives through the real worker and beat, a second run
neither fails nor duplicates the demo, and Ctrl-C stops every process."""

from .demo_process import answers, free_port, log_in, read_until, start_demo, stop, wait_for


def test_it_serves_the_console_with_the_simulated_fleet(tmp_path):
    port, sim_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_demo(tmp_path, port, sim_port)
    try:
        assert read_until(proc, r"Demo partner: .*\((\w[\w ]*)\)", timeout=180).group(1) == "created"
        password = read_until(proc, r"as  admin / (\S+)", timeout=10).group(1)
        wait_for(lambda: answers(f"{base}/healthz"), 60, "the web server")
        session = log_in(base, password)
        assert "Demo Integrator" in session.get(f"{base}/p/demo/", timeout=10).text
        # The worker and beat really run: the first sync fills the device list from ropsim.
        wait_for(
            lambda: "9527" in session.get(f"{base}/p/demo/devices/?format=csv", timeout=10).text,
            90,
            "the simulated devices to be synced",
        )
    finally:
        assert stop(proc) == 0

    # Running it again keeps the same demo and login.
    proc = start_demo(tmp_path, port, sim_port)
    try:
        assert read_until(proc, r"Demo partner: .*\((\w[\w ]*)\)", timeout=120).group(1) == "already there"
        assert read_until(proc, r"as  admin / (\S+)", timeout=10).group(1) == password
    finally:
        stop(proc)
