"""Every cdktf, constructs and provider class the stack uses, imported from this one place.

Importing the provider packages through `lazy_import` and `lazy_node` is what keeps a synth fast
(see those modules).
Moving to the maintained fork (`cdktn`, `cdktn-provider-aws`, `cdktn-provider-docker`: same API,
packages renamed) means changing the package names in this module and in the Pipfile, nothing else.
"""

# ruff: noqa: E402 - the loaders must run before the provider submodules are imported.
from infra import lazy_import, lazy_node

AWS_PACKAGE = "cdktf_cdktf_provider_aws"
DOCKER_PACKAGE = "cdktf_cdktf_provider_docker"

# First: jsii starts its node process when the first assembly loads, with the environment of then.
lazy_node.configure(AWS_PACKAGE, DOCKER_PACKAGE)
if lazy_import.enabled():
    lazy_import.install(AWS_PACKAGE)
    lazy_import.install(DOCKER_PACKAGE)

from cdktf import (
    App,
    Fn,
    LocalBackend,
    Postcondition,
    S3Backend,
    TerraformElement,
    TerraformOutput,
    TerraformResource,
    TerraformStack,
    TerraformVariable,
    TerraformVariableValidationConfig,
    Testing,
)
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.appautoscaling_policy import AppautoscalingPolicy
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from cdktf_cdktf_provider_aws.backup_plan import BackupPlan, BackupPlanRule
from cdktf_cdktf_provider_aws.backup_selection import BackupSelection
from cdktf_cdktf_provider_aws.backup_vault import BackupVault
from cdktf_cdktf_provider_aws.cloudwatch_dashboard import CloudwatchDashboard
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import CloudwatchLogMetricFilter
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import (
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
)
from cdktf_cdktf_provider_aws.data_aws_availability_zones import (
    DataAwsAvailabilityZones,
    DataAwsAvailabilityZonesFilter,
)
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_pull_through_cache_rule import EcrPullThroughCacheRule
from cdktf_cdktf_provider_aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
)
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from cdktf_cdktf_provider_aws.ecs_service import (
    EcsService,
    EcsServiceLoadBalancer,
    EcsServiceLoadBalancerAdvancedConfiguration,
)
from cdktf_cdktf_provider_aws.ecs_task_definition import (
    EcsTaskDefinition,
    EcsTaskDefinitionVolume,
)
from cdktf_cdktf_provider_aws.efs_access_point import EfsAccessPoint
from cdktf_cdktf_provider_aws.efs_file_system import EfsFileSystem
from cdktf_cdktf_provider_aws.efs_file_system_policy import EfsFileSystemPolicy
from cdktf_cdktf_provider_aws.efs_mount_target import EfsMountTarget
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.elasticache_parameter_group import ElasticacheParameterGroup
from cdktf_cdktf_provider_aws.elasticache_replication_group import ElasticacheReplicationGroup
from cdktf_cdktf_provider_aws.elasticache_subnet_group import ElasticacheSubnetGroup
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.lb import Lb
from cdktf_cdktf_provider_aws.lb_listener import LbListener, LbListenerDefaultAction
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from cdktf_cdktf_provider_aws.ssm_parameter import SsmParameter
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from cdktf_cdktf_provider_docker.image import Image as DockerImage
from cdktf_cdktf_provider_docker.provider import DockerProvider, DockerProviderRegistryAuth
from cdktf_cdktf_provider_docker.registry_image import RegistryImage as DockerRegistryImage
from constructs import Construct, Node

__all__ = [
    "AcmCertificate",
    "AcmCertificateValidation",
    "App",
    "AppautoscalingPolicy",
    "AppautoscalingTarget",
    "AwsProvider",
    "AwsProviderDefaultTags",
    "BackupPlan",
    "BackupPlanRule",
    "BackupSelection",
    "BackupVault",
    "CloudwatchDashboard",
    "CloudwatchLogGroup",
    "CloudwatchLogMetricFilter",
    "CloudwatchMetricAlarm",
    "CloudwatchMetricAlarmMetricQuery",
    "Construct",
    "DataAwsAvailabilityZones",
    "DataAwsAvailabilityZonesFilter",
    "DataAwsCallerIdentity",
    "DataAwsPartition",
    "DataAwsRegion",
    "DefaultSecurityGroup",
    "DockerImage",
    "DockerProvider",
    "DockerProviderRegistryAuth",
    "DockerRegistryImage",
    "EcrLifecyclePolicy",
    "EcrPullThroughCacheRule",
    "EcrRepository",
    "EcrRepositoryEncryptionConfiguration",
    "EcsCluster",
    "EcsClusterSetting",
    "EcsService",
    "EcsServiceLoadBalancer",
    "EcsServiceLoadBalancerAdvancedConfiguration",
    "EcsTaskDefinition",
    "EcsTaskDefinitionVolume",
    "EfsAccessPoint",
    "EfsFileSystem",
    "EfsFileSystemPolicy",
    "EfsMountTarget",
    "Eip",
    "ElasticacheParameterGroup",
    "ElasticacheReplicationGroup",
    "ElasticacheSubnetGroup",
    "FlowLog",
    "Fn",
    "IamRole",
    "IamRolePolicy",
    "InternetGateway",
    "KmsAlias",
    "KmsKey",
    "Lb",
    "LbListener",
    "LbListenerDefaultAction",
    "LbTargetGroup",
    "LocalBackend",
    "Node",
    "NatGateway",
    "Postcondition",
    "Route",
    "Route53Record",
    "RouteTable",
    "RouteTableAssociation",
    "S3Backend",
    "TerraformElement",
    "SecurityGroup",
    "SnsTopic",
    "SnsTopicPolicy",
    "SnsTopicSubscription",
    "SsmParameter",
    "Subnet",
    "TerraformOutput",
    "TerraformResource",
    "TerraformStack",
    "TerraformVariable",
    "TerraformVariableValidationConfig",
    "Testing",
    "Vpc",
    "VpcEndpoint",
    "VpcSecurityGroupEgressRule",
    "VpcSecurityGroupIngressRule",
]
