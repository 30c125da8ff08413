data "aws_partition" "current" {}

locals {
  policy_prefix = "arn:${data.aws_partition.current.partition}:iam::aws:policy"
  # Cluster administrators: the deployer's role, and the input list.
  admin_principal_arns  = toset(distinct(concat([var.deployer_role_arn], var.admin_principal_arns)))
  cluster_admin_policy  = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
  cluster_view_policy   = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
  viewer_principal_arns = var.planner_role_arn == null ? toset([]) : toset([var.planner_role_arn])
  # Not system:-prefixed, which EKS refuses in an access entry.
  planner_kubernetes_group = "voicestack-planner"
}

resource "aws_iam_role" "cluster" {
  name                 = "${var.cluster_name}-cluster"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "${local.policy_prefix}/AmazonEKSClusterPolicy"
}

resource "aws_cloudwatch_log_group" "cluster" {
  #checkov:skip=CKV_AWS_158:Encrypted by CloudWatch Logs' own key; a customer key needs a key policy for the logs service, which the account's baseline owns.
  #checkov:skip=CKV_AWS_338:Retention is an input (var.log_retention_days, default 90): a year of API and audit logs bills per GB.
  name              = "/aws/eks/${var.cluster_name}/cluster"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_eks_cluster" "this" {
  #checkov:skip=CKV_AWS_37:api, audit and authenticator are logged by default; controllerManager and scheduler are an input (var.enabled_log_types) because they bill per GB.
  #checkov:skip=CKV_AWS_38:The public endpoint is restricted by var.public_access_cidrs; the default allows the operators' Ansible runs from anywhere, set it to their egress CIDRs.
  #checkov:skip=CKV_AWS_39:Ansible configures the cluster from outside the VPC; turn var.endpoint_public_access off when it runs inside.
  name                      = var.cluster_name
  version                   = var.kubernetes_version
  role_arn                  = aws_iam_role.cluster.arn
  enabled_cluster_log_types = var.enabled_log_types

  # At the end of standard support: STANDARD lets EKS upgrade the control
  # plane, EXTENDED keeps the version and bills per cluster-hour.
  upgrade_policy {
    support_type = var.support_type
  }

  # Kubernetes access only through access entries (below), which can be listed
  # and revoked, instead of the invisible bootstrap right of whichever IAM
  # principal created the cluster.
  access_config {
    authentication_mode                         = var.authentication_mode
    bootstrap_cluster_creator_admin_permissions = false
  }

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_public_access  = var.endpoint_public_access
    endpoint_private_access = var.endpoint_private_access
    public_access_cidrs     = var.public_access_cidrs
  }

  dynamic "encryption_config" {
    for_each = var.secrets_kms_key_arn == null ? [] : [var.secrets_kms_key_arn]
    content {
      resources = ["secrets"]
      provider {
        key_arn = encryption_config.value
      }
    }
  }

  tags = var.tags

  lifecycle {
    # EKS sets both only at creation, DescribeCluster does not return them, and
    # Terraform would replace the cluster to change them: a cluster made before
    # access entries keeps its value, and an adopted cluster (imported after a
    # killed apply) is not replaced for want of them.
    ignore_changes = [
      access_config[0].bootstrap_cluster_creator_admin_permissions,
      bootstrap_self_managed_addons,
    ]
  }

  depends_on = [aws_iam_role_policy_attachment.cluster, aws_cloudwatch_log_group.cluster]
}

# Cluster administrators (AmazonEKSClusterAdminPolicy, cluster scope): the
# deployer, which the roles use to configure the cluster, and var.admin_principal_arns.
resource "aws_eks_access_entry" "admin" {
  for_each = local.admin_principal_arns

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"
  tags          = var.tags
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = local.admin_principal_arns

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.admin[each.key].principal_arn
  policy_arn    = local.cluster_admin_policy

  access_scope {
    type = "cluster"
  }
}

# The read-only planner (AmazonEKSViewPolicy, cluster scope): a check run reads
# the agent's service account with it, and can change nothing in the cluster.
# Its Kubernetes group lets the roles grant it read of what the view policy
# does not cover (External Secrets' kinds, voicestack.aws.model_keys).
resource "aws_eks_access_entry" "viewer" {
  for_each = local.viewer_principal_arns

  cluster_name      = aws_eks_cluster.this.name
  principal_arn     = each.value
  kubernetes_groups = [local.planner_kubernetes_group]
  type              = "STANDARD"
  tags              = var.tags

  lifecycle {
    precondition {
      condition     = !contains(local.admin_principal_arns, each.value)
      error_message = "planner_role_arn ${each.value} is also a cluster administrator (deployer_role_arn or admin_principal_arns); EKS allows one access entry per principal, and the planner must not administer the cluster."
    }
  }
}

resource "aws_eks_access_policy_association" "viewer" {
  for_each = local.viewer_principal_arns

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.viewer[each.key].principal_arn
  policy_arn    = local.cluster_view_policy

  access_scope {
    type = "cluster"
  }
}

# IRSA: lets Kubernetes service accounts assume IAM roles.
resource "aws_iam_openid_connect_provider" "this" {
  url            = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

resource "aws_iam_role" "node" {
  name                 = "${var.cluster_name}-node"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each   = toset(["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"])
  role       = aws_iam_role.node.name
  policy_arn = "${local.policy_prefix}/${each.value}"
}

resource "aws_eks_node_group" "this" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.cluster_name}-default"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.subnet_ids
  instance_types  = var.node_group.instance_types
  ami_type        = var.node_group.ami_type
  disk_size       = var.node_group.disk_size

  scaling_config {
    min_size     = var.node_group.min_size
    desired_size = var.node_group.desired_size
    max_size     = var.node_group.max_size
  }

  tags = var.tags

  lifecycle {
    # Nothing in this stack scales the group, but a later apply must not undo
    # a desired size an operator (or an autoscaler the customer installs) set.
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}
