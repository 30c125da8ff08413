locals {
  collection = "collection/${var.collection_name}"
}

resource "aws_opensearchserverless_security_policy" "encryption" {
  name = "${var.collection_name}-enc"
  type = "encryption"
  policy = jsonencode(merge(
    { Rules = [{ ResourceType = "collection", Resource = [local.collection] }] },
    var.kms_key_arn == null ? { AWSOwnedKey = true } : { KmsARN = var.kms_key_arn },
  ))
}

# The collection's private way in: an OpenSearch Serverless VPC endpoint in the
# given (private) subnets, reachable on HTTPS from ingress_cidrs only.
resource "aws_security_group" "vpc_endpoint" {
  count       = var.vpc_endpoint == null ? 0 : 1
  name        = var.vpc_endpoint.name
  description = "OpenSearch Serverless VPC endpoint of ${var.collection_name}"
  vpc_id      = var.vpc_endpoint.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "vpc_endpoint_https" {
  for_each          = var.vpc_endpoint == null ? toset([]) : toset(var.vpc_endpoint.ingress_cidrs)
  description       = "HTTPS to the collection from ${each.value}"
  security_group_id = aws_security_group.vpc_endpoint[0].id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_opensearchserverless_vpc_endpoint" "this" {
  count              = var.vpc_endpoint == null ? 0 : 1
  name               = var.vpc_endpoint.name
  vpc_id             = var.vpc_endpoint.vpc_id
  subnet_ids         = var.vpc_endpoint.subnet_ids
  security_group_ids = [aws_security_group.vpc_endpoint[0].id]
}

locals {
  source_vpces = concat(aws_opensearchserverless_vpc_endpoint.this[*].id, var.network_access.vpc_endpoint_ids)
}

# Private (through the VPC endpoints) unless public access is asked for; the
# Dashboards endpoint only when asked for, with the same access.
resource "aws_opensearchserverless_security_policy" "network" {
  name = "${var.collection_name}-net"
  type = "network"
  policy = jsonencode([merge(
    {
      Rules = concat(
        [{ ResourceType = "collection", Resource = [local.collection] }],
        var.network_access.dashboards ? [{ ResourceType = "dashboard", Resource = [local.collection] }] : [],
      )
      AllowFromPublic = var.network_access.public
    },
    var.network_access.public ? {} : { SourceVPCEs = local.source_vpces },
  )])
}

resource "aws_opensearchserverless_collection" "this" {
  name             = var.collection_name
  type             = var.collection_type
  standby_replicas = var.standby_replicas ? "ENABLED" : "DISABLED"
  tags             = var.tags

  depends_on = [
    aws_opensearchserverless_security_policy.encryption,
    aws_opensearchserverless_security_policy.network,
  ]
}

resource "aws_opensearchserverless_access_policy" "agent" {
  name = "${var.collection_name}-agent"
  type = "data"
  policy = jsonencode([{
    Rules = [
      {
        ResourceType = "collection"
        Resource     = [local.collection]
        Permission   = ["aoss:DescribeCollectionItems", "aoss:CreateCollectionItems", "aoss:UpdateCollectionItems"]
      },
      {
        ResourceType = "index"
        Resource     = ["index/${var.collection_name}/*"]
        Permission = [
          "aoss:CreateIndex", "aoss:DescribeIndex", "aoss:UpdateIndex",
          "aoss:ReadDocument", "aoss:WriteDocument",
        ]
      },
    ]
    Principal = var.principal_arns
  }])
}
