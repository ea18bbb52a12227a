"""The profiles: each one's defaults where they differ from the schema's (which are dev's)."""

from typing import Any

PROFILES = ("dev", "staging", "prod")
# The environments every project has; cdktf.json may define more, each on a profile.
ENVIRONMENTS = ("dev", "prod")

PROFILE_DEFAULTS: dict[str, dict[str, Any]] = {
    "dev": {},
    "prod": {
        "reset_enabled": False,
        "nat_per_az": True,
        "vpc_endpoints": True,
        "web_deployment": "blue_green",
        "web_desired_count": 2,
        "web_min_count": 2,
        "web_max_count": 6,
        "log_retention_days": 365,
        "deletion_protection": True,
        "cache_failover": True,
        "backup_retention_days": 35,
        "retain_backups": True,
        "redis_backend": "elasticache",
        "cache_snapshot_retention_days": 7,
        "alarm_paging": True,
        "local_state": False,
        "alarms_unsubscribed": False,
        "alarm_minutes": 5,
        "alarm_cpu_percent": 80,
        "alarm_memory_percent": 80,
        "alarm_http_5xx_per_minute": 5,
        "alarm_redis_errors_per_minute": 1,
    },
}
# staging: prod's shape (sizes, protections, ElastiCache, alarms, what it must name) at less cost:
# one NAT gateway instead of one per AZ, no interface endpoints (`make review` prices both),
# and rolling deploys instead of blue/green (no second set of tasks during a bake).
PROFILE_DEFAULTS["staging"] = PROFILE_DEFAULTS["prod"] | {
    "nat_per_az": False,
    "vpc_endpoints": False,
    "web_deployment": "rolling",
}
