"""Health and metrics of a running bot: /healthz and /metrics (Prometheus).

- metrics.py: the registry and the one-line calls the adapters, transport and sweep make;
- health.py: what "healthy" means (process up, database answers, the sweep is not late);
- service.py: `Monitoring(app)`, the answers of one process;
- server.py: `add_routes(aiohttp_app, monitoring)` and the standalone `MonitoringServer`.
"""
