# The zones the stack picks when var.availability_zones is empty: the region's
# own Availability Zones (not Local or Wavelength Zones, which are opted in to
# and sort first by name), without the zone ids EKS places no control plane in.
data "aws_partition" "current" {}

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Only the first three zones are used, and var.availability_zones pins them explicitly.
  state            = "available"
  exclude_zone_ids = local.eks_unsupported_zone_ids

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  # Zone ids in which EKS does not create control planes (EKS user guide: VPC and subnet requirements).
  eks_unsupported_zone_ids = ["use1-az3", "usw1-az2", "cac1-az3"]

  name = "${var.customer}-voice"
  # The boundary the deployer's policy requires on every role it creates (docs/iam-policies.md).
  permissions_boundary_arn = coalesce(var.iam_permissions_boundary_arn, "arn:${data.aws_partition.current.partition}:iam::${var.account_id}:policy/voicestack-boundary")
  deployer_role_arn        = coalesce(var.deployer_role_arn, "arn:${data.aws_partition.current.partition}:iam::${var.account_id}:role/voicestack-deployer")
  planner_role_arn         = coalesce(var.planner_role_arn, "arn:${data.aws_partition.current.partition}:iam::${var.account_id}:role/voicestack-planner")
  tags                     = merge(var.tags, { "voicestack:customer" = var.customer, "managed-by" = "voicestack.aws" })
  azs                      = length(var.availability_zones) > 0 ? var.availability_zones : slice(data.aws_availability_zones.available.names, 0, min(3, length(data.aws_availability_zones.available.names)))
  # /20 subnets: public from the first block of 16, private from the second.
  public_cidrs  = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 4, i)]
  private_cidrs = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 4, i + 8)]
}

module "network" {
  source = "../../modules/network"

  name                 = local.name
  cluster_name         = local.name
  vpc_cidr             = var.vpc_cidr
  azs                  = local.azs
  public_subnet_cidrs  = local.public_cidrs
  private_subnet_cidrs = local.private_cidrs
  single_nat_gateway   = var.single_nat_gateway
}

module "eks" {
  source = "../../modules/eks"

  cluster_name        = local.name
  kubernetes_version  = coalesce(var.kubernetes_version, local.kubernetes_calendar.default)
  support_type        = var.kubernetes_support_type
  subnet_ids          = module.network.private_subnet_ids
  public_access_cidrs = var.cluster_public_access_cidrs
  secrets_kms_key_arn = var.secrets_kms_key_arn
  node_group          = var.node_group

  permissions_boundary_arn = local.permissions_boundary_arn

  authentication_mode  = var.cluster_authentication_mode
  deployer_role_arn    = local.deployer_role_arn
  planner_role_arn     = local.planner_role_arn
  admin_principal_arns = var.cluster_admin_principal_arns
}

module "irsa" {
  source = "../../modules/irsa"

  role_name           = "${local.name}-agent"
  oidc_provider_arn   = module.eks.oidc_provider_arn
  oidc_issuer_url     = module.eks.oidc_issuer_url
  namespace           = var.agent.namespace
  service_account     = var.agent.service_account
  collection_arn      = module.vector_store.collection_arn
  managed_policy_arns = var.agent.managed_policy_arns

  propagation_wait_seconds = var.iam_propagation_wait_seconds
  permissions_boundary_arn = local.permissions_boundary_arn
}

module "vector_store" {
  source = "../../modules/vector_store"

  collection_name  = coalesce(var.collection_name, local.name)
  collection_type  = var.vector_store.collection_type
  standby_replicas = var.vector_store.standby_replicas
  kms_key_arn      = var.vector_store.kms_key_arn
  network_access = {
    public           = var.vector_store.public
    dashboards       = var.vector_store.dashboards
    vpc_endpoint_ids = var.vector_store.vpc_endpoint_ids
  }
  # In the private subnets, HTTPS from the whole VPC (the nodes and, with the
  # VPC CNI, the pods). "<customer>-voice-aoss" fits the 32 characters of an
  # endpoint name, whatever collection_name is.
  vpc_endpoint = var.vector_store.private_endpoint ? {
    name          = "${local.name}-aoss"
    vpc_id        = module.network.vpc_id
    subnet_ids    = module.network.private_subnet_ids
    ingress_cidrs = [var.vpc_cidr]
  } : null
  principal_arns = [module.irsa.role_arn]
}

module "alb" {
  source = "../../modules/alb"

  name                = local.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.public_subnet_ids
  idle_timeout        = var.alb.idle_timeout
  deletion_protection = var.alb.deletion_protection
  ingress_cidrs       = var.alb.ingress_cidrs
  health_check_path   = var.alb.health_check_path
  # The nodes are the targets: the agent's Service listens on this node port
  # on every node and leads to the pods' var.alb.target_port.
  target_port              = var.alb.node_port
  target_security_group_id = module.eks.cluster_security_group_id
  deregistration_delay     = var.alb.deregistration_delay
  access_logs              = var.alb.access_logs_bucket == null ? null : { bucket = var.alb.access_logs_bucket }
  listener = {
    certificate_arn = var.alb.certificate_arn
    allow_http_only = var.alb.allow_http_only
  }
}

# The load balancer's targets are the nodes: its target group is attached to
# the managed node group's Auto Scaling group, which registers every node it
# launches and deregisters (draining for alb.deregistration_delay) every node
# it terminates. A managed node group has exactly one Auto Scaling group.
resource "aws_autoscaling_attachment" "agent_nodes" {
  #checkov:skip=CKV2_AWS_15:The Auto Scaling group is the EKS managed node group's; EKS owns its health checks, and ELB health checks there would replace nodes whenever the agent is unhealthy.
  autoscaling_group_name = module.eks.node_group_autoscaling_group_name
  lb_target_group_arn    = module.alb.target_group_arn
}
