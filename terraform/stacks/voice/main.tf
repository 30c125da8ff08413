data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:Only the first three zones are used, and var.availability_zones pins them explicitly.
  state = "available"
}

locals {
  name = "${var.customer}-voice"
  tags = merge(var.tags, { "voicestack:customer" = var.customer, "managed-by" = "voicestack.aws" })
  azs  = length(var.availability_zones) > 0 ? var.availability_zones : slice(data.aws_availability_zones.available.names, 0, min(3, length(data.aws_availability_zones.available.names)))
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
  kubernetes_version  = var.kubernetes_version
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.private_subnet_ids
  public_access_cidrs = var.cluster_public_access_cidrs
  secrets_kms_key_arn = var.secrets_kms_key_arn
  node_group          = var.node_group

  authentication_mode  = var.cluster_authentication_mode
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
}

module "vector_store" {
  source = "../../modules/vector_store"

  collection_name  = coalesce(var.collection_name, local.name)
  collection_type  = var.vector_store.collection_type
  standby_replicas = var.vector_store.standby_replicas
  kms_key_arn      = var.vector_store.kms_key_arn
  network_access = {
    public           = var.vector_store.public
    vpc_endpoint_ids = var.vector_store.vpc_endpoint_ids
  }
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
  target_port         = var.alb.target_port
  health_check_path   = var.alb.health_check_path
  access_logs         = var.alb.access_logs_bucket == null ? null : { bucket = var.alb.access_logs_bucket }
  listener = {
    certificate_arn = var.alb.certificate_arn
    allow_http_only = var.alb.allow_http_only
  }
}
