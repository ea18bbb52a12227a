"""Every CDK, constructs and provider class the stack uses, imported from this one place.

The names come from one table, the same for both CDK flavours: cdktf (archived, the default) and
its maintained fork cdktn (`VOTING_CDK`, read in `toolchain.flavours`). The flavours' packages have
the same submodules and classes; only the package names differ. Importing the provider packages
through `lazy_import` and `lazy_node` is what keeps a synth fast (see those modules).
"""

import importlib

from toolchain import flavours, lazy_import, lazy_node
from toolchain.project import CDKTF_JSON

FLAVOUR = flavours.selected()
AWS_PACKAGE = FLAVOUR.aws
DOCKER_PACKAGE = FLAVOUR.docker

# First: jsii starts its node process when the first assembly loads, with the environment of then.
flavours.declare_target_versions(CDKTF_JSON)
lazy_node.configure(AWS_PACKAGE, DOCKER_PACKAGE)
if lazy_import.enabled():
    lazy_import.install(AWS_PACKAGE)
    lazy_import.install(DOCKER_PACKAGE)

CDK_NAMES = (
    "App",
    "Fn",
    "LocalBackend",
    "Postcondition",
    "S3Backend",
    "TerraformElement",
    "TerraformOutput",
    "TerraformResource",
    "TerraformStack",
    "TerraformVariable",
    "TerraformVariableValidationConfig",
    "Testing",
)

# submodule -> the classes the stacks use from it, exported under the same name
AWS_NAMES = {
    "acm_certificate": ("AcmCertificate",),
    "acm_certificate_validation": ("AcmCertificateValidation",),
    "appautoscaling_policy": ("AppautoscalingPolicy",),
    "appautoscaling_target": ("AppautoscalingTarget",),
    "backup_plan": ("BackupPlan", "BackupPlanRule"),
    "backup_selection": ("BackupSelection",),
    "backup_vault": ("BackupVault",),
    "cloudwatch_dashboard": ("CloudwatchDashboard",),
    "cloudwatch_log_group": ("CloudwatchLogGroup",),
    "cloudwatch_log_metric_filter": ("CloudwatchLogMetricFilter",),
    "cloudwatch_metric_alarm": ("CloudwatchMetricAlarm", "CloudwatchMetricAlarmMetricQuery"),
    "data_aws_availability_zones": ("DataAwsAvailabilityZones", "DataAwsAvailabilityZonesFilter"),
    "data_aws_caller_identity": ("DataAwsCallerIdentity",),
    "data_aws_partition": ("DataAwsPartition",),
    "data_aws_region": ("DataAwsRegion",),
    "default_security_group": ("DefaultSecurityGroup",),
    "ecr_lifecycle_policy": ("EcrLifecyclePolicy",),
    "ecr_pull_through_cache_rule": ("EcrPullThroughCacheRule",),
    "ecr_repository": ("EcrRepository", "EcrRepositoryEncryptionConfiguration"),
    "ecs_cluster": ("EcsCluster", "EcsClusterSetting"),
    "ecs_service": (
        "EcsService",
        "EcsServiceLoadBalancer",
        "EcsServiceLoadBalancerAdvancedConfiguration",
    ),
    "ecs_task_definition": ("EcsTaskDefinition", "EcsTaskDefinitionVolume"),
    "efs_access_point": ("EfsAccessPoint",),
    "efs_file_system": ("EfsFileSystem",),
    "efs_file_system_policy": ("EfsFileSystemPolicy",),
    "efs_mount_target": ("EfsMountTarget",),
    "eip": ("Eip",),
    "elasticache_parameter_group": ("ElasticacheParameterGroup",),
    "elasticache_replication_group": ("ElasticacheReplicationGroup",),
    "elasticache_subnet_group": ("ElasticacheSubnetGroup",),
    "flow_log": ("FlowLog",),
    "iam_role": ("IamRole",),
    "iam_role_policy": ("IamRolePolicy",),
    "internet_gateway": ("InternetGateway",),
    "kms_alias": ("KmsAlias",),
    "kms_key": ("KmsKey",),
    "lb": ("Lb",),
    "lb_listener": ("LbListener", "LbListenerDefaultAction"),
    "lb_target_group": ("LbTargetGroup",),
    "nat_gateway": ("NatGateway",),
    "provider": ("AwsProvider", "AwsProviderDefaultTags"),
    "route": ("Route",),
    "route53_record": ("Route53Record",),
    "route_table": ("RouteTable",),
    "route_table_association": ("RouteTableAssociation",),
    "security_group": ("SecurityGroup",),
    "sns_topic": ("SnsTopic",),
    "sns_topic_policy": ("SnsTopicPolicy",),
    "sns_topic_subscription": ("SnsTopicSubscription",),
    "ssm_parameter": ("SsmParameter",),
    "subnet": ("Subnet",),
    "vpc": ("Vpc",),
    "vpc_endpoint": ("VpcEndpoint",),
    "vpc_security_group_egress_rule": ("VpcSecurityGroupEgressRule",),
    "vpc_security_group_ingress_rule": ("VpcSecurityGroupIngressRule",),
}

# submodule -> {exported name: class}; "Docker" keeps them apart from the AWS names
DOCKER_NAMES = {
    "image": {"DockerImage": "Image"},
    "provider": {
        "DockerProvider": "DockerProvider",
        "DockerProviderRegistryAuth": "DockerProviderRegistryAuth",
    },
    "registry_image": {"DockerRegistryImage": "RegistryImage"},
}


def _load() -> dict[str, object]:
    """Every name of the tables, imported from the selected flavour's packages."""
    cdk = importlib.import_module(FLAVOUR.cdk)
    names: dict[str, object] = {name: getattr(cdk, name) for name in CDK_NAMES}
    # What `from <package>.<submodule> import <names>` runs: importlib.import_module() and
    # getattr() on the package both trip over a submodule lazy_import deferred.
    for submodule, classes in AWS_NAMES.items():
        module = __import__(f"{AWS_PACKAGE}.{submodule}", fromlist=classes)
        names.update((name, getattr(module, name)) for name in classes)
    for submodule, renames in DOCKER_NAMES.items():
        module = __import__(f"{DOCKER_PACKAGE}.{submodule}", fromlist=list(renames.values()))
        names.update((name, getattr(module, cls)) for name, cls in renames.items())
    constructs = importlib.import_module("constructs")
    names.update(Construct=constructs.Construct, Node=constructs.Node)
    return names


globals().update(_load())

__all__ = sorted(
    [
        *CDK_NAMES,
        *(name for classes in AWS_NAMES.values() for name in classes),
        *(name for renames in DOCKER_NAMES.values() for name in renames),
        "Construct",
        "Node",
    ]
)
