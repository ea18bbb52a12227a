"""What AWS and the app allow, the bounds the settings are checked against."""

import math

# The CPU (units) / memory (MiB) pairs Fargate offers for Linux tasks.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
# The retention periods CloudWatch Logs accepts.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)
# The most options a page offers (the app's limit too: frontend/app/config.py).
MAX_VOTE_OPTIONS = 6
# The most availability zones a stack may use; the subnet layout reserves a range for each.
MAX_AZ_COUNT = 4
# The VPC range is cut into 2 * MAX_AZ_COUNT equal subnets: this many bits of prefix more.
SUBNET_BITS = math.ceil(math.log2(2 * MAX_AZ_COUNT))
# Load balancer and target group names are capped at 32 characters; "-redis" is the longest role.
MAX_PREFIX = 32 - len("-redis")
